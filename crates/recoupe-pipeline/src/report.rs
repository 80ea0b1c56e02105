//! The records of the output files (`articles.jsonl`, `clusters.jsonl`, `pairs.jsonl`,
//! `rejects.jsonl`, `run.json`) and their CSV twins; [`html`] renders `report.html` and
//! [`markdown`] `report.md` from the same records.

pub mod html;
pub mod markdown;

use std::collections::HashMap;
use std::path::Path;

use recoupe_similarity::SimilarityConfig;
use serde::{Deserialize, Serialize};

use crate::clean::Removal;
use crate::error::Result;
use crate::output::{write_csv, AtomicFile};
use crate::record::{Meta, Reject};

/// Language of one paragraph of a mixed-language article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParagraphLang {
    /// Byte range in the input text.
    pub start: usize,
    /// End of the byte range (exclusive).
    pub end: usize,
    /// ISO 639-1 code, `null` when undetermined.
    pub lang: Option<String>,
    /// Whether the detection is reliable.
    pub reliable: bool,
}

/// Detected language of an article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LanguageReport {
    /// ISO 639-1 code of the main language, `null` when undetermined.
    pub code: Option<String>,
    /// Detector confidence in `[0, 1]`.
    pub confidence: f64,
    /// Whether the detection is reliable.
    pub reliable: bool,
    /// Why no language was given, when undetermined.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub undetermined: Option<String>,
    /// Two or more languages each have a reliable paragraph.
    pub mixed: bool,
    /// Per-paragraph languages (only for mixed articles).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub paragraphs: Vec<ParagraphLang>,
}

/// What cleaning did to an article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CleaningReport {
    /// Bytes of the input text.
    pub original_bytes: usize,
    /// Bytes kept.
    pub kept_bytes: usize,
    /// Removed passages (byte ranges in the input text, rule, text).
    pub removed: Vec<Removal>,
}

/// One line of `articles.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleRecord {
    /// Article id.
    pub id: String,
    /// Input file.
    pub file: String,
    /// Line in the input file, when it has lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// Metadata as given, unknown fields under `extra`.
    #[serde(flatten)]
    pub meta: Meta,
    /// Detected language.
    pub language: LanguageReport,
    /// Story (cluster) id.
    pub cluster: String,
    /// Members in the story.
    pub cluster_size: usize,
    /// Id of the story's representative.
    pub representative: String,
    /// `representative`, `copy`, `rewrite`, `same_story` (relation to the
    /// representative), or `unique` for a story of one.
    pub relation: String,
    /// Story score with the representative (none for the representative itself).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f32>,
    /// `drop` for copies and rewrites of the representative, `keep` otherwise.
    pub decision: String,
    /// What cleaning removed.
    pub cleaning: CleaningReport,
    /// Whether the text was cut to `limits.max_compare_bytes` / `embed.max_text_bytes`.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub truncated: Vec<String>,
}

/// One member of a story.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberRecord {
    /// Article id.
    pub id: String,
    /// Relation to the representative (`representative` for itself).
    pub relation: String,
    /// Story score with the representative.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f32>,
    /// Embedding cosine with the representative.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cosine: Option<f32>,
    /// Lexical Jaccard with the representative.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jaccard: Option<f32>,
    /// Rare-token overlap with the representative.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rare_overlap: Option<f32>,
}

/// First and last date of a story's members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DateSpan {
    /// Earliest date (as given).
    pub first: String,
    /// Latest date (as given).
    pub last: String,
}

/// One line of `clusters.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterRecord {
    /// Story id.
    pub cluster: String,
    /// Number of members.
    pub size: usize,
    /// Representative id (the most central member).
    pub representative: String,
    /// Members in input order.
    pub members: Vec<MemberRecord>,
    /// Distinct sources.
    pub sources: Vec<String>,
    /// Distinct detected languages.
    pub languages: Vec<String>,
    /// Date span of dated members.
    pub date_span: Option<DateSpan>,
    /// The other story this one came closest to joining, and why it did not (absent
    /// when no candidate pair links it to another story, for the baseline methods and
    /// in outputs written before it existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nearest: Option<NearestRecord>,
}

/// The closest other story: the average story score between the two (over all pairs of
/// their members) against the threshold average-link needed for them to merge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NearestRecord {
    /// Its story id.
    pub cluster: String,
    /// Average story score between the two stories.
    pub average: f32,
    /// The threshold for their mean text length. `average < threshold`: kept apart by
    /// the threshold; otherwise cut apart by the event split (two events of one kind).
    pub threshold: f32,
}

/// A passage in one article of a pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PassageSide {
    /// Byte offset in the input text.
    pub start: usize,
    /// End byte offset (exclusive) in the input text.
    pub end: usize,
    /// The passage as kept by cleaning.
    pub text: String,
}

