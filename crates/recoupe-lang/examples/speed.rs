//! Throughput of recoupe-lang against whatlang alone and lingua alone (high accuracy, the
//! same 57 languages), one thread, on the same texts of `../shared/eval/lingua-langid.jsonl`,
//! measured in alternating passes (ours, whatlang, lingua, ours, …) so that the machine's
//! speed changes hit all three; the ratio of medians is the figure.
//!
//! ```text
//! cargo run --release -p recoupe-lang --example speed -- [--per-lang N] [--passes N]
//!     [--refine-below-chars N] [--refine-candidates N] [--refine-min-score-ratio R]
//!     [--refine-full-candidates N] [--refine-below-confidence C] [--kind K] [--ours-only]
//! ```
//! The texts are the held-out half (odd positions, as in the accuracy harness).

use std::collections::HashMap;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context};
use recoupe_lang::{Lang, LanguageDetectorBuilder};

#[derive(serde::Deserialize)]
struct Item {
    text: String,
    lang: String,
    kind: String,
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let per_lang: usize = flag("--per-lang")
        .map(|v| v.parse())
        .transpose()?
        .unwrap_or(40);
    // Profiling aid: time ours only.
    let ours_only = args.iter().any(|a| a == "--ours-only");
    let passes: usize = flag("--passes")
        .map(|v| v.parse())
        .transpose()?
        .unwrap_or(5);

    let data =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/eval/lingua-langid.jsonl");
    if !data.exists() {
        bail!(
            "{} not found: the eval data lives in ../shared/eval",
            data.display()
        );
    }
    let langs: Vec<lingua::Language> = Lang::ALL.iter().filter_map(|l| lingua_of(*l)).collect();
    let text = std::fs::read_to_string(&data)?;
    let mut texts: HashMap<String, Vec<String>> = HashMap::new();
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    let mut taken: HashMap<(String, String), usize> = HashMap::new();
    for (n, line) in text.lines().enumerate() {
        let item: Item =
            serde_json::from_str(line).with_context(|| format!("{}:{}", data.display(), n + 1))?;
        if Lang::from_code(&item.lang).is_none_or(|l| lingua_of(l).is_none()) {
            continue;
        }
        let key = (item.kind.clone(), item.lang.clone());
        let pos = seen.entry(key.clone()).or_default();
        *pos += 1;
        let took = taken.entry(key).or_default();
        if (*pos - 1) % 2 == 1 && *took < per_lang {
            *took += 1;
            texts.entry(item.kind).or_default().push(item.text);
        }
    }

    let mut builder = LanguageDetectorBuilder::new().min_letters(1);
    if let Some(n) = flag("--refine-full-candidates") {
        builder = builder.refine_full_candidates(n.parse()?);
    }
    if let Some(n) = flag("--refine-below-chars") {
        builder = builder.refine_below_chars(n.parse()?);
    }
    if let Some(n) = flag("--refine-candidates") {
        builder = builder.refine_candidates(n.parse()?);
    }
    if let Some(r) = flag("--refine-min-score-ratio") {
        builder = builder.refine_min_score_ratio(r.parse()?);
    }
    if let Some(c) = flag("--refine-below-confidence") {
        builder = builder.refine_below_confidence(c.parse()?);
    }
    let ours = builder.build()?;
    let whatlang = whatlang::Detector::new();
    let lingua = lingua::LanguageDetectorBuilder::from_languages(&langs)
        .with_preloaded_language_models()
        .build();

    println!("| kind | texts | ours (texts/s) | whatlang (texts/s) | lingua high (texts/s) | ours / lingua | whatlang / ours |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let kinds = flag("--kind").map_or(vec!["sentences".to_owned(), "word-pairs".to_owned()], |k| {
        vec![k]
    });
    for kind in &kinds {
        let Some(texts) = texts.get(kind) else {
            continue;
        };
        // Warm-up: every model page the texts need is touched once by each detector.
        for t in texts {
            black_box(ours.detect(t));
            if !ours_only {
                black_box(lingua.detect_language_of(t.as_str()));
            }
        }
        let mut secs: [Vec<f64>; 3] = Default::default();
        for _ in 0..passes {
            let start = Instant::now();
            black_box(texts.iter().filter_map(|t| ours.detect(t).lang()).count());
            secs[0].push(start.elapsed().as_secs_f64());
            if ours_only {
                continue;
            }
            let start = Instant::now();
            black_box(texts.iter().filter_map(|t| whatlang.detect_lang(t)).count());
            secs[1].push(start.elapsed().as_secs_f64());
            let start = Instant::now();
            black_box(
                texts
                    .iter()
                    .filter_map(|t| lingua.detect_language_of(t.as_str()))
                    .count(),
            );
            secs[2].push(start.elapsed().as_secs_f64());
        }
        if ours_only {
            secs[0].sort_by(f64::total_cmp);
            println!(
                "{kind}: ours {:.0}/s",
                texts.len() as f64 / secs[0][secs[0].len() / 2]
            );
            continue;
        }
        let rate: Vec<f64> = secs
            .iter_mut()
            .map(|s| {
                s.sort_by(f64::total_cmp);
                texts.len() as f64 / s[s.len() / 2]
            })
            .collect();
        println!(
            "| {kind} | {} | {:.0} | {:.0} | {:.0} | **{:.1}x** | {:.1}x |",
            texts.len(),
            rate[0],
            rate[1],
            rate[2],
            rate[0] / rate[2],
            rate[1] / rate[0]
        );
    }
    Ok(())
}

fn lingua_of(l: Lang) -> Option<lingua::Language> {
    let code: lingua::IsoCode639_1 = l.iso639_1().parse().ok()?;
    Some(lingua::Language::from_iso_code_639_1(&code))
        .filter(|x| lingua::Language::all().contains(x))
}
