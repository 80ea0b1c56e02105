//! The cleaning rules on any text. The input (bytes as UTF-8, lossily) is split on NUL
//! into up to 16 articles of two alternating sources; the first byte draws the settings
//! (body-line words, recurring-line thresholds).
//!
//! Checks: every removal (rule or recurring) lies within the text, on char boundaries,
//! starts at a line start, shows its own text, and the rule removals come sorted and
//! disjoint; the cleaned text is exactly the text outside the removals, and every offset
//! of it maps back to the same byte of the original; `has_content` matches the kept text.

use recoupe_pipeline::clean::{
    fold, rule_removals, CleanConfig, Cleaned, RecurringConfig, RecurringLines, Removal,
};

/// Panics when a cleaning invariant breaks on `data`.
pub fn check(data: &[u8]) {
    let Some((&a, rest)) = data.split_first() else {
        return;
    };
    let config = CleanConfig {
        enabled: true,
        rules: a & 0x80 == 0,
        body_line_words: usize::from(a & 0x0f),
        recurring: RecurringConfig {
            enabled: true,
            max_words: 12,
            min_articles: usize::from((a >> 4) & 3) + 1,
            min_fraction: 0.01,
            source_min_articles: 2,
            source_min_fraction: 0.3,
            min_contexts: usize::from((a >> 6) & 1) + 1,
        },
    };
    let input = String::from_utf8_lossy(rest);
    let articles: Vec<&str> = input.split('\0').take(16).collect();
    let source = |i: usize| Some(if i % 2 == 0 { "Agence A" } else { "Agence B" });

    let mut stats = RecurringLines::new(config.recurring.clone());
    let mut by_rule = Vec::with_capacity(articles.len());
    for (i, text) in articles.iter().enumerate() {
        let removals = rule_removals(text, &config);
        check_removals(text, &removals);
        for pair in removals.windows(2) {
            assert!(
                pair[0].end <= pair[1].start,
                "rule removals overlap: {pair:?}"
            );
        }
        stats.observe(text, &removals, source(i));
        by_rule.push(removals);
    }
    for (i, (text, mut removals)) in articles.iter().zip(by_rule).enumerate() {
        let recurring = stats.removals(text, &removals, source(i));
        check_removals(text, &recurring);
        removals.extend(recurring);
        check_cleaned(text, Cleaned::new(text, removals));
        for line in text.lines().take(64) {
            let folded = fold(line);
            assert_eq!(folded, folded.trim(), "fold keeps edge spaces");
            assert!(!folded.contains("  "), "fold keeps a double space");
        }
    }
}

fn check_removals(text: &str, removals: &[Removal]) {
    for r in removals {
        let Some(removed) = text.get(r.start..r.end) else {
            panic!(
                "removal {r:?} does not slice a text of {} bytes",
                text.len()
            );
        };
        assert!(r.start < r.end, "empty removal {r:?}");
        assert!(
            r.start == 0 || matches!(text.as_bytes()[r.start - 1], b'\n' | b'\r'),
            "removal {r:?} does not start a line"
        );
        let shown = removed.trim_end_matches(['\n', '\r']);
        assert!(r.text.len() <= 300, "removal text over 300 bytes");
        assert!(
            shown.starts_with(&r.text),
            "removal text {r:?} is not its passage"
        );
        assert!(r.text.len() == shown.len() || r.text.len() > 296, "{r:?}");
    }
}

fn check_cleaned(text: &str, cleaned: Cleaned) {
    assert_eq!(cleaned.original_len, text.len());
    let mut kept = String::new();
    let mut pos = 0;
    for r in &cleaned.removed {
        assert!(r.start >= pos, "cleaned removals overlap or go back");
        kept.push_str(&text[pos..r.start]);
        pos = r.end;
    }
    kept.push_str(&text[pos..]);
    assert_eq!(
        cleaned.text, kept,
        "cleaned text is not the text outside removals"
    );
    let bytes = text.as_bytes();
    for (offset, c) in cleaned.text.char_indices() {
        let original = cleaned.to_original(offset);
        assert!(
            text.is_char_boundary(original),
            "offset {offset} maps inside a char"
        );
        assert_eq!(
            text[original..].chars().next(),
            Some(c),
            "offset {offset} maps to another char"
        );
        let end = offset + c.len_utf8();
        let range = cleaned.range_to_original(offset..end);
        assert_eq!(range.len(), c.len_utf8());
        assert_eq!(bytes.get(range.clone()), Some(c.to_string().as_bytes()));
    }
    assert_eq!(
        cleaned.has_content(),
        cleaned.text.chars().any(char::is_alphanumeric)
    );
}
