//! A hostile corpus: the inputs a batch job meets when nobody has read the corpus —
//! invalid UTF-8, NUL bytes, binary files, empty and whitespace-only texts, a 50 MB
//! article, a 10 MB line without spaces, deeply nested and huge JSON values, duplicate
//! ids, mixed scripts and right-to-left text, combining-character floods, emoji-only
//! texts, CRLF and lone CR line endings, a UTF-8 BOM, a fifo and a non-UTF-8 file name —
//! as a JSONL file, a CSV file and a folder of text files.
//!
//! [`write_corpus`] returns every record it wrote with where the CLI will report it
//! (file and line, or file alone for a folder's text files) and what it should become,
//! so a test can check that each record ends in `articles.jsonl` or `rejects.jsonl`
//! exactly once. Everything is generated (a fixed-seed PRNG for the binary bytes):
//! nothing outside the repository is needed.
//!
//! ```no_run
//! let dir = std::env::temp_dir().join("hostile-doc");
//! let corpus = recoupe_e2e::hostile::write_corpus(&dir)?;
//! assert!(corpus.records.len() > 40);
//! # Ok::<(), anyhow::Error>(())
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde_json::{json, Value};

/// What a record must become.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// An article (in `articles.jsonl`).
    Article,
    /// A reject of this kind (`detail.kind` in `rejects.jsonl`).
    Reject(&'static str),
    /// A reject of any kind.
    AnyReject,
    /// An article or a reject (the outcome is a judgement call, e.g. a text of nothing
    /// but short repeated lines); it must still appear exactly once.
    Either,
}

/// One record written to the corpus.
#[derive(Debug, Clone)]
pub struct Record {
    /// The `file` the CLI reports: the input path as given, or `<folder>/<relative id>`.
    pub file: String,
    /// The 1-based line (JSONL, CSV); `None` for a folder's text file.
    pub line: Option<u64>,
    /// The id the record carries, when the test can rely on it being reported.
    pub id: Option<String>,
    /// What is hostile about it.
    pub what: &'static str,
    /// The outcome it must have.
    pub expect: Expect,
}

/// The corpus: inputs to pass to `recoupe run`, and every record in them.
#[derive(Debug, Clone)]
pub struct Corpus {
    /// JSONL file, CSV file, folder.
    pub inputs: Vec<PathBuf>,
    /// Every record, in input order.
    pub records: Vec<Record>,
}

/// News text in several languages (written for these tests), a paragraph each.
pub const PARAGRAPHS: [&str; 4] = [
    "The harbour authority of Rotterdam closed two container terminals on Tuesday after a crane collapsed during a storm, injuring three workers, a spokesperson said. Ships were diverted to Antwerp while engineers inspected the remaining cranes.",
    "Le conseil municipal de Lyon a voté jeudi un plan de rénovation des écoles de 120 millions d'euros, financé en partie par un emprunt, a annoncé la maire lors d'une conférence de presse.",
    "Die Bahn hat am Montag den Fernverkehr zwischen Hamburg und Berlin wegen eines Kabelbrands eingestellt. Reisende sollten mit Verspätungen von mehreren Stunden rechnen, teilte das Unternehmen mit.",
    "El Gobierno de Chile decretó el estado de emergencia en tres regiones del sur por los incendios forestales, que ya han quemado más de 40.000 hectáreas, informó el ministro del Interior.",
];

/// Right-to-left and mixed-script text with bidi controls.
const RTL: &str = "أعلنت وزارة الصحة يوم الأحد عن افتتاح مستشفى جديد في المدينة. \u{202B}בית החולים החדש נפתח ביום ראשון\u{202C} — the new hospital opened on Sunday, 新医院周日开业, \u{2067}עם 300 מיטות\u{2069} والعمل مستمر.";

/// Emoji only: flags, ZWJ sequences, skin tones, keycaps without the digit.
const EMOJI: &str = "😀😀 🎉🎉 👩‍👩‍👧‍👦 🏳️‍🌈 🇫🇷🇩🇪 👍🏽 ❤️‍🔥 🫠";

/// Deterministic bytes (xorshift), so the "binary" files are the same on every run.
fn pseudo_random_bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn zalgo(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            std::iter::once(c).chain("\u{0336}\u{0301}\u{0300}\u{0489}".chars().cycle().take(40))
        })
        .collect()
}

