//! Boilerplate removal: per-line rules plus lines that recur across many articles.
//!
//! Cleaning never edits inside a sentence: it removes whole lines (or a metadata prefix
//! such as `date 2023-11 ` at the start of the first line) and records every removal with
//! its byte range in the original text and the rule that fired. The cleaned text keeps a
//! map back to the original, so evidence passages found in cleaned text are reported at
//! their original offsets.
//!
//! Rules (each documented on [`Rule`]) look at one line, its words and its position (top
//! block before the first body line, bottom block after the last one). Recurring lines are
//! short lines found in many articles of the corpus, or of one source, in different
//! surroundings: a wire copy reproduces its neighbours too, so copied text is not mistaken
//! for boilerplate.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64;

/// Why a passage was removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Site navigation: breadcrumb lines (`Infos / A La Une / Europe`), menu words, and
    /// one- or two-word fragments above the first body line.
    Navigation,
    /// "Share this article", "Partager", social-network buttons.
    Share,
    /// "Read more:", "En savoir plus :", "Lire aussi" links to other articles.
    ReadMore,
    /// Photo captions and credits: lines with `©`, or ending in a parenthesised credit
    /// such as `( AFP / ADEK BERRY )` or `(AFP photo)`.
    PhotoCredit,
    /// Source footers at the end: `/ATS`, `SOURCE: FRENCH PRESS TV`, copyright lines.
    SourceFooter,
    /// Leftover instructions to a text generator, e.g. "Make this article seo
    /// compatible, ... create at least 700 words".
    Prompt,
    /// Metadata lines (`Publié le ...`, `Tags: ...`, bylines) and a `date 2023-11` prefix
    /// on the first line.
    Metadata,
    /// A short line found in many articles of the corpus or of one source.
    Recurring,
}

impl Rule {
    /// Whether the rule matches a phrase that is boilerplate wherever it stands (share
    /// buttons, read-more links, generator prompts), as opposed to a layout rule that
    /// judges a line by where it sits relative to the body (navigation, captions,
    /// footers, metadata, recurring lines).
    pub fn is_phrase(self) -> bool {
        matches!(self, Self::Share | Self::ReadMore | Self::Prompt)
    }
}

/// Cleans one article with all its `removals` (rule and recurring). When they would
/// leave nothing, the article has no body for the layout rules to be measured against
/// (a headline, a one-line text, a wire copy whose only line recurs in the batch): it is
/// then cleaned by the phrase rules alone, so a short article is never emptied by a
/// guess about layout. An article made only of phrase boilerplate ("Share this on:")
/// still comes out empty.
pub fn clean_article(text: &str, removals: Vec<Removal>) -> Cleaned {
    let phrases: Vec<Removal> = removals
        .iter()
        .filter(|r| r.rule.is_phrase())
        .cloned()
        .collect();
    let cleaned = Cleaned::new(text, removals);
    if cleaned.has_content() || phrases.len() == cleaned.removed.len() {
        return cleaned;
    }
    let fallback = Cleaned::new(text, phrases);
    if fallback.has_content() {
        fallback
    } else {
        cleaned
    }
}

/// One removed passage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Removal {
    /// Byte offset in the original text (inclusive).
    pub start: usize,
    /// Byte offset in the original text (exclusive), line terminator included.
    pub end: usize,
    /// The rule that removed it.
    pub rule: Rule,
    /// The removed text (line terminator excluded, cut to 300 bytes).
    pub text: String,
}

/// Settings of the recurring-line rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RecurringConfig {
    /// Turn the rule on.
    pub enabled: bool,
    /// Only lines of at most this many words are candidates.
    pub max_words: usize,
    /// A line must be found in at least this many articles of the corpus ...
    pub min_articles: usize,
    /// ... and in at least this fraction of the corpus.
    pub min_fraction: f64,
    /// Within one source, a line found in at least this many articles of that source ...
    pub source_min_articles: usize,
    /// ... and this fraction of that source's articles is boilerplate of the source.
    pub source_min_fraction: f64,
    /// Distinct surroundings (previous + next line) the line must be seen in.
    pub min_contexts: usize,
}

impl Default for RecurringConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            max_words: 12,
            min_articles: 5,
            min_fraction: 0.01,
            source_min_articles: 3,
            source_min_fraction: 0.3,
            min_contexts: 2,
        }
    }
}

/// Cleaning settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CleanConfig {
    /// Turn cleaning off entirely (the text is used as received).
    pub enabled: bool,
    /// Apply the per-line rules.
    pub rules: bool,
    /// Lines with at least this many words are body lines; shorter lines before the
    /// first and after the last body line form the top and bottom blocks.
    pub body_line_words: usize,
    /// The recurring-line rule.
    pub recurring: RecurringConfig,
}