/// One shared passage of a pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceRecord {
    /// Sentence shingle Jaccard of the passage.
    pub score: f32,
    /// The passage in article `a`.
    pub a: PassageSide,
    /// The passage in article `b`.
    pub b: PassageSide,
}

/// One line of `pairs.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairRecord {
    /// First article id (earlier in the input).
    pub a: String,
    /// Second article id.
    pub b: String,
    /// Story id.
    pub cluster: String,
    /// `copy`, `rewrite` or `same_story`.
    pub relation: String,
    /// Story score.
    pub score: f32,
    /// Embedding cosine.
    pub cosine: f32,
    /// Rare-token overlap.
    pub rare_overlap: f32,
    /// Lexical Jaccard of word shingles.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jaccard: Option<f32>,
    /// Days between the articles, when both are dated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_gap_days: Option<f32>,
    /// Shared passages.
    pub evidence: Vec<EvidenceRecord>,
    /// Why the pair scored what it did (absent from outputs written before it existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<ExplanationRecord>,
}

/// The story score of a pair split into its parts: `score = embedding + rare +
/// neighbourhood - date_penalty`, and the shared tokens behind the rare part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExplanationRecord {
    /// The embedding's part: `embedding_weight` times the cosine centred on the batch
    /// (or topic block) background.
    pub embedding: f32,
    /// The rare-token part: `1 - embedding_weight` times `rare_overlap`.
    pub rare: f32,
    /// The neighbourhood view's part: `neighbourhood_weight` times how much more the
    /// two articles share their nearest neighbours than two articles of their topic
    /// block do on average (0 in outputs written before it existed).
    #[serde(default)]
    pub neighbourhood: f32,
    /// Date penalty subtracted (0 unless both articles are dated and far apart).
    pub date_penalty: f32,
    /// The shared tokens contributing most to `rare`, largest first (at most
    /// `evidence.max_shared_terms`); their parts add up to `rare` when all are listed.
    pub shared: Vec<SharedTermRecord>,
}

/// Sums the parts of shared terms over several pairs, case folded (the first spelling
/// seen is kept): what `report.md` shows as a cluster's shared names and `eval` as what
/// joined a merge.
#[derive(Debug, Clone, Default)]
pub(crate) struct TermTally(HashMap<String, (String, f64)>);

impl TermTally {
    pub(crate) fn add(&mut self, t: &SharedTermRecord) {
        let e = self
            .0
            .entry(t.term.to_lowercase())
            .or_insert_with(|| (t.term.clone(), 0.0));
        e.1 += f64::from(t.score);
    }

    /// The `n` terms with the largest sums (ties: case-folded order).
    pub(crate) fn top(self, n: usize) -> Vec<String> {
        let mut terms: Vec<(String, (String, f64))> = self.0.into_iter().collect();
        terms.sort_by(|a, b| b.1 .1.total_cmp(&a.1 .1).then(a.0.cmp(&b.0)));
        terms
            .into_iter()
            .take(n)
            .map(|(_, (term, _))| term)
            .collect()
    }
}

/// A token two articles share, as written in the first article, with its part of the
/// score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedTermRecord {
    /// The token as it first appears in article `a`.
    pub term: String,
    /// `name`, `number` or `word`.
    pub kind: String,
    /// Its part of the score.
    pub score: f32,
}

/// Seconds spent in one stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageTime {
    /// Stage name.
    pub stage: String,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// `run.json`: counts and timings of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    /// Records read (articles + rejects).
    pub records: usize,
    /// Articles processed.
    pub articles: usize,
    /// Records rejected.
    pub rejected: usize,
    /// Stories (clusters, singletons included).
    pub clusters: usize,
    /// Stories of two or more articles.
    pub multi_article_clusters: usize,
    /// Articles marked `drop` (copies and rewrites of a representative).
    pub duplicates: usize,
    /// Articles embedded by the model in this run.
    pub embedded: usize,
    /// Articles whose vector came from the cache.
    pub cached: usize,
    /// Model name.
    pub model: String,
    /// Threads used.
    pub threads: usize,
    /// Time per stage.
    pub stages: Vec<StageTime>,
    /// Total wall-clock seconds.
    pub total_seconds: f64,
    /// Output folder.
    pub out_dir: String,
}

impl RunSummary {
    /// The one-line summary printed at the end of a run.
    pub fn line(&self) -> String {
        let stages: Vec<String> = self
            .stages
            .iter()
            .map(|s| format!("{} {:.2}s", s.stage, s.seconds))
            .collect();
        let rate = if self.total_seconds > 0.0 {
            self.articles as f64 / self.total_seconds
        } else {
            0.0
        };
        format!(
            "{} articles, {} rejected, {} clusters ({} with 2+ articles), {} duplicates; embedded {} ({} from cache); {} | total {:.2}s, {:.1} articles/s",
            self.articles,
            self.rejected,
            self.clusters,
            self.multi_article_clusters,
            self.duplicates,
            self.embedded,
            self.cached,
            stages.join(", "),
            self.total_seconds,
            rate
        )
    }
}

