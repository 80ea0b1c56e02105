//! Accuracy harness on `../shared/eval/lingua-langid.jsonl` (lingua's test data: sentences,
//! word pairs, single words), per kind and per language, next to lingua's published tables.
//!
//! ```text
//! cargo run --release -p recoupe-lang --example accuracy -- [--per-lang N] [--only whatlang,ours]
//!     [--refine-below-chars N] [--refine-candidates N] [--refine-below-confidence C]
//!     [--refine-min-score-ratio R] [--refine-full-candidates N] [--keep-unmodelled-best] [--split tune|held-out|all]
//! ```
//! Split: within each language and kind, items alternate in file order between the tuning
//! half (even positions) and the held-out half (odd positions). Settings were chosen on
//! `--split tune`; `--split held-out` is the honest figure; default `all`.
//! Language set: the languages with a published whatlang value (54), so the whatlang row
//! can be checked against the published means. Markdown goes to stdout.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use rayon::prelude::*;
use recoupe_lang::{Lang, LanguageDetector, LanguageDetectorBuilder};

const KINDS: [&str; 3] = ["sentences", "word-pairs", "single-words"];

#[derive(serde::Deserialize)]
struct Item {
    text: String,
    lang: String,
    kind: String,
}

type Detect = Box<dyn Fn(&str) -> Option<Lang> + Sync>;
/// Published accuracies: kind -> detector column -> language name -> percent.
type Published = BTreeMap<String, BTreeMap<String, BTreeMap<String, f64>>>;

fn shared_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