impl Default for CleanConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            rules: true,
            body_line_words: 8,
            recurring: RecurringConfig::default(),
        }
    }
}

/// A line of a text: `start..content_end` is the content, `next` the start of the next line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Line {
    pub start: usize,
    pub content_end: usize,
    pub next: usize,
}

/// Splits on `\n`, `\r\n` and lone `\r`.
pub(crate) fn lines(text: &str) -> Vec<Line> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                out.push(Line {
                    start,
                    content_end: i,
                    next: i + 1,
                });
                i += 1;
                start = i;
            }
            b'\r' => {
                let next = if bytes.get(i + 1) == Some(&b'\n') {
                    i + 2
                } else {
                    i + 1
                };
                out.push(Line {
                    start,
                    content_end: i,
                    next,
                });
                i = next;
                start = i;
            }
            _ => i += 1,
        }
    }
    if start < bytes.len() {
        out.push(Line {
            start,
            content_end: bytes.len(),
            next: bytes.len(),
        });
    }
    out
}

/// Lower case, common Latin accents folded, typographic apostrophes and spaces made plain,
/// whitespace collapsed. Used to match rules and recurring lines, never for output.
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut space = true;
    for c in line.chars() {
        let mapped = match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'À' | 'Á' | 'Â' | 'Ä' | 'Ã' => 'a',
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'e',
            'î' | 'ï' | 'í' | 'ì' | 'Î' | 'Ï' | 'Í' => 'i',
            'ô' | 'ö' | 'ó' | 'ò' | 'õ' | 'Ô' | 'Ö' | 'Ó' => 'o',
            'û' | 'ü' | 'ú' | 'ù' | 'Û' | 'Ü' | 'Ú' | 'Ù' => 'u',
            'ç' | 'Ç' => 'c',
            'ñ' | 'Ñ' => 'n',
            '’' | '‘' | '`' | 'ʼ' => '\'',
            '\u{a0}' | '\u{202f}' | '\u{2009}' | '\t' => ' ',
            c => c,
        };
        if mapped.is_whitespace() {
            if !space {
                out.push(' ');
                space = true;
            }
            continue;
        }
        space = false;
        for l in mapped.to_lowercase() {
            out.push(l);
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

fn word_count(folded: &str) -> usize {
    folded
        .split(|c: char| c.is_whitespace() || c == '/' || c == '|')
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

fn starts_with_any(folded: &str, prefixes: &[&str]) -> bool {
    prefixes.iter().any(|p| {
        folded.starts_with(p)
            && folded[p.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric())
    })
}

/// Button words: a short line starting with one of them is a share button.
const SHARE: &[&str] = &[
    "partager",
    "partagez",
    "share",
    "tweet",
    "tweeter",
    "imprimer",
    "print",
    "envoyer par",
    "copier le lien",
    "copy link",
    "suivez-nous",
    "follow us",
    "commenter",
    "comments",
    "commentaires",
];

/// Network names (and "email"), which also start real sentences ("Twitter goes down",
/// "Facebook COO launches campaign", "Email reveals ..."): a line starting with one is a
/// share button only when every word of it is share vocabulary ([`SHARE_VOCABULARY`]).
const SHARE_NAMES: &[&str] = &[
    "facebook", "twitter", "whatsapp", "linkedin", "email", "e-mail",
];

/// Words a row of share buttons is made of: network names, button words and the small
/// words of "Share on Facebook", "Email this article to a friend", "Partager sur
/// Facebook". Counts (`12`, `1.2k`) and handles (`@afp`) count as share words too.
const SHARE_VOCABULARY: &[&str] = &[
    "facebook",
    "twitter",
    "x",
    "whatsapp",
    "linkedin",
    "pinterest",
    "reddit",
    "telegram",
    "messenger",
    "instagram",
    "youtube",
    "tumblr",
    "flipboard",
    "google",
    "google+",
    "email",
    "e-mail",
    "mail",
    "sms",
    "print",
    "share",
    "shares",
    "tweet",
    "tweets",
    "pin",
    "like",
    "follow",
    "comment",
    "comments",
    "link",
    "copy",
    "partager",
    "partagez",
    "imprimer",
    "envoyer",
    "commentaires",
    "this",
    "article",
    "story",
    "page",
    "on",
    "via",
    "by",
    "to",
    "a",
    "friend",
    "us",
    "with",
    "sur",
    "par",
    "cet",
    "cette",
    "ce",
    "le",
    "la",
    "l'",
    "nous",
];

/// Whether a short line is a row of share buttons: it starts with a button word
/// ([`SHARE`]: "Share this article", "Tweet", "Partager"), or with a network name
/// ([`SHARE_NAMES`]) and has nothing but share vocabulary ("Twitter", "Facebook Twitter
/// Email", "Facebook 12"), so that a headline such as "Twitter is down" is kept.
fn is_share(folded: &str, words: usize) -> bool {
    if words > 6 {
        return false;
    }
    if starts_with_any(folded, SHARE) {
        return true;
    }
    starts_with_any(folded, SHARE_NAMES)
        && folded
            .split(|c: char| !(c.is_alphanumeric() || matches!(c, '-' | '+' | '\'' | '@' | '.')))
            .map(|t| t.trim_matches(|c: char| matches!(c, '-' | '\'' | '.')))
            .filter(|t| !t.is_empty())
            .all(|t| SHARE_VOCABULARY.contains(&t) || t.starts_with('@') || is_count(t))
}

/// A share count: `12`, `1.2k`.
fn is_count(token: &str) -> bool {
    let digits = token.strip_suffix('k').unwrap_or(token);
    digits.starts_with(|c: char| c.is_ascii_digit())
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
}

const READ_MORE: &[&str] = &[
    "en savoir plus",
    "lire aussi",
    "lire la suite",
    "a lire aussi",
    "a lire",
    "voir aussi",
    "read more",
    "read also",
    "also read",
    "see also",
    "related",
    "related articles",
    "related stories",
    "more",
    "plus d'infos",
    "pour aller plus loin",
    "continue reading",
    "click here",
    "cliquez ici",
];

const MENU_WORDS: &[&str] = &[
    "menu",
    "accueil",
    "home",
    "skip to content",
    "aller au contenu",
    "se connecter",
    "connexion",
    "login",
    "log in",
    "sign in",
    "subscribe",
    "s'abonner",
    "abonnez-vous",
    "newsletter",
    "rechercher",
    "search",
    "advertisement",
    "publicite",
];

const PROMPT_START: &[&str] = &[
    "make this",
    "make the article",
    "rewrite",
    "re-write",
    "please rewrite",
    "please write",
    "write an article",
    "write a",
    "paraphrase",
    "generate",
    "create an article",
    "translate this",
    "summarize",
    "as an ai",
    "here is the rewritten",
    "here is a rewritten",
    "here's the rewritten",
    "sure, here",
    "certainly! here",
    "reecris",
    "reformule",
    "redige",
    "voici l'article",
];

const PHOTO_WORDS: &[&str] = &[
    "photo",
    "photos",
    "credit",
    "getty",
    "images",
    "pool",
    "shutterstock",
    "illustration",
    "archives",
];

const METADATA_START: &[&str] = &[
    "date",
    "published",
    "publie le",
    "mis a jour",
    "updated",
    "modifie le",
    "author",
    "auteur",
    "tags",
    "mots-cles",
    "keywords",
    "categorie",
    "category",
    "rubrique",
];

fn is_prompt(folded: &str, words: usize) -> bool {
    if words > 60 {
        return false;
    }
    if starts_with_any(folded, PROMPT_START)
        && [
            "article",
            "text",
            "texte",
            "words",
            "mots",
            "paragraph",
            "seo",
        ]
        .iter()
        .any(|w| folded.contains(w))
    {
        return true;
    }
    let at_least_words = folded
        .find("at least ")
        .map(|i| &folded[i + 9..])
        .is_some_and(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            !digits.is_empty() && rest[digits.len()..].trim_start().starts_with("words")
        });
    let seo = folded
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| w == "seo");
    at_least_words || (seo && folded.contains("article")) || folded.contains("subheadings")
}

