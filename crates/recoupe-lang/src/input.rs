//! Classification of input that carries no language: empty, whitespace, digits, emoji,
//! too few letters. Checked before any model runs, so these never become a guess.

use crate::detection::Undetermined;

/// Zero-width and invisible formatting characters that count as blank.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
    )
}

/// Emoji, pictographs and their modifiers (skin tones, variation selectors, keycaps, tags,
/// regional indicators). A coarse block test: enough to tell "only emoji" from text.
fn is_emoji(c: char) -> bool {
    matches!(c as u32,
        0x1F000..=0x1FAFF   // mahjong .. symbols & pictographs ext-A, incl. flags, skin tones
        | 0x2600..=0x27BF   // misc symbols, dingbats
        | 0x2300..=0x23FF   // misc technical (⌚ ⏰)
        | 0x2B00..=0x2BFF   // arrows, stars (⭐)
        | 0xFE00..=0xFE0F   // variation selectors
        | 0x20E3            // combining keycap
        | 0xE0020..=0xE007F // tag characters (subdivision flags)
    )
}

/// Counts letters up to `min_letters` (early exit) and returns why `text` cannot be
/// detected, if it cannot.
pub(crate) fn classify(text: &str, min_letters: usize) -> Option<Undetermined> {
    if text.is_empty() {
        return Some(Undetermined::Empty);
    }
    let need = min_letters.max(1);
    let (mut letters, mut digits, mut emoji, mut other) = (0usize, false, false, false);
    for c in text.chars() {
        if c.is_alphabetic() {
            letters += 1;
            if letters >= need {
                return None;
            }
        } else if c.is_whitespace() || is_invisible(c) {
        } else if c.is_numeric() {
            digits = true;
        } else if is_emoji(c) {
            emoji = true;
        } else {
            other = true;
        }
    }
    if letters > 0 {
        return Some(Undetermined::TooShort {
            letters,
            min_letters: need,
        });
    }
    Some(match (digits, emoji, other) {
        (false, false, false) => Undetermined::Whitespace,
        (true, false, _) => Undetermined::DigitsOnly,
        (false, true, _) => Undetermined::EmojiOnly,
        _ => Undetermined::NoLetters,
    })
}

/// Letters in `text` (no early exit), for weighting paragraphs.
pub(crate) fn count_letters(text: &str) -> usize {
    text.chars().filter(|c| c.is_alphabetic()).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        assert_eq!(classify("", 3), Some(Undetermined::Empty));
        assert_eq!(
            classify(" \t\n\u{200B}\u{FEFF}", 3),
            Some(Undetermined::Whitespace)
        );
        assert_eq!(classify("12 345,67 %", 3), Some(Undetermined::DigitsOnly));
        assert_eq!(classify("2024-11-21", 3), Some(Undetermined::DigitsOnly));
        assert_eq!(classify("٣٤٥", 3), Some(Undetermined::DigitsOnly));
        assert_eq!(classify("😀 🎉🇫🇷 👍🏽", 3), Some(Undetermined::EmojiOnly));
        assert_eq!(classify("❤️!!", 3), Some(Undetermined::EmojiOnly));
        assert_eq!(classify("1️⃣ 😀", 3), Some(Undetermined::NoLetters));
        assert_eq!(classify("!?…", 3), Some(Undetermined::NoLetters));
        assert_eq!(
            classify("ok", 3),
            Some(Undetermined::TooShort {
                letters: 2,
                min_letters: 3
            })
        );
        assert_eq!(classify("oui", 3), None);
        assert_eq!(classify("中国人", 3), None);
    }
}
