//! Normalization for comparison: the "comparison form" of a text or a token.
//!
//! The pipeline, applied char by char with no per-call allocation:
//! 1. drop invisible characters (zero-width space/joiners, word joiner, BOM, soft hyphen,
//!    bidi controls) and fold apostrophes (’ ‘ ‚ ‛ ʼ ′ `) to `'` and quotes
//!    (« » “ ” „ ‟ ‹ › ″) to `"`;
//! 2. Unicode NFKC (full-width forms, ligatures, superscripts, no-break spaces...);
//! 3. case folding: full lowercase mapping plus the folds lowercase lacks (ß/ẞ -> ss,
//!    final ς -> σ), quote folding again, every white space -> one ASCII space;
//! 4. optionally diacritic folding: NFKD, then combining marks that follow a Latin,
//!    Greek or Cyrillic letter are dropped (é -> e, й -> и) while scripts that write
//!    vowels as combining marks (Thai, Devanagari, Arabic harakat...) keep them; also
//!    ø -> o, ł -> l, đ -> d, œ -> oe, æ -> ae (letters with no decomposition);
//! 5. NFKC again, so the output is a fixed point (normalizing twice changes nothing);
//! 6. runs of spaces are collapsed and the result is trimmed.
//!
//! ASCII input takes a byte-level fast path with the same result.

use unicode_normalization::char::{decompose_compatible, is_combining_mark};
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// Comparison-form normalizer. Cheap to copy; holds only its options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Normalizer {
    pub(crate) fold_diacritics: bool,
}

impl Normalizer {
    /// Appends the comparison form of `src` to `out` (spaces collapsed, trimmed relative
    /// to what this call appends). Returns the number of bytes appended.
    pub(crate) fn push(&self, src: &str, out: &mut String) -> usize {
        let start = out.len();
        if src.is_ascii() {
            let mut writer = SpaceCollapser::new(out);
            for b in src.bytes() {
                writer.push(fold_ascii(b));
            }
        } else if is_nfkc_quick(src.chars()) == IsNormalized::Yes {
            // Already NFKC (the common case: precomposed accented letters), so the first
            // NFKC is the identity and the rest can go char by char; if the result is not
            // NFKC either (rare: a lowercase mapping or a decomposition needing
            // recomposition), redo it by the general path.
            self.push_composed(src, out);
            let appended = out.get(start..).unwrap_or("");
            if is_nfkc_quick(appended.chars()) != IsNormalized::Yes {
                out.truncate(start);
                self.push_general(src, out);
            }
        } else {
            self.push_general(src, out);
        }
        out.len() - start
    }

    /// The pipeline of the module docs, for any input.
    fn push_general(&self, src: &str, out: &mut String) {
        let mut writer = SpaceCollapser::new(out);
        let folded = CaseFold::new(src.chars().filter_map(pre_map).nfkc());
        if self.fold_diacritics {
            StripMarks::new(folded.nfkd())
                .nfkc()
                .for_each(|c| writer.push(c));
        } else {
            folded.nfkc().for_each(|c| writer.push(c));
        }
    }

    /// The same pipeline for NFKC input, without the normalization passes: each char is
    /// case folded and (if configured) decomposed on its own. The caller checks that the
    /// result is NFKC, which makes it equal to the general path's.
    fn push_composed(&self, src: &str, out: &mut String) {
        let mut writer = SpaceCollapser::new(out);
        let folded = CaseFold::new(src.chars().filter_map(pre_map));
        if self.fold_diacritics {
            let mut strip = StripMarks::new(std::iter::empty::<char>());
            for c in folded {
                if c.is_ascii() {
                    strip.after_accentable = takes_optional_accents(c);
                    writer.push(c);
                } else {
                    decompose_compatible(c, |d| strip.feed(d, |e| writer.push(e)));
                }
            }
        } else {
            folded.for_each(|c| writer.push(c));
        }
    }
}

#[inline]
fn fold_ascii(b: u8) -> char {
    match b {
        b'`' => '\'',
        b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r' | b' ' => ' ',
        _ => char::from(b.to_ascii_lowercase()),
    }
}

