//! Paragraph and sentence boundaries.
//!
//! Paragraphs come from line breaks ([`ParagraphBreak`]). Sentences are UAX #29 sentence
//! boundaries (unicode-segmentation) inside each paragraph, then a boundary is removed
//! where UAX #29 cuts too eagerly:
//! - after a title or abbreviation ("M.", "MM.", "Mme.", "Dr.", "Mr.", "Gen.", "St.",
//!   "cf.") and after an initial ("J. K. Rowling", "George W. Bush");
//! - after a dotted acronym ("U.S.", "U.K.", "e.g.", "av. J.-C."): an acronym ending a
//!   sentence is rarer in news than one followed by a name, and a sentence merged with
//!   the next costs less to passage matching than a name cut in two;
//! - after "No.", "p.", "art." or a month abbreviation ("Jan.") followed by a number;
//! - before a sentence that starts with a lower-case letter ("etc. et", `« Non ! » a-t-il
//!   dit`).
//!
//! "etc." followed by a capital ends the sentence. Numbers like "1.5" and "3,14" never
//! break (UAX #29 already handles them).

use unicode_normalization::char::is_combining_mark;
use unicode_segmentation::UnicodeSegmentation;

use crate::config::ParagraphBreak;
use crate::doc::Span;
use crate::normalize::is_invisible;
use crate::words::is_stable_uncased;

#[inline]
fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

#[inline]
fn is_blank(c: char) -> bool {
    c.is_whitespace() || is_invisible(c)
}

/// `span` of `text` without leading and trailing white space or invisible characters.
fn trim(text: &str, span: Span) -> Span {
    let s = span.slice(text);
    let head = s.len() - s.trim_start_matches(is_blank).len();
    let kept = s.trim_matches(is_blank).len();
    Span::new(span.start + head, span.start + head + kept)
}

/// Calls `emit` with each paragraph of `text` (trimmed, non-empty), in order.
pub(crate) fn paragraphs(text: &str, mode: ParagraphBreak, mut emit: impl FnMut(Span)) {
    let mut current: Option<Span> = None;
    let mut line_start = 0;
    // "\r\n" is one line break: the '\n' of a CRLF pair is skipped.
    let bytes = text.as_bytes();
    let line_ends = text
        .char_indices()
        .filter(|&(i, c)| {
            is_line_break(c) && !(c == '\n' && i > 0 && bytes.get(i - 1) == Some(&b'\r'))
        })
        .map(|(i, c)| {
            let crlf = c == '\r' && bytes.get(i + 1) == Some(&b'\n');
            (i, i + if crlf { 2 } else { c.len_utf8() })
        })
        .chain(std::iter::once((text.len(), text.len())));
    for (end, next_start) in line_ends {
        let line = trim(text, Span::new(line_start, end));
        line_start = next_start;
        match mode {
            ParagraphBreak::Line => {
                if !line.is_empty() {
                    emit(line);
                }
            }
            ParagraphBreak::BlankLine => {
                if line.is_empty() {
                    if let Some(p) = current.take() {
                        emit(p);
                    }
                } else {
                    let start = current.map_or(line.start, |c| c.start);
                    current = Some(Span::new(start, line.end));
                }
            }
        }
    }
    if let Some(p) = current {
        emit(p);
    }
}

/// Titles and abbreviations after which a period never ends a sentence (case-sensitive,
/// without the period). French and English.
const TITLES: &[&str] = &[
    // French
    "M", "MM", "Mme", "Mmes", "Mlle", "Mlles", "Me", "Mgr", "Dr", "Pr", "St", "Ste", "Gal", "Gén",
    "Cdt", "Cne", "Lt", "Col", "av", "bd", "cf", "Cie", "env", "hab", "tél", "vol", "chap", "éd",
    "coll", "dir", "trad", "c.-à-d", // English
    "Mr", "Mrs", "Ms", "Mx", "Prof", "Sr", "Jr", "Mt", "Ft", "Gen", "Maj", "Capt", "Cmdr", "Sgt",
    "Adm", "Gov", "Sen", "Rep", "Rev", "Hon", "Pres", "Supt", "Insp", "Det", "Lieut", "Brig",
    "Cpl", "Pvt", "vs", "approx", "Dept", "Univ", "Assn", "Bros", "Messrs",
];

/// Abbreviations that do not end a sentence when a number follows ("No. 5", "Jan. 12").
const BEFORE_NUMBER: &[&str] = &[
    "No", "Nos", "no", "nos", "n°", "p", "pp", "art", "Art", "fig", "Fig", "ch", "sect", "Jan",
    "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "janv", "févr",
    "avr", "juil", "sept", "oct", "nov", "déc",
];

