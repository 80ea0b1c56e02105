//! Short-text refinement (feature `hybrid`): our own scorer over lingua's n-gram models
//! re-ranks the candidates whatlang proposes.
//!
//! The scoring is lingua's high-accuracy method (lingua 1.8, Apache-2.0), rewritten for
//! speed: the text is lower-cased and split into words; every distinct 1- to 5-gram inside a
//! word (only trigrams from 120 letters on) is scored in each candidate language by the
//! log-probability of its longest prefix that the language's model holds; a language's
//! score is the sum, divided by the number of the text's distinct letters its model knows.
//! lingua's character rules come first: letters unique to one language decide, letters
//! shared by a few languages narrow the candidates ([`crate::rules`]).
//!
//! Where the speed comes from: all n-grams starting at one position are prefixes of the
//! longest one, so one walk down a language's transducer gives the log-probabilities of all
//! of them (lingua looks each n-gram and each back-off up separately, through hash sets of
//! strings); no allocation per n-gram; only whatlang's candidates are scored.

use std::collections::HashSet;
use std::hash::BuildHasherDefault;

use fst::raw::Output;

use crate::lang::Lang;
use crate::low_order;
use crate::models;
use crate::rules;

/// Longest n-gram in lingua's models.
const MAX_ORDER: usize = 5;
/// From this many letters on, lingua scores trigrams only.
const LONG_TEXT_LETTERS: usize = 120;

/// The refinement's answer: the winner and its share of the candidates' probability mass.
pub(crate) type Ranked = (Lang, f64);

/// Re-ranks `candidates` (best first; those without a model are skipped) for `text`: all of
/// them on 1- to 3-grams ([`crate::low_order`]), then the best `full` of those on lingua's
/// full 1- to 5-gram score. Returns the winner and its confidence (its share of the
/// probability mass of the fully scored candidates), or `None` when no candidate model knows
/// anything in the text. Ties go to the earlier candidate, so the result is deterministic.
pub(crate) fn rerank(text: &str, candidates: &[Lang], full: usize) -> Option<Ranked> {
    let lower = text.trim().to_lowercase();
    let words = split_words(&lower);
    if words.is_empty() {
        return None;
    }
    let with_model: Vec<Lang> = candidates
        .iter()
        .copied()
        .filter(|l| models::has_model(*l))
        .collect();
    if let Some(lang) = rules::unique_char_language(&words, &with_model) {
        return Some((lang, 1.0));
    }
    let filtered = rules::filter_by_shared_chars(&words, &with_model);
    if let [only] = filtered.as_slice() {
        return Some((*only, 1.0));
    }
    let letters: usize = words.iter().map(|w| w.chars().count()).sum();
    let long = letters >= LONG_TEXT_LETTERS;
    let units = units(&words, if long { 3..=3 } else { 1..=MAX_ORDER });
    // Stage 1: every candidate on the 1- to 3-grams (exactly lingua's score on long text).
    let low = low_order_scores(&units, &filtered);
    let mut ranked: Vec<(Lang, Partial)> = filtered
        .iter()
        .zip(low)
        .filter(|(_, p)| p.sum != 0.0)
        .map(|(l, p)| (*l, p))
        .collect();
    // Stable sort: ties keep the candidates' order.
    ranked.sort_by(|a, b| b.1.score().total_cmp(&a.1.score()));
    if !long {
        // Stage 2: the best few get the 4- and 5-grams too (lingua's full score).
        ranked.truncate(full.max(1));
        for (lang, partial) in &mut ranked {
            if let Some(model) = models::model(*lang) {
                partial.sum += high_order_sum(model, &units);
            }
        }
        ranked.sort_by(|a, b| b.1.score().total_cmp(&a.1.score()));
    }
    let (lang, best) = ranked.first()?;
    let top = best.score();
    // Softmax over the candidates with evidence (lingua's confidence), computed stably.
    let mass: f64 = ranked.iter().map(|(_, p)| (p.score() - top).exp()).sum();
    Some((*lang, 1.0 / mass))
}