fn is_navigation(folded: &str, words: usize, in_top: bool) -> bool {
    let seps = folded
        .chars()
        .filter(|c| matches!(c, '/' | '|' | '›' | '»' | '>' | '•'))
        .count();
    if seps >= 2 && words <= 20 && !folded.ends_with('.') {
        let segments: Vec<&str> = folded
            .split(['/', '|', '›', '»', '>', '•'])
            .filter(|s| !s.trim().is_empty())
            .collect();
        if segments.len() >= 3 && segments.iter().all(|s| word_count(s) <= 4) {
            return true;
        }
    }
    if words <= 4 && MENU_WORDS.contains(&folded.trim_end_matches([':', '.'])) {
        return true;
    }
    in_top && words <= 2 && folded.chars().count() <= 25 && !folded.contains('.')
}

fn is_photo_credit(line: &str, folded: &str, words: usize) -> bool {
    if words > 60 {
        return false;
    }
    if line.contains('©') {
        return true;
    }
    if starts_with_any(
        folded,
        &["photo", "credit photo", "credit", "image", "illustration"],
    ) && words <= 20
        && (folded.contains(':') || words <= 6)
    {
        return true;
    }
    let trimmed = folded.trim_end_matches(['.', ' ']);
    let inside = if trimmed.ends_with(')') {
        trimmed
            .rfind('(')
            .map(|i| &trimmed[i + 1..trimmed.len() - 1])
    } else if trimmed.ends_with(']') {
        trimmed
            .rfind('[')
            .map(|i| &trimmed[i + 1..trimmed.len() - 1])
    } else {
        None
    };
    inside.is_some_and(|inside| {
        inside.contains('/')
            || inside
                .split(|c: char| !c.is_alphanumeric())
                .any(|w| PHOTO_WORDS.contains(&w))
    })
}

