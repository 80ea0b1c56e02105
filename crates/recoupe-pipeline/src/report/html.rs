//! `report.html`: one self-contained page (inline CSS and JS, no network) to read a run.
//!
//! The page is a small static shell plus the run's data as one JSON blob in a
//! `<script type="application/json">` element; the script draws the summary counts, the
//! cluster list (sorted, filtered and paginated in the browser, so thousands of clusters
//! cost no DOM), a cluster's members and similarity graph, and a side-by-side view of any
//! two members with the evidence passages highlighted. The score histograms are drawn
//! here, as inline SVG, so they show without JavaScript.
//!
//! Safety: article text and metadata never reach the markup. They are JSON strings in
//! the data blob, with `<`, `>`, `&`, U+2028 and U+2029 written as `\u` escapes (so no
//! text can close the `<script>` element), and the script puts them in the page with
//! `textContent` only.
//!
//! Offsets: evidence and removed ranges are byte offsets into the input text; the page
//! gets them as UTF-16 offsets (JavaScript string indices), converted here.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use super::{ArticleRecord, Outputs};
use crate::error::Result;
use crate::output::AtomicFile;

/// Total bytes of article text embedded in one report; members of the largest stories
/// come first, the rest show their metadata only (the page says so).
pub const MAX_TEXT_BYTES: usize = 32 << 20;

const STYLE: &str = include_str!("report.css");
const SCRIPT: &str = include_str!("report.js");

/// Characters of a label (title, or first kept line of the text).
const LABEL_CHARS: usize = 140;

/// Writes `report.html` to a temporary file; the caller commits it with the others.
pub fn write(dest: &Path, out: &Outputs<'_>) -> Result<AtomicFile> {
    let mut file = AtomicFile::create(dest)?;
    file.write_all(render(out).as_bytes())?;
    Ok(file)
}

/// The whole page.
pub fn render(out: &Outputs<'_>) -> String {
    let data = ReportData::new(out);
    let json = script_safe_json(&data);
    let mut page = String::with_capacity(json.len() + STYLE.len() + SCRIPT.len() + 16_384);
    // Only the page's own script may run (by hash: no inline handler, no injected
    // script), and nothing may be fetched: a second wall behind the escaping.
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'sha256-{}'; base-uri 'none'; form-action 'none'\">\n\
         <title>recoupe report</title>\n<style>\n",
        script_hash()
    );
    page.push_str(STYLE);
    page.push_str("</style>\n</head>\n<body>\n");
    let _ = writeln!(
        page,
        "<header><h1>recoupe report</h1><p class=\"sub\">model <b>{}</b> · {} records</p></header>",
        escape_html(&out.summary.model),
        out.summary.records
    );
    page.push_str(
        "<noscript><p class=\"warn\">The cluster list and the side-by-side view need \
         JavaScript; the counts and histograms below are static.</p></noscript>\n",
    );
    page.push_str("<main>\n<section id=\"summary\" class=\"cards\">");
    for (key, label, value) in summary_cards(out) {
        let _ = write!(
            page,
            "<div class=\"card\"><div class=\"num\" id=\"count-{key}\">{value}</div><div class=\"lbl\">{label}</div></div>"
        );
    }
    page.push_str("</section>\n<section id=\"facets\" class=\"facets\"></section>\n");
    page.push_str("<section id=\"figures\" class=\"figures\">");
    page.push_str(&score_histogram(out));
    page.push_str(&jaccard_histogram(out));
    page.push_str("</section>\n");
    page.push_str(
        "<section id=\"clusters\"><h2>Clusters <span id=\"cluster-count\" class=\"muted\"></span></h2>\
         <div class=\"controls\" id=\"controls\"></div>\
         <table class=\"list\" id=\"cluster-table\"><thead></thead><tbody></tbody></table>\
         <div class=\"pager\" id=\"pager\"></div></section>\n\
         <section id=\"detail\"></section>\n\
         <section id=\"compare\"></section>\n\
         <section id=\"rejects\"><h2>Rejects <span id=\"reject-count\" class=\"muted\"></span></h2>\
         <div id=\"reject-list\"></div></section>\n</main>\n",
    );
    page.push_str("<script type=\"application/json\" id=\"report-data\">");
    page.push_str(&json);
    page.push_str("</script>\n<script>");
    page.push_str(SCRIPT);
    page.push_str("</script>\n</body>\n</html>\n");
    page
}