/// A language's score in the making: lingua's sum of log-probabilities and the number of
/// the text's distinct letters its model knows (the sum is divided by it, when unigrams
/// are scored).
#[derive(Debug, Clone, Copy, Default)]
struct Partial {
    sum: f64,
    unigrams_known: u32,
}

impl Partial {
    fn score(&self) -> f64 {
        if self.unigrams_known > 0 {
            self.sum / f64::from(self.unigrams_known)
        } else {
            self.sum
        }
    }
}

/// lingua's score on the 1- to 3-grams, for every candidate at once: per n-gram one lookup
/// per prefix length, each giving the values of all languages.
fn low_order_scores(units: &[Unit<'_>], candidates: &[Lang]) -> Vec<Partial> {
    const NONE: u8 = u8::MAX;
    let table = low_order::table();
    let mut slot = [NONE; Lang::ALL.len()];
    for (i, lang) in candidates.iter().enumerate() {
        slot[lang.index()] = u8::try_from(i).unwrap_or(NONE);
    }
    let mut partials = vec![Partial::default(); candidates.len()];
    for unit in units {
        let wanted = unit.wanted & LOW_ORDERS;
        if wanted == 0 {
            continue;
        }
        let top = (u8::BITS - wanted.leading_zeros()) as usize;
        let mut postings: [&[low_order::Posting]; low_order::MAX_LOW_ORDER] = [&[]; 3];
        for (k, p) in postings.iter_mut().enumerate().take(top) {
            *p = table.get(unit.hashes[k]);
        }
        for n in 1..=top {
            if wanted & (1 << (n - 1)) == 0 {
                continue;
            }
            // Longest known prefix per language: walk the prefixes from the longest down.
            let mut covered = 0u128;
            for k in (0..n).rev() {
                for &(lang, value) in postings[k] {
                    let s = slot[usize::from(lang)];
                    if s != NONE && covered & (1 << s) == 0 {
                        covered |= 1 << s;
                        partials[usize::from(s)].sum += f64::from(value);
                    }
                }
            }
            if n == 1 {
                for &(lang, _) in postings[0] {
                    let s = slot[usize::from(lang)];
                    if s != NONE {
                        partials[usize::from(s)].unigrams_known += 1;
                    }
                }
            }
        }
    }
    partials
}

/// Bits of [`Unit::wanted`] for the orders in the low-order table.
const LOW_ORDERS: u8 = (1 << low_order::MAX_LOW_ORDER) - 1;

/// lingua's words: runs of letters, each Han or kana character on its own.
fn split_words(lower: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in lower.char_indices() {
        if is_han_or_kana(c) {
            if let Some(s) = start.take() {
                words.push(&lower[s..i]);
            }
            words.push(&lower[i..i + c.len_utf8()]);
        } else if c.is_alphabetic() || is_indic_or_thai(c) {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            words.push(&lower[s..i]);
        }
    }
    if let Some(s) = start {
        words.push(&lower[s..]);
    }
    words
}

/// lingua keeps whole runs of these scripts together, signs such as the virama included
/// (which are not alphabetic).
fn is_indic_or_thai(c: char) -> bool {
    matches!(c, '\u{0900}'..='\u{0C7F}' | '\u{0E00}'..='\u{0E7F}')
}

fn is_han_or_kana(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}'   // Hiragana, Katakana
        | '\u{31F0}'..='\u{31FF}' // Katakana phonetic extensions
        | '\u{3400}'..='\u{4DBF}' // CJK extension A
        | '\u{4E00}'..='\u{9FFF}' // CJK unified ideographs
        | '\u{F900}'..='\u{FAFF}' // CJK compatibility ideographs
        | '\u{20000}'..='\u{2FA1F}')
}

