//! The JSON Lines reader on any bytes, with a record size limit and a read-buffer size
//! drawn from the first two bytes (so lines cross buffer refills and hit the limit).
//!
//! Accounting invariant, checked against an independent split of the input into lines: every
//! line that is not blank yields exactly one item (an article or a reject) carrying its
//! 1-based line number, and blank lines yield none. Over-long lines are `TooLarge` with
//! their length, lines with invalid UTF-8 are `InvalidUtf8` at the offset of the first bad
//! byte in the stream, and an article has a non-blank id and text.

use std::io::BufReader;

use recoupe_pipeline::input::JsonlStream;
use recoupe_pipeline::{ReadItem, RejectReason};

const FILE: &str = "fuzz.jsonl";

/// What one line of the input must become.
#[derive(Debug)]
enum Expect {
    /// `TooLarge` with this many bytes.
    TooLarge(u64),
    /// `InvalidUtf8` at this stream offset.
    InvalidUtf8(u64),
    /// Parsed as JSON: an article or a reject from parsing or field checks.
    Parsed,
}

/// Panics when the JSONL reader breaks an invariant on `data`.
pub fn check(data: &[u8]) {
    let (head, input) = data.split_at(data.len().min(2));
    let a = head.first().copied().unwrap_or(0);
    let b = head.get(1).copied().unwrap_or(0);
    let limit = match a % 4 {
        0 => 64 * 1024 * 1024,
        1 => 1,
        _ => u64::from(a) * 4,
    };
    let capacity = 1 + usize::from(b) * 3;
    let reader = BufReader::with_capacity(capacity, input);
    let items: Vec<ReadItem> = JsonlStream::new(reader, FILE.to_owned(), limit).collect();

    let mut expected = Vec::new();
    for (i, (start, line)) in lines(input).into_iter().enumerate() {
        let number = i as u64 + 1;
        let len = line.len() as u64;
        let expect = if len > limit {
            Some(Expect::TooLarge(len))
        } else {
            match std::str::from_utf8(line) {
                Err(e) => Some(Expect::InvalidUtf8(start + e.valid_up_to() as u64)),
                Ok(text) => {
                    let text = if number == 1 {
                        text.strip_prefix('\u{feff}').unwrap_or(text)
                    } else {
                        text
                    };
                    let text = text.strip_suffix('\r').unwrap_or(text);
                    (!text.trim().is_empty()).then_some(Expect::Parsed)
                }
            }
        };
        if let Some(expect) = expect {
            expected.push((number, expect));
        }
    }

    assert_eq!(
        items.len(),
        expected.len(),
        "items {items:?} for expected lines {expected:?}"
    );
    for (item, (number, expect)) in items.iter().zip(&expected) {
        let origin = match item {
            ReadItem::Article(a) => &a.origin,
            ReadItem::Reject(r) => &r.origin,
        };
        assert_eq!(origin.file, FILE);
        assert_eq!(origin.line, Some(*number), "{item:?}");
        match (expect, item) {
            (Expect::TooLarge(bytes), ReadItem::Reject(r)) => {
                assert_eq!(
                    r.detail,
                    RejectReason::TooLarge {
                        bytes: *bytes,
                        limit
                    }
                );
            }
            (Expect::InvalidUtf8(offset), ReadItem::Reject(r)) => {
                assert_eq!(
                    r.detail,
                    RejectReason::InvalidUtf8 {
                        byte_offset: *offset
                    }
                );
            }
            (Expect::Parsed, ReadItem::Reject(r)) => assert!(
                matches!(
                    r.detail,
                    RejectReason::MalformedJson { .. }
                        | RejectReason::MissingId
                        | RejectReason::MissingText
                        | RejectReason::EmptyText
                        | RejectReason::InvalidField { .. }
                ),
                "line {number}: {r:?}"
            ),
            (Expect::Parsed, ReadItem::Article(a)) => {
                assert!(!a.id.trim().is_empty(), "blank id on line {number}");
                assert!(!a.text.trim().is_empty(), "blank text on line {number}");
            }
            (expect, item) => panic!("line {number}: expected {expect:?}, got {item:?}"),
        }
    }
}

/// The lines of `input` with their stream offsets, terminators excluded. A line ends at
/// `\n`; whether `\r\n` and a lone `\r` end one too is asked of the reader itself (a
/// record cannot contain a raw `\r`, so both splits are valid readings of JSON Lines).
fn lines(input: &[u8]) -> Vec<(u64, &[u8])> {
    let probe = BufReader::new(&b"{}\r{}"[..]);
    let cr_ends_line = JsonlStream::new(probe, FILE.to_owned(), 64).count() == 2;
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < input.len() {
        let end = match input[i] {
            b'\n' => i + 1,
            b'\r' if cr_ends_line => i + 1 + usize::from(input.get(i + 1) == Some(&b'\n')),
            _ => {
                i += 1;
                continue;
            }
        };
        out.push((start as u64, &input[start..i]));
        start = end;
        i = end;
    }
    if start < input.len() {
        out.push((start as u64, &input[start..]));
    }
    out
}
