//! The CSV reader on any bytes. The first byte picks the delimiter, whether a valid header
//! (`id,text,title,lang,extra`) is put in front of the rest (to get past the header check
//! most of the time) and a small record size limit.
//!
//! Checks: a header the reader refuses is a typed header or column error, never a panic;
//! the stream ends (at most one item per input byte); every CSV record that is not blank
//! yields exactly one item, counted against the csv crate's own record split; line numbers
//! never go back; an article has a non-blank id and text; `InvalidUtf8` points at an
//! invalid byte of the input and `TooLarge` is over the limit.

use std::io::Cursor;
use std::path::PathBuf;

use recoupe_pipeline::input::{CsvColumns, CsvStream, InputConfig};
use recoupe_pipeline::{Error, ReadItem, RejectReason};

const FILE: &str = "fuzz.csv";

/// Panics when the CSV reader breaks an invariant on `data`.
pub fn check(data: &[u8]) {
    let Some((&a, rest)) = data.split_first() else {
        return;
    };
    let delimiter = [',', ';', '\t', '|'][usize::from(a & 3)];
    let with_header = a & 4 != 0;
    let mut input = Vec::with_capacity(rest.len() + 32);
    if with_header {
        let d = delimiter;
        input.extend_from_slice(format!("id{d}text{d}title{d}lang{d}extra\n").as_bytes());
    }
    input.extend_from_slice(rest);
    let limit = if a & 8 != 0 { 32 } else { 64 * 1024 * 1024 };
    let config = InputConfig {
        csv: CsvColumns {
            delimiter,
            ..CsvColumns::default()
        },
        max_record_bytes: limit,
        ..InputConfig::default()
    };

    let stream = match CsvStream::new(
        Box::new(Cursor::new(input.clone())),
        FILE.to_owned(),
        PathBuf::from(FILE),
        &config,
    ) {
        Ok(stream) => stream,
        Err(e) => {
            assert!(!with_header, "valid header refused: {e}");
            assert!(
                matches!(e, Error::CsvHeader { .. } | Error::CsvColumn { .. }),
                "{e}"
            );
            return;
        }
    };
    let bound = input.len() + 1;
    let items: Vec<ReadItem> = stream.take(bound + 1).collect();
    assert!(items.len() <= bound, "the stream does not end");

    assert_eq!(items.len(), records(&input, delimiter, limit), "{items:?}");
    let line_breaks = input.iter().filter(|&&c| c == b'\n' || c == b'\r').count() as u64;
    let mut last_line = 0;
    for item in &items {
        let origin = match item {
            ReadItem::Article(a) => &a.origin,
            ReadItem::Reject(r) => &r.origin,
        };
        assert_eq!(origin.file, FILE);
        let Some(line) = origin.line else {
            panic!("no line number: {item:?}");
        };
        assert!(line >= last_line, "line {line} after line {last_line}");
        assert!(
            line >= 1 && line <= line_breaks + 1,
            "line {line}: {item:?}"
        );
        last_line = line;
        match item {
            ReadItem::Article(a) => {
                assert!(!a.id.trim().is_empty(), "blank id: {a:?}");
                assert!(!a.text.trim().is_empty(), "blank text: {a:?}");
            }
            ReadItem::Reject(r) => match r.detail {
                RejectReason::InvalidUtf8 { byte_offset } => {
                    let bad = usize::try_from(byte_offset)
                        .ok()
                        .and_then(|at| input.get(at..))
                        .map(|tail| std::str::from_utf8(tail).map_err(|e| e.valid_up_to()));
                    assert_eq!(
                        bad,
                        Some(Err(0)),
                        "byte {byte_offset} is not an invalid byte: {r:?}"
                    );
                }
                RejectReason::TooLarge { bytes, limit: l } => {
                    assert_eq!(l, limit);
                    assert!(bytes > limit);
                }
                _ => {}
            },
        }
    }
}

/// Records of `input` under the reader's settings that are not blank or are over `limit`,
/// plus errors: what the reader must yield one item each for.
fn records(input: &[u8], delimiter: char, limit: u64) -> usize {
    let Ok(delimiter) = u8::try_from(delimiter) else {
        return 0;
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .delimiter(delimiter)
        .from_reader(input);
    let mut record = csv::ByteRecord::new();
    let mut count = 0;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => return count,
            Ok(true) => {
                // the size is checked first: a blank row over the limit is rejected too
                let blank = record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace));
                if record.as_slice().len() as u64 > limit || !blank {
                    count += 1;
                }
            }
            Err(e) => {
                count += 1;
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    return count;
                }
            }
        }
    }
}