/// Published per-language accuracies: kind -> detector column -> language -> percent.
fn published(dir: &std::path::Path) -> anyhow::Result<Published> {
    let mut out = BTreeMap::new();
    for kind in KINDS {
        let path = dir.join(format!("{kind}-accuracy-values.csv"));
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().context("empty csv")?.split(',').collect();
        let mut cols: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
        for line in lines {
            let cells: Vec<&str> = line.split(',').collect();
            for (h, v) in header.iter().zip(&cells).skip(1) {
                if let Ok(v) = v.parse::<f64>() {
                    if !v.is_nan() {
                        cols.entry((*h).to_owned())
                            .or_default()
                            .insert(cells[0].to_owned(), v);
                    }
                }
            }
        }
        out.insert(kind.to_owned(), cols);
    }
    Ok(out)
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
        .unwrap_or(usize::MAX);
    let split = flag("--split").unwrap_or_else(|| "all".to_owned());
    let keep: fn(usize) -> bool = match split.as_str() {
        "all" => |_| true,
        "tune" => |i| i % 2 == 0,
        "held-out" => |i| i % 2 == 1,
        other => bail!("--split {other}: use tune, held-out or all"),
    };
    let only: Option<Vec<String>> =
        flag("--only").map(|v| v.split(',').map(str::to_owned).collect());

    let shared = shared_dir();
    let data = shared.join("eval/lingua-langid.jsonl");
    if !data.exists() {
        bail!(
            "{} not found: the eval data lives in ../shared/eval next to the repository",
            data.display()
        );
    }
    let published = published(&shared.join("eval/lingua-published-baselines"))?;
    // Same language set as the published whatlang column.
    let langs: Vec<Lang> = published["sentences"]["whatlang"]
        .keys()
        .map(|name| {
            Lang::ALL
                .into_iter()
                .find(|l| l.name() == name)
                .with_context(|| format!("no Lang named {name}"))
        })
        .collect::<anyhow::Result<_>>()?;

    let mut items: BTreeMap<(&str, Lang), Vec<String>> = BTreeMap::new();
    let mut seen: BTreeMap<(&str, Lang), usize> = BTreeMap::new();
    let text = std::fs::read_to_string(&data)?;
    for (n, line) in text.lines().enumerate() {
        let item: Item =
            serde_json::from_str(line).with_context(|| format!("{}:{}", data.display(), n + 1))?;
        let Some(lang) = Lang::from_code(&item.lang).filter(|l| langs.contains(l)) else {
            continue;
        };
        let Some(kind) = KINDS.iter().find(|k| **k == item.kind) else {
            continue;
        };
        let position = seen.entry((kind, lang)).or_default();
        *position += 1;
        if !keep(*position - 1) {
            continue;
        }
        let bucket = items.entry((kind, lang)).or_default();
        if bucket.len() < per_lang {
            bucket.push(item.text);
        }
    }

    // The harness measures accuracy, so every input gets an answer (no too-short floor).
    let detectors: Vec<(&str, Detect)> = {
        let mut v: Vec<(&str, Detect)> = Vec::new();
        let wl = whatlang::Detector::new();
        v.push((
            "whatlang",
            Box::new(move |t| wl.detect_lang(t).and_then(from_whatlang)),
        ));
        let plain = LanguageDetectorBuilder::new()
            .min_letters(1)
            .refine(false)
            .build()?;
        v.push((
            "ours-whatlang-only",
            Box::new(move |t| plain.detect(t).lang()),
        ));
        let mut builder = LanguageDetectorBuilder::new().min_letters(1);
        if let Some(n) = flag("--refine-below-chars") {
            builder = builder.refine_below_chars(n.parse()?);
        }
        if let Some(n) = flag("--refine-candidates") {
            builder = builder.refine_candidates(n.parse()?);
        }
        if let Some(c) = flag("--refine-below-confidence") {
            builder = builder.refine_below_confidence(c.parse()?);
        }
        if args.iter().any(|a| a == "--keep-unmodelled-best") {
            builder = builder.keep_unmodelled_best(true);
        }
        if let Some(n) = flag("--refine-full-candidates") {
            builder = builder.refine_full_candidates(n.parse()?);
        }
        if let Some(r) = flag("--refine-min-score-ratio") {
            builder = builder.refine_min_score_ratio(r.parse()?);
        }
        let ours: LanguageDetector = builder.build()?;
        v.push(("ours", Box::new(move |t| ours.detect(t).lang())));
        let lingua_langs: Vec<lingua::Language> =
            Lang::ALL.iter().filter_map(|l| lingua_of(*l)).collect();
        let high = lingua::LanguageDetectorBuilder::from_languages(&lingua_langs).build();
        v.push((
            "lingua-high",
            Box::new(move |t| high.detect_language_of(t).and_then(from_lingua)),
        ));
        let low = lingua::LanguageDetectorBuilder::from_languages(&lingua_langs)
            .with_low_accuracy_mode()
            .build();
        v.push((
            "lingua-low",
            Box::new(move |t| low.detect_language_of(t).and_then(from_lingua)),
        ));
        v.into_iter()
            .filter(|(n, _)| only.as_ref().is_none_or(|o| o.iter().any(|x| x == n)))
            .collect()
    };

    // accuracy[detector][kind][lang] in percent; time[detector][kind]
    let mut acc: BTreeMap<&str, BTreeMap<&str, BTreeMap<Lang, f64>>> = BTreeMap::new();
    let mut time: BTreeMap<&str, BTreeMap<&str, Duration>> = BTreeMap::new();
    for (name, detect) in &detectors {
        for kind in KINDS {
            let start = Instant::now();
            let per: Vec<(Lang, f64)> = langs
                .par_iter()
                .map(|lang| {
                    let texts = items
                        .get(&(kind, *lang))
                        .map(Vec::as_slice)
                        .unwrap_or_default();
                    let ok = texts.iter().filter(|t| detect(t) == Some(*lang)).count();
                    (*lang, 100.0 * ok as f64 / texts.len().max(1) as f64)
                })
                .collect();
            time.entry(name).or_default().insert(kind, start.elapsed());
            acc.entry(name)
                .or_default()
                .insert(kind, per.into_iter().collect());
            eprintln!("{name} {kind} done in {:.1?}", start.elapsed());
        }
    }

    let mean = |m: &BTreeMap<Lang, f64>| m.values().sum::<f64>() / m.len().max(1) as f64;
    let pub_mean = |kind: &str, col: &str, subset: bool| {
        let m = &published[kind][col];
        let vals: Vec<f64> = m
            .iter()
            .filter(|(n, _)| !subset || langs.iter().any(|l| l.name() == n.as_str()))
            .map(|(_, v)| *v)
            .collect();
        vals.iter().sum::<f64>() / vals.len().max(1) as f64
    };
    let total: usize = items.values().map(Vec::len).sum();
    println!(
        "Items: {total} over {} languages ({} per language and kind at most), split {split}.\n",
        langs.len(),
        if per_lang == usize::MAX {
            "all".to_owned()
        } else {
            per_lang.to_string()
        }
    );
    println!("### Mean accuracy over the {} languages (%)\n", langs.len());
    println!("| detector | sentences | word pairs | single words | harness time (s, same run) |");
    println!("|---|---:|---:|---:|---:|");
    for (col, label, subset) in [
        ("whatlang", "whatlang (published)", true),
        (
            "lingua-high-accuracy",
            "lingua high (published, same languages)",
            true,
        ),
        (
            "lingua-low-accuracy",
            "lingua low (published, same languages)",
            true,
        ),
        (
            "lingua-high-accuracy",
            "lingua high (published, all 75 languages)",
            false,
        ),
    ] {
        println!(
            "| {label} | {:.1} | {:.1} | {:.1} | |",
            pub_mean("sentences", col, subset),
            pub_mean("word-pairs", col, subset),
            pub_mean("single-words", col, subset)
        );
    }
    for (name, _) in &detectors {
        let a = &acc[name];
        let t: f64 = time[name].values().map(Duration::as_secs_f64).sum();
        println!(
            "| {name} (measured) | {:.1} | {:.1} | {:.1} | {t:.1} |",
            mean(&a["sentences"]),
            mean(&a["word-pairs"]),
            mean(&a["single-words"])
        );
    }

    println!("\n### French\n");
    println!("| detector | sentences | word pairs | single words |");
    println!("|---|---:|---:|---:|");
    for (col, label) in [
        ("whatlang", "whatlang (published)"),
        ("lingua-high-accuracy", "lingua high (published)"),
    ] {
        let g = |k: &str| published[k][col].get("French").copied().unwrap_or(f64::NAN);
        println!(
            "| {label} | {:.1} | {:.1} | {:.1} |",
            g("sentences"),
            g("word-pairs"),
            g("single-words")
        );
    }
    for (name, _) in &detectors {
        let g = |k: &str| acc[name][k].get(&Lang::French).copied().unwrap_or(f64::NAN);
        println!(
            "| {name} (measured) | {:.1} | {:.1} | {:.1} |",
            g("sentences"),
            g("word-pairs"),
            g("single-words")
        );
    }

    println!("\n### Per language (%): sentences / word pairs / single words\n");
    let names: Vec<&str> = detectors.iter().map(|(n, _)| *n).collect();
    println!(
        "| language | whatlang (published) | {} |",
        names.join(" | ")
    );
    println!("|---|---|{}", "---|".repeat(names.len()));
    for lang in &langs {
        let p = |k: &str| {
            published[k]["whatlang"]
                .get(lang.name())
                .copied()
                .unwrap_or(f64::NAN)
        };
        let mut row = format!(
            "| {} | {:.0} / {:.0} / {:.0} |",
            lang.name(),
            p("sentences"),
            p("word-pairs"),
            p("single-words")
        );
        for n in &names {
            let g = |k: &str| acc[n][k][lang];
            row += &format!(
                " {:.0} / {:.0} / {:.0} |",
                g("sentences"),
                g("word-pairs"),
                g("single-words")
            );
        }
        println!("{row}");
    }
    Ok(())
}

fn from_whatlang(l: whatlang::Lang) -> Option<Lang> {
    Lang::ALL.into_iter().find(|x| x.iso639_3() == l.code())
}

fn lingua_of(l: Lang) -> Option<lingua::Language> {
    let code = lingua::IsoCode639_1::from_str_opt(l.iso639_1())?;
    Some(lingua::Language::from_iso_code_639_1(&code))
        .filter(|x| lingua::Language::all().contains(x))
}

fn from_lingua(l: lingua::Language) -> Option<Lang> {
    Lang::from_code(&l.iso_code_639_1().to_string())
}

trait FromStrOpt: Sized {
    fn from_str_opt(s: &str) -> Option<Self>;
}

impl FromStrOpt for lingua::IsoCode639_1 {
    fn from_str_opt(s: &str) -> Option<Self> {
        s.parse().ok()
    }
}