/// Writes chars, turning runs of spaces into one space and dropping leading and
/// trailing spaces.
struct SpaceCollapser<'a> {
    out: &'a mut String,
    start: usize,
    pending_space: bool,
}

impl<'a> SpaceCollapser<'a> {
    fn new(out: &'a mut String) -> Self {
        let start = out.len();
        Self {
            out,
            start,
            pending_space: false,
        }
    }

    #[inline]
    fn push(&mut self, c: char) {
        if c == ' ' {
            self.pending_space = self.out.len() > self.start;
        } else {
            if self.pending_space {
                self.out.push(' ');
                self.pending_space = false;
            }
            self.out.push(c);
        }
    }
}

/// Invisible characters that carry no letter: dropped from the comparison form.
#[inline]
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// Apostrophe-like and quote-like characters folded to ASCII `'` and `"`.
#[inline]
fn fold_quote(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{02BC}' | '\u{2032}' | '`' => '\'',
        '\u{00AB}' | '\u{00BB}' | '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}'
        | '\u{2039}' | '\u{203A}' | '\u{2033}' => '"',
        _ => c,
    }
}

#[inline]
fn pre_map(c: char) -> Option<char> {
    if is_invisible(c) {
        None
    } else {
        Some(fold_quote(c))
    }
}

/// Step 3: case folding, quote and space folding.
struct CaseFold<I> {
    inner: I,
    pending: [char; 3],
    len: u8,
    pos: u8,
}

impl<I: Iterator<Item = char>> CaseFold<I> {
    fn new(inner: I) -> Self {
        Self {
            inner,
            pending: ['\0'; 3],
            len: 0,
            pos: 0,
        }
    }

    fn fill(&mut self, c: char) {
        self.pos = 0;
        self.len = 0;
        fn put<I>(s: &mut CaseFold<I>, c: char) {
            if let Some(slot) = s.pending.get_mut(usize::from(s.len)) {
                *slot = c;
                s.len += 1;
            }
        }
        if c.is_whitespace() {
            put(self, ' ');
            return;
        }
        match c {
            'ß' | 'ẞ' => {
                put(self, 's');
                put(self, 's');
                return;
            }
            'ς' => {
                put(self, 'σ');
                return;
            }
            _ => {}
        }
        for lower in c.to_lowercase() {
            put(self, fold_quote(lower));
        }
    }
}

impl<I: Iterator<Item = char>> Iterator for CaseFold<I> {
    type Item = char;

    #[inline]
    fn next(&mut self) -> Option<char> {
        if self.pos >= self.len {
            let c = self.inner.next()?;
            if c.is_ascii() {
                return Some(fold_ascii(c as u8));
            }
            self.fill(c);
        }
        let c = self.pending.get(usize::from(self.pos)).copied();
        self.pos += 1;
        c
    }
}

/// Letters whose accents are optional in writing: Latin, Greek, Cyrillic.
#[inline]
fn takes_optional_accents(c: char) -> bool {
    matches!(c,
        'A'..='Z' | 'a'..='z' | '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}'
        | '\u{0370}'..='\u{03FF}' | '\u{1F00}'..='\u{1FFF}' | '\u{0400}'..='\u{052F}')
}

/// Step 4: drops the combining marks that follow a letter taking optional accents and
/// folds the letters that have no decomposition (input is lower case).
struct StripMarks<I> {
    inner: I,
    after_accentable: bool,
    pending: Option<char>,
}

impl<I> StripMarks<I> {
    fn new(inner: I) -> Self {
        Self {
            inner,
            after_accentable: false,
            pending: None,
        }
    }
}

impl<I> StripMarks<I> {
    /// Feeds one decomposed char; emits what is kept (0, 1 or 2 chars).
    #[inline]
    fn feed(&mut self, c: char, mut emit: impl FnMut(char)) {
        if is_combining_mark(c) {
            if !self.after_accentable {
                emit(c);
            }
            return;
        }
        self.after_accentable = takes_optional_accents(c);
        match c {
            'ø' => emit('o'),
            'ł' => emit('l'),
            'đ' => emit('d'),
            'œ' => {
                emit('o');
                emit('e');
            }
            'æ' => {
                emit('a');
                emit('e');
            }
            _ => emit(c),
        }
    }
}

impl<I: Iterator<Item = char>> Iterator for StripMarks<I> {
    type Item = char;

    #[inline]
    fn next(&mut self) -> Option<char> {
        if let Some(c) = self.pending.take() {
            return Some(c);
        }
        loop {
            let c = self.inner.next()?;
            let mut first = None;
            let mut second = None;
            self.feed(c, |e| {
                if first.is_none() {
                    first = Some(e);
                } else {
                    second = Some(e);
                }
            });
            if first.is_some() {
                self.pending = second;
                return first;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str, fold_diacritics: bool) -> String {
        let mut out = String::new();
        Normalizer { fold_diacritics }.push(s, &mut out);
        out
    }

    #[test]
    fn apostrophes_and_quotes_fold_to_ascii() {
        for s in [
            "l’époque",
            "l'époque",
            "l‘époque",
            "lʼépoque",
            "l`époque",
            "l＇époque",
        ] {
            assert_eq!(norm(s, false), "l'époque", "{s}");
        }
        assert_eq!(norm("« forts » “x” „y“", false), "\" forts \" \"x\" \"y\"");
    }

    #[test]
    fn nfkc_and_case_folding() {
        assert_eq!(norm("ＡＢＣ ｆｕｌｌ", false), "abc full");
        assert_eq!(norm("ﬁnale", false), "finale");
        assert_eq!(norm("Straße STRASSE", false), "strasse strasse");
        assert_eq!(norm("ΣΟΦΟΣ σοφος", false), "σοφοσ σοφοσ");
        assert_eq!(norm("x²", false), "x2");
    }

    #[test]
    fn whitespace_and_zero_width() {
        assert_eq!(norm("  a\u{00A0}\u{202F} b\t\n c  ", false), "a b c");
        assert_eq!(norm("Mos\u{200B}cou\u{00AD}", false), "moscou");
        assert_eq!(norm("\u{FEFF}Kremlin\u{200D}", false), "kremlin");
        assert_eq!(norm("\u{200B}\u{200B}", false), "");
    }

    #[test]
    fn diacritic_folding_is_optional_and_script_aware() {
        assert_eq!(norm("Défense ÉTAT Ñandú", false), "défense état ñandú");
        assert_eq!(norm("Défense ÉTAT Ñandú", true), "defense etat nandu");
        assert_eq!(norm("e\u{0301}", true), "e");
        assert_eq!(norm("cœur Øst łódź", true), "coeur ost lodz");
        assert_eq!(norm("Йошкар", true), "иошкар");
        // Thai and Devanagari vowel signs are letters of the word, not accents.
        assert_eq!(norm("ภาษาไทย", true), "ภาษาไทย");
        assert_eq!(norm("हिन्दी", true), "हिन्दी");
    }

    fn general(s: &str, fold_diacritics: bool) -> String {
        let mut out = String::new();
        Normalizer { fold_diacritics }.push_general(s, &mut out);
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        /// The fast paths (ASCII, NFKC input) give exactly the general path's result.
        #[test]
        fn fast_paths_match_general_path(
            s in proptest::prop_oneof![
                proptest::arbitrary::any::<String>(),
                "[a-zA-Z\\u{C0}-\\u{24F}\\u{300}-\\u{36F}\\u{370}-\\u{52F}\\u{1E00}-\\u{1EFF}\\u{AC00}-\\u{AC20}\\u{1100}-\\u{1175} .'’«ßẞςİ\\u{200B}\\u{0958}\\u{0E39}]{0,30}",
            ],
            fold in proptest::arbitrary::any::<bool>(),
        ) {
            proptest::prop_assert_eq!(norm(&s, fold), general(&s, fold));
        }
    }

    #[test]
    fn ascii_fast_path_matches_general_path() {
        // The same ASCII text through the general path (a non-ASCII char appended and
        // removed by NFKC-insensitive means: a zero-width space).
        let ascii = "Hello `World`\tIt's 1.5 M. Li";
        let general = format!("{ascii}\u{200B}");
        assert_eq!(norm(ascii, false), norm(&general, false));
        assert_eq!(norm(ascii, true), norm(&general, true));
    }
}