fn is_source_footer(line: &str, folded: &str, words: usize, in_bottom: bool) -> bool {
    if words <= 8
        && starts_with_any(
            folded,
            &[
                "source",
                "sources",
                "(source",
                "avec afp",
                "(avec",
                "with reuters",
                "copyright",
                "all rights reserved",
                "tous droits reserves",
            ],
        )
    {
        return true;
    }
    if !in_bottom || words > 3 {
        return false;
    }
    // `/ATS`, `ats/afp`, `(Reuters)`, `— AFP`: agency tags alone on a closing line.
    let core = line
        .trim()
        .trim_start_matches(['/', '-', '—', '–', '(', ' '])
        .trim_end_matches([')', '.', ' ']);
    let tokens: Vec<&str> = core
        .split(['/', ',', ' '])
        .filter(|t| !t.is_empty())
        .collect();
    !tokens.is_empty()
        && tokens.len() <= 3
        && tokens
            .iter()
            .all(|t| t.len() <= 8 && t.chars().all(|c| c.is_alphabetic() || c == '-'))
        && (line.trim_start().starts_with(['/', '—', '-', '('])
            || tokens.iter().all(|t| t.chars().all(|c| !c.is_lowercase())))
}

/// The metadata rule: a whole short metadata line, or a `date 2023-11 ` prefix.
/// Returns the byte length of the prefix to remove from the (untrimmed) line.
fn metadata_prefix(line: &str, folded: &str, words: usize, in_edge: bool) -> Option<usize> {
    let byline = in_edge && starts_with_any(folded, &["by", "par"]) && words <= 5;
    if !(starts_with_any(folded, METADATA_START) || byline) {
        return None;
    }
    let colon = folded.find(':').is_some_and(|i| i < 24);
    let whole = (words <= 10 && !folded.ends_with('.') && (in_edge || colon)).then_some(line.len());
    if !in_edge {
        return whole;
    }
    // `date 2023-11 Title...`: drop the key and a date-like token.
    let lead = line.len() - line.trim_start().len();
    let rest = &line[lead..];
    let Some(key_end) = rest.find(|c: char| c.is_whitespace() || c == ':') else {
        return whole;
    };
    let after_key = &rest[key_end..];
    let after_sep = after_key.trim_start_matches(|c: char| c.is_whitespace() || c == ':');
    let token_len = after_sep
        .find(char::is_whitespace)
        .unwrap_or(after_sep.len());
    let token = &after_sep[..token_len];
    let date_like = token.chars().next().is_some_and(|c| c.is_ascii_digit())
        && token
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '/' | '.' | ':' | 'T' | 'Z'));
    let after_token = &after_sep[token_len..];
    if !date_like || word_count(&fold(after_token)) < 3 {
        return whole;
    }
    let trailing_ws = after_token.len() - after_token.trim_start().len();
    Some(line.len() - after_token.len() + trailing_ws)
}

fn removal(text: &str, range: Range<usize>, rule: Rule) -> Removal {
    let mut shown = text[range.clone()]
        .trim_end_matches(['\n', '\r'])
        .to_owned();
    if shown.len() > 300 {
        let mut cut = 300;
        while !shown.is_char_boundary(cut) {
            cut -= 1;
        }
        shown.truncate(cut);
    }
    Removal {
        start: range.start,
        end: range.end,
        rule,
        text: shown,
    }
}