/// One start position in a word: the n-grams starting there are the prefixes of `gram`.
struct Unit<'a> {
    /// Up to [`MAX_ORDER`] characters from the start position, within the word.
    gram: &'a str,
    /// Byte length of the prefix of `k + 1` characters.
    ends: [u8; MAX_ORDER],
    /// Hash ([`low_order::hash_byte`]) of the prefix of `k + 1` characters.
    hashes: [u64; MAX_ORDER],
    /// Bit `n - 1` set: the n-gram starting here is the first occurrence of that n-gram in
    /// the text, so it is scored (lingua scores each distinct n-gram once).
    wanted: u8,
}

/// The positions to score, with the distinct n-grams of the given orders.
fn units<'a>(words: &[&'a str], orders: std::ops::RangeInclusive<usize>) -> Vec<Unit<'a>> {
    // Distinct n-grams by 64-bit hash: a collision would need ~4 billion n-grams.
    let mut seen: [HashSet<u64, BuildHasherDefault<low_order::PassThrough>>; MAX_ORDER] =
        Default::default();
    let mut units = Vec::new();
    for word in words {
        let bytes = word.as_bytes();
        for (start, _) in word.char_indices() {
            let mut ends = [0u8; MAX_ORDER];
            let mut hashes = [0u64; MAX_ORDER];
            let mut hash = low_order::HASH_SEED;
            let mut len = 0;
            for (i, &b) in bytes[start..].iter().enumerate() {
                hash = low_order::hash_byte(hash, b);
                let end = start + i + 1;
                if word.is_char_boundary(end) {
                    // At most 5 characters of at most 4 bytes: fits a u8.
                    ends[len] = u8::try_from(i + 1).unwrap_or(u8::MAX);
                    hashes[len] = hash;
                    len += 1;
                    if len == MAX_ORDER {
                        break;
                    }
                }
            }
            let gram = &word[start..start + usize::from(ends[len.max(1) - 1])];
            let mut wanted = 0u8;
            for n in orders.clone() {
                if n <= len && seen[n - 1].insert(hashes[n - 1]) {
                    wanted |= 1 << (n - 1);
                }
            }
            if wanted != 0 {
                units.push(Unit {
                    gram,
                    ends,
                    hashes,
                    wanted,
                });
            }
        }
    }
    units
}

