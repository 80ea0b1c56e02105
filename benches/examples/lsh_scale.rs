//! MinHash + LSH at scale: `lsh_scale --docs 1000000 [--threshold 0.5]`.
//!
//! Documents are generated on the fly as sets of ~320 shingle hashes in groups of four
//! per story: an original, an exact copy, a light edit (10 shingles replaced) and a heavy
//! rewrite (60 % replaced), so recall of planted pairs is known. Signatures are computed
//! in chunks (shingles are never all in memory), then candidate pairs are banded and
//! verified. Prints timings, pair counts, recall and the peak RSS (VmHWM).

use std::time::Instant;

use anyhow::{Context, Result};
use rayon::prelude::*;
use recoupe_similarity::lsh::{candidate_pairs, verify_pairs, LshParams};
use recoupe_similarity::minhash::{MinHasher, SignatureMatrix};

fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Shingles of document `i`: story `i / 4`, variant `i % 4`.
fn doc(i: u64, out: &mut Vec<u64>) {
    out.clear();
    let story = i / 4;
    let variant = i % 4;
    let len = 300 + mix(story) % 40;
    for j in 0..len {
        let replaced = match variant {
            2 => j % 32 == 5,                              // ~10 of 320
            3 => mix(story ^ j.wrapping_mul(77)) % 10 < 6, // ~60 %
            _ => false,
        };
        let salt = if replaced { i + 1 } else { 0 };
        out.push(mix(story.wrapping_mul(1 << 20) ^ j ^ salt.wrapping_shl(40)));
    }
}

/// CPU seconds (user + system, all threads) of this process so far: less sensitive than
/// wall time to other jobs on a shared machine.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return f64::NAN;
    };
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|x| x.parse().ok())
        .collect();
    f.iter().sum::<f64>() / 100.0
}

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let get = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let n: u64 = get("--docs").unwrap_or("100000".into()).parse()?;
    let threshold: f64 = get("--threshold").unwrap_or("0.5".into()).parse()?;
    let h = MinHasher::default();
    let k = h.num_perm();

    let (t, c) = (Instant::now(), cpu_seconds());
    let mut flat: Vec<u32> = Vec::with_capacity(n as usize * k);
    const CHUNK: u64 = 65_536;
    let mut start = 0;
    while start < n {
        let end = (start + CHUNK).min(n);
        let rows: Vec<Vec<u32>> = (start..end)
            .into_par_iter()
            .map_init(Vec::new, |buf, i| {
                doc(i, buf);
                let mut sig = vec![0u32; k];
                h.signature_into(i as usize, buf.iter().copied(), &mut sig)
                    .map(|()| sig)
            })
            .collect::<std::result::Result<_, _>>()?;
        for r in rows {
            flat.extend_from_slice(&r);
        }
        start = end;
    }
    let sigs = SignatureMatrix::from_flat(k, flat)?;
    let t_sig = t.elapsed().as_secs_f64();
    let c_sig = cpu_seconds() - c;

    let params = LshParams::for_threshold(threshold, k)?;
    let (t, c) = (Instant::now(), cpu_seconds());
    let pairs = candidate_pairs(params, &sigs)?;
    let t_lsh = t.elapsed().as_secs_f64();
    let c_lsh = cpu_seconds() - c;
    let t = Instant::now();
    let kept = verify_pairs(&sigs, &pairs, threshold)?;
    let t_verify = t.elapsed().as_secs_f64();

    // Planted pairs within a story: (orig, exact) (orig, light) (exact, light) have
    // Jaccard >= 0.9; pairs with the heavy rewrite are ~0.25 and should be dropped.
    let stories = n / 4;
    let mut found_near = 0u64;
    let mut found_heavy = 0u64;
    for s in 0..stories {
        let b = (s * 4) as u32;
        for (x, y) in [(0, 1), (0, 2), (1, 2)] {
            if kept
                .binary_search_by_key(&(b + x, b + y), |&(a, c, _)| (a, c))
                .is_ok()
            {
                found_near += 1;
            }
        }
        for x in 0..3 {
            if kept
                .binary_search_by_key(&(b + x, b + 3), |&(a, c, _)| (a, c))
                .is_ok()
            {
                found_heavy += 1;
            }
        }
    }
    let cross = kept.iter().filter(|&&(a, b, _)| a / 4 != b / 4).count();
    println!(
        "docs {n}, threads {}, num_perm {k}, bands {} x rows {}",
        rayon::current_num_threads(),
        params.bands,
        params.rows
    );
    println!(
        "signatures {t_sig:.2}s wall {c_sig:.2}s cpu ({:.0} docs/s), candidate pairs {t_lsh:.2}s wall {c_lsh:.2}s cpu ({} pairs), verify {t_verify:.2}s ({} kept)",
        n as f64 / t_sig,
        pairs.len(),
        kept.len()
    );
    println!(
        "recall of planted near-duplicate pairs {:.4}, heavy-rewrite pairs kept {:.4}, cross-story pairs kept {cross}",
        found_near as f64 / (3 * stories).max(1) as f64,
        found_heavy as f64 / (3 * stories).max(1) as f64
    );
    println!(
        "peak RSS {:.0} MB",
        peak_rss_mb().context("no /proc/self/status")?
    );
    Ok(())
}
