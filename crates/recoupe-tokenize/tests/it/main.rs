//! Integration tests of recoupe-tokenize: invariants (proptest), scripts without spaces,
//! pinned hash values, and the seed articles of `../shared/fixtures`.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "helpers of tests: a panic is a failed test"
)]

mod fuzz_regressions;

use std::collections::HashSet;
use std::path::PathBuf;

use proptest::prelude::*;
use recoupe_tokenize::{
    ParagraphBreak, TokenFlags, TokenizeConfig, Tokenized, Tokenizer, DEFAULT_SEED,
};

fn tokenizer() -> Tokenizer {
    Tokenizer::new(TokenizeConfig::default()).unwrap()
}

fn words<'t>(doc: &Tokenized, text: &'t str) -> Vec<&'t str> {
    doc.tokens().iter().map(|t| t.span.slice(text)).collect()
}

fn norms(doc: &Tokenized) -> Vec<&str> {
    doc.tokens().iter().map(|t| doc.norm(t)).collect()
}

/// Checks every structural invariant of a tokenized text.
fn check_invariants(tok: &Tokenizer, text: &str, doc: &Tokenized) {
    let mut prev_end = 0;
    for (p, para) in doc.paragraphs().iter().enumerate() {
        assert!(para.span.start >= prev_end && para.span.end <= text.len());
        assert!(text.is_char_boundary(para.span.start) && text.is_char_boundary(para.span.end));
        assert!(!para.span.is_empty());
        prev_end = para.span.end;
        for s in &doc.sentences()[para.sentences.clone()] {
            assert_eq!(s.paragraph, p);
            assert!(s.span.start >= para.span.start && s.span.end <= para.span.end);
        }
    }
    let mut prev_end = 0;
    for (i, s) in doc.sentences().iter().enumerate() {
        assert!(s.span.start >= prev_end, "sentences overlap");
        assert!(text.is_char_boundary(s.span.start) && text.is_char_boundary(s.span.end));
        prev_end = s.span.end;
        for t in doc.sentence_tokens(s) {
            assert_eq!(t.sentence, i);
            assert!(t.span.start >= s.span.start && t.span.end <= s.span.end);
        }
    }
    let covered: usize = doc.sentences().iter().map(|s| s.tokens.len()).sum();
    assert_eq!(
        covered,
        doc.tokens().len(),
        "every token is in one sentence"
    );
    let mut prev_start = 0;
    for t in doc.tokens() {
        assert!(t.span.start >= prev_start, "tokens out of order");
        prev_start = t.span.start;
        let original = text
            .get(t.span.range())
            .expect("token span slices the original");
        assert!(!original.is_empty());
        let norm = doc
            .normalized()
            .get(t.norm.range())
            .expect("norm span slices");
        assert!(!norm.is_empty());
        // Round trip: the comparison form is the normalization of the original slice
        // (a no-space n-gram is normalized grapheme by grapheme, which is the same).
        assert_eq!(tok.normalize(original), norm, "token {original:?}");
        assert_eq!(t.hash, tok.hash_norm(norm));
    }
}

#[test]
fn french_news_sentence_tokens_and_flags() {
    let tok = tokenizer();
    let text = "Li Shangfu a salué dimanche des liens « forts » avec Moscou, a ajouté M. Li. \
                Il s’agit de l’armée d’Ukraine, selon l'AFP.";
    let doc = tok.tokenize(text);
    check_invariants(&tok, text, &doc);
    assert_eq!(doc.sentences().len(), 2);
    let w = words(&doc, text);
    assert!(w.contains(&"Ukraine") && w.contains(&"armée") && w.contains(&"AFP"));
    assert!(!w.iter().any(|w| w.contains('«') || w.contains('’')));
    assert!(norms(&doc).contains(&"armee"));
    let rare: Vec<&str> = doc.rare_tokens().map(|t| t.span.slice(text)).collect();
    assert_eq!(
        rare,
        ["Shangfu", "Moscou", "Li", "Ukraine", "AFP"],
        "sentence-initial capitals (Li, Il) and single letters (M) are not rare candidates"
    );
    let afp = doc
        .tokens()
        .iter()
        .find(|t| t.span.slice(text) == "AFP")
        .unwrap();
    assert!(afp.flags.contains(TokenFlags::ALL_CAPS));
}