fn summary_cards(out: &Outputs<'_>) -> Vec<(&'static str, &'static str, String)> {
    let s = out.summary;
    let mut langs: Vec<&str> = out
        .articles
        .iter()
        .filter_map(|a| a.language.code.as_deref())
        .collect();
    langs.sort_unstable();
    langs.dedup();
    let mut sources: Vec<&str> = out
        .articles
        .iter()
        .filter_map(|a| a.meta.source.as_deref())
        .collect();
    sources.sort_unstable();
    sources.dedup();
    vec![
        ("articles", "articles", s.articles.to_string()),
        ("languages", "languages", langs.len().to_string()),
        ("sources", "sources", sources.len().to_string()),
        ("clusters", "clusters", s.clusters.to_string()),
        (
            "multi",
            "clusters of 2+",
            s.multi_article_clusters.to_string(),
        ),
        ("duplicates", "duplicates (drop)", s.duplicates.to_string()),
        ("rejects", "rejects", s.rejected.to_string()),
    ]
}

/// Base64 of the SHA-256 of [`SCRIPT`], as a CSP `script-src` source wants it.
fn script_hash() -> String {
    use sha2::{Digest, Sha256};
    base64(&Sha256::digest(SCRIPT.as_bytes()))
}

fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(char::from(ABC[(n >> (18 - 6 * k)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// JSON that can sit inside a `<script>` element: no `<`, `>` or `&` (so no `</script>`
/// or `<!--`), and no U+2028/U+2029 (line terminators in older JavaScript).
pub fn script_safe_json<T: Serialize>(value: &T) -> String {
    // Serializing plain data with string keys cannot fail.
    let json = serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned());
    let mut out = String::with_capacity(json.len() + json.len() / 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// A short one-line label of an article: its title, or else the first line of its text
/// that cleaning kept, cut to `LABEL_CHARS` characters.
pub fn article_label(article: &ArticleRecord, text: &str) -> String {
    if let Some(title) = article.meta.title.as_deref() {
        let title = one_line(title);
        if !title.is_empty() {
            return cut(&title, LABEL_CHARS);
        }
    }
    // The kept text (removed passages cut out), up to the first non-empty line.
    let mut removed: Vec<(usize, usize)> = article
        .cleaning
        .removed
        .iter()
        .map(|r| (r.start, r.end))
        .collect();
    removed.sort_unstable();
    let mut line = String::new();
    let mut pos = 0;
    let cuts = removed
        .into_iter()
        .chain(std::iter::once((text.len(), text.len())));
    'kept: for (start, end) in cuts {
        let piece = text.get(pos..start.max(pos)).unwrap_or("");
        for (k, part) in piece.split('\n').enumerate() {
            if k > 0 && !line.trim().is_empty() {
                break 'kept;
            }
            if k > 0 {
                line.clear();
            }
            line.push_str(part);
            if line.len() > 4 * LABEL_CHARS {
                break 'kept;
            }
        }
        pos = pos.max(end);
    }
    let line = one_line(&line);
    if line.is_empty() {
        cut(&one_line(text), LABEL_CHARS)
    } else {
        cut(&line, LABEL_CHARS)
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", text[..i].trim_end()),
        None => text.to_owned(),
    }
}

#[derive(Serialize)]
struct ReportData<'a> {
    summary: SummaryData<'a>,
    thresholds: Thresholds,
    articles: Vec<ArticleData<'a>>,
    clusters: Vec<ClusterData<'a>>,
    /// Relation names; pairs give an index into it.
    relation_names: [&'static str; 3],
    pairs: Vec<PairData<'a>>,
    /// Input files; articles give an index into it.
    files: Vec<&'a str>,
    texts: Vec<&'a str>,
    /// Articles of multi-article clusters whose text was left out ([`MAX_TEXT_BYTES`]).
    texts_omitted: usize,
    text_budget_bytes: usize,
    rejects: Vec<RejectData<'a>>,
}

#[derive(Serialize)]
struct SummaryData<'a> {
    records: usize,
    articles: usize,
    rejected: usize,
    clusters: usize,
    multi: usize,
    duplicates: usize,
    model: &'a str,
    languages: Vec<(String, usize)>,
    sources: Vec<(String, usize)>,
    relations: BTreeMap<&'a str, usize>,
}

#[derive(Serialize)]
struct Thresholds {
    story: f32,
    copy_jaccard: f32,
    rewrite_jaccard: f32,
    rewrite_cosine: f32,
}

/// One article; `x` indexes `texts`, `rm` are removed passages as UTF-16 ranges.
#[derive(Serialize)]
struct ArticleData<'a> {
    id: &'a str,
    label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lang: Option<&'a str>,
    mixed: bool,
    file: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u64>,
    cluster: usize,
    relation: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<R3>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cosine: Option<R3>,
    #[serde(skip_serializing_if = "Option::is_none")]
    jaccard: Option<R3>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rare: Option<R3>,
    decision: &'a str,
    bytes: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    x: Option<usize>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    rm: Vec<(usize, usize, String)>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    truncated: &'a [String],
}

#[derive(Serialize)]
struct ClusterData<'a> {
    id: &'a str,
    size: usize,
    rep: usize,
    members: Vec<usize>,
    sources: &'a [String],
    languages: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    first: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last: Option<&'a str>,
    pairs: Vec<usize>,
    /// Highest pair score inside the cluster.
    #[serde(skip_serializing_if = "Option::is_none")]
    top: Option<R3>,
    /// The closest other cluster: `[cluster index, average score, threshold]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    near: Option<(usize, R3, R3)>,
}

/// One pair, as an array (pairs are the bulk of a large report):
/// `[a, b, relation, score, cosine, rare_overlap, jaccard, date_gap_days, evidence, why]`,
/// evidence rows `[a_start, a_end, b_start, b_end, score]` in UTF-16 units, `why` the
/// explanation `[embedding, rare, date_penalty, [[term, kind, score], ..], neighbourhood]`
/// or null.
#[derive(Serialize)]
struct PairData<'a>(
    usize,
    usize,
    usize,
    R3,
    R3,
    R3,
    Option<R3>,
    Option<R3>,
    Vec<(usize, usize, usize, usize, R3)>,
    Option<WhyData<'a>>,
);

