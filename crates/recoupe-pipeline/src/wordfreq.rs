//! The general-language background of the rare-token view: word frequencies of the
//! `wordfreq` package (data CC BY-SA 4.0, code Apache-2.0 / MIT; installed by
//! `scripts/setup-models.sh` into `models/wordfreq/small_<lang>.msgpack.gz`).
//!
//! A `small_<lang>.msgpack.gz` file is a gzipped msgpack list ("cBpack"): a header map
//! `{"format": "cB", "version": 1}`, then element `i + 1` holds the words whose frequency
//! is `10^(-i / 100)`. Every word is hashed as the tokenizer hashes a token (a word that
//! tokenizes to more than one token is skipped), so the table matches
//! [`recoupe_similarity::Token::hash`]. A missing or unreadable file is reported and the
//! run goes on without a prior, exactly as without the feature.

use std::io::Read;
use std::path::{Path, PathBuf};

use recoupe_similarity::BackgroundPrior;
use recoupe_tokenize::Tokenizer;

/// Why a wordlist could not be read.
#[derive(Debug, thiserror::Error)]
pub enum WordfreqError {
    /// The file could not be opened or decompressed.
    #[error("cannot read wordlist {path}: {source}")]
    Io {
        /// The wordlist file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a cBpack msgpack list.
    #[error("wordlist {path} is not a cBpack file: {reason} at byte {offset}")]
    Format {
        /// The wordlist file.
        path: PathBuf,
        /// What was expected.
        reason: &'static str,
        /// Byte offset in the decompressed stream.
        offset: usize,
    },
}

/// The wordlist file name of a language (ISO 639-1 as detected), `None` when wordfreq
/// has no list for it.
pub fn wordlist_name(lang: &str) -> Option<String> {
    const LISTED: [&str; 42] = [
        "ar", "bg", "bn", "ca", "cs", "da", "de", "el", "en", "es", "fa", "fi", "fil", "fr", "he",
        "hi", "hu", "id", "is", "it", "ja", "ko", "lt", "lv", "mk", "ms", "nb", "nl", "pl", "pt",
        "ro", "ru", "sh", "sk", "sl", "sv", "ta", "tr", "uk", "ur", "vi", "zh",
    ];
    let code = match lang {
        "no" | "nn" => "nb",
        "hr" | "sr" | "bs" => "sh",
        "tl" => "fil",
        other => other,
    };
    LISTED
        .contains(&code)
        .then(|| format!("small_{code}.msgpack.gz"))
}

/// Reads a cBpack wordlist: `(word, frequency per running word)`, most frequent first.
pub fn read_cbpack(path: &Path) -> Result<Vec<(String, f32)>, WordfreqError> {
    let io = |source| WordfreqError::Io {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(file)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    let mut r = Reader {
        bytes: &bytes,
        pos: 0,
    };
    let bad = |reason, offset| WordfreqError::Format {
        path: path.to_owned(),
        reason,
        offset,
    };
    let buckets = r.array_len().ok_or_else(|| bad("a list", r.pos))?;
    // The header: a map whose "format" is "cB".
    let entries = r.map_len().ok_or_else(|| bad("a header map", r.pos))?;
    let mut format_ok = false;
    for _ in 0..entries {
        let key = r.str().ok_or_else(|| bad("a header key", r.pos))?;
        if key == "format" {
            format_ok = r.str().ok_or_else(|| bad("a format name", r.pos))? == "cB";
        } else {
            r.skip_scalar()
                .ok_or_else(|| bad("a header value", r.pos))?;
        }
    }
    if !format_ok {
        return Err(bad("format \"cB\" in the header", r.pos));
    }
    let mut words = Vec::new();
    for i in 0..buckets.saturating_sub(1) {
        let n = r.array_len().ok_or_else(|| bad("a list of words", r.pos))?;
        let f = 10f32.powf(-(i as f32) / 100.0);
        for _ in 0..n {
            let w = r.str().ok_or_else(|| bad("a word", r.pos))?;
            words.push((w.to_owned(), f));
        }
    }
    Ok(words)
}

/// The background prior of a batch: the wordlists of its languages (`models/wordfreq/`
/// or wherever `dir` points) merged, each word hashed by `tokenizer`. Returns the prior
/// (`None` when no list could be read) and one log line per language.
pub fn load_prior(
    dir: &Path,
    languages: &[String],
    tokenizer: &Tokenizer,
) -> (Option<BackgroundPrior>, Vec<String>) {
    let mut prior = BackgroundPrior::default();
    let mut log = Vec::new();
    let mut loaded = 0usize;
    let mut langs: Vec<&str> = languages.iter().map(String::as_str).collect();
    langs.sort_unstable();
    langs.dedup();
    for lang in langs {
        let Some(name) = wordlist_name(lang) else {
            log.push(format!(
                "background prior: no wordfreq list for language {lang}"
            ));
            continue;
        };
        let path = dir.join(&name);
        match read_cbpack(&path) {
            Ok(words) => {
                let hashed = hash_words(&words, tokenizer);
                log.push(format!(
                    "background prior: {} ({} words, {} single tokens)",
                    path.display(),
                    words.len(),
                    hashed.len()
                ));
                prior.extend(hashed);
                loaded += 1;
            }
            Err(e) => log.push(format!(
                "background prior: {e}; language {lang} is scored on the batch's own frequencies (run scripts/setup-models.sh to install the wordlists)"
            )),
        }
    }
    ((loaded > 0 && !prior.is_empty()).then_some(prior), log)
}

/// `(token hash, frequency)` of every word that tokenizes to exactly one token.
pub fn hash_words(words: &[(String, f32)], tokenizer: &Tokenizer) -> Vec<(u64, f32)> {
    words
        .iter()
        .filter_map(|(w, f)| {
            let doc = tokenizer.tokenize(w);
            match doc.tokens() {
                [t] => Some((t.hash, *f)),
                _ => None,
            }
        })
        .collect()
}

/// A reader of the msgpack subset cBpack uses (arrays, maps, strings, small integers).
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    fn be(&mut self, n: usize) -> Option<usize> {
        let s = self.bytes.get(self.pos..self.pos + n)?;
        self.pos += n;
        Some(s.iter().fold(0usize, |acc, &b| (acc << 8) | usize::from(b)))
    }

    fn array_len(&mut self) -> Option<usize> {
        match self.byte()? {
            b @ 0x90..=0x9f => Some(usize::from(b & 0x0f)),
            0xdc => self.be(2),
            0xdd => self.be(4),
            _ => None,
        }
    }

    fn map_len(&mut self) -> Option<usize> {
        match self.byte()? {
            b @ 0x80..=0x8f => Some(usize::from(b & 0x0f)),
            0xde => self.be(2),
            0xdf => self.be(4),
            _ => None,
        }
    }

    fn str(&mut self) -> Option<&'a str> {
        let len = match self.byte()? {
            b @ 0xa0..=0xbf => usize::from(b & 0x1f),
            0xd9 => self.be(1)?,
            0xda => self.be(2)?,
            0xdb => self.be(4)?,
            _ => return None,
        };
        let s = self.bytes.get(self.pos..self.pos + len)?;
        self.pos += len;
        std::str::from_utf8(s).ok()
    }