/// The 4- and 5-gram part of lingua's score for one language: the log-probabilities of the
/// longest prefixes its model knows, found in one walk down its transducer per position.
fn high_order_sum(model: &models::Model, units: &[Unit<'_>]) -> f64 {
    let mut sum = 0.0;
    for unit in units {
        let wanted = unit.wanted & !LOW_ORDERS;
        if wanted == 0 {
            continue;
        }
        let top = (u8::BITS - wanted.leading_zeros()) as usize;
        let bytes = &unit.gram.as_bytes()[..usize::from(unit.ends[top - 1])];
        // values[k]: log-probability of the (k + 1)-character prefix, if the model has it.
        let mut values = [None::<f64>; MAX_ORDER];
        let mut node = model.root();
        let mut out = Output::zero();
        let mut chars = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let Some(t) = node.find_input(b).map(|t| node.transition(t)) else {
                break;
            };
            out = out.cat(t.out);
            node = model.node(t.addr);
            if i + 1 == usize::from(unit.ends[chars]) {
                if node.is_final() {
                    values[chars] = Some(f64::from_bits(out.cat(node.final_output()).value()));
                }
                chars += 1;
            }
        }
        for n in low_order::MAX_LOW_ORDER + 1..=top {
            if wanted & (1 << (n - 1)) != 0 {
                if let Some(v) = values[..n].iter().rev().find_map(|v| *v) {
                    sum += v;
                }
            }
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_letter_runs_and_single_ideographs() {
        assert_eq!(split_words("l'été, 2024 — ça va"), ["l", "été", "ça", "va"]);
        assert_eq!(
            split_words("东京タワー ok"),
            ["东", "京", "タ", "ワ", "ー", "ok"]
        );
    }

    #[test]
    fn each_distinct_ngram_is_scored_once() {
        let words = ["abab"];
        let units = units(&words, 1..=MAX_ORDER);
        // unigrams a, b; bigrams ab, ba; trigrams aba, bab; the 4-gram abab.
        let count: u32 = units.iter().map(|u| u.wanted.count_ones()).sum();
        assert_eq!(count, 2 + 2 + 2 + 1);
    }

    #[test]
    fn short_text_goes_to_the_right_close_relative() {
        let latin = [
            Lang::Spanish,
            Lang::Portuguese,
            Lang::Italian,
            Lang::Catalan,
            Lang::French,
        ];
        assert_eq!(
            rerank("muito obrigado", &latin, 4).map(|r| r.0),
            Some(Lang::Portuguese)
        );
        assert_eq!(
            rerank("molte grazie", &latin, 4).map(|r| r.0),
            Some(Lang::Italian)
        );
        assert_eq!(
            rerank("bonjour madame", &latin, 4).map(|r| r.0),
            Some(Lang::French)
        );
        let (_, confidence) = rerank("buenos días", &latin, 4).unwrap_or((Lang::Akan, -1.0));
        assert!((0.0..=1.0).contains(&confidence));
    }

    #[test]
    fn no_letters_no_answer() {
        assert_eq!(rerank("12 -- 34", &[Lang::English, Lang::French], 4), None);
    }
}

#[cfg(test)]
mod parity {
    use super::*;

    /// Our scorer against lingua itself (high accuracy, the same 57 languages) on every 7th
    /// word pair of `../shared/eval/lingua-langid.jsonl`, all 57 languages as candidates
    /// (no script filter, so Han/kana and Hangul, which whatlang's script decides before us,
    /// are the main differences). Needs the eval data and takes ~20 s in release:
    /// `cargo test --release -p recoupe-lang --lib parity -- --ignored --nocapture`.
    #[test]
    #[ignore = "needs ../shared/eval; slow (runs lingua)"]
    fn agrees_with_lingua_on_word_pairs() -> anyhow::Result<()> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/eval/lingua-langid.jsonl"
        );
        let text = std::fs::read_to_string(path)?;
        let langs: Vec<Lang> = Lang::ALL
            .into_iter()
            .filter(|l| models::has_model(*l))
            .collect();
        let lingua_langs: Vec<lingua::Language> = langs
            .iter()
            .filter_map(|l| l.iso639_1().parse::<lingua::IsoCode639_1>().ok())
            .map(|c| lingua::Language::from_iso_code_639_1(&c))
            .collect();
        let det = lingua::LanguageDetectorBuilder::from_languages(&lingua_langs).build();
        let (mut n, mut same, mut ours_ok, mut theirs_ok) = (0usize, 0usize, 0usize, 0usize);
        for (i, line) in text.lines().enumerate() {
            let v: serde_json::Value = serde_json::from_str(line)?;
            if v["kind"] != "word-pairs" || i % 7 != 0 {
                continue;
            }
            let Some(truth) = v["lang"].as_str().and_then(Lang::from_code) else {
                continue;
            };
            if !langs.contains(&truth) {
                continue;
            }
            let t = v["text"].as_str().unwrap_or_default();
            let ours = rerank(t, &langs, langs.len()).map(|r| r.0);
            let theirs = det
                .detect_language_of(t)
                .and_then(|l| Lang::from_code(&l.iso_code_639_1().to_string()));
            n += 1;
            same += usize::from(ours == theirs);
            ours_ok += usize::from(ours == Some(truth));
            theirs_ok += usize::from(theirs == Some(truth));
            if ours != theirs {
                eprintln!("{t:?}: truth {truth:?}, ours {ours:?}, lingua {theirs:?}");
            }
        }
        eprintln!(
            "{n} word pairs: same answer {same}, ours right {ours_ok}, lingua right {theirs_ok}"
        );
        assert!(n > 5000, "eval data incomplete: {n} word pairs");
        assert!(same as f64 >= 0.99 * n as f64, "{same} of {n} agree");
        Ok(())
    }
}
