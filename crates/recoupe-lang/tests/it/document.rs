//! Per-paragraph detection on the seed articles: the English instruction at the top of
//! article 002 is found and the article is flagged mixed.

use std::path::PathBuf;

use recoupe_lang::{Lang, LanguageDetector, Method};

fn seed(prefix: &str) -> Option<String> {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/seed-articles");
    let entry = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().starts_with(prefix))?;
    std::fs::read_to_string(entry.path()).ok()
}

#[test]
fn seed_002_english_instruction_is_found_and_flagged_mixed() {
    let Some(text) = seed("002_") else {
        eprintln!("skipped: ../shared/fixtures/seed-articles/002_*.txt not found (shared data lives next to the repository)");
        return;
    };
    let doc = LanguageDetector::new().detect_paragraphs(&text);
    assert_eq!(doc.main.lang(), Some(Lang::French));
    let first = &doc.paragraphs[0];
    assert!(text[first.range.clone()].starts_with("Make this article seo compatible"));
    assert_eq!(
        first.detection.lang(),
        Some(Lang::English),
        "{:?}",
        first.detection
    );
    assert!(first.detection.is_reliable(), "{:?}", first.detection);
    assert!(doc.mixed);
    let foreign: Vec<_> = doc.foreign_paragraphs().collect();
    assert_eq!(foreign.len(), 1, "{foreign:?}");
    assert_eq!(doc.languages[0].lang, Lang::French);
    assert!(doc.languages[0].share > 0.9);
}

#[test]
fn single_language_seed_articles_are_not_mixed() {
    for prefix in ["003_", "004_"] {
        let Some(text) = seed(prefix) else {
            eprintln!("skipped: seed article {prefix}* not found");
            return;
        };
        let doc = LanguageDetector::new().detect_paragraphs(&text);
        assert_eq!(doc.main.lang(), Some(Lang::French), "{prefix}");
        assert!(
            !doc.mixed,
            "{prefix}: {:?}",
            doc.foreign_paragraphs().collect::<Vec<_>>()
        );
    }
}

#[test]
fn paragraph_ranges_slice_the_original() {
    let text = "  Première ligne en français, assez longue pour compter.\n\n\tSecond line in English, long enough to count.  \n";
    let doc = LanguageDetector::new().detect_paragraphs(text);
    assert_eq!(doc.paragraphs.len(), 2);
    assert_eq!(
        &text[doc.paragraphs[0].range.clone()],
        "Première ligne en français, assez longue pour compter."
    );
    assert_eq!(
        &text[doc.paragraphs[1].range.clone()],
        "Second line in English, long enough to count."
    );
    assert_eq!(doc.paragraphs[0].detection.lang(), Some(Lang::French));
    assert_eq!(doc.paragraphs[1].detection.lang(), Some(Lang::English));
    // whatlang alone is right on these lines but not confident enough to call them reliable.
    #[cfg(feature = "hybrid")]
    assert!(doc.mixed);
}

#[test]
fn long_input_is_sampled() {
    let sentence = "Le ministre chinois de la Défense a salué des liens très forts avec Moscou. ";
    let text = sentence.repeat(20_000);
    let d = LanguageDetector::new().detect(&text);
    assert_eq!(d.lang(), Some(Lang::French));
    match d {
        recoupe_lang::Detection::Detected(det) => {
            assert!(det.sampled);
            assert_ne!(det.method, Method::Script);
        }
        other => panic!("{other:?}"),
    }
}
