//! Start-up time and memory of one detector, in a fresh process:
//!
//! ```text
//! cargo run --release -p recoupe-lang --example footprint -- <ours|ours-preload|ours-whatlang-only|lingua-high>
//! ```
//! Prints build time, time of the first pass over 20 word pairs per language (lazy model
//! loading included), time of a second pass, and resident memory (VmRSS, VmHWM) at each step.

use std::time::Instant;

use anyhow::{bail, Context};
use recoupe_lang::{Lang, LanguageDetectorBuilder};

#[derive(serde::Deserialize)]
struct Item {
    text: String,
    lang: String,
    kind: String,
}

fn rss() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let get = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    };
    format!(
        "rss {:.0} MiB, peak {:.0} MiB",
        get("VmRSS:"),
        get("VmHWM:")
    )
}

fn main() -> anyhow::Result<()> {
    let mode = std::env::args()
        .nth(1)
        .context("usage: footprint <ours|ours-preload|ours-whatlang-only|lingua-high>")?;
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/eval/lingua-langid.jsonl");
    let data =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut counts = std::collections::HashMap::<String, usize>::new();
    let mut texts = Vec::new();
    for line in data.lines() {
        let item: Item = serde_json::from_str(line)?;
        let known = Lang::from_code(&item.lang).is_some();
        let n = counts.entry(item.lang).or_default();
        if item.kind == "word-pairs" && known && *n < 20 {
            *n += 1;
            texts.push(item.text);
        }
    }
    drop(data);
    println!("{mode}: start: {}", rss());

    let t = Instant::now();
    let detect: Box<dyn Fn(&str) -> bool> = match mode.as_str() {
        "ours" | "ours-preload" | "ours-whatlang-only" => {
            let d = LanguageDetectorBuilder::new()
                .refine(mode != "ours-whatlang-only")
                .preload(mode == "ours-preload")
                .build()?;
            Box::new(move |t| d.detect(t).lang().is_some())
        }
        "lingua-high" => {
            let langs: Vec<lingua::Language> = lingua::Language::all().into_iter().collect();
            let d = lingua::LanguageDetectorBuilder::from_languages(&langs)
                .with_preloaded_language_models()
                .build();
            Box::new(move |t| d.detect_language_of(t).is_some())
        }
        other => bail!("unknown mode {other}"),
    };
    println!("{mode}: built in {:.1?}: {}", t.elapsed(), rss());
    for pass in ["first", "second"] {
        let t = Instant::now();
        let found = texts.iter().filter(|t| detect(t)).count();
        println!(
            "{mode}: {pass} pass over {} word pairs ({found} detected) in {:.1?}: {}",
            texts.len(),
            t.elapsed(),
            rss()
        );
    }
    Ok(())
}