/// Whether `next` (a trimmed sentence candidate) starts, after opening punctuation, with
/// a lower-case letter.
fn starts_lowercase(next: &str) -> bool {
    next.chars()
        .take(4)
        .find(|c| c.is_alphanumeric())
        .is_some_and(char::is_lowercase)
}

fn starts_with_digit(next: &str) -> bool {
    next.chars().next().is_some_and(|c| c.is_ascii_digit())
}

/// Single letters separated by periods: "U.S", "e.g", "J.-C", "Ph.D".
fn is_dotted_acronym(word: &str) -> bool {
    let mut parts = 0;
    for part in word.split('.') {
        let letters = part.trim_start_matches('-');
        let n = letters.chars().count();
        if n == 0 || n > 2 || !letters.chars().all(char::is_alphabetic) {
            return false;
        }
        parts += 1;
    }
    parts >= 2
}

fn is_initial(word: &str) -> bool {
    let mut chars = word.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if c.is_uppercase())
}

/// Closing punctuation that cannot open a sentence.
fn is_unambiguous_closer(c: char) -> bool {
    matches!(c, '»' | '”' | '›' | ')' | ']' | '」' | '』' | '）')
}

/// Whether `prev` ends with a sentence terminator (possibly followed by closing quotes or
/// brackets).
fn ends_with_terminal(prev: &str) -> bool {
    prev.trim_end_matches(|c: char| {
        matches!(
            c,
            '"' | '\'' | ')' | ']' | '»' | '”' | '’' | '›' | '」' | '』' | '）'
        )
    })
    .ends_with(|c: char| {
        matches!(
            c,
            '.' | '!' | '?' | '…' | '。' | '！' | '？' | '‼' | '⁇' | '⁈' | '⁉'
        )
    })
}

/// Whether the boundary between the trimmed candidates `prev` and `next` should be
/// removed. `soft_line_break`: the boundary is a single line break inside a paragraph.
fn continues(prev: &str, next: &str, soft_line_break: bool) -> bool {
    if soft_line_break {
        return !ends_with_terminal(prev) || starts_lowercase(next);
    }
    if starts_lowercase(next) {
        return true;
    }
    let Some(body) = prev.strip_suffix('.') else {
        return false;
    };
    let word = body
        .rsplit(char::is_whitespace)
        .next()
        .unwrap_or("")
        .trim_start_matches(|c: char| !c.is_alphanumeric());
    if word.is_empty() {
        return false;
    }
    is_initial(word)
        || TITLES.contains(&word)
        || is_dotted_acronym(word)
        || (BEFORE_NUMBER.contains(&word) && starts_with_digit(next))
}

/// Chars that may be a UAX #29 sentence terminator (STerm, ATerm, or a paragraph
/// separator): a superset, so that a chunk without any of them certainly has no sentence
/// boundary.
#[inline]
fn may_terminate(c: char) -> bool {
    if c.is_ascii() {
        matches!(c, '.' | '!' | '?' | '\n' | '\r')
    } else {
        !is_stable_uncased(c) && (!c.is_alphanumeric() || is_combining_mark(c))
    }
}

/// A letter certainly of the UAX #29 sentence classes Upper, Lower or OLetter, never
/// Extend or Format: ASCII, Latin, Greek and Cyrillic letters and the common CJK and
/// Thai letters. (Some alphabetic chars elsewhere are Extend, e.g. U+FF9E; other
/// scripts just get longer chunks.)
#[inline]
fn is_plain_letter(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphabetic()
    } else {
        is_stable_uncased(c)
            || (matches!(c, '\u{C0}'..='\u{24F}' | '\u{370}'..='\u{52F}' | '\u{1E00}'..='\u{1EFF}')
                && c.is_alphabetic()
                && !is_combining_mark(c))
    }
}