/// A pair's explanation: `(embedding, rare, date_penalty, [(term, kind, score)],
/// neighbourhood)`.
type WhyData<'a> = (R3, R3, R3, Vec<(&'a str, &'a str, R3)>, R3);

const RELATION_NAMES: [&str; 3] = ["copy", "rewrite", "same_story"];

/// A score written with 3 decimals (what the page shows; the JSONL files keep all).
#[derive(Debug, Clone, Copy)]
struct R3(f32);

impl Serialize for R3 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let v = f64::from(self.0);
        if v.is_finite() {
            s.serialize_f64((v * 1000.0).round() / 1000.0)
        } else {
            s.serialize_none()
        }
    }
}

#[derive(Serialize)]
struct RejectData<'a> {
    file: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    reason: &'a str,
}

/// UTF-16 offsets of byte offsets of one text, computed in one pass over it.
fn utf16_offsets(text: &str, mut bytes: Vec<usize>) -> HashMap<usize, usize> {
    bytes.sort_unstable();
    bytes.dedup();
    let mut map = HashMap::with_capacity(bytes.len());
    let mut wanted = bytes.into_iter().peekable();
    let mut units = 0;
    for (i, c) in text.char_indices() {
        while let Some(&b) = wanted.peek() {
            if b > i {
                break;
            }
            // Offsets inside a character are not boundaries: they get no position.
            if b == i {
                map.insert(b, units);
            }
            wanted.next();
        }
        units += c.len_utf16();
    }
    for b in wanted {
        if b == text.len() {
            map.insert(b, units);
        }
    }
    map
}