fn join<I: IntoIterator<Item = S>, S: AsRef<str>>(items: I) -> String {
    items
        .into_iter()
        .map(|s| s.as_ref().to_owned())
        .collect::<Vec<_>>()
        .join(";")
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// Everything a run writes.
pub struct Outputs<'a> {
    /// `articles.jsonl`.
    pub articles: &'a [ArticleRecord],
    /// `clusters.jsonl`.
    pub clusters: &'a [ClusterRecord],
    /// `pairs.jsonl`.
    pub pairs: &'a [PairRecord],
    /// `rejects.jsonl`.
    pub rejects: &'a [Reject],
    /// `run.json`.
    pub summary: &'a RunSummary,
    /// Input text of each article (parallel to `articles`, cut to
    /// `limits.max_compare_bytes`): the text the evidence byte offsets point into.
    pub texts: &'a [&'a str],
    /// Thresholds drawn on the score histograms of `report.html`.
    pub similarity: &'a SimilarityConfig,
}

impl Outputs<'_> {
    /// Writes every file to a temporary name first, then renames them all into `dir`.
    pub fn write(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|source| crate::Error::Output {
            path: dir.to_path_buf(),
            source,
        })?;
        let mut files = vec![
            jsonl(&dir.join("articles.jsonl"), self.articles)?,
            jsonl(&dir.join("clusters.jsonl"), self.clusters)?,
            jsonl(&dir.join("pairs.jsonl"), self.pairs)?,
            jsonl(&dir.join("rejects.jsonl"), self.rejects)?,
        ];
        let article_rows: Vec<Vec<String>> = self
            .articles
            .iter()
            .map(|a| {
                vec![
                    a.id.clone(),
                    a.file.clone(),
                    opt(a.line),
                    opt(a.language.code.clone()),
                    a.language.mixed.to_string(),
                    a.cluster.clone(),
                    a.cluster_size.to_string(),
                    a.representative.clone(),
                    a.relation.clone(),
                    opt(a.score),
                    a.decision.clone(),
                    a.cleaning.removed.len().to_string(),
                    join(a.cleaning.removed.iter().map(|r| {
                        serde_json::to_value(r.rule)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .unwrap_or_default()
                    })),
                    opt(a.meta.title.clone()),
                    opt(a.meta.source.clone()),
                    opt(a.meta.url.clone()),
                    opt(a.meta.date.clone()),
                ]
            })
            .collect();
        files.push(write_csv(
            &dir.join("articles.csv"),
            &[
                "id",
                "file",
                "line",
                "lang",
                "mixed",
                "cluster",
                "cluster_size",
                "representative",
                "relation",
                "score",
                "decision",
                "removed",
                "removed_rules",
                "title",
                "source",
                "url",
                "date",
            ],
            &article_rows,
        )?);
        let cluster_rows: Vec<Vec<String>> = self
            .clusters
            .iter()
            .map(|c| {
                vec![
                    c.cluster.clone(),
                    c.size.to_string(),
                    c.representative.clone(),
                    join(c.members.iter().map(|m| m.id.as_str())),
                    join(c.members.iter().map(|m| m.relation.as_str())),
                    join(&c.sources),
                    join(&c.languages),
                    opt(c.date_span.as_ref().map(|d| d.first.clone())),
                    opt(c.date_span.as_ref().map(|d| d.last.clone())),
                    opt(c.nearest.as_ref().map(|n| n.cluster.clone())),
                    opt(c.nearest.as_ref().map(|n| n.average.to_string())),
                    opt(c.nearest.as_ref().map(|n| n.threshold.to_string())),
                ]
            })
            .collect();
        files.push(write_csv(
            &dir.join("clusters.csv"),
            &[
                "cluster",
                "size",
                "representative",
                "members",
                "relations",
                "sources",
                "languages",
                "first_date",
                "last_date",
                "nearest_cluster",
                "nearest_average",
                "nearest_threshold",
            ],
            &cluster_rows,
        )?);
        files.push(html::write(&dir.join("report.html"), self)?);
        files.push(markdown::write(&dir.join("report.md"), self)?);
        let mut run = AtomicFile::create(&dir.join("run.json"))?;
        let mut text = serde_json::to_vec_pretty(self.summary).unwrap_or_default();
        text.push(b'\n');
        run.write_all(&text)?;
        files.push(run);
        crate::output::commit_set(dir, files)
    }
}

fn jsonl<T: Serialize>(path: &Path, items: &[T]) -> Result<AtomicFile> {
    let mut f = AtomicFile::create(path)?;
    for item in items {
        f.write_json_line(item)?;
    }
    Ok(f)
}
