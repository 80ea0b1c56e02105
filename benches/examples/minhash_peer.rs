//! The Rust side of `scripts/bench_minhash_peer.py`.
//!
//! `minhash_peer generate --docs N --seed S --out FILE` writes the word 5-gram shingle
//! sets of a synthetic corpus (one document per line, shingles separated by tabs);
//! `minhash_peer bench --input FILE --reps R [--num-perm K]` reads them back and prints,
//! per repetition, one JSON line of documents per second for each variant, on the rayon
//! pool given by `RAYON_NUM_THREADS` (the script pins 1 thread on 1 core).

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use recoupe_bench::corpus::{word_shingles, Corpus, CorpusConfig};
use recoupe_similarity::minhash::{hash_shingle, MinHashParams, MinHashScheme, MinHasher};

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("generate") => generate(&args),
        Some("bench") => bench(&args),
        Some("estimate") => estimate(&args),
        _ => bail!("usage: minhash_peer generate --docs N --seed S --out FILE | bench --input FILE --reps R [--num-perm K] | estimate --input FILE --pairs FILE [--num-perm K]"),
    }
}

fn generate(args: &[String]) -> Result<()> {
    let docs: usize = arg(args, "--docs").unwrap_or("4000".into()).parse()?;
    let seed: u64 = arg(args, "--seed").unwrap_or("42".into()).parse()?;
    let out = arg(args, "--out").context("--out FILE is required")?;
    let corpus = Corpus::generate(&CorpusConfig {
        docs,
        seed,
        ..Default::default()
    });
    let mut w = BufWriter::new(std::fs::File::create(&out).with_context(|| out.clone())?);
    let labels = format!("{out}.labels");
    let mut l = BufWriter::new(std::fs::File::create(&labels).with_context(|| labels.clone())?);
    for d in &corpus.docs {
        writeln!(l, "{}", d.story)?;
    }
    l.flush()?;
    let mut total = 0usize;
    for d in &corpus.docs {
        let sh = word_shingles(&d.text, 5);
        total += sh.len();
        writeln!(w, "{}", sh.join("\t"))?;
    }
    w.flush()?;
    println!(
        "{{\"docs\": {}, \"mean_shingles\": {:.1}}}",
        corpus.docs.len(),
        total as f64 / corpus.docs.len().max(1) as f64
    );
    Ok(())
}

/// Estimated Jaccard similarity (one per line) of the pairs `i j` listed in `--pairs`.
fn estimate(args: &[String]) -> Result<()> {
    let input = arg(args, "--input").context("--input FILE is required")?;
    let pairs = arg(args, "--pairs").context("--pairs FILE is required")?;
    let num_perm: usize = arg(args, "--num-perm").unwrap_or("128".into()).parse()?;
    let file = std::fs::File::open(&input).with_context(|| input.clone())?;
    let mut hashed: Vec<Vec<u64>> = Vec::new();
    for line in BufReader::new(file).lines() {
        hashed.push(
            line?
                .split('\t')
                .map(|x| hash_shingle(x.as_bytes()))
                .collect(),
        );
    }
    let h = MinHasher::new(MinHashParams {
        num_perm,
        ..Default::default()
    })?;
    let sigs = h.signatures(&hashed)?;
    let file = std::fs::File::open(&pairs).with_context(|| pairs.clone())?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    for line in BufReader::new(file).lines() {
        let line = line?;
        let mut it = line.split_whitespace().map(str::parse::<usize>);
        let (Some(Ok(a)), Some(Ok(b))) = (it.next(), it.next()) else {
            bail!("bad pair line {line:?} in {pairs}: expected two row numbers");
        };
        writeln!(out, "{}", sigs.jaccard(a, b)?)?;
    }
    out.flush()?;
    Ok(())
}

fn bench(args: &[String]) -> Result<()> {
    let input = arg(args, "--input").context("--input FILE is required")?;
    let reps: usize = arg(args, "--reps").unwrap_or("5".into()).parse()?;
    let num_perm: usize = arg(args, "--num-perm").unwrap_or("128".into()).parse()?;
    let file = std::fs::File::open(&input).with_context(|| input.clone())?;
    let mut sets: Vec<Vec<String>> = Vec::new();
    // The same shingles as slices of one buffer per document (what a tokenizer that
    // yields windows over the text hands over): (text, byte ranges).
    let mut texts: Vec<(String, Vec<(usize, usize)>)> = Vec::new();
    for line in BufReader::new(file).lines() {
        let line = line?;
        sets.push(line.split('\t').map(str::to_owned).collect());
        let mut ranges = Vec::new();
        let mut start = 0;
        for piece in line.split('\t') {
            ranges.push((start, start + piece.len()));
            start += piece.len() + 1;
        }
        texts.push((line, ranges));
    }
    let hashed: Vec<Vec<u64>> = sets
        .iter()
        .map(|s| s.iter().map(|x| hash_shingle(x.as_bytes())).collect())
        .collect();
    let oph = MinHasher::new(MinHashParams {
        num_perm,
        ..Default::default()
    })?;
    let classic = MinHasher::new(MinHashParams {
        num_perm,
        scheme: MinHashScheme::Classic,
        ..Default::default()
    })?;
    let n = sets.len() as f64;
    let mut sink = 0u64;
    for _ in 0..reps {
        let t = Instant::now();
        let m = oph.signatures(&hashed)?;
        let prehashed = n / t.elapsed().as_secs_f64();
        sink ^= u64::from(m.as_flat().first().copied().unwrap_or(0));

        let t = Instant::now();
        let mut buf: Vec<u64> = Vec::new();
        let mut out = vec![0u32; num_perm];
        for (row, s) in sets.iter().enumerate() {
            buf.clear();
            buf.extend(s.iter().map(|x| hash_shingle(x.as_bytes())));
            oph.signature_into(row, buf.iter().copied(), &mut out)?;
            sink ^= u64::from(out[0]);
        }
        let strings = n / t.elapsed().as_secs_f64();

        let t = Instant::now();
        for (row, (text, ranges)) in texts.iter().enumerate() {
            let bytes = text.as_bytes();
            buf.clear();
            buf.extend(
                ranges
                    .iter()
                    .map(|&(a, b)| hash_shingle(bytes.get(a..b).unwrap_or_default())),
            );
            oph.signature_into(row, buf.iter().copied(), &mut out)?;
            sink ^= u64::from(out[0]);
        }
        let ranges = n / t.elapsed().as_secs_f64();

        let t = Instant::now();
        let m = classic.signatures(&hashed)?;
        let classic_prehashed = n / t.elapsed().as_secs_f64();
        sink ^= u64::from(m.as_flat().first().copied().unwrap_or(0));

        println!(
            "{{\"threads\": {}, \"oph_prehashed\": {prehashed:.1}, \"oph_strings\": {strings:.1}, \"oph_text_ranges\": {ranges:.1}, \"classic_prehashed\": {classic_prehashed:.1}}}",
            rayon::current_num_threads()
        );
    }
    eprintln!("checksum {sink}");
    Ok(())
}