/// Applies the per-line rules to one article and returns what they remove, in order.
pub fn rule_removals(text: &str, config: &CleanConfig) -> Vec<Removal> {
    if !config.enabled || !config.rules {
        return Vec::new();
    }
    let lines = lines(text);
    let folded: Vec<String> = lines
        .iter()
        .map(|l| fold(&text[l.start..l.content_end]))
        .collect();
    let words: Vec<usize> = folded.iter().map(|f| word_count(f)).collect();
    let non_blank: Vec<usize> = (0..lines.len()).filter(|&i| words[i] > 0).collect();
    let first_body = (0..lines.len()).find(|&i| words[i] >= config.body_line_words);
    let last_body = (0..lines.len())
        .rev()
        .find(|&i| words[i] >= config.body_line_words);
    // Rank of each line among the non-blank ones, looked up per line (a search per line
    // made an article of many short lines quadratic).
    let mut rank = vec![usize::MAX; lines.len()];
    for (r, &i) in non_blank.iter().enumerate() {
        rank[i] = r;
    }
    let edge_rank = |i: usize| rank[i] < 3 || rank[i].saturating_add(3) >= non_blank.len();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if words[i] == 0 {
            continue;
        }
        let raw = &text[line.start..line.content_end];
        let f = folded[i].as_str();
        let w = words[i];
        let in_top = first_body.is_none_or(|b| i < b);
        let in_bottom = last_body.is_none_or(|b| i > b);
        let whole = line.start..line.next;
        let rule = if edge_rank(i) && is_prompt(f, w) {
            Some(Rule::Prompt)
        } else if is_share(f, w) {
            // Before navigation: a lone "Tweet" or "Twitter" is a share button (a phrase
            // rule, applied to body-less articles too), not a layout guess.
            Some(Rule::Share)
        } else if is_navigation(f, w, in_top) {
            Some(Rule::Navigation)
        } else if w <= 30 && starts_with_any(f, READ_MORE) && (f.contains(':') || w <= 4) {
            Some(Rule::ReadMore)
        } else if is_photo_credit(raw, f, w) {
            Some(Rule::PhotoCredit)
        } else if is_source_footer(raw, f, w, in_bottom) {
            Some(Rule::SourceFooter)
        } else {
            None
        };
        if let Some(rule) = rule {
            out.push(removal(text, whole, rule));
            continue;
        }
        if let Some(prefix) = metadata_prefix(raw, f, w, in_top || in_bottom || edge_rank(i)) {
            let range = if prefix >= raw.len() {
                whole
            } else {
                line.start..line.start + prefix
            };
            out.push(removal(text, range, Rule::Metadata));
        }
    }
    out
}

/// Whether `pos` falls inside one of the (sorted, disjoint) removals.
fn removed_at(removals: &[Removal], pos: usize) -> bool {
    let i = removals.partition_point(|r| r.end <= pos);
    removals.get(i).is_some_and(|r| r.start <= pos)
}

/// Kept candidate lines for the recurring rule: (line index, key, context hash).
fn recurring_candidates(
    text: &str,
    removals: &[Removal],
    config: &RecurringConfig,
) -> Vec<(Line, u64, u64)> {
    let kept: Vec<(Line, String)> = lines(text)
        .into_iter()
        .filter(|l| !removed_at(removals, l.start))
        .map(|l| (l, fold(&text[l.start..l.content_end])))
        .filter(|(_, f)| word_count(f) > 0)
        .collect();
    let mut out = Vec::new();
    for (k, (line, f)) in kept.iter().enumerate() {
        if word_count(f) > config.max_words {
            continue;
        }
        let prev = if k > 0 { kept[k - 1].1.as_str() } else { "" };
        let next = kept.get(k + 1).map_or("", |(_, f)| f.as_str());
        let ctx = xxh3_64(format!("{prev}\u{0}{next}").as_bytes());
        out.push((*line, xxh3_64(f.as_bytes()), ctx));
    }
    out
}

#[derive(Debug, Default)]
struct LineStat {
    articles: u32,
    contexts: Vec<u64>,
}

/// Corpus statistics for the recurring-line rule: feed every article with
/// [`observe`](Self::observe), then ask [`removals`](Self::removals) per article.
#[derive(Debug, Default)]
pub struct RecurringLines {
    config: RecurringConfig,
    articles: usize,
    lines: HashMap<u64, LineStat>,
    source_articles: HashMap<u64, u32>,
    source_lines: HashMap<(u64, u64), u32>,
}

impl RecurringLines {
    /// Empty statistics.
    pub fn new(config: RecurringConfig) -> Self {
        Self {
            config,
            ..Self::default()
        }
    }

