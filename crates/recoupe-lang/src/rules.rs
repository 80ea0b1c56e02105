//! lingua's character rules (lingua 1.8.0, Apache-2.0, tables copied for the 57 languages
//! with a model here): a letter used by one language only decides; letters shared by a few
//! languages narrow the candidates.

use crate::lang::Lang;

/// lingua's `CHARS_TO_LANGUAGES_MAPPING` (lingua 1.8.0, Apache-2.0), restricted to the 57 languages
/// with a model here: characters shared by a few languages only.
pub(crate) const CHARS_TO_LANGS: &[(&str, &[Lang])] = &[
    ("Ãã", &[Lang::Portuguese, Lang::Vietnamese]),
    ("ĄąĘę", &[Lang::Lithuanian, Lang::Polish]),
    ("Żż", &[Lang::Polish, Lang::Romanian]),
    ("Îî", &[Lang::French, Lang::Romanian]),
    ("Ññ", &[Lang::Spanish]),
    ("ŇňŤť", &[Lang::Czech, Lang::Slovak]),
    ("Ăă", &[Lang::Romanian, Lang::Vietnamese]),
    ("İıĞğ", &[Lang::Azerbaijani, Lang::Turkish]),
    ("ЈјЉљЊњ", &[Lang::Macedonian, Lang::Serbian]),
    ("ẸẹỌọ", &[Lang::Vietnamese]),
    ("ÐðÞþ", &[Lang::Turkish]),
    ("Ûû", &[Lang::French, Lang::Hungarian]),
    ("ĀāĒēĪī", &[Lang::Latvian]),
    ("Şş", &[Lang::Azerbaijani, Lang::Romanian, Lang::Turkish]),
    ("Ďď", &[Lang::Czech, Lang::Romanian, Lang::Slovak]),
    ("Ćć", &[Lang::Croatian, Lang::Polish]),
    ("Đđ", &[Lang::Croatian, Lang::Vietnamese]),
    ("Іі", &[Lang::Belarusian, Lang::Ukrainian]),
    ("Ìì", &[Lang::Italian, Lang::Vietnamese]),
    ("Øø", &[Lang::Bokmal, Lang::Danish]),
    ("Ūū", &[Lang::Latvian, Lang::Lithuanian]),
    ("Ëë", &[Lang::Afrikaans, Lang::Dutch, Lang::French]),
    ("ÈèÙù", &[Lang::French, Lang::Italian, Lang::Vietnamese]),
    (
        "Êê",
        &[
            Lang::Afrikaans,
            Lang::French,
            Lang::Portuguese,
            Lang::Vietnamese,
        ],
    ),
    (
        "Õõ",
        &[
            Lang::Estonian,
            Lang::Hungarian,
            Lang::Portuguese,
            Lang::Vietnamese,
        ],
    ),
    (
        "Ôô",
        &[
            Lang::French,
            Lang::Portuguese,
            Lang::Slovak,
            Lang::Vietnamese,
        ],
    ),
    ("ЁёЫыЭэ", &[Lang::Belarusian, Lang::Russian]),
    ("ЩщЪъ", &[Lang::Bulgarian, Lang::Russian]),
    ("Òò", &[Lang::Catalan, Lang::Italian, Lang::Vietnamese]),
    (
        "Ââ",
        &[
            Lang::French,
            Lang::Portuguese,
            Lang::Romanian,
            Lang::Turkish,
            Lang::Vietnamese,
        ],
    ),
    ("Ææ", &[Lang::Bokmal, Lang::Danish]),
    ("Åå", &[Lang::Bokmal, Lang::Danish, Lang::Swedish]),
    (
        "Ýý",
        &[Lang::Czech, Lang::Slovak, Lang::Turkish, Lang::Vietnamese],
    ),
    (
        "Ää",
        &[
            Lang::Estonian,
            Lang::Finnish,
            Lang::German,
            Lang::Slovak,
            Lang::Swedish,
        ],
    ),
    (
        "Àà",
        &[
            Lang::Catalan,
            Lang::French,
            Lang::Italian,
            Lang::Portuguese,
            Lang::Vietnamese,
        ],
    ),
    (
        "Üü",
        &[
            Lang::Azerbaijani,
            Lang::Catalan,
            Lang::Estonian,
            Lang::German,
            Lang::Hungarian,
            Lang::Spanish,
            Lang::Turkish,
        ],
    ),
    (
        "ČčŠšŽž",
        &[
            Lang::Czech,
            Lang::Croatian,
            Lang::Latvian,
            Lang::Lithuanian,
            Lang::Slovak,
            Lang::Slovene,
        ],
    ),
    (
        "Çç",
        &[
            Lang::Azerbaijani,
            Lang::Catalan,
            Lang::French,
            Lang::Portuguese,
            Lang::Turkish,
        ],
    ),
    (
        "Öö",
        &[
            Lang::Azerbaijani,
            Lang::Estonian,
            Lang::Finnish,
            Lang::German,
            Lang::Hungarian,
            Lang::Swedish,
            Lang::Turkish,
        ],
    ),
    (
        "Óó",
        &[
            Lang::Catalan,
            Lang::Hungarian,
            Lang::Polish,
            Lang::Portuguese,
            Lang::Slovak,
            Lang::Spanish,
            Lang::Vietnamese,
        ],
    ),
    (
        "ÁáÍíÚú",
        &[
            Lang::Catalan,
            Lang::Czech,
            Lang::Hungarian,
            Lang::Portuguese,
            Lang::Slovak,
            Lang::Spanish,
            Lang::Vietnamese,
        ],
    ),
    (
        "Éé",
        &[
            Lang::Catalan,
            Lang::Czech,
            Lang::French,
            Lang::Hungarian,
            Lang::Italian,
            Lang::Portuguese,
            Lang::Slovak,
            Lang::Spanish,
            Lang::Vietnamese,
        ],
    ),
];