fn counts<'a>(items: impl Iterator<Item = &'a str>) -> Vec<(String, usize)> {
    let mut by: HashMap<&str, usize> = HashMap::new();
    for i in items {
        *by.entry(i).or_default() += 1;
    }
    let mut v: Vec<(String, usize)> = by.into_iter().map(|(k, n)| (k.to_owned(), n)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

impl<'a> ReportData<'a> {
    fn new(out: &Outputs<'a>) -> Self {
        let articles = out.articles;
        let text_of = |i: usize| out.texts.get(i).copied().unwrap_or("");
        let index: HashMap<&str, usize> = articles
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id.as_str(), i))
            .collect();
        let cluster_index: HashMap<&str, usize> = out
            .clusters
            .iter()
            .enumerate()
            .map(|(i, c)| (c.cluster.as_str(), i))
            .collect();

        // Texts of multi-article clusters, largest clusters first, within the budget.
        let mut order: Vec<usize> = (0..out.clusters.len())
            .filter(|&c| out.clusters[c].size > 1)
            .collect();
        order.sort_by(|&x, &y| {
            let (cx, cy) = (&out.clusters[x], &out.clusters[y]);
            cy.size.cmp(&cx.size).then(x.cmp(&y))
        });
        let mut text_slot: Vec<Option<usize>> = vec![None; articles.len()];
        let mut texts = Vec::new();
        let mut budget = MAX_TEXT_BYTES;
        let mut texts_omitted = 0;
        for c in order {
            for m in &out.clusters[c].members {
                let Some(&i) = index.get(m.id.as_str()) else {
                    continue;
                };
                let text = text_of(i);
                if text.len() <= budget {
                    budget -= text.len();
                    text_slot[i] = Some(texts.len());
                    texts.push(text);
                } else {
                    texts_omitted += 1;
                }
            }
        }

        // Every byte offset the page needs, per embedded text, converted in one pass.
        let mut wanted: HashMap<usize, Vec<usize>> = HashMap::new();
        for (i, a) in articles.iter().enumerate() {
            if text_slot[i].is_some() {
                let w = wanted.entry(i).or_default();
                for r in &a.cleaning.removed {
                    w.extend([r.start, r.end]);
                }
            }
        }
        for p in out.pairs {
            for (id, side) in [(&p.a, 0), (&p.b, 1)] {
                let Some(&i) = index.get(id.as_str()) else {
                    continue;
                };
                if text_slot[i].is_none() {
                    continue;
                }
                let w = wanted.entry(i).or_default();
                for e in &p.evidence {
                    let s = if side == 0 { &e.a } else { &e.b };
                    w.extend([s.start, s.end]);
                }
            }
        }
        let utf16: HashMap<usize, HashMap<usize, usize>> = wanted
            .into_iter()
            .map(|(i, bytes)| (i, utf16_offsets(text_of(i), bytes)))
            .collect();
        let range = |i: usize, s: usize, e: usize| -> Option<(usize, usize)> {
            let m = utf16.get(&i)?;
            let (s, e) = (*m.get(&s)?, *m.get(&e)?);
            (s < e).then_some((s, e))
        };

        let mut pairs_of: Vec<Vec<usize>> = vec![Vec::new(); out.clusters.len()];
        let mut top: Vec<Option<R3>> = vec![None; out.clusters.len()];
        let mut pairs = Vec::with_capacity(out.pairs.len());
        for p in out.pairs {
            let (Some(&a), Some(&b)) = (index.get(p.a.as_str()), index.get(p.b.as_str())) else {
                continue;
            };
            let ev = p
                .evidence
                .iter()
                .filter_map(|e| {
                    let (as_, ae) = range(a, e.a.start, e.a.end)?;
                    let (bs, be) = range(b, e.b.start, e.b.end)?;
                    Some((as_, ae, bs, be, R3(e.score)))
                })
                .collect();
            if let Some(&c) = cluster_index.get(p.cluster.as_str()) {
                pairs_of[c].push(pairs.len());
                top[c] = Some(R3(top[c].map_or(p.score, |t| t.0.max(p.score))));
            }
            let relation = RELATION_NAMES
                .iter()
                .position(|r| *r == p.relation)
                .unwrap_or(2);
            pairs.push(PairData(
                a,
                b,
                relation,
                R3(p.score),
                R3(p.cosine),
                R3(p.rare_overlap),
                p.jaccard.map(R3),
                p.date_gap_days.map(R3),
                ev,
                p.explanation.as_ref().map(|x| {
                    (
                        R3(x.embedding),
                        R3(x.rare),
                        R3(x.date_penalty),
                        x.shared
                            .iter()
                            .map(|t| (t.term.as_str(), t.kind.as_str(), R3(t.score)))
                            .collect(),
                        R3(x.neighbourhood),
                    )
                }),
            ));
        }

        let mut files: Vec<&str> = Vec::new();
        let mut file_index: HashMap<&str, usize> = HashMap::new();
        for a in articles {
            file_index.entry(a.file.as_str()).or_insert_with(|| {
                files.push(&a.file);
                files.len() - 1
            });
        }
        let mut member_scores: HashMap<&str, &super::MemberRecord> = HashMap::new();
        for c in out.clusters {
            for m in &c.members {
                member_scores.insert(m.id.as_str(), m);
            }
        }
        let article_data = articles
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let m = member_scores.get(a.id.as_str());
                let rm = if text_slot[i].is_some() {
                    a.cleaning
                        .removed
                        .iter()
                        .filter_map(|r| {
                            let (s, e) = range(i, r.start, r.end)?;
                            let rule = serde_json::to_value(r.rule)
                                .ok()
                                .and_then(|v| v.as_str().map(str::to_owned))
                                .unwrap_or_default();
                            Some((s, e, rule))
                        })
                        .collect()
                } else {
                    Vec::new()
                };
                ArticleData {
                    id: &a.id,
                    label: article_label(a, text_of(i)),
                    source: a.meta.source.as_deref(),
                    date: a.meta.date.as_deref(),
                    url: a.meta.url.as_deref(),
                    lang: a.language.code.as_deref(),
                    mixed: a.language.mixed,
                    file: file_index[a.file.as_str()],
                    line: a.line,
                    cluster: cluster_index.get(a.cluster.as_str()).copied().unwrap_or(0),
                    relation: &a.relation,
                    score: a.score.map(R3),
                    cosine: m.and_then(|m| m.cosine).map(R3),
                    jaccard: m.and_then(|m| m.jaccard).map(R3),
                    rare: m.and_then(|m| m.rare_overlap).map(R3),
                    decision: &a.decision,
                    bytes: a.cleaning.original_bytes,
                    x: text_slot[i],
                    rm,
                    truncated: &a.truncated,
                }
            })
            .collect();

        let clusters = out
            .clusters
            .iter()
            .zip(pairs_of)
            .zip(top)
            .map(|((c, pairs), top)| ClusterData {
                id: &c.cluster,
                size: c.size,
                rep: index.get(c.representative.as_str()).copied().unwrap_or(0),
                members: c
                    .members
                    .iter()
                    .filter_map(|m| index.get(m.id.as_str()).copied())
                    .collect(),
                sources: &c.sources,
                languages: &c.languages,
                first: c.date_span.as_ref().map(|d| d.first.as_str()),
                last: c.date_span.as_ref().map(|d| d.last.as_str()),
                pairs,
                top,
                near: c.nearest.as_ref().and_then(|n| {
                    let other = *cluster_index.get(n.cluster.as_str())?;
                    Some((other, R3(n.average), R3(n.threshold)))
                }),
            })
            .collect();

        let mut relations = BTreeMap::new();
        for a in articles {
            *relations.entry(a.relation.as_str()).or_default() += 1;
        }
        let s = out.summary;
        let sim = out.similarity;
        ReportData {
            summary: SummaryData {
                records: s.records,
                articles: s.articles,
                rejected: s.rejected,
                clusters: s.clusters,
                multi: s.multi_article_clusters,
                duplicates: s.duplicates,
                model: &s.model,
                languages: counts(
                    articles
                        .iter()
                        .map(|a| a.language.code.as_deref().unwrap_or("und")),
                ),
                sources: counts(articles.iter().filter_map(|a| a.meta.source.as_deref())),
                relations,
            },
            thresholds: Thresholds {
                story: sim.story_threshold,
                copy_jaccard: sim.copy_jaccard,
                rewrite_jaccard: sim.rewrite_jaccard,
                rewrite_cosine: sim.rewrite_cosine,
            },
            articles: article_data,
            clusters,
            relation_names: RELATION_NAMES,
            pairs,
            files,
            texts,
            texts_omitted,
            text_budget_bytes: MAX_TEXT_BYTES,
            rejects: out
                .rejects
                .iter()
                .map(|r| RejectData {
                    file: &r.origin.file,
                    line: r.origin.line,
                    id: r.id.as_deref(),
                    reason: &r.reason,
                })
                .collect(),
        }
    }
}