    /// Counts the kept short lines of one article (after its rule `removals`).
    pub fn observe(&mut self, text: &str, removals: &[Removal], source: Option<&str>) {
        self.articles += 1;
        if !self.config.enabled {
            return;
        }
        let source_key = source.map(|s| xxh3_64(fold(s).as_bytes()));
        if let Some(s) = source_key {
            *self.source_articles.entry(s).or_default() += 1;
        }
        let mut seen = HashSet::new();
        for (_, key, ctx) in recurring_candidates(text, removals, &self.config) {
            if !seen.insert(key) {
                continue;
            }
            let stat = self.lines.entry(key).or_default();
            stat.articles += 1;
            if stat.contexts.len() < self.config.min_contexts.max(1)
                && !stat.contexts.contains(&ctx)
            {
                stat.contexts.push(ctx);
            }
            if let Some(s) = source_key {
                *self.source_lines.entry((s, key)).or_default() += 1;
            }
        }
    }

    fn is_recurring(&self, key: u64, source_key: Option<u64>) -> bool {
        let Some(stat) = self.lines.get(&key) else {
            return false;
        };
        if stat.contexts.len() < self.config.min_contexts {
            return false;
        }
        let corpus_min = (self.config.min_fraction * self.articles as f64)
            .ceil()
            .max(self.config.min_articles as f64);
        if f64::from(stat.articles) >= corpus_min {
            return true;
        }
        let Some(s) = source_key else {
            return false;
        };
        let total = self.source_articles.get(&s).copied().unwrap_or(0);
        let count = self.source_lines.get(&(s, key)).copied().unwrap_or(0);
        let source_min = (self.config.source_min_fraction * f64::from(total))
            .ceil()
            .max(self.config.source_min_articles as f64);
        total as usize >= self.config.source_min_articles && f64::from(count) >= source_min
    }

    /// The recurring lines of one article (already observed), to add to its removals.
    pub fn removals(&self, text: &str, removals: &[Removal], source: Option<&str>) -> Vec<Removal> {
        if !self.config.enabled {
            return Vec::new();
        }
        let source_key = source.map(|s| xxh3_64(fold(s).as_bytes()));
        recurring_candidates(text, removals, &self.config)
            .into_iter()
            .filter(|(_, key, _)| self.is_recurring(*key, source_key))
            .map(|(line, _, _)| removal(text, line.start..line.next, Rule::Recurring))
            .collect()
    }
}

/// A cleaned article: the kept text, what was removed, and the way back to original offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cleaned {
    /// The text with the removed passages cut out.
    pub text: String,
    /// Removed passages, sorted by offset, at original offsets.
    pub removed: Vec<Removal>,
    /// (offset in cleaned text, offset in original) at the start of each kept segment.
    segments: Vec<(usize, usize)>,
    /// Byte length of the original text.
    pub original_len: usize,
}

impl Cleaned {
    /// Cuts `removals` out of `text`.
    pub fn new(text: &str, mut removals: Vec<Removal>) -> Self {
        removals.sort_by_key(|r| (r.start, r.end));
        let mut merged: Vec<Removal> = Vec::with_capacity(removals.len());
        for r in removals {
            if let Some(last) = merged.last() {
                if r.start < last.end {
                    continue;
                }
            }
            merged.push(r);
        }
        let mut out = String::with_capacity(text.len());
        let mut segments = Vec::new();
        let mut pos = 0;
        for r in &merged {
            if r.start > pos {
                segments.push((out.len(), pos));
                out.push_str(&text[pos..r.start]);
            }
            pos = r.end;
        }
        if pos < text.len() {
            segments.push((out.len(), pos));
            out.push_str(&text[pos..]);
        }
        Self {
            text: out,
            removed: merged,
            segments,
            original_len: text.len(),
        }
    }

    /// The original offset of a cleaned-text offset.
    pub fn to_original(&self, offset: usize) -> usize {
        let i = self.segments.partition_point(|&(c, _)| c <= offset);
        match i.checked_sub(1).and_then(|i| self.segments.get(i)) {
            Some(&(c, o)) => o + (offset - c),
            None => offset,
        }
    }

    /// The original range of a non-empty cleaned-text range (its last byte is mapped, so a
    /// range never spans a removed passage's far end).
    pub fn range_to_original(&self, range: Range<usize>) -> Range<usize> {
        if range.is_empty() {
            let s = self.to_original(range.start);
            return s..s;
        }
        self.to_original(range.start)..self.to_original(range.end - 1) + 1
    }