/// The UAX #29 sentence pieces of `text`, as `split_sentence_bound_indices` gives them,
/// without running the (slow) sentence rules over most of the text.
///
/// Why it is the same: a boundary needs a terminator (STerm/ATerm/ParaSep) before it, and the
/// rules see at most one char to the left of a terminator and, to the right, only up to
/// the first letter. So at a position where a letter is followed by white space or
/// another letter, no boundary can fall and no rule looks across: the text can be cut
/// there into chunks segmented independently, and a chunk without any terminator has
/// no boundary at all (cutting between letters is what makes Chinese and Japanese,
/// which have no spaces, fast too). A proptest and 22k real texts in 75 languages
/// check equality with the crate's segmenter.
fn uax29_pieces<'t>(text: &'t str, mut emit: impl FnMut(usize, &'t str)) {
    let mut piece_start = 0;
    let mut chunk_start = 0;
    let mut chunk_may_break = false;
    let mut prev_letter = false;
    let mut flush = |chunk_start: usize, end: usize, piece_start: &mut usize| {
        let chunk = text.get(chunk_start..end).unwrap_or("");
        for (offset, _) in chunk.split_sentence_bound_indices().skip(1) {
            let at = chunk_start + offset;
            emit(*piece_start, text.get(*piece_start..at).unwrap_or(""));
            *piece_start = at;
        }
    };
    for (i, c) in text.char_indices() {
        let letter = is_plain_letter(c);
        if prev_letter && (letter || c.is_whitespace()) {
            if chunk_may_break {
                flush(chunk_start, i, &mut piece_start);
            }
            chunk_start = i;
            chunk_may_break = false;
        }
        chunk_may_break |= may_terminate(c);
        prev_letter = letter;
    }
    if chunk_may_break {
        flush(chunk_start, text.len(), &mut piece_start);
    }
    if piece_start < text.len() {
        emit(piece_start, text.get(piece_start..).unwrap_or(""));
    }
}