const RELATIONS: [(&str, &str); 3] = [
    ("copy", "#c0392b"),
    ("rewrite", "#e67e22"),
    ("same_story", "#2e86c1"),
];

/// A stacked histogram (one colour per relation) of `values` in `[lo, hi]`, with
/// vertical lines at `marks`.
fn histogram(
    id: &str,
    title: &str,
    values: &[(f32, &str)],
    (lo, hi): (f32, f32),
    marks: &[(f32, &str)],
) -> String {
    const BINS: usize = 40;
    const W: f32 = 460.0;
    const H: f32 = 170.0;
    const LEFT: f32 = 34.0;
    const BOTTOM: f32 = 22.0;
    const TOP: f32 = 30.0;
    let mut bins = vec![[0usize; 3]; BINS];
    for &(v, rel) in values {
        if !v.is_finite() {
            continue;
        }
        let t = ((v - lo) / (hi - lo)).clamp(0.0, 1.0);
        let b = ((t * BINS as f32) as usize).min(BINS - 1);
        let r = RELATIONS.iter().position(|x| x.0 == rel).unwrap_or(2);
        bins[b][r] += 1;
    }
    let max = bins
        .iter()
        .map(|b| b.iter().sum::<usize>())
        .max()
        .unwrap_or(0)
        .max(1);
    let plot_w = W - LEFT - 8.0;
    let plot_h = H - BOTTOM - TOP;
    let bw = plot_w / BINS as f32;
    let x_of = |v: f32| LEFT + (v - lo) / (hi - lo) * plot_w;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<figure class=\"fig\" id=\"{id}\"><figcaption>{}</figcaption>\
         <svg viewBox=\"0 0 {W} {H}\" width=\"{W}\" height=\"{H}\" role=\"img\" aria-label=\"{}\">",
        escape_html(title),
        escape_html(title)
    );
    let base = TOP + plot_h;
    let _ = write!(
        svg,
        "<line x1=\"{LEFT}\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\" class=\"axis\"/>\
         <line x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{LEFT}\" y2=\"{base}\" class=\"axis\"/>",
        W - 8.0
    );
    let _ = write!(
        svg,
        "<text x=\"{}\" y=\"{}\" class=\"tick\" text-anchor=\"end\">{max}</text>\
         <text x=\"{}\" y=\"{base}\" class=\"tick\" text-anchor=\"end\">0</text>",
        LEFT - 4.0,
        TOP + 4.0,
        LEFT - 4.0
    );
    for k in 0..=4 {
        let v = lo + (hi - lo) * k as f32 / 4.0;
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\" class=\"tick\" text-anchor=\"middle\">{v:.2}</text>",
            x_of(v),
            H - 6.0
        );
    }
    for (b, counts) in bins.iter().enumerate() {
        let mut y = base;
        for (r, &n) in counts.iter().enumerate() {
            if n == 0 {
                continue;
            }
            let h = n as f32 / max as f32 * plot_h;
            y -= h;
            let _ = write!(
                svg,
                "<rect x=\"{:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"{}\"><title>{} {}: {n}</title></rect>",
                LEFT + b as f32 * bw + 0.5,
                (bw - 1.0).max(0.5),
                RELATIONS[r].1,
                RELATIONS[r].0,
                format_args!(
                    "{:.3}–{:.3}",
                    lo + (hi - lo) * b as f32 / BINS as f32,
                    lo + (hi - lo) * (b + 1) as f32 / BINS as f32
                )
            );
        }
    }
    for (i, &(v, label)) in marks.iter().enumerate() {
        if !(lo..=hi).contains(&v) {
            continue;
        }
        let x = x_of(v);
        // Labels sit above the bars, right of the line (left of it near the right edge).
        let (lx, anchor) = if x > W - 150.0 {
            (x - 3.0, "end")
        } else {
            (x + 3.0, "start")
        };
        let _ = write!(
            svg,
            "<line x1=\"{x:.1}\" y1=\"{}\" x2=\"{x:.1}\" y2=\"{base}\" class=\"mark\"/>\
             <text x=\"{lx:.1}\" y=\"{}\" class=\"marklbl\" text-anchor=\"{anchor}\">{} {v:.2}</text>",
            8.0 + 11.0 * i as f32,
            17.0 + 11.0 * i as f32,
            escape_html(label)
        );
    }
    if values.is_empty() {
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" class=\"empty\" text-anchor=\"middle\">no pairs inside clusters</text>",
            LEFT + plot_w / 2.0,
            TOP + plot_h / 2.0
        );
    }
    svg.push_str("</svg><div class=\"legend\">");
    for (name, colour) in RELATIONS {
        let _ = write!(
            svg,
            "<span><i style=\"background:{colour}\"></i>{name}</span>"
        );
    }
    svg.push_str("</div></figure>");
    svg
}