    /// Whether anything worth comparing is left (a letter or a digit).
    pub fn has_content(&self) -> bool {
        self.text.chars().any(char::is_alphanumeric)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules_of(text: &str) -> Vec<(Rule, String)> {
        rule_removals(text, &CleanConfig::default())
            .into_iter()
            .map(|r| (r.rule, r.text))
            .collect()
    }

    const BODY: &str = "Le ministre chinois de la Défense a salué dimanche des liens forts avec Moscou lors d'une rencontre.";

    #[test]
    fn navigation_share_read_more_and_footer() {
        let text = format!(
            "TV\nInfos \u{a0} / \u{a0} A La Une \u{a0} / \u{a0} Europe \u{a0} / \u{a0} L’INFO EN CONTINU\n\n{BODY}\n\nEn savoir plus :\u{a0}Iran-Chine-Russie broient les sanctions US\n\n{BODY}\n\nPartager Cet Article\nSOURCE: FRENCH PRESS TV"
        );
        let rules: Vec<Rule> = rules_of(&text).into_iter().map(|r| r.0).collect();
        assert_eq!(
            rules,
            vec![
                Rule::Navigation,
                Rule::Navigation,
                Rule::ReadMore,
                Rule::Share,
                Rule::SourceFooter
            ]
        );
    }

    #[test]
    fn agency_footer_only_at_the_bottom() {
        let text = format!("{BODY}\n\n{BODY}\n\n/ATS");
        assert_eq!(rules_of(&text), vec![(Rule::SourceFooter, "/ATS".into())]);
        let text = format!("AFP\n{BODY}");
        assert!(rules_of(&text).iter().all(|r| r.0 != Rule::SourceFooter));
    }

    #[test]
    fn photo_credits_and_captions() {
        for line in [
            "Dong Jun à Pékin, en Chine, le 13 septembre 2024. ( AFP / ADEK BERRY )",
            "Vladimir Poutine, à Novo-Ogaryovo, le 8 novembre 2023 ( POOL / Gavriil GRIGOROV )",
            "Le président russe et le ministre se rencontrent au Kremlin, le 16 avril 2023.©Reuters",
            "US Rep. Ilhan Omar talks with Speaker Nancy Pelosi during a rally in Washington, DC. (AFP photo)",
        ] {
            let text = format!("{BODY}\n{line}\n{BODY}");
            assert_eq!(rules_of(&text), vec![(Rule::PhotoCredit, line.to_owned())], "{line}");
        }
        // A headline ending in a parenthesis is not a credit.
        let text = format!("Les liens sino-russes dépassent les alliances (Chine)\n{BODY}");
        assert!(rules_of(&text).is_empty());
    }

    #[test]
    fn leftover_prompt_is_removed() {
        let line = "Make this article seo compatible,Let there be subheadings for the article, be in french, create at least 700 words";
        let text = format!("{line}\n{BODY}\n{BODY}");
        assert_eq!(rules_of(&text), vec![(Rule::Prompt, line.to_owned())]);
    }

    #[test]
    fn a_short_article_is_not_emptied_by_layout_rules() {
        for text in [
            "Titanfall Review (Xbox One / 360 / PC)",
            "Both ways",
            "Infos / A La Une / Europe",
        ] {
            let removals = rule_removals(text, &CleanConfig::default());
            assert!(
                !Cleaned::new(text, removals.clone()).has_content(),
                "{text}: layout rules alone empty it (the case this guards)"
            );
            let cleaned = clean_article(text, removals);
            assert!(cleaned.has_content(), "{text}");
            assert!(cleaned.removed.is_empty(), "{text}");
        }
        // Only phrase boilerplate: still empty.
        let text = "Share this on:";
        let removals = rule_removals(text, &CleanConfig::default());
        assert!(!clean_article(text, removals).has_content());
        // A body keeps the layout rules.
        let text = "Infos / A La Une / Europe\nLe ministre chinois de la Défense a salué dimanche des liens forts avec Moscou lors d'une rencontre au Kremlin.";
        let cleaned = clean_article(text, rule_removals(text, &CleanConfig::default()));
        assert_eq!(cleaned.removed.len(), 1);
    }

    #[test]
    fn headlines_starting_with_a_network_name_are_kept() {
        // uci-news-headlines: these were emptied by the share rule and rejected.
        for text in [
            "Twitter is down",
            "Twitter Goes Down",
            "Twitter back up",
            "Twitter Inc (TWTR) Goes Down [UPDATED]",
            "Facebook COO Launches 'Ban Bossy' Campaign",
            "Facebook page uplifts young cancer victim",
            "Email reveals plan",
        ] {
            assert!(rules_of(text).is_empty(), "{text}");
            let cleaned = clean_article(text, rule_removals(text, &CleanConfig::default()));
            assert_eq!(cleaned.text, text);
            // As the first line of an article with a body, too.
            let article = format!("{text}\n{BODY}\n{BODY}");
            assert!(rules_of(&article).is_empty(), "{text}");
        }
    }

    #[test]
    fn share_button_rows_are_removed() {
        for line in [
            "Share on Facebook",
            "Twitter",
            "Facebook Twitter Email",
            "Facebook | Twitter | WhatsApp | E-mail",
            "Tweet",
            "Facebook 12",
            "Twitter: @afpfr",
            "Email this article to a friend",
            "Partager sur Facebook",
            "LinkedIn 1.2k",
        ] {
            // At the bottom of an article with a body ...
            let text = format!("{BODY}\n{BODY}\n{line}");
            assert_eq!(
                rules_of(&text),
                vec![(Rule::Share, line.to_owned())],
                "{line}"
            );
            // ... and as the whole of a body-less article.
            let cleaned = clean_article(line, rule_removals(line, &CleanConfig::default()));
            assert!(!cleaned.has_content(), "{line}");
        }
    }

    #[test]
    fn metadata_prefix_keeps_the_title() {
        let text = format!(" date 2023-11 Liens militaires Chine-Russie : Poutine se réjouit d'une coopération\n\n{BODY}");
        let removals = rule_removals(&text, &CleanConfig::default());
        assert_eq!(removals.len(), 1);
        assert_eq!(removals[0].rule, Rule::Metadata);
        let cleaned = Cleaned::new(&text, removals);
        assert!(
            cleaned.text.starts_with("Liens militaires"),
            "{}",
            cleaned.text
        );
    }

    #[test]
    fn body_text_is_untouched() {
        let text = format!("{BODY}\n\n'Coopération militaro-technique'\n\n{BODY}\n\nExecices militaires communs\n\n{BODY}");
        assert!(rules_of(&text).is_empty());
    }

    #[test]
    fn cleaned_maps_offsets_back() {
        let text = "nav\nkeep one\ndrop\nkeep two";
        let removals = vec![
            removal(text, 0..4, Rule::Navigation),
            removal(text, 13..18, Rule::Share),
        ];
        let c = Cleaned::new(text, removals);
        assert_eq!(c.text, "keep one\nkeep two");
        let two = c.text.find("two").unwrap();
        assert_eq!(&text[c.to_original(two)..c.to_original(two) + 3], "two");
        let r = c.range_to_original(0..c.text.len());
        assert_eq!(r, 4..text.len());
    }

    #[test]
    fn recurring_lines_need_many_articles_and_contexts() {
        let mut stats = RecurringLines::new(RecurringConfig::default());
        let texts: Vec<String> = (0..10)
            .map(|i| format!("Story number {i} about something quite different here.\nFollow our live coverage\nEnd of story {i}, with more words to make it long."))
            .collect();
        for t in &texts {
            stats.observe(t, &[], None);
        }
        let r = stats.removals(&texts[0], &[], None);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].text, "Follow our live coverage");