    /// Skips one integer, nil, boolean or string.
    fn skip_scalar(&mut self) -> Option<()> {
        let b = *self.bytes.get(self.pos)?;
        match b {
            0x00..=0x7f | 0xc0 | 0xc2 | 0xc3 | 0xe0..=0xff => {
                self.pos += 1;
            }
            0xcc | 0xd0 => self.pos += 2,
            0xcd | 0xd1 => self.pos += 3,
            0xce | 0xd2 => self.pos += 5,
            0xcf | 0xd3 => self.pos += 9,
            _ => {
                self.str()?;
            }
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use recoupe_tokenize::TokenizeConfig;

    fn write_gz(path: &Path, bytes: &[u8]) {
        use std::io::Write;
        let f = std::fs::File::create(path).unwrap();
        let mut gz = flate2::write::GzEncoder::new(f, flate2::Compression::fast());
        gz.write_all(bytes).unwrap();
        gz.finish().unwrap();
    }

    /// `[{"format": "cB", "version": 1}, ["the"], [], ["Paris"]]`
    fn tiny() -> Vec<u8> {
        let mut b = vec![0x94, 0x82, 0xa6];
        b.extend(b"format");
        b.push(0xa2);
        b.extend(b"cB");
        b.push(0xa7);
        b.extend(b"version");
        b.push(0x01);
        b.extend([0x91, 0xa3]);
        b.extend(b"the");
        b.push(0x90);
        b.extend([0x91, 0xa5]);
        b.extend(b"Paris");
        b
    }

    #[test]
    fn reads_buckets_as_frequencies_and_hashes_like_the_tokenizer() {
        let dir = tempfile::tempdir().unwrap();
        write_gz(&dir.path().join("small_en.msgpack.gz"), &tiny());
        let words = read_cbpack(&dir.path().join("small_en.msgpack.gz")).unwrap();
        assert_eq!(words.len(), 2);
        assert_eq!(words[0], ("the".to_owned(), 1.0));
        assert!((words[1].1 - 10f32.powf(-0.02)).abs() < 1e-6);
        let tokenizer = Tokenizer::new(TokenizeConfig::default()).unwrap();
        let (prior, log) = load_prior(dir.path(), &["en".to_owned()], &tokenizer);
        let prior = prior.unwrap();
        let doc = tokenizer.tokenize("They met in Paris.");
        let paris = doc.tokens().last().unwrap().hash;
        assert_eq!(prior.frequency(paris), Some(words[1].1), "{log:?}");
    }

    #[test]
    fn detected_codes_map_to_wordfreq_names() {
        assert_eq!(wordlist_name("en").as_deref(), Some("small_en.msgpack.gz"));
        assert_eq!(wordlist_name("hr").as_deref(), Some("small_sh.msgpack.gz"));
        assert_eq!(wordlist_name("no").as_deref(), Some("small_nb.msgpack.gz"));
        assert_eq!(wordlist_name("tl").as_deref(), Some("small_fil.msgpack.gz"));
        assert_eq!(wordlist_name("zh").as_deref(), Some("small_zh.msgpack.gz"));
        assert_eq!(wordlist_name("zu"), None);
    }

    #[test]
    fn missing_or_corrupt_lists_give_no_prior_and_say_why() {
        let dir = tempfile::tempdir().unwrap();
        let tokenizer = Tokenizer::new(TokenizeConfig::default()).unwrap();
        let (prior, log) = load_prior(dir.path(), &["fr".to_owned()], &tokenizer);
        assert!(prior.is_none());
        assert!(log[0].contains("small_fr.msgpack.gz"), "{log:?}");
        let mut bad = tiny();
        bad[5] = b'X';
        bad.truncate(30);
        write_gz(&dir.path().join("small_fr.msgpack.gz"), &bad);
        let (prior, log) = load_prior(dir.path(), &["fr".to_owned()], &tokenizer);
        assert!(prior.is_none());
        assert!(log[0].contains("not a cBpack file"), "{log:?}");
        std::fs::write(dir.path().join("small_fr.msgpack.gz"), b"not gzip").unwrap();
        let (prior, _) = load_prior(dir.path(), &["fr".to_owned()], &tokenizer);
        assert!(prior.is_none());
        let (prior, log) = load_prior(dir.path(), &["xx".to_owned()], &tokenizer);
        assert!(prior.is_none() && log[0].contains("no wordfreq list"));
    }
}
