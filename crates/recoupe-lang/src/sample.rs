//! Bounded-time input: long text is cut to a few evenly spaced windows.

use std::borrow::Cow;

/// Windows taken from a long text: its start, its end and evenly spaced middles, so a
/// language that only appears in part of the text still gets a voice.
const WINDOWS: usize = 4;

/// Returns `text` unchanged when it is at most `max_bytes` long, else `WINDOWS` windows of
/// about `max_bytes / WINDOWS` bytes each, cut on whitespace where possible and always on
/// char boundaries, joined by newlines. Detection time is then bounded by `max_bytes`.
pub(crate) fn sample(text: &str, max_bytes: usize) -> Cow<'_, str> {
    if text.len() <= max_bytes {
        return Cow::Borrowed(text);
    }
    let window = (max_bytes / WINDOWS).max(1);
    let span = text.len() - window;
    let mut out = String::with_capacity(max_bytes + WINDOWS);
    for i in 0..WINDOWS {
        let start = floor_boundary(text, span * i / (WINDOWS - 1));
        let end = floor_boundary(text, start + window);
        let piece = &text[start..end];
        // Drop the partial words at the cuts (not at the text's own start and end).
        let piece = if start > 0 {
            piece
                .split_once(char::is_whitespace)
                .map_or(piece, |(_, rest)| rest)
        } else {
            piece
        };
        let piece = if end < text.len() {
            piece
                .rsplit_once(char::is_whitespace)
                .map_or(piece, |(rest, _)| rest)
        } else {
            piece
        };
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(piece);
    }
    Cow::Owned(out)
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn short_text_is_borrowed() {
        assert!(matches!(sample("abc", 10), Cow::Borrowed("abc")));
    }

    #[test]
    fn long_text_keeps_start_and_end() {
        let text = format!("début {} fin", "mot ".repeat(5000));
        let s = sample(&text, 1024);
        assert!(s.len() <= 1024 + WINDOWS);
        assert!(s.starts_with("début"));
        assert!(s.ends_with("fin"));
    }

    proptest! {
        #[test]
        fn sample_is_bounded_and_never_panics(text in "\\PC{0,3000}", max in 8usize..2048) {
            let s = sample(&text, max);
            prop_assert!(s.len() <= max + WINDOWS);
        }
    }
}
