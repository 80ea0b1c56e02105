//! The whole tokenize path on any bytes (as UTF-8, lossily) under a configuration drawn
//! from the first two bytes: spans slice the text, normalized spans match the normalized
//! token, sentences and paragraphs stay in bounds, and normalization is idempotent.

use recoupe_tokenize::{ParagraphBreak, TokenizeConfig, Tokenizer};

/// Panics when an invariant of the tokenize path breaks on `data`.
pub fn check(data: &[u8]) {
    let (head, rest) = data.split_at(data.len().min(2));
    let a = head.first().copied().unwrap_or(0);
    let b = head.get(1).copied().unwrap_or(0);
    let config = TokenizeConfig {
        word_ngram: usize::from(a % 6) + 1,
        char_ngram: usize::from(b % 8) + 1,
        cjk_ngram: usize::from((a >> 3) % 3) + 1,
        fold_diacritics: a & 0x40 != 0,
        split_elisions: a & 0x80 != 0,
        paragraph_break: if b & 0x80 != 0 {
            ParagraphBreak::BlankLine
        } else {
            ParagraphBreak::Line
        },
        seed: u64::from(b),
    };
    let Ok(tokenizer) = Tokenizer::new(config) else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let doc = tokenizer.tokenize(&text);
    for t in doc.tokens() {
        let Some(original) = text.get(t.span.range()) else {
            panic!("token span {:?} does not slice the text", t.span);
        };
        let Some(norm) = doc.normalized().get(t.norm.range()) else {
            panic!("norm span {:?} does not slice the normalized text", t.norm);
        };
        assert_eq!(tokenizer.normalize(original), norm);
    }
    for s in doc.sentences() {
        assert!(text.get(s.span.range()).is_some());
        assert!(s.tokens.end <= doc.tokens().len());
    }
    for p in doc.paragraphs() {
        assert!(text.get(p.span.range()).is_some());
    }
    let _ = tokenizer.word_shingles(&doc);
    let _ = tokenizer.char_shingles(&doc);
    let _ = tokenizer.sentence_shingles(&doc);
    let once = tokenizer.normalize(&text);
    assert_eq!(tokenizer.normalize(&once), once);
}