/// A line-oriented writer that counts lines the way the CLI reports them (`\n`, `\r\n`
/// and a lone `\r` each end a line).
struct Lines {
    out: std::io::BufWriter<std::fs::File>,
    file: String,
    line: u64,
    records: Vec<Record>,
}

impl Lines {
    fn new(path: &Path) -> Result<Self> {
        let f =
            std::fs::File::create(path).with_context(|| format!("create {}", path.display()))?;
        Ok(Self {
            out: std::io::BufWriter::new(f),
            file: path.display().to_string(),
            line: 0,
            records: Vec::new(),
        })
    }

    /// Writes `bytes` then `end`; counts a record unless `expect` is `None`.
    fn put(
        &mut self,
        bytes: &[u8],
        end: &[u8],
        what: &'static str,
        id: Option<&str>,
        expect: Option<Expect>,
    ) -> Result<()> {
        self.line += 1;
        self.out.write_all(bytes)?;
        self.out.write_all(end)?;
        if let Some(expect) = expect {
            self.records.push(Record {
                file: self.file.clone(),
                line: Some(self.line),
                id: id.map(str::to_owned),
                what,
                expect,
            });
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Vec<Record>> {
        self.out.flush()?;
        Ok(self.records)
    }
}

fn obj(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_default()
}

fn write_jsonl(path: &Path) -> Result<Vec<Record>> {
    let mut w = Lines::new(path)?;
    let lf: &[u8] = b"\n";
    let crlf: &[u8] = b"\r\n";
    let cr: &[u8] = b"\r";
    let article = |id: &str, text: &str| obj(&json!({"id": id, "text": text}));

    let mut first = b"\xef\xbb\xbf".to_vec();
    first.extend(article("j-bom", PARAGRAPHS[0]));
    w.put(
        &first,
        crlf,
        "UTF-8 BOM, CRLF ending",
        Some("j-bom"),
        Some(Expect::Article),
    )?;
    let mut bad = br#"{"id":"j-utf8","text":"Le conseil municipal de Lyon a vot"#.to_vec();
    bad.extend_from_slice(b"\xe9 jeudi\"}");
    w.put(
        &bad,
        lf,
        "Latin-1 byte in a UTF-8 file",
        None,
        Some(Expect::Reject("invalid_utf8")),
    )?;
    w.put(
        &article(
            "j-nul",
            &format!("{}\u{0}\u{0} {}", PARAGRAPHS[2], PARAGRAPHS[2]),
        ),
        lf,
        "escaped NUL characters in the text",
        Some("j-nul"),
        Some(Expect::Article),
    )?;
    let mut raw_nul = br#"{"id":"j-rawnul","text":"raw "#.to_vec();
    raw_nul.extend_from_slice(b"\0\0 NUL\"}");
    w.put(
        &raw_nul,
        lf,
        "raw NUL bytes inside a JSON string",
        None,
        Some(Expect::Reject("malformed_json")),
    )?;
    let binary: Vec<u8> = pseudo_random_bytes(4096, 7)
        .into_iter()
        .filter(|&b| b != b'\n' && b != b'\r')
        .collect();
    w.put(
        &binary,
        lf,
        "binary garbage line",
        None,
        Some(Expect::AnyReject),
    )?;
    w.put(
        &article("j-empty", ""),
        lf,
        "empty text",
        Some("j-empty"),
        Some(Expect::Reject("empty_text")),
    )?;
    w.put(
        &article("j-blank", " \t\u{a0}\u{2003}\n\r\n "),
        lf,
        "whitespace-only text",
        Some("j-blank"),
        Some(Expect::Reject("empty_text")),
    )?;
    let paragraph = format!("{}\n", PARAGRAPHS[0]);
    let big = paragraph.repeat(50 * 1024 * 1024 / paragraph.len() + 1);
    w.put(
        &article("j-50mb", &big),
        lf,
        "50 MB article",
        Some("j-50mb"),
        Some(Expect::Article),
    )?;
    drop(big);
    let long_word = "Rotterdam".repeat(10 * 1024 * 1024 / 9 + 1);
    w.put(
        &article("j-10mb-line", &long_word),
        crlf,
        "10 MB line without spaces",
        Some("j-10mb-line"),
        Some(Expect::Article),
    )?;
    drop(long_word);
    let deep = format!(
        "{{\"id\":\"j-deep\",\"text\":\"{}\",\"nest\":{}{}}}",
        PARAGRAPHS[1],
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    w.put(
        deep.as_bytes(),
        lf,
        "100,000 levels of nested arrays",
        None,
        Some(Expect::Reject("malformed_json")),
    )?;
    let huge = json!({
        "id": "j-huge-values",
        "text": PARAGRAPHS[3],
        "numbers": (0..200_000).collect::<Vec<u32>>(),
        "note": "n".repeat(1024 * 1024),
        "map": (0..10_000).map(|i| (format!("k{i}"), json!({"v": [i, {"w": null}]}))).collect::<serde_json::Map<_, _>>(),
    });
    w.put(
        &obj(&huge),
        lf,
        "huge JSON values carried through",
        Some("j-huge-values"),
        Some(Expect::Article),
    )?;
    w.put(
        br#"{"id":"j-bignum","text":"x","n":1e999999}"#,
        lf,
        "number out of range",
        None,
        Some(Expect::AnyReject),
    )?;
    w.put(
        br#"{"id":"j-surrogate","text":"lone \ud800 surrogate"}"#,
        lf,
        "lone UTF-16 surrogate escape",
        None,
        Some(Expect::AnyReject),
    )?;
    w.put(
        &article("j-bom", PARAGRAPHS[1]),
        lf,
        "duplicate id",
        Some("j-bom"),
        Some(Expect::Reject("duplicate_id")),
    )?;
    w.put(
        &article("j-rtl", RTL),
        lf,
        "right-to-left and mixed scripts, bidi controls",
        Some("j-rtl"),
        Some(Expect::Article),
    )?;
    let flood = format!("e{}", "\u{0301}".repeat(500_000));
    w.put(
        &article("j-combining", &flood),
        lf,
        "500,000 combining accents on one letter",
        Some("j-combining"),
        Some(Expect::Article),
    )?;
    w.put(
        &article("j-zalgo", &zalgo(PARAGRAPHS[2])),
        lf,
        "40 combining marks on every character",
        Some("j-zalgo"),
        Some(Expect::Article),
    )?;
    w.put(
        &article("j-emoji", EMOJI),
        lf,
        "emoji only",
        Some("j-emoji"),
        Some(Expect::Reject("no_content")),
    )?;
    w.put(
        &article("j-zero-width", "\u{200b}\u{200c}\u{200d}\u{feff}\u{2060}"),
        lf,
        "zero-width characters only",
        Some("j-zero-width"),
        Some(Expect::AnyReject),
    )?;
    w.put(
        &article("j-crlf-text", &PARAGRAPHS.join("\r\n\r\n")),
        lf,
        "CRLF inside the text",
        Some("j-crlf-text"),
        Some(Expect::Article),
    )?;
    w.put(
        &article("j-cr-text", &PARAGRAPHS.join("\r\r")),
        cr,
        "lone CR inside the text, record ended by a lone CR",
        Some("j-cr-text"),
        Some(Expect::Article),
    )?;
    w.put(
        &article("j-after-cr", PARAGRAPHS[3]),
        lf,
        "record after a lone CR",
        Some("j-after-cr"),
        Some(Expect::Article),
    )?;
    w.put(b"", lf, "blank line", None, None)?;
    w.put(b"   \t ", crlf, "whitespace line", None, None)?;
    w.put(
        &obj(&json!({"id": {"nested": 1}, "text": "x"})),
        lf,
        "object id",
        None,
        Some(Expect::Reject("invalid_field")),
    )?;
    w.put(
        &obj(&json!({"id": null, "text": "x"})),
        lf,
        "null id",
        None,
        Some(Expect::Reject("missing_id")),
    )?;
    let long_id = "i".repeat(100_000);
    w.put(
        &article(&long_id, PARAGRAPHS[1]),
        lf,
        "100 KB id",
        Some(&long_id),
        Some(Expect::Article),
    )?;
    w.put(
        &article("j-lines", &"Rotterdam\n".repeat(100_000)),
        lf,
        "100,000 one-word lines",
        Some("j-lines"),
        Some(Expect::Either),
    )?;
    w.put(
        &article("j-punct", "!!! ??? ... --- ***"),
        lf,
        "punctuation only",
        Some("j-punct"),
        Some(Expect::Reject("no_content")),
    )?;
    w.put(
        &article("j-control", "\u{1}\u{2}\u{7f}\u{0}\u{1b}"),
        lf,
        "control characters only",
        Some("j-control"),
        Some(Expect::AnyReject),
    )?;
    w.put(
        &article("j-last", PARAGRAPHS[2]),
        b"",
        "last line without a terminator",
        Some("j-last"),
        Some(Expect::Article),
    )?;
    w.finish()
}

fn csv_field(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn write_csv(path: &Path) -> Result<Vec<Record>> {
    let mut w = Lines::new(path)?;
    let lf: &[u8] = b"\n";
    let crlf: &[u8] = b"\r\n";
    let cr: &[u8] = b"\r";
    let row = |id: &str, text: &str| format!("{id},{},csv-source", csv_field(text)).into_bytes();
    w.put(
        b"\xef\xbb\xbfid,text,source",
        crlf,
        "header with a BOM",
        None,
        None,
    )?;
    w.put(
        &row("c-ok", PARAGRAPHS[1]),
        crlf,
        "CRLF row",
        Some("c-ok"),
        Some(Expect::Article),
    )?;
    // A quoted field spanning lines: the record starts on this line, the next record
    // two lines further down.
    w.put(
        &row("c-multiline", &PARAGRAPHS[..2].join("\r\n")),
        lf,
        "CRLF inside a quoted field",
        Some("c-multiline"),
        Some(Expect::Article),
    )?;
    w.line += 1;
    let mut bad = b"c-utf8,\"caf".to_vec();
    bad.extend_from_slice(b"\xe9 au lait\",x");
    w.put(
        &bad,
        lf,
        "Latin-1 byte",
        None,
        Some(Expect::Reject("invalid_utf8")),
    )?;
    let mut nul = format!("c-nul,\"{} ", PARAGRAPHS[3]).into_bytes();
    nul.extend_from_slice(b"\0\0 fin\",x");
    w.put(
        &nul,
        lf,
        "raw NUL bytes in a field",
        Some("c-nul"),
        Some(Expect::Article),
    )?;
    w.put(
        b"c-empty,,x",
        lf,
        "empty text",
        Some("c-empty"),
        Some(Expect::Reject("empty_text")),
    )?;
    w.put(
        b"c-blank,\" \t \",x",
        lf,
        "whitespace text",
        Some("c-blank"),
        Some(Expect::Reject("empty_text")),
    )?;
    w.put(
        b"c-fields,a,b,c,d",
        lf,
        "too many fields",
        None,
        Some(Expect::Reject("malformed_csv")),
    )?;
    w.put(
        &row("c-rtl", RTL),
        lf,
        "right-to-left text",
        Some("c-rtl"),
        Some(Expect::Article),
    )?;
    w.put(
        &row("c-emoji", EMOJI),
        lf,
        "emoji only",
        Some("c-emoji"),
        Some(Expect::Reject("no_content")),
    )?;
    w.put(
        &row("c-10mb", &"Lyon".repeat(10 * 1024 * 1024 / 4)),
        lf,
        "10 MB field without spaces",
        Some("c-10mb"),
        Some(Expect::Article),
    )?;
    w.put(
        &row("j-bom", PARAGRAPHS[0]),
        lf,
        "id already used in the JSONL input",
        Some("j-bom"),
        Some(Expect::Reject("duplicate_id")),
    )?;
    let binary: Vec<u8> = pseudo_random_bytes(2048, 11)
        .into_iter()
        .map(|b| {
            if matches!(b, b'"' | b',' | b'\n' | b'\r') {
                0xff
            } else {
                b
            }
        })
        .collect();
    let mut bin_row = b"c-binary,\"".to_vec();
    bin_row.extend(binary);
    bin_row.extend_from_slice(b"\",x");
    w.put(&bin_row, lf, "binary field", None, Some(Expect::AnyReject))?;
    w.put(b" , , ", lf, "whitespace-only row", None, None)?;
    w.put(
        &row("c-combining", &zalgo(PARAGRAPHS[1])),
        lf,
        "combining-mark flood",
        Some("c-combining"),
        Some(Expect::Article),
    )?;
    w.put(
        &row("c-last", PARAGRAPHS[2]),
        b"",
        "last row without a terminator",
        Some("c-last"),
        Some(Expect::Article),
    )?;
    let mut records = w.finish()?;
    // A lone-CR file: every `\r` ends a row and a line.
    let cr_path = path.with_file_name("hostile-cr.csv");
    let mut cr_lines = Lines::new(&cr_path)?;
    cr_lines.put(b"id,text,source", cr, "header", None, None)?;
    for (i, p) in PARAGRAPHS.iter().enumerate() {
        let id = format!("cr-{i}");
        cr_lines.put(
            &row(&id, p),
            cr,
            "lone CR row ending",
            Some(&id),
            Some(Expect::Article),
        )?;
    }
    records.extend(cr_lines.finish()?);
    Ok(records)
}

fn write_folder(dir: &Path) -> Result<Vec<Record>> {
    std::fs::create_dir_all(dir.join("sub/deeper"))?;
    let prefix = dir.display().to_string();
    let mut records = Vec::new();
    let mut file = |name: &str, bytes: &[u8], what: &'static str, expect: Expect| -> Result<()> {
        std::fs::write(dir.join(name), bytes).with_context(|| format!("write {name}"))?;
        records.push(Record {
            file: format!("{prefix}/{name}"),
            line: None,
            id: Some(name.to_owned()),
            what,
            expect,
        });
        Ok(())
    };
    let mut bom = b"\xef\xbb\xbf".to_vec();
    bom.extend(PARAGRAPHS.join("\r\n\r\n").into_bytes());
    file("bom-crlf.txt", &bom, "BOM and CRLF", Expect::Article)?;
    file(
        "lone-cr.md",
        PARAGRAPHS.join("\r\r").as_bytes(),
        "lone CR line endings",
        Expect::Article,
    )?;
    file(
        "binary.txt",
        &pseudo_random_bytes(64 * 1024, 3),
        "random bytes",
        Expect::Reject("invalid_utf8"),
    )?;
    let controls: String = (0u8..32).map(char::from).cycle().take(4096).collect();
    file(
        "controls.txt",
        controls.as_bytes(),
        "valid UTF-8 control bytes and NULs",
        Expect::AnyReject,
    )?;
    file("empty.txt", b"", "empty file", Expect::Reject("empty_text"))?;
    file(
        "blank.md",
        b"  \r\n\t\n\r ",
        "whitespace-only file",
        Expect::Reject("empty_text"),
    )?;
    file(
        "emoji.txt",
        EMOJI.as_bytes(),
        "emoji only",
        Expect::Reject("no_content"),
    )?;
    file(
        "rtl.txt",
        RTL.as_bytes(),
        "right-to-left text",
        Expect::Article,
    )?;
    file(
        "zalgo.md",
        zalgo(PARAGRAPHS[3]).as_bytes(),
        "combining-mark flood",
        Expect::Article,
    )?;
    file(
        "no-spaces.txt",
        "Hamburg".repeat(10 * 1024 * 1024 / 7).as_bytes(),
        "10 MB without spaces",
        Expect::Article,
    )?;
    file(
        "sub/deeper/nested.txt",
        PARAGRAPHS[2].as_bytes(),
        "nested folder",
        Expect::Article,
    )?;
    // Not records: other extensions, hidden files, a symlinked folder (not followed).
    std::fs::write(dir.join("ignored.json"), "{}")?;
    std::fs::write(dir.join(".hidden.txt"), PARAGRAPHS[0])?;
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        std::os::unix::fs::symlink("..", dir.join("sub/loop"))?;
        // A file name that is not UTF-8: the id is its lossy form.
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9.txt");
        std::fs::write(dir.join(name), PARAGRAPHS[1])?;
        records.push(Record {
            file: format!("{prefix}/caf\u{fffd}.txt"),
            line: None,
            id: Some("caf\u{fffd}.txt".into()),
            what: "non-UTF-8 file name",
            expect: Expect::Article,
        });
        // A fifo: opening it would block forever.
        let fifo = dir.join("fifo.txt");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            records.push(Record {
                file: format!("{prefix}/fifo.txt"),
                line: None,
                id: Some("fifo.txt".into()),
                what: "fifo",
                expect: Expect::Reject("unreadable"),
            });
        }
    }
    Ok(records)
}

/// Writes the corpus under `dir` (created): `hostile.jsonl`, `hostile.csv`,
/// `hostile-cr.csv` and the folder `texts/`.
pub fn write_corpus(dir: &Path) -> Result<Corpus> {
    std::fs::create_dir_all(dir)?;
    let jsonl = dir.join("hostile.jsonl");
    let csv = dir.join("hostile.csv");
    let folder = dir.join("texts");
    let mut records = write_jsonl(&jsonl)?;
    records.extend(write_csv(&csv)?);
    records.extend(write_folder(&folder)?);
    Ok(Corpus {
        inputs: vec![jsonl, csv, dir.join("hostile-cr.csv"), folder],
        records,
    })
}