/// Calls `emit` with each sentence of the paragraph `para` of `text`, in order.
pub(crate) fn sentences(text: &str, para: Span, mode: ParagraphBreak, mut emit: impl FnMut(Span)) {
    let para_text = para.slice(text);
    let mut current: Option<Span> = None;
    let mut soft_break = false;
    uax29_pieces(para_text, |offset, raw| {
        let raw_span = Span::new(para.start + offset, para.start + offset + raw.len());
        let mut span = trim(text, raw_span);
        if span.is_empty() {
            return;
        }
        // French spacing puts a space before a closing guillemet ("Vraiment ? »"), which
        // UAX #29 then starts the next sentence with: give it back to the previous one.
        if let Some(cur) = current.as_mut() {
            let s = span.slice(text);
            let closing = s.len() - s.trim_start_matches(is_unambiguous_closer).len();
            if closing > 0 {
                cur.end = span.start + closing;
                span = trim(text, Span::new(span.start + closing, span.end));
                if span.is_empty() {
                    return;
                }
            }
        }
        current = Some(match current {
            Some(cur) if continues(cur.slice(text), span.slice(text), soft_break) => {
                Span::new(cur.start, span.end)
            }
            Some(cur) => {
                emit(cur);
                span
            }
            None => span,
        });
        // A UAX #29 boundary after a line break inside a BlankLine paragraph.
        soft_break = mode == ParagraphBreak::BlankLine
            && Span::new(span.end, raw_span.end)
                .slice(text)
                .contains(is_line_break);
    });
    if let Some(s) = current {
        emit(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sents(text: &str) -> Vec<&str> {
        sents_mode(text, ParagraphBreak::Line)
    }

    fn sents_mode(text: &str, mode: ParagraphBreak) -> Vec<&str> {
        let mut paras = Vec::new();
        paragraphs(text, mode, |p| paras.push(p));
        let mut out = Vec::new();
        for p in paras {
            sentences(text, p, mode, |s| out.push(s));
        }
        out.iter().map(|s| s.slice(text)).collect()
    }

    use proptest::strategy::Strategy;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(5000))]

        /// The chunked segmentation gives exactly the UAX #29 segmenter's pieces.
        #[test]
        fn chunked_uax29_matches_the_segmenter(
            text in proptest::prop_oneof![
                proptest::arbitrary::any::<String>(),
                proptest::collection::vec(proptest::sample::select(vec![
                    "a", "B", "é", "É", " ", "  ", "\u{a0}", "\n", "\r\n", "\u{2029}", ".",
                    "!", "?", "…", "。", "！", "।", "\"", "'", "«", "»", "”", "(", ")", "1",
                    "5", ",", ":", "-", "M.", "U.S.", "etc.", "\u{301}", "\u{e39}", "ก",
                    "中", "\u{200d}", "\u{ad}", "\u{2024}", "\u{fe52}", "ǅ", "Ⅻ", "٫",
                    "\u{ff9e}", "\u{200c}", "ͺ", "ϒ", "Я", "\u{483}", "ー", "ภ",
                ]), 0..40).prop_map(|v| v.concat()),
            ],
        ) {
            let expected: Vec<(usize, &str)> = text.split_sentence_bound_indices().collect();
            let mut got = Vec::new();
            uax29_pieces(&text, |i, s| got.push((i, s)));
            proptest::prop_assert_eq!(got, expected);
        }
    }

    /// The chunked segmentation on real text in 75 languages (every 10th line of
    /// `../shared/eval/lingua-langid.jsonl`) and English news (`ecbplus-dev.jsonl`).
    #[test]
    fn chunked_uax29_matches_the_segmenter_on_real_text() {
        let eval = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/eval");
        let mut checked = 0;
        for (file, step) in [("lingua-langid.jsonl", 10), ("ecbplus-dev.jsonl", 1)] {
            let path = eval.join(file);
            let Ok(data) = std::fs::read_to_string(&path) else {
                eprintln!("skipped: {} not found", path.display());
                continue;
            };
            for line in data.lines().step_by(step) {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                let text = v["text"].as_str().unwrap();
                let expected: Vec<(usize, &str)> = text.split_sentence_bound_indices().collect();
                let mut got = Vec::new();
                uax29_pieces(text, |i, s| got.push((i, s)));
                assert_eq!(got, expected, "{text:?}");
                checked += 1;
            }
        }
        eprintln!("{checked} texts checked");
    }

    #[test]
    fn paragraphs_by_line_and_by_blank_line() {
        let text = "  Titre \r\nPremier. Second.\n\n\u{200B}\n Dernier  ";
        let mut out = Vec::new();
        paragraphs(text, ParagraphBreak::Line, |p| out.push(p));
        let got: Vec<_> = out.iter().map(|s| s.slice(text)).collect();
        assert_eq!(got, ["Titre", "Premier. Second.", "Dernier"]);
        out.clear();
        paragraphs(text, ParagraphBreak::BlankLine, |p| out.push(p));
        let got: Vec<_> = out.iter().map(|s| s.slice(text)).collect();
        assert_eq!(got, ["Titre \r\nPremier. Second.", "Dernier"]);
    }

    #[test]
    fn french_titles_and_initials_do_not_end_sentences() {
        assert_eq!(
            sents("Il a ajouté M. Li. Mme Dupont et MM. Martin et Durand sont venus. Fin."),
            [
                "Il a ajouté M. Li.",
                "Mme Dupont et MM. Martin et Durand sont venus.",
                "Fin."
            ]
        );
        assert_eq!(
            sents("Le Dr. Martin est là. J. K. Rowling aussi."),
            ["Le Dr. Martin est là.", "J. K. Rowling aussi."]
        );
    }

    #[test]
    fn english_abbreviations_acronyms_and_numbers() {
        assert_eq!(
            sents("Mr. Smith met U.S. President Joe Biden. It rose 1.5 percent. Done."),
            [
                "Mr. Smith met U.S. President Joe Biden.",
                "It rose 1.5 percent.",
                "Done."
            ]
        );
        assert_eq!(
            sents("See No. 5 on Jan. 12 by Gen. Smith. No. That is all."),
            ["See No. 5 on Jan. 12 by Gen. Smith.", "No.", "That is all."]
        );
        assert_eq!(
            sents("George W. Bush spoke, e.g. about Iraq. Then he left."),
            ["George W. Bush spoke, e.g. about Iraq.", "Then he left."]
        );
    }

    #[test]
    fn etc_ends_a_sentence_only_before_a_capital() {
        assert_eq!(
            sents("Des chars, des avions, etc. et des drones. Des navires, etc. Le reste suit."),
            [
                "Des chars, des avions, etc. et des drones.",
                "Des navires, etc.",
                "Le reste suit."
            ]
        );
    }

    #[test]
    fn reported_speech_continues_after_exclamation() {
        assert_eq!(
            sents("« Non ! » a-t-il dit. « Vraiment ? » Oui."),
            ["« Non ! » a-t-il dit.", "« Vraiment ? »", "Oui."]
        );
        assert_eq!(
            sents("Il a dit « c’est fini. » Puis il est parti (vite.) Fin."),
            [
                "Il a dit « c’est fini. »",
                "Puis il est parti (vite.)",
                "Fin."
            ]
        );
    }

    #[test]
    fn numbers_and_decimal_commas_do_not_break() {
        assert_eq!(
            sents("La croissance est de 1,5 % contre 2.5 en 2023. Ensuite."),
            ["La croissance est de 1,5 % contre 2.5 en 2023.", "Ensuite."]
        );
    }

    #[test]
    fn cjk_sentences() {
        assert_eq!(
            sents("中俄两国关系很好。普京会见了李尚福！"),
            ["中俄两国关系很好。", "普京会见了李尚福！"]
        );
    }

    #[test]
    fn blank_line_mode_joins_hard_wrapped_lines() {
        let text = "The minister said the\nrelations were strong.\nThen he left.\n\nNew para";
        assert_eq!(
            sents_mode(text, ParagraphBreak::BlankLine),
            [
                "The minister said the\nrelations were strong.",
                "Then he left.",
                "New para"
            ]
        );
        assert_eq!(
            sents_mode(text, ParagraphBreak::Line),
            [
                "The minister said the",
                "relations were strong.",
                "Then he left.",
                "New para"
            ]
        );
    }
}
