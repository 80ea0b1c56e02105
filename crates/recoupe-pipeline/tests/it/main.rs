//! Readers and cleaning on the real seed articles (no model needed).

// Helpers outside `#[test]` functions panic on purpose: a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod fuzz_regressions;

use std::path::PathBuf;

use recoupe_pipeline::clean::{rule_removals, CleanConfig, Cleaned, RecurringLines, Rule};
use recoupe_pipeline::input::{self, InputConfig, InputSpec};
use recoupe_pipeline::ReadItem;

fn seeds() -> Option<PathBuf> {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/seed-articles");
    if dir.join("articles.jsonl").is_file() {
        Some(dir)
    } else {
        eprintln!("SKIP: ../shared/fixtures/seed-articles not found");
        None
    }
}

fn articles(spec: InputSpec, config: &InputConfig) -> Vec<recoupe_pipeline::RawArticle> {
    input::open(&spec, config)
        .unwrap()
        .map(|item| match item {
            ReadItem::Article(a) => a,
            ReadItem::Reject(r) => panic!("unexpected reject {r:?}"),
        })
        .collect()
}

#[test]
fn jsonl_and_txt_folder_give_the_same_texts() {
    let Some(dir) = seeds() else { return };
    let jsonl = articles(
        InputSpec::Path(dir.join("articles.jsonl")),
        &InputConfig::default(),
    );
    let config = InputConfig {
        text_extensions: vec!["txt".into()],
        ..InputConfig::default()
    };
    let txt = articles(InputSpec::Path(dir.clone()), &config);
    assert_eq!(jsonl.len(), 5);
    assert_eq!(txt.len(), 5);
    for (j, t) in jsonl.iter().zip(&txt) {
        assert_eq!(format!("{}.txt", j.id), t.id);
        assert_eq!(j.text.trim_end(), t.text.trim_end());
        assert!(j.meta.extra["story"]
            .as_str()
            .is_some_and(|s| !s.is_empty()));
    }
}

#[test]
fn seed_boilerplate_is_removed_and_body_kept() {
    let Some(dir) = seeds() else { return };
    let docs = articles(
        InputSpec::Path(dir.join("articles.jsonl")),
        &InputConfig::default(),
    );
    let config = CleanConfig::default();
    let mut recurring = RecurringLines::new(config.recurring.clone());
    let removals: Vec<_> = docs
        .iter()
        .map(|d| rule_removals(&d.text, &config))
        .collect();
    for (d, r) in docs.iter().zip(&removals) {
        recurring.observe(&d.text, r, d.meta.source.as_deref());
    }
    let rules: Vec<Vec<Rule>> = removals
        .iter()
        .map(|r| r.iter().map(|x| x.rule).collect())
        .collect();
    assert_eq!(rules[0], [Rule::SourceFooter]);
    assert_eq!(
        rules[1],
        [
            Rule::Navigation,
            Rule::Navigation,
            Rule::PhotoCredit,
            Rule::PhotoCredit,
            Rule::ReadMore,
            Rule::ReadMore,
            Rule::Share,
            Rule::SourceFooter
        ]
    );
    assert_eq!(rules[2], [Rule::Prompt]);
    assert_eq!(rules[3], [Rule::PhotoCredit]);
    assert_eq!(rules[4], [Rule::Metadata, Rule::PhotoCredit]);
    for (d, r) in docs.iter().zip(&removals) {
        // Five articles: nothing recurs often enough to be corpus boilerplate.
        assert!(recurring
            .removals(&d.text, r, d.meta.source.as_deref())
            .is_empty());
        let cleaned = Cleaned::new(&d.text, r.clone());
        // Cleaning removes little: every article keeps most of its text.
        assert!(cleaned.text.len() * 10 > d.text.len() * 7, "{}", d.id);
    }
    let c4 = Cleaned::new(&docs[4].text, removals[4].clone());
    assert!(c4.text.starts_with("Liens militaires Chine-Russie"));
}