#[test]
fn apostrophe_variants_give_identical_shingles() {
    let tok = tokenizer();
    let a = tok.tokenize("L’armée russe et l’époque « stable »");
    let b = tok.tokenize("L'armée russe et l'époque \"stable\"");
    let c = tok.tokenize("L‘ARMÉE RUSSE ET L`EPOQUE “STABLE”");
    assert_eq!(tok.word_shingles(&a), tok.word_shingles(&b));
    assert_eq!(tok.word_shingles(&a), tok.word_shingles(&c));
    assert_eq!(tok.char_shingles(&a), tok.char_shingles(&c));
}

#[test]
fn numbers_stay_whole_and_are_flagged() {
    let tok = tokenizer();
    let text = "Le PIB a crû de 1.5 % (3,2 milliards) en 2023, selon le G20.";
    let doc = tok.tokenize(text);
    let w = words(&doc, text);
    for n in ["1.5", "3,2", "2023", "G20"] {
        assert!(w.contains(&n), "{n} in {w:?}");
    }
    let numeric: Vec<&str> = doc
        .tokens()
        .iter()
        .filter(|t| t.is_numeric())
        .map(|t| t.span.slice(text))
        .collect();
    assert_eq!(numeric, ["1.5", "3,2", "2023"]);
}

#[test]
fn chinese_gives_overlapping_bigrams_with_offsets() {
    let tok = tokenizer();
    let text = "中国国防部长李尚福会见普京。";
    let doc = tok.tokenize(text);
    check_invariants(&tok, text, &doc);
    let w = words(&doc, text);
    assert_eq!(w.first(), Some(&"中国"));
    assert_eq!(w.get(1), Some(&"国国"));
    assert_eq!(w.last(), Some(&"普京"));
    assert_eq!(w.len(), 12, "13 ideographs give 12 bigrams: {w:?}");
    assert!(doc
        .tokens()
        .iter()
        .all(|t| t.flags.contains(TokenFlags::NO_SPACE_SCRIPT)));
    // A shared name shows up as a shared bigram whatever the surrounding text.
    let other = tok.tokenize("普京在克里姆林宫。");
    let a: HashSet<u64> = doc.tokens().iter().map(|t| t.hash).collect();
    assert!(other.tokens().iter().any(|t| a.contains(&t.hash)));
}

#[test]
fn japanese_mixed_scripts_and_latin_words() {
    let tok = tokenizer();
    let text = "プーチン大統領は2023年にiPhoneを使った。";
    let doc = tok.tokenize(text);
    check_invariants(&tok, text, &doc);
    let w = words(&doc, text);
    assert!(w.contains(&"プー") && w.contains(&"大統"), "{w:?}");
    assert!(w.contains(&"2023") && w.contains(&"iPhone"), "{w:?}");
}

#[test]
fn thai_gives_grapheme_bigrams() {
    let tok = tokenizer();
    let text = "ปูตินพบรัฐมนตรี";
    let doc = tok.tokenize(text);
    check_invariants(&tok, text, &doc);
    let w = words(&doc, text);
    // 11 grapheme clusters (combining vowels stay with their consonant) -> 10 bigrams.
    assert_eq!(w.first(), Some(&"ปูติ"), "{w:?}");
    assert_eq!(w.len(), 10, "{w:?}");
    let combining = ['\u{0E31}', '\u{0E34}', '\u{0E35}', '\u{0E39}'];
    assert!(w.iter().all(|g| !g.starts_with(combining)), "{w:?}");
}

