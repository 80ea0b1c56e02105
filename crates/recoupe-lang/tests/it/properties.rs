//! Invariants over arbitrary input: no panic, answers inside the allow-list, same answer
//! with 1 or N threads.

use proptest::prelude::*;
use rayon::prelude::*;
use recoupe_lang::{Lang, LanguageDetector, LanguageDetectorBuilder};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn never_panics_and_is_deterministic(text in "\\PC{0,200}") {
        let detector = LanguageDetector::new();
        let a = detector.detect(&text);
        prop_assert_eq!(a, detector.detect(&text));
        prop_assert!((0.0..=1.0).contains(&a.confidence()));
    }

    #[test]
    fn answers_stay_in_the_allow_list(text in "[a-zA-Zàéèçœ ]{0,80}") {
        let allow = [Lang::French, Lang::Italian, Lang::Spanish];
        let detector = LanguageDetectorBuilder::new().allow(allow).build().map_err(|e| TestCaseError::fail(e.to_string()))?;
        if let Some(lang) = detector.detect(&text).lang() {
            prop_assert!(allow.contains(&lang), "{lang:?}");
        }
    }
}

#[test]
fn same_results_with_one_or_two_threads() -> anyhow::Result<()> {
    let texts: Vec<String> = [
        "la casa",
        "das Haus",
        "the house",
        "le chat noir",
        "o gato",
        "kot i pies",
        "Москва",
        "een huis",
        "et hus",
        "ett hus",
        "bir ev",
        "egy ház",
        "una casa bianca",
        "mi casa",
    ]
    .iter()
    .cycle()
    .take(300)
    .enumerate()
    .map(|(i, t)| format!("{t} {}", ["", "grande", "nuovo", "new"][i % 4]))
    .collect();
    let detector = LanguageDetector::new();
    let run = |threads: usize| -> anyhow::Result<Vec<_>> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()?;
        Ok(pool.install(|| texts.par_iter().map(|t| detector.detect(t)).collect()))
    };
    assert_eq!(run(1)?, run(2)?);
    Ok(())
}