        // Identical copies share their context: nothing is boilerplate.
        let mut stats = RecurringLines::new(RecurringConfig::default());
        let copy = "A wire story.\nShort line\nSame end.";
        for _ in 0..10 {
            stats.observe(copy, &[], None);
        }
        assert!(stats.removals(copy, &[], None).is_empty());
    }

    #[test]
    fn crlf_and_lone_cr_lines() {
        let l = lines("a\r\nb\rc\nd");
        let starts: Vec<usize> = l.iter().map(|l| l.start).collect();
        assert_eq!(starts, vec![0, 3, 5, 7]);
    }

    #[test]
    fn many_short_lines_finish() {
        // 200,000 one-word lines: a rank search per line made this quadratic (a hang
        // on a 1 MB article of short lines).
        let text = "word\n".repeat(200_000);
        let removals = rule_removals(&text, &CleanConfig::default());
        assert!(removals.len() <= 200_000);
        assert!(removals
            .iter()
            .all(|r| r.start < r.end && r.end <= text.len()));
        assert_eq!(Cleaned::new(&text, removals).original_len, text.len());
    }

    proptest::proptest! {
        #[test]
        fn cleaning_never_panics_and_maps_inside_original(text in "(\\PC|\n|\r){0,300}") {
            let removals = rule_removals(&text, &CleanConfig::default());
            let cleaned = Cleaned::new(&text, removals);
            for (i, _) in cleaned.text.char_indices() {
                let o = cleaned.to_original(i);
                proptest::prop_assert!(o < text.len());
                proptest::prop_assert_eq!(text[o..].chars().next(), cleaned.text[i..].chars().next());
            }
        }
    }
}