#[test]
fn cjk_ngram_size_is_configurable() {
    let tok = Tokenizer::new(TokenizeConfig {
        cjk_ngram: 1,
        ..TokenizeConfig::default()
    })
    .unwrap();
    let text = "李尚福";
    let doc = tok.tokenize(text);
    assert_eq!(words(&doc, text), ["李", "尚", "福"]);
    let tok3 = Tokenizer::new(TokenizeConfig {
        cjk_ngram: 3,
        ..TokenizeConfig::default()
    })
    .unwrap();
    assert_eq!(words(&tok3.tokenize("普京"), "普京"), ["普京"]);
}

#[test]
fn diacritic_folding_can_be_turned_off() {
    let keep = Tokenizer::new(TokenizeConfig {
        fold_diacritics: false,
        ..TokenizeConfig::default()
    })
    .unwrap();
    assert_eq!(keep.normalize("Défense ÉTAT"), "défense état");
    assert_eq!(tokenizer().normalize("Défense ÉTAT"), "defense etat");
}

#[test]
fn elision_split_can_be_turned_off() {
    let tok = Tokenizer::new(TokenizeConfig {
        split_elisions: false,
        ..TokenizeConfig::default()
    })
    .unwrap();
    let text = "l’armée d'Ukraine aujourd'hui";
    assert_eq!(
        words(&tok.tokenize(text), text),
        ["l’armée", "d'Ukraine", "aujourd'hui"]
    );
    assert_eq!(
        words(&tokenizer().tokenize(text), text),
        ["l", "armée", "d", "Ukraine", "aujourd'hui"]
    );
}

#[test]
fn sentence_shingles_stay_inside_sentences_and_point_at_the_passage() {
    let tok = tokenizer();
    let text = "Poutine a reçu Li. Il a parlé de la Chine.";
    let doc = tok.tokenize(text);
    let shingles = tok.sentence_shingles(&doc);
    // 4 words give 4 - 3 + 1 = 2 trigrams, 6 words give 4.
    assert_eq!(shingles.iter().filter(|s| s.sentence == 0).count(), 2);
    assert_eq!(shingles.iter().filter(|s| s.sentence == 1).count(), 4);
    assert_eq!(shingles[0].span.slice(text), "Poutine a reçu");
    assert_eq!(shingles[1].span.slice(text), "a reçu Li");
    let doc_level: HashSet<u64> = tok.word_shingles(&doc).into_iter().collect();
    assert!(shingles.iter().all(|s| doc_level.contains(&s.hash)));
    // A short sentence still gets one shingle of all its words.
    let doc = tok.tokenize("Fin. Voilà tout.");
    let shingles = tok.sentence_shingles(&doc);
    assert_eq!(shingles.len(), 2);
    assert_eq!(shingles[0].span.slice("Fin. Voilà tout."), "Fin");
}

/// Values computed independently with the reference C implementation (Python `xxhash`
/// 4.1.0: `xxh3_64_intdigest(data, seed=0x7265636f75706521)`). If this test fails, the
/// hash changed and every stored signature is invalid.
#[test]
fn hashes_are_pinned() {
    assert_eq!(DEFAULT_SEED, 0x7265_636f_7570_6521);
    let tok = tokenizer();
    assert_eq!(tok.hash_norm("poutine"), 0x5b3b_3a81_dfbc_1cf4);
    assert_eq!(tok.hash_norm("kremlin"), 0x95cb_95a5_3988_f8ce);
    assert_eq!(tok.hash_norm("2023"), 0x070b_ad8e_9a15_6ad3);
    let doc = tok.tokenize("Poutine, KREMLIN 2023");
    assert_eq!(tok.word_shingles(&doc), [0x27bd_9897_a3a2_8200]);
    assert_eq!(tok.char_shingles(&doc)[0], 0xeb5a_96bb_29d8_e779);
    let doc = tok.tokenize("中俄");
    assert_eq!(doc.tokens()[0].hash, 0x663e_4da6_e75e_320d);
}

#[test]
fn the_seed_changes_every_hash() {
    let other = Tokenizer::new(TokenizeConfig {
        seed: 1,
        ..TokenizeConfig::default()
    })
    .unwrap();
    let text = "Poutine a reçu Li Shangfu au Kremlin.";
    let a = tokenizer().tokenize(text);
    let b = other.tokenize(text);
    assert!(a
        .tokens()
        .iter()
        .zip(b.tokens())
        .all(|(x, y)| x.hash != y.hash));
}

