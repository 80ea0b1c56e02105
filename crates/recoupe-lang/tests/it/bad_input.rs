//! Every class of input without a language is undetermined with its reason.

use recoupe_lang::{Detection, Lang, LanguageDetector, LanguageDetectorBuilder, Undetermined};

fn reason(text: &str) -> Option<Undetermined> {
    LanguageDetector::new().detect(text).undetermined()
}

#[test]
fn empty() {
    assert_eq!(reason(""), Some(Undetermined::Empty));
}

#[test]
fn whitespace_and_invisible() {
    assert_eq!(reason("   \n\t  "), Some(Undetermined::Whitespace));
    assert_eq!(
        reason("\u{200B}\u{FEFF} \u{00A0}"),
        Some(Undetermined::Whitespace)
    );
}

#[test]
fn digits_only() {
    assert_eq!(reason("42"), Some(Undetermined::DigitsOnly));
    assert_eq!(reason("+33 1 23 45 67 89"), Some(Undetermined::DigitsOnly));
    assert_eq!(reason("2023-04-16 12:30"), Some(Undetermined::DigitsOnly));
}

#[test]
fn emoji_only() {
    assert_eq!(reason("🙂"), Some(Undetermined::EmojiOnly));
    assert_eq!(reason("🇫🇷🇷🇺 👍🏽 ❤️"), Some(Undetermined::EmojiOnly));
    assert_eq!(reason("👨‍👩‍👧"), Some(Undetermined::EmojiOnly));
}

#[test]
fn no_letters() {
    assert_eq!(reason("— … !? «»"), Some(Undetermined::NoLetters));
    assert_eq!(reason("12 🙂"), Some(Undetermined::NoLetters));
}

#[test]
fn too_short() {
    assert_eq!(
        reason("ok"),
        Some(Undetermined::TooShort {
            letters: 2,
            min_letters: 3
        })
    );
    assert_eq!(
        reason("A 1 🙂"),
        Some(Undetermined::TooShort {
            letters: 1,
            min_letters: 3
        })
    );
}

#[test]
fn confidence_floor_gives_low_confidence_not_a_guess() -> anyhow::Result<()> {
    let strict = LanguageDetectorBuilder::new().min_confidence(1.0).build()?;
    // Two words shared by several Romance languages: never certain.
    match strict.detect("la casa") {
        Detection::Undetermined(Undetermined::LowConfidence { confidence, .. }) => {
            assert!(confidence < 1.0)
        }
        other => panic!("expected low confidence, got {other:?}"),
    }
    Ok(())
}

#[test]
fn script_outside_allow_list_is_not_allowed() -> anyhow::Result<()> {
    let latin_only = LanguageDetectorBuilder::new()
        .allow([Lang::English, Lang::French])
        .build()?;
    assert_eq!(
        latin_only
            .detect("Η Ελλάδα είναι χώρα της νοτιοανατολικής Ευρώπης.")
            .undetermined(),
        Some(Undetermined::NotAllowed)
    );
    Ok(())
}

#[test]
fn reasons_serialize_with_their_name() -> anyhow::Result<()> {
    let json = serde_json::to_string(&LanguageDetector::new().detect("ok"))?;
    assert_eq!(
        json,
        r#"{"undetermined":{"reason":"too_short","letters":2,"min_letters":3}}"#
    );
    Ok(())
}