fn score_histogram(out: &Outputs<'_>) -> String {
    let values: Vec<(f32, &str)> = out
        .pairs
        .iter()
        .map(|p| (p.score, p.relation.as_str()))
        .collect();
    let lo = values.iter().map(|v| v.0).fold(0.0f32, f32::min).max(-1.0);
    let hi = values.iter().map(|v| v.0).fold(1.0f32, f32::max).min(2.0);
    histogram(
        "hist-score",
        &format!(
            "Story score of the {} pair{} inside clusters",
            values.len(),
            if values.len() == 1 { "" } else { "s" }
        ),
        &values,
        (lo, hi),
        &[(
            out.similarity.story_threshold,
            "story threshold (long texts)",
        )],
    )
}

fn jaccard_histogram(out: &Outputs<'_>) -> String {
    let values: Vec<(f32, &str)> = out
        .pairs
        .iter()
        .filter_map(|p| Some((p.jaccard?, p.relation.as_str())))
        .collect();
    histogram(
        "hist-jaccard",
        "Lexical Jaccard of the same pairs (relation labels)",
        &values,
        (0.0, 1.0),
        &[
            (out.similarity.rewrite_jaccard, "rewrite"),
            (out.similarity.copy_jaccard, "copy"),
        ],
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::report::{ClusterRecord, PairRecord, RunSummary};
    use crate::Reject;
    use recoupe_similarity::SimilarityConfig;

    pub(crate) const HOSTILE: &str = "Élysée: l'été « chaud » 😀\n<script>alert('x')</script> \
        \"><img src=x onerror=alert(1)> </script><!-- & \u{2028}\u{2029} fin du texte.";

    /// Two hostile articles in one story with one shared passage, and a hostile reject.
    pub(crate) struct Fixture {
        pub articles: Vec<ArticleRecord>,
        pub clusters: Vec<ClusterRecord>,
        pub pairs: Vec<PairRecord>,
        pub rejects: Vec<Reject>,
        pub summary: RunSummary,
        pub texts: Vec<String>,
        pub similarity: SimilarityConfig,
    }

    impl Fixture {
        pub(crate) fn new() -> Self {
            let second = format!("Intro.\n{HOSTILE}");
            let shared = HOSTILE.find("<script>").unwrap();
            let article = |id: &str, relation: &str, bytes: usize| {
                serde_json::from_value::<ArticleRecord>(serde_json::json!({
                    "id": id, "file": "in.jsonl", "line": 1,
                    "title": "<script>alert('t')</script> | a\nb", "source": "\"><b>src",
                    "language": {"code": "fr", "confidence": 1.0, "reliable": true, "mixed": false},
                    "cluster": "c0001", "cluster_size": 2, "representative": "a<1>",
                    "relation": relation, "decision": "keep",
                    "cleaning": {"original_bytes": bytes, "kept_bytes": bytes, "removed": []}
                }))
                .unwrap()
            };
            let articles = vec![
                article("a<1>", "representative", HOSTILE.len()),
                article("b\"2", "rewrite", second.len()),
            ];
            let clusters = vec![serde_json::from_value(serde_json::json!({
                "cluster": "c0001", "size": 2, "representative": "a<1>",
                "members": [{"id": "a<1>", "relation": "representative"},
                            {"id": "b\"2", "relation": "rewrite", "score": 0.5}],
                "sources": ["\"><b>src"], "languages": ["fr"], "date_span": null
            }))
            .unwrap()];
            let pairs = vec![serde_json::from_value(serde_json::json!({
                "a": "a<1>", "b": "b\"2", "cluster": "c0001", "relation": "rewrite",
                "score": 0.5, "cosine": 0.9, "rare_overlap": 0.4, "jaccard": 0.6,
                "evidence": [{"score": 0.8,
                    "a": {"start": shared, "end": HOSTILE.len(), "text": &HOSTILE[shared..]},
                    "b": {"start": shared + 7, "end": second.len(), "text": &HOSTILE[shared..]}}],
                "explanation": {"embedding": 0.1, "rare": 0.4, "date_penalty": 0.0,
                    "shared": [{"term": "<b>Na|me</b>", "kind": "name", "score": 0.3},
                               {"term": "`x`", "kind": "word", "score": 0.1}]}
            }))
            .unwrap()];
            let rejects = vec![serde_json::from_value(serde_json::json!({
                "file": "in.jsonl", "line": 3, "id": "<img src=x onerror=alert(2)>",
                "reason": "malformed json: </script>", "detail": {"kind": "missing_text"}
            }))
            .unwrap()];
            let summary = RunSummary {
                records: 3,
                articles: 2,
                rejected: 1,
                clusters: 1,
                multi_article_clusters: 1,
                duplicates: 1,
                embedded: 2,
                cached: 0,
                model: "m<odel>".into(),
                threads: 1,
                stages: Vec::new(),
                total_seconds: 1.0,
                out_dir: "/abs/out".into(),
            };
            Self {
                articles,
                clusters,
                pairs,
                rejects,
                summary,
                texts: vec![HOSTILE.to_owned(), second],
                similarity: SimilarityConfig::default(),
            }
        }

        pub(crate) fn render<T>(&self, f: impl Fn(&Outputs<'_>) -> T) -> T {
            let texts: Vec<&str> = self.texts.iter().map(String::as_str).collect();
            f(&Outputs {
                articles: &self.articles,
                clusters: &self.clusters,
                pairs: &self.pairs,
                rejects: &self.rejects,
                summary: &self.summary,
                texts: &texts,
                similarity: &self.similarity,
            })
        }
    }

    #[test]
    fn hostile_text_never_reaches_the_markup() {
        let fx = Fixture::new();
        let page = fx.render(render);
        // Our two script elements only; no tag, comment or line separator from the data.
        assert_eq!(page.matches("<script").count(), 2, "{page}");
        assert_eq!(page.matches("</script>").count(), 2);
        for bad in [
            "<img", "<b>src", "<!--", "<1>", "<odel>", "\u{2028}", "\u{2029}",
        ] {
            assert!(!page.contains(bad), "{bad:?} in the page");
        }
        // The model name is the one value written as markup: escaped.
        assert!(page.contains("m&lt;odel&gt;"));
        // The data blob gives back every string exactly.
        let start = page.find("id=\"report-data\">").unwrap() + "id=\"report-data\">".len();
        let end = start + page[start..].find("</script>").unwrap();
        let data: serde_json::Value = serde_json::from_str(&page[start..end]).unwrap();
        assert_eq!(data["texts"][0], HOSTILE);
        assert_eq!(data["articles"][1]["id"], "b\"2");
        assert_eq!(
            data["articles"][0]["label"],
            "<script>alert('t')</script> | a b"
        );
        assert_eq!(data["rejects"][0]["id"], "<img src=x onerror=alert(2)>");
        // Evidence offsets are UTF-16 positions of the same passage in both texts.
        let utf16 = |t: &str| t.encode_utf16().collect::<Vec<u16>>();
        let ev = &data["pairs"][0][8][0];
        let at = |k: usize| ev[k].as_u64().unwrap() as usize;
        let (ta, tb) = (utf16(&fx.texts[0]), utf16(&fx.texts[1]));
        let a = String::from_utf16(&ta[at(0)..at(1)]).unwrap();
        let b = String::from_utf16(&tb[at(2)..at(3)]).unwrap();
        assert!(a.starts_with("<script>alert('x')") && a.ends_with("fin du texte."));
        assert_eq!(a, b);
    }

    #[test]
    fn the_script_is_allowed_by_its_hash_only() {
        let page = Fixture::new().render(render);
        // The whole script-src directive: one hash, no 'unsafe-inline'.
        let csp = format!("; script-src 'sha256-{}';", script_hash());
        assert!(page.contains(&csp));
        assert_eq!(page.matches("script-src").count(), 1);
        assert!(page.contains(&format!("<script>{SCRIPT}</script>")));
    }

    #[test]
    fn script_json_cannot_close_the_element() {
        let text = "</script><script>alert(1)</script> <!-- & \u{2028}\u{2029}";
        let json = script_safe_json(&serde_json::json!({ "t": text }));
        for bad in ["<", ">", "&", "\u{2028}", "\u{2029}"] {
            assert!(!json.contains(bad), "{bad:?} in {json}");
        }
        let back: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(back["t"], text);
    }

    #[test]
    fn base64_matches_rfc_4648() {
        for (raw, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(raw.as_bytes()), enc);
        }
    }

    #[test]
    fn utf16_offsets_count_code_units() {
        let text = "é😀a\nb";
        let m = utf16_offsets(text, vec![0, 2, 6, 7, 9, 3, 100]);
        assert_eq!(m.get(&0), Some(&0));
        assert_eq!(m.get(&2), Some(&1));
        assert_eq!(m.get(&6), Some(&3));
        assert_eq!(m.get(&7), Some(&4));
        assert_eq!(m.get(&9), Some(&6));
        // Inside a character or past the end: no position.
        assert_eq!(m.get(&3), None);
        assert_eq!(m.get(&100), None);
    }

    #[test]
    fn labels_skip_removed_lines_and_are_cut() {
        let mut a: ArticleRecord = serde_json::from_value(serde_json::json!({
            "id": "x", "file": "f", "language": {"code": null, "confidence": 0.0,
            "reliable": false, "mixed": false}, "cluster": "c1", "cluster_size": 1,
            "representative": "x", "relation": "unique", "decision": "keep",
            "cleaning": {"original_bytes": 0, "kept_bytes": 0, "removed": [
                {"start": 0, "end": 10, "rule": "navigation", "text": "Home / News"}]}
        }))
        .unwrap();
        let text = "Home/News\n\n  The   minister said\nmore";
        assert_eq!(article_label(&a, text), "The minister said");
        // A removed prefix inside the first line is left out too.
        a.cleaning.removed[0].end = 5;
        assert_eq!(article_label(&a, text), "News");
        a.cleaning.removed.clear();
        assert_eq!(article_label(&a, "\n\n"), "");
        a.meta.title = Some("A | B\nC".into());
        assert_eq!(article_label(&a, text), "A | B C");
        a.meta.title = Some("é".repeat(200));
        assert_eq!(article_label(&a, text).chars().count(), LABEL_CHARS + 1);
    }
}