#[test]
fn reusing_a_tokenized_value_gives_the_same_result() {
    let tok = tokenizer();
    let mut doc = Tokenized::default();
    tok.tokenize_into(
        "Un long texte avec 中文 et des mots. Deux phrases.",
        &mut doc,
    );
    tok.tokenize_into("Court.", &mut doc);
    assert_eq!(doc, tok.tokenize("Court."));
}

#[test]
fn empty_and_blank_inputs() {
    let tok = tokenizer();
    for text in [
        "",
        "   ",
        "\n\n\r\n",
        "\u{200B}\u{FEFF}",
        "!!! ... ---",
        "😀🎉",
    ] {
        let doc = tok.tokenize(text);
        assert!(doc.tokens().is_empty(), "{text:?}");
        assert!(tok.word_shingles(&doc).is_empty());
        check_invariants(&tok, text, &doc);
    }
}

#[test]
fn blank_line_paragraphs() {
    let tok = Tokenizer::new(TokenizeConfig {
        paragraph_break: ParagraphBreak::BlankLine,
        ..TokenizeConfig::default()
    })
    .unwrap();
    let text = "The minister said the\nties were strong.\n\nSecond paragraph.";
    let doc = tok.tokenize(text);
    assert_eq!(doc.paragraphs().len(), 2);
    assert_eq!(doc.sentences().len(), 2);
    check_invariants(&tok, text, &doc);
}

// ---------------------------------------------------------------------------------------
// Seed articles

#[derive(serde::Deserialize)]
struct Article {
    id: String,
    text: String,
}

fn seed_articles() -> Option<Vec<Article>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/seed-articles/articles.jsonl");
    let Ok(data) = std::fs::read_to_string(&path) else {
        eprintln!("skipped: seed articles not found at {}", path.display());
        return None;
    };
    Some(
        data.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
    )
}

fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    let a: HashSet<u64> = a.iter().copied().collect();
    let b: HashSet<u64> = b.iter().copied().collect();
    a.intersection(&b).count() as f64 / a.union(&b).count() as f64
}

#[test]
fn seed_articles_tokenize_with_valid_offsets() {
    let Some(articles) = seed_articles() else {
        return;
    };
    let tok = tokenizer();
    for a in &articles {
        let doc = tok.tokenize(&a.text);
        check_invariants(&tok, &a.text, &doc);
        assert!(doc.tokens().len() > 100, "{}", a.id);
    }
    let li = articles.iter().find(|a| a.id.starts_with("000")).unwrap();
    let doc = tok.tokenize(&li.text);
    let sentences: Vec<&str> = doc
        .sentences()
        .iter()
        .map(|s| s.span.slice(&li.text))
        .collect();
    assert!(
        sentences.iter().any(|s| s.ends_with("a ajouté M. Li.")),
        "M. Li stays inside its sentence"
    );
    assert!(!sentences.contains(&"Li."));
    let rare: HashSet<&str> = doc.rare_tokens().map(|t| t.span.slice(&li.text)).collect();
    for name in ["Shangfu", "Poutine", "Kremlin", "Moscou", "Xi", "Jinping"] {
        assert!(rare.contains(name), "{name} is a rare-token candidate");
    }
}

#[test]
fn seed_articles_same_story_shares_more_shingles() {
    let Some(articles) = seed_articles() else {
        return;
    };
    let tok = tokenizer();
    let shingles: Vec<(Vec<u64>, Vec<u64>)> = articles
        .iter()
        .map(|a| {
            let doc = tok.tokenize(&a.text);
            (tok.word_shingles(&doc), tok.char_shingles(&doc))
        })
        .collect();
    // 000 and 001 report the same meeting and share quoted passages; 003 and 004 are
    // other meetings on the same topic.
    let same_words = jaccard(&shingles[0].0, &shingles[1].0);
    let same_chars = jaccard(&shingles[0].1, &shingles[1].1);
    for other in [3, 4] {
        assert!(same_words > 2.0 * jaccard(&shingles[0].0, &shingles[other].0));
        assert!(same_chars > jaccard(&shingles[0].1, &shingles[other].1));
    }
}