/// lingua's `Language::unique_characters` (lingua 1.8.0, Apache-2.0): characters that, among the
/// languages here, only one language uses.
pub(crate) const UNIQUE_CHARS: &[(Lang, &str)] = &[
    (Lang::Azerbaijani, "Əə"),
    (Lang::Catalan, "Ïï"),
    (Lang::Czech, "ĚěŘřŮů"),
    (Lang::Esperanto, "ĈĉĜĝĤĥĴĵŜŝŬŭ"),
    (Lang::German, "ß"),
    (Lang::Hungarian, "ŐőŰű"),
    (Lang::Latvian, "ĢģĶķĻļŅņ"),
    (Lang::Lithuanian, "ĖėĮįŲų"),
    (Lang::Macedonian, "ЃѓЅѕЌќЏџ"),
    (Lang::Marathi, "ळ"),
    (Lang::Polish, "ŁłŃńŚśŹź"),
    (Lang::Romanian, "Țţ"),
    (Lang::Serbian, "ЂђЋћ"),
    (Lang::Slovak, "ĹĺĽľŔŕ"),
    (Lang::Spanish, "¿¡"),
    (Lang::Ukrainian, "ҐґЄєЇї"),
];

/// lingua's `detect_language_with_rules` for unique letters: each word votes for the language
/// whose unique letters it holds most (no vote on a tie or with none); the language with the
/// most votes wins unless words without a vote are the majority or two languages tie.
pub(crate) fn unique_char_language(words: &[&str], candidates: &[Lang]) -> Option<Lang> {
    // votes[i]: words voting for UNIQUE_CHARS[i]; `unknown`: words without a vote.
    let mut votes = [0usize; UNIQUE_CHARS.len()];
    let mut unknown = 0usize;
    let mut any_unique = false;
    for word in words {
        let mut counts = [0usize; UNIQUE_CHARS.len()];
        for c in word.chars() {
            for (i, (_, chars)) in UNIQUE_CHARS.iter().enumerate() {
                if chars.contains(c) {
                    counts[i] += 1;
                }
            }
        }
        let mut order: Vec<usize> = (0..counts.len()).filter(|i| counts[*i] > 0).collect();
        order.sort_by(|a, b| counts[*b].cmp(&counts[*a]));
        let vote = match order.as_slice() {
            [] => None,
            [only] => Some(*only),
            [first, second, ..] => (counts[*first] > counts[*second]).then_some(*first),
        }
        .filter(|i| candidates.contains(&UNIQUE_CHARS[*i].0));
        match vote {
            Some(i) => {
                votes[i] += 1;
                any_unique = true;
            }
            None => unknown += 1,
        }
    }
    if !any_unique {
        return None;
    }
    // Tally as lingua does: `None` is a contender unless fewer than half the words lack a vote.
    let mut tally: Vec<(Option<Lang>, usize)> = UNIQUE_CHARS
        .iter()
        .zip(votes)
        .filter(|(_, v)| *v > 0)
        .map(|((lang, _), v)| (Some(*lang), v))
        .collect();
    if (unknown as f64) >= words.len() as f64 * 0.5 {
        tally.push((None, unknown));
    }
    tally.sort_by_key(|t| std::cmp::Reverse(t.1));
    match tally.as_slice() {
        [] => None,
        [(only, _)] => *only,
        [(first, a), (_, b), ..] => (a != b).then_some(*first).flatten(),
    }
}

/// lingua's `filter_languages_by_rules` (the letter part): the candidates sharing letters
/// present in at least half the words, or all candidates when there are none.
pub(crate) fn filter_by_shared_chars(words: &[&str], candidates: &[Lang]) -> Vec<Lang> {
    let mut counts = vec![0usize; candidates.len()];
    for (chars, langs) in CHARS_TO_LANGS {
        for word in words {
            for c in chars.chars() {
                if word.contains(c) {
                    for (i, cand) in candidates.iter().enumerate() {
                        if langs.contains(cand) {
                            counts[i] += 1;
                        }
                    }
                }
            }
        }
    }
    let half = words.len() as f64 * 0.5;
    let kept: Vec<Lang> = candidates
        .iter()
        .zip(&counts)
        .filter(|(_, n)| **n > 0 && **n as f64 >= half)
        .map(|(l, _)| *l)
        .collect();
    if kept.is_empty() {
        candidates.to_vec()
    } else {
        kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_letters_decide() {
        let latin = [Lang::German, Lang::English, Lang::Polish];
        assert_eq!(
            unique_char_language(&["straße"], &latin),
            Some(Lang::German)
        );
        assert_eq!(
            unique_char_language(&["łódź", "dobry", "łąka"], &latin),
            Some(Lang::Polish)
        );
        // As in lingua, half the words without a unique letter is too many.
        assert_eq!(unique_char_language(&["łódź", "dobry"], &latin), None);
        assert_eq!(
            unique_char_language(&["hello", "world", "łódź"], &latin),
            None
        );
        assert_eq!(unique_char_language(&["straße"], &[Lang::English]), None);
    }

    #[test]
    fn shared_letters_narrow() {
        let latin = [Lang::Spanish, Lang::French, Lang::Portuguese, Lang::English];
        assert_eq!(filter_by_shared_chars(&["niño"], &latin), [Lang::Spanish]);
        assert_eq!(
            filter_by_shared_chars(&["garçon", "français"], &latin),
            [Lang::French, Lang::Portuguese]
        );
        assert_eq!(filter_by_shared_chars(&["hello"], &latin), latin);
    }
}