// ---------------------------------------------------------------------------------------
// Properties

/// Strings drawn from the characters that stress segmentation and normalization.
fn tricky_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "a",
        "É",
        "é",
        "e\u{0301}",
        "ß",
        "İ",
        "ς",
        "Σ",
        "ﬁ",
        "²",
        "½",
        "Ⅻ",
        "ǅ",
        "ŉ",
        "ΐ",
        " ",
        "  ",
        "\n",
        "\r\n",
        "\n\n",
        "\u{00A0}",
        "\u{202F}",
        "\t",
        "\u{2029}",
        "\u{0085}",
        "\u{200B}",
        "\u{200D}",
        "\u{00AD}",
        "\u{FEFF}",
        "\u{0301}",
        "\u{0308}",
        "\u{0E39}",
        ".",
        "!",
        "?",
        "…",
        "。",
        "'",
        "’",
        "«",
        "»",
        "“",
        "”",
        "„",
        "\"",
        "(",
        ")",
        "-",
        "M.",
        "Mme",
        "U.S.",
        "etc.",
        "J.",
        "1.5",
        "3,2",
        "2023",
        "l’",
        "d'",
        "qu'",
        "中",
        "国",
        "の",
        "カ",
        "ภา",
        "ษา",
        "한",
        "ا",
        "٢",
        "😀",
        "👨‍👩‍👧",
        "\u{1F1EB}\u{1F1F7}",
        "Word",
        "mot",
        "ÉTAT",
        "ｆｕｌｌ",
        "\u{0000}",
        "\u{FFFD}",
        "\u{10FFFF}",
    ]);
    prop::collection::vec(pieces, 0..40).prop_map(|v| v.concat())
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), tricky_text(), "\\PC{0,60}"]
}

fn any_config() -> impl Strategy<Value = TokenizeConfig> {
    (
        1usize..6,
        1usize..8,
        1usize..4,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<u64>(),
    )
        .prop_map(|(w, c, k, fold, elide, blank, seed)| TokenizeConfig {
            word_ngram: w,
            char_ngram: c,
            cjk_ngram: k,
            fold_diacritics: fold,
            split_elisions: elide,
            paragraph_break: if blank {
                ParagraphBreak::BlankLine
            } else {
                ParagraphBreak::Line
            },
            seed,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn offsets_slice_the_original_and_round_trip(text in any_text(), config in any_config()) {
        let tok = Tokenizer::new(config).unwrap();
        let doc = tok.tokenize(&text);
        check_invariants(&tok, &text, &doc);
    }

    #[test]
    fn normalization_is_idempotent(text in any_text(), fold in any::<bool>()) {
        let tok = Tokenizer::new(TokenizeConfig {
            fold_diacritics: fold,
            ..TokenizeConfig::default()
        })
        .unwrap();
        let once = tok.normalize(&text);
        prop_assert_eq!(tok.normalize(&once), once.clone());
        prop_assert!(!once.starts_with(' ') && !once.ends_with(' ') && !once.contains("  "));
    }

    #[test]
    fn no_panic_and_deterministic(text in any_text(), config in any_config()) {
        let tok = Tokenizer::new(config).unwrap();
        let doc = tok.tokenize(&text);
        let words = tok.word_shingles(&doc);
        let chars = tok.char_shingles(&doc);
        let sentences = tok.sentence_shingles(&doc);
        prop_assert_eq!(doc.clone(), tok.tokenize(&text));
        prop_assert_eq!(words.len(), doc.tokens().len().saturating_sub(tok.config().word_ngram - 1)
            .max(usize::from(!doc.tokens().is_empty())));
        prop_assert_eq!(chars, tok.char_shingles(&doc));
        prop_assert_eq!(sentences, tok.sentence_shingles(&doc));
    }
}
