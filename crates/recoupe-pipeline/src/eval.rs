//! `recoupe eval`: a finished run's clusters against a gold field of the input records.
//!
//! The gold label of an article is read from its record in `articles.jsonl`: the input
//! metadata fields `title`, `source`, `url`, `date`, `lang` by name, any other input
//! field under `extra` (where the readers carry unknown fields). Strings are used as
//! they are, numbers and booleans as their JSON text, `null` counts as missing.
//!
//! Which articles are scored:
//! - articles with the gold field are scored with [`recoupe_similarity::metrics`]
//!   (ARI, B-cubed and pairwise precision/recall/F1);
//! - articles without it (or with `null`) are left out and counted (`missing_gold`,
//!   first ids listed), since they have no gold story to agree with;
//! - rejected records (`rejects.jsonl`) are in no cluster and carry no metadata there:
//!   they are left out and counted (`rejected`, first ids listed). A run that rejects
//!   articles of a gold story is therefore not penalised by the scores; the counts say
//!   so next to them.
//!
//! If no article carries the field, evaluation fails with [`Error::GoldField`] (exit
//! code 2 in the CLI).
//!
//! Besides the scores, the report lists the **worst merges** (predicted clusters that
//! join several gold stories) and the **worst splits** (gold stories cut into several
//! predicted clusters), ranked by how many articles are misplaced: the cluster (story)
//! size minus its largest gold story (predicted cluster). When the output folder has
//! them, each merge also names what joined its gold stories (`joined_by`: the shared
//! tokens of its cross-story pairs in `pairs.jsonl`, their parts of the score summed)
//! and each split how close its pieces came to merging (`gaps`: the `nearest` average
//! score against the threshold in `clusters.jsonl`).
//!
//! ```
//! use recoupe_pipeline::eval::{evaluate, EvalOptions, Labelled};
//!
//! let a = |id: &str, predicted: &str, gold: &str| Labelled {
//!     id: id.into(),
//!     predicted: predicted.into(),
//!     gold: Some(gold.into()),
//! };
//! let articles = [a("1", "c1", "x"), a("2", "c1", "x"), a("3", "c1", "y"), a("4", "c2", "y")];
//! let report = evaluate(&articles, &EvalOptions::new("story"))?;
//! assert_eq!(report.scores.gold_clusters, 2);
//! assert_eq!(report.worst_merges[0].cluster, "c1");
//! assert_eq!(report.worst_splits[0].story, "y");
//! # Ok::<(), recoupe_pipeline::Error>(())
//! ```

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use recoupe_similarity::metrics::{self, PartitionScores};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::output::AtomicFile;
use crate::report::{ClusterRecord, NearestRecord, PairRecord, TermTally};

/// Metadata fields stored by name in an article record (the others are under `extra`).
const META_FIELDS: [&str; 5] = ["title", "source", "url", "date", "lang"];
/// Ids listed for the excluded articles (the counts are complete).
const LISTED_IDS: usize = 20;

/// What to evaluate against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalOptions {
    /// The input field holding the gold story.
    pub gold_field: String,
    /// Worst merges and worst splits listed (each).
    pub worst: usize,
}

impl EvalOptions {
    /// Evaluation against `gold_field`, listing the 10 worst merges and splits.
    pub fn new(gold_field: &str) -> Self {
        Self {
            gold_field: gold_field.to_owned(),
            worst: 10,
        }
    }
}

/// One article of a run: its id, predicted cluster and gold story (if it has one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labelled {
    /// Article id.
    pub id: String,
    /// Predicted cluster id.
    pub predicted: String,
    /// Gold story, `None` when the record lacks the gold field.
    pub gold: Option<String>,
}

/// The articles of an output folder, read for evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputArticles {
    /// `articles.jsonl`.
    pub path: PathBuf,
    /// Every article, in file order.
    pub articles: Vec<Labelled>,
    /// Ids of the records in `rejects.jsonl` (`"-"` when the record had none).
    pub rejected: Vec<String>,
    /// Model of the run, from `run.json` when present.
    pub model: Option<String>,
    /// Metadata fields found in the records (for the error naming what is there).
    pub fields: BTreeSet<String>,
}

/// Articles of one side (gold stories or predicted clusters) inside a group of the other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    /// Gold story (in a merge) or predicted cluster (in a split).
    pub label: String,
    /// Article ids, in file order.
    pub ids: Vec<String>,
}

/// A predicted cluster joining several gold stories.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Merge {
    /// Predicted cluster id.
    pub cluster: String,
    /// Evaluated articles in it.
    pub size: usize,
    /// Articles outside its largest gold story.
    pub misplaced: usize,
    /// Its gold stories, largest first.
    pub stories: Vec<Part>,
    /// What joined them: the shared tokens of its scored pairs whose two articles are in
    /// different gold stories (`explanation.shared` in `pairs.jsonl`), their parts of
    /// the score summed, largest first (case folded; empty without explanations).
    #[serde(default)]
    pub joined_by: Vec<String>,
}

/// A gold story cut into several predicted clusters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Split {
    /// Gold story.
    pub story: String,
    /// Articles in it.
    pub size: usize,
    /// Articles outside its largest predicted cluster.
    pub misplaced: usize,
    /// The predicted clusters holding it, largest first.
    pub clusters: Vec<Part>,
    /// How close its pieces came to merging: each of its clusters whose `nearest` in
    /// `clusters.jsonl` is another of its clusters, once per pair (empty without them).
    #[serde(default)]
    pub gaps: Vec<Gap>,
}

/// Two predicted clusters of one gold story that average link kept apart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gap {
    /// One cluster.
    pub a: String,
    /// The other.
    pub b: String,
    /// Their average story score.
    pub average: f32,
    /// The threshold they needed (above it: the event split cut them).
    pub threshold: f32,
}

/// The result of one evaluation (`eval.json`, `recoupe eval --json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalReport {
    /// The gold field.
    pub gold_field: String,
    /// Story method of the run (`full`, `minhash`, `cosine`), when known.
    pub method: Option<String>,
    /// Model of the run, when known.
    pub model: Option<String>,
    /// Articles in the output (evaluated + missing gold).
    pub articles: usize,
    /// Articles scored.
    pub evaluated: usize,
    /// Articles left out because they lack the gold field.
    pub missing_gold: usize,
    /// The first of them.
    pub missing_gold_ids: Vec<String>,
    /// Rejected records (left out: they are in no cluster).
    pub rejected: usize,
    /// The first of their ids.
    pub rejected_ids: Vec<String>,
    /// ARI, B-cubed and pairwise scores of the evaluated articles.
    pub scores: PartitionScores,
    /// Predicted clusters holding more than one gold story.
    pub merged_clusters: usize,
    /// Gold stories spread over more than one predicted cluster.
    pub split_stories: usize,
    /// The worst merges, most misplaced articles first.
    pub worst_merges: Vec<Merge>,
    /// The worst splits, most misplaced articles first.
    pub worst_splits: Vec<Split>,
}

/// The gold label in a record of `articles.jsonl`: metadata fields by name, others
/// under `extra`; `null` (or absent) is `None`.
pub fn gold_label(record: &Value, field: &str) -> Option<String> {
    let value = if META_FIELDS.contains(&field) {
        record.get(field)
    } else {
        record.get("extra").and_then(|e| e.get(field))
    }?;
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn read_lines(path: &Path) -> Result<Vec<(usize, Value)>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::OutputRead {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l)
                .map(|v| (i + 1, v))
                .map_err(|e| Error::OutputRead {
                    path: path.to_path_buf(),
                    message: format!("line {}: {e}", i + 1),
                })
        })
        .collect()
}

/// The lines of a JSONL output file as records of type `T` (errors name the line).
fn read_records<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<T>> {
    read_lines(path)?
        .into_iter()
        .map(|(line, value)| {
            serde_json::from_value(value).map_err(|e| Error::OutputRead {
                path: path.to_path_buf(),
                message: format!("line {line}: {e}"),
            })
        })
        .collect()
}

/// Reads `articles.jsonl` (id, cluster, gold label), `rejects.jsonl` and the model from
/// `run.json` of the output folder `dir`.
pub fn read_output(dir: &Path, gold_field: &str) -> Result<OutputArticles> {
    let path = dir.join("articles.jsonl");
    let mut articles = Vec::new();
    let mut fields = BTreeSet::new();
    for (line, record) in read_lines(&path)? {
        let text = |key: &str| {
            record
                .get(key)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| Error::OutputRead {
                    path: path.clone(),
                    message: format!("line {line}: no string `{key}`; is this a recoupe output?"),
                })
        };
        for f in META_FIELDS {
            if record.get(f).is_some_and(|v| !v.is_null()) {
                fields.insert(f.to_owned());
            }
        }
        if let Some(extra) = record.get("extra").and_then(Value::as_object) {
            fields.extend(extra.keys().cloned());
        }
        articles.push(Labelled {
            id: text("id")?,
            predicted: text("cluster")?,
            gold: gold_label(&record, gold_field),
        });
    }
    let rejects = dir.join("rejects.jsonl");
    let rejected = if rejects.is_file() {
        read_lines(&rejects)?
            .into_iter()
            .map(|(_, r)| {
                r.get("id")
                    .and_then(Value::as_str)
                    .unwrap_or("-")
                    .to_owned()
            })
            .collect()
    } else {
        Vec::new()
    };
    let model = std::fs::read_to_string(dir.join("run.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .and_then(|v| v.get("model").and_then(Value::as_str).map(str::to_owned));
    Ok(OutputArticles {
        path,
        articles,
        rejected,
        model,
        fields,
    })
}

/// Evaluates the output folder `dir` (see the module docs for what is left out).
pub fn evaluate_output(dir: &Path, options: &EvalOptions) -> Result<EvalReport> {
    let output = read_output(dir, &options.gold_field)?;
    if !output.articles.iter().any(|a| a.gold.is_some()) {
        return Err(Error::GoldField {
            field: options.gold_field.clone(),
            articles: output.articles.len(),
            path: output.path.clone(),
            available: if output.fields.is_empty() {
                "none".to_owned()
            } else {
                output.fields.iter().cloned().collect::<Vec<_>>().join(", ")
            },
        });
    }
    let mut report = evaluate(&output.articles, options)?;
    explain_errors(&mut report, dir, &output.articles)?;
    report.rejected = output.rejected.len();
    report.rejected_ids = output.rejected.iter().take(LISTED_IDS).cloned().collect();
    report.model = output.model;
    Ok(report)
}

/// Tokens listed per merge in `joined_by`.
const JOINED_BY: usize = 6;

/// Fills `joined_by` of the worst merges from `pairs.jsonl` and `gaps` of the worst splits
/// from `clusters.jsonl` (outputs without them, or older ones, leave both empty).
fn explain_errors(report: &mut EvalReport, dir: &Path, articles: &[Labelled]) -> Result<()> {
    let gold: HashMap<&str, &str> = articles
        .iter()
        .filter_map(|a| Some((a.id.as_str(), a.gold.as_deref()?)))
        .collect();
    let pairs_path = dir.join("pairs.jsonl");
    if pairs_path.is_file() && !report.worst_merges.is_empty() {
        let wanted: HashSet<&str> = report
            .worst_merges
            .iter()
            .map(|m| m.cluster.as_str())
            .collect();
        let mut tallies: HashMap<String, TermTally> = HashMap::new();
        for pair in read_records::<PairRecord>(&pairs_path)? {
            if !wanted.contains(pair.cluster.as_str()) {
                continue;
            }
            let (Some(ga), Some(gb)) = (gold.get(pair.a.as_str()), gold.get(pair.b.as_str()))
            else {
                continue;
            };
            if ga == gb {
                continue;
            }
            let Some(x) = &pair.explanation else { continue };
            let tally = tallies.entry(pair.cluster.clone()).or_default();
            x.shared.iter().for_each(|t| tally.add(t));
        }
        for m in &mut report.worst_merges {
            if let Some(tally) = tallies.remove(&m.cluster) {
                m.joined_by = tally.top(JOINED_BY);
            }
        }
    }
    let clusters_path = dir.join("clusters.jsonl");
    if clusters_path.is_file() && !report.worst_splits.is_empty() {
        let mut nearest: HashMap<String, NearestRecord> = HashMap::new();
        for c in read_records::<ClusterRecord>(&clusters_path)? {
            if let Some(n) = c.nearest {
                nearest.insert(c.cluster, n);
            }
        }
        for sp in &mut report.worst_splits {
            let parts: HashSet<&str> = sp.clusters.iter().map(|p| p.label.as_str()).collect();
            let mut gaps: Vec<Gap> = Vec::new();
            for p in &sp.clusters {
                let Some(n) = nearest.get(&p.label) else {
                    continue;
                };
                if !parts.contains(n.cluster.as_str()) {
                    continue;
                }
                let (a, b) = if p.label < n.cluster {
                    (p.label.clone(), n.cluster.clone())
                } else {
                    (n.cluster.clone(), p.label.clone())
                };
                if !gaps.iter().any(|g| g.a == a && g.b == b) {
                    gaps.push(Gap {
                        a,
                        b,
                        average: n.average,
                        threshold: n.threshold,
                    });
                }
            }
            sp.gaps = gaps;
        }
    }
    Ok(())
}

/// Groups `ids` by `outer` then `inner` label; keeps the outer groups with more than one
/// inner group, as `(outer, size, misplaced, parts largest first)`, most misplaced first.
fn mixed_groups<'a>(
    rows: impl Iterator<Item = (&'a str, &'a str, &'a str)>,
) -> Vec<(String, usize, usize, Vec<Part>)> {
    let mut by_outer: BTreeMap<&str, BTreeMap<&str, Vec<String>>> = BTreeMap::new();
    for (outer, inner, id) in rows {
        by_outer
            .entry(outer)
            .or_default()
            .entry(inner)
            .or_default()
            .push(id.to_owned());
    }
    let mut mixed: Vec<(String, usize, usize, Vec<Part>)> = by_outer
        .into_iter()
        .filter(|(_, inner)| inner.len() > 1)
        .map(|(outer, inner)| {
            let mut parts: Vec<Part> = inner
                .into_iter()
                .map(|(label, ids)| Part {
                    label: label.to_owned(),
                    ids,
                })
                .collect();
            parts.sort_by(|a, b| b.ids.len().cmp(&a.ids.len()).then(a.label.cmp(&b.label)));
            let size: usize = parts.iter().map(|p| p.ids.len()).sum();
            let misplaced = size - parts[0].ids.len();
            (outer.to_owned(), size, misplaced, parts)
        })
        .collect();
    mixed.sort_by(|a, b| {
        b.2.cmp(&a.2)
            .then(b.1.cmp(&a.1))
            .then_with(|| a.0.cmp(&b.0))
    });
    mixed
}

/// Scores the articles that have a gold label; `missing_gold` counts the others.
/// Rejected records are counted by [`evaluate_output`], which reads them.
pub fn evaluate(articles: &[Labelled], options: &EvalOptions) -> Result<EvalReport> {
    let scored: Vec<(&Labelled, &str)> = articles
        .iter()
        .filter_map(|a| a.gold.as_deref().map(|g| (a, g)))
        .collect();
    let missing: Vec<String> = articles
        .iter()
        .filter(|a| a.gold.is_none())
        .map(|a| a.id.clone())
        .collect();
    let predicted: Vec<&str> = scored.iter().map(|(a, _)| a.predicted.as_str()).collect();
    let gold: Vec<&str> = scored.iter().map(|(_, g)| *g).collect();
    if scored.is_empty() {
        return Err(Error::GoldField {
            field: options.gold_field.clone(),
            articles: articles.len(),
            path: PathBuf::from("articles.jsonl"),
            available: "not listed".to_owned(),
        });
    }
    let scores = metrics::evaluate(&predicted, &gold).map_err(|e| Error::Stage {
        stage: "eval",
        message: e.to_string(),
    })?;
    let merges = mixed_groups(
        scored
            .iter()
            .map(|(a, g)| (a.predicted.as_str(), *g, a.id.as_str())),
    );
    let splits = mixed_groups(
        scored
            .iter()
            .map(|(a, g)| (*g, a.predicted.as_str(), a.id.as_str())),
    );
    Ok(EvalReport {
        gold_field: options.gold_field.clone(),
        method: None,
        model: None,
        articles: articles.len(),
        evaluated: scored.len(),
        missing_gold: missing.len(),
        missing_gold_ids: missing.into_iter().take(LISTED_IDS).collect(),
        rejected: 0,
        rejected_ids: Vec::new(),
        scores,
        merged_clusters: merges.len(),
        split_stories: splits.len(),
        worst_merges: merges
            .into_iter()
            .take(options.worst)
            .map(|(cluster, size, misplaced, stories)| Merge {
                cluster,
                size,
                misplaced,
                stories,
                joined_by: Vec::new(),
            })
            .collect(),
        worst_splits: splits
            .into_iter()
            .take(options.worst)
            .map(|(story, size, misplaced, clusters)| Split {
                story,
                size,
                misplaced,
                clusters,
                gaps: Vec::new(),
            })
            .collect(),
    })
}

/// At most `max` ids, then how many more.
fn ids_shown(ids: &[String], max: usize) -> String {
    let mut s = ids.iter().take(max).cloned().collect::<Vec<_>>().join(" ");
    if ids.len() > max {
        s.push_str(&format!(" +{} more", ids.len() - max));
    }
    s
}

impl EvalReport {
    /// The report for a terminal: counts, scores, worst merges and splits (ids cut to 6
    /// per part; `--json` has them all).
    pub fn to_text(&self) -> String {
        let s = &self.scores;
        let mut out = String::new();
        let run = match (&self.method, &self.model) {
            (Some(m), Some(model)) => format!(" (method {m}, model {model})"),
            (None, Some(model)) => format!(" (model {model})"),
            (Some(m), None) => format!(" (method {m})"),
            (None, None) => String::new(),
        };
        out.push_str(&format!(
            "gold field `{}`{run}: {} articles evaluated; left out: {} without `{}`, {} rejected\n",
            self.gold_field, self.evaluated, self.missing_gold, self.gold_field, self.rejected
        ));
        if !self.missing_gold_ids.is_empty() {
            out.push_str(&format!(
                "  without `{}`: {}\n",
                self.gold_field,
                ids_shown(&self.missing_gold_ids, 6)
            ));
        }
        if !self.rejected_ids.is_empty() {
            out.push_str(&format!(
                "  rejected: {}\n",
                ids_shown(&self.rejected_ids, 6)
            ));
        }
        out.push_str(&format!(
            "clusters   {} predicted, {} gold stories\n",
            s.predicted_clusters, s.gold_clusters
        ));
        out.push_str(&format!("ARI        {:.4}\n", s.ari));
        for (name, p) in [("B-cubed", s.b_cubed), ("pairwise", s.pairwise)] {
            out.push_str(&format!(
                "{name:<10} P {:.4}  R {:.4}  F1 {:.4}\n",
                p.precision, p.recall, p.f1
            ));
        }
        out.push_str(&format!(
            "worst merges ({} predicted clusters join gold stories):\n",
            self.merged_clusters
        ));
        if self.worst_merges.is_empty() {
            out.push_str("  none\n");
        }
        for m in &self.worst_merges {
            let parts: Vec<String> = m
                .stories
                .iter()
                .map(|p| format!("{} x{} [{}]", p.label, p.ids.len(), ids_shown(&p.ids, 6)))
                .collect();
            let joined = if m.joined_by.is_empty() {
                String::new()
            } else {
                format!("; joined by: {}", m.joined_by.join(", "))
            };
            out.push_str(&format!(
                "  {} ({} articles, {} misplaced): {}{joined}\n",
                m.cluster,
                m.size,
                m.misplaced,
                parts.join(" + ")
            ));
        }
        out.push_str(&format!(
            "worst splits ({} gold stories cut into clusters):\n",
            self.split_stories
        ));
        if self.worst_splits.is_empty() {
            out.push_str("  none\n");
        }
        for sp in &self.worst_splits {
            let parts: Vec<String> = sp
                .clusters
                .iter()
                .map(|p| format!("{} x{} [{}]", p.label, p.ids.len(), ids_shown(&p.ids, 6)))
                .collect();
            let gaps: Vec<String> = sp
                .gaps
                .iter()
                .map(|g| {
                    format!(
                        "{}-{} average {:.3} {} threshold {:.3}",
                        g.a,
                        g.b,
                        g.average,
                        if g.average < g.threshold { "<" } else { ">=" },
                        g.threshold
                    )
                })
                .collect();
            let gaps = if gaps.is_empty() {
                String::new()
            } else {
                format!("; apart: {}", gaps.join(", "))
            };
            out.push_str(&format!(
                "  {} ({} articles, {} misplaced): {}{gaps}\n",
                sp.story,
                sp.size,
                sp.misplaced,
                parts.join(" | ")
            ));
        }
        out
    }

    /// The report as pretty JSON.
    pub fn to_json(&self) -> String {
        // Plain data with string keys: serialization cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Writes the JSON report to `path` atomically (temporary file, then rename).
    pub fn write_json(&self, path: &Path) -> Result<()> {
        let mut file = AtomicFile::create(path)?;
        file.write_all(self.to_json().as_bytes())?;
        file.write_all(b"\n")?;
        file.commit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(id: &str, predicted: &str, gold: Option<&str>) -> Labelled {
        Labelled {
            id: id.into(),
            predicted: predicted.into(),
            gold: gold.map(str::to_owned),
        }
    }

    /// Gold x = {1,2,3,4}, y = {5,6}, z = {7}; predicted c1 = {1,2,5}, c2 = {3,4},
    /// c3 = {6,7}, and article 8 without gold in c3.
    fn hand_made() -> Vec<Labelled> {
        vec![
            article("1", "c1", Some("x")),
            article("2", "c1", Some("x")),
            article("3", "c2", Some("x")),
            article("4", "c2", Some("x")),
            article("5", "c1", Some("y")),
            article("6", "c3", Some("y")),
            article("7", "c3", Some("z")),
            article("8", "c3", None),
        ]
    }

    #[test]
    fn scores_are_the_metrics_of_the_labelled_articles() {
        let report = evaluate(&hand_made(), &EvalOptions::new("story")).unwrap();
        let predicted = ["c1", "c1", "c2", "c2", "c1", "c3", "c3"];
        let gold = ["x", "x", "x", "x", "y", "y", "z"];
        let expected = metrics::evaluate(&predicted, &gold).unwrap();
        assert_eq!(report.scores, expected);
        assert_eq!((report.articles, report.evaluated), (8, 7));
        assert_eq!(report.missing_gold, 1);
        assert_eq!(report.missing_gold_ids, ["8"]);
        // B-cubed by hand: precision (2/3 + 2/3 + 1/3 in c1, 1 + 1 in c2, 1/2 + 1/2 in
        // c3) / 7 = 2/3.
        assert!((report.scores.b_cubed.precision - 2.0 / 3.0).abs() < 1e-12);
        // Recall: x: (2/4 * 2 + 2/4 * 2), y: 1/2 * 2, z: 1 -> (2 + 1 + 1) / 7 = 4/7.
        assert!((report.scores.b_cubed.recall - 4.0 / 7.0).abs() < 1e-12);
    }

    #[test]
    fn worst_merges_and_splits() {
        let report = evaluate(&hand_made(), &EvalOptions::new("story")).unwrap();
        assert_eq!(report.merged_clusters, 2);
        assert_eq!(
            report.worst_merges,
            [
                Merge {
                    cluster: "c1".into(),
                    size: 3,
                    misplaced: 1,
                    stories: vec![
                        Part {
                            label: "x".into(),
                            ids: vec!["1".into(), "2".into()]
                        },
                        Part {
                            label: "y".into(),
                            ids: vec!["5".into()]
                        },
                    ],
                    joined_by: Vec::new(),
                },
                Merge {
                    cluster: "c3".into(),
                    size: 2,
                    misplaced: 1,
                    stories: vec![
                        Part {
                            label: "y".into(),
                            ids: vec!["6".into()]
                        },
                        Part {
                            label: "z".into(),
                            ids: vec!["7".into()]
                        },
                    ],
                    joined_by: Vec::new(),
                },
            ]
        );
        assert_eq!(report.split_stories, 2);
        // x (4 articles, 2 misplaced) before y (2 articles, 1 misplaced).
        assert_eq!(report.worst_splits[0].story, "x");
        assert_eq!(report.worst_splits[0].misplaced, 2);
        let labels: Vec<&str> = report.worst_splits[0]
            .clusters
            .iter()
            .map(|p| p.label.as_str())
            .collect();
        assert_eq!(labels, ["c1", "c2"]);
        assert_eq!(report.worst_splits[1].story, "y");
        // `worst` caps the lists, not the counts.
        let one = evaluate(
            &hand_made(),
            &EvalOptions {
                worst: 1,
                ..EvalOptions::new("story")
            },
        )
        .unwrap();
        assert_eq!((one.worst_merges.len(), one.merged_clusters), (1, 2));
        let text = report.to_text();
        assert!(
            text.contains("c1 (3 articles, 1 misplaced): x x2 [1 2] + y x1 [5]"),
            "{text}"
        );
        assert!(text.contains("without `story`: 8"), "{text}");
    }

    #[test]
    fn a_perfect_partition_has_no_merge_or_split() {
        let articles = [
            article("a", "c1", Some("s")),
            article("b", "c1", Some("s")),
            article("c", "c2", Some("t")),
        ];
        let report = evaluate(&articles, &EvalOptions::new("story")).unwrap();
        assert_eq!(report.scores.ari, 1.0);
        assert_eq!(report.scores.b_cubed.f1, 1.0);
        assert!(report.worst_merges.is_empty() && report.worst_splits.is_empty());
        let back: EvalReport = serde_json::from_str(&report.to_json()).unwrap();
        assert_eq!(back, report);
    }

    fn write(dir: &Path, name: &str, lines: &[Value]) {
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        std::fs::write(dir.join(name), text).unwrap();
    }

    #[test]
    fn output_folder_gold_from_extra_or_meta_and_rejects_counted() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "articles.jsonl",
            &[
                serde_json::json!({"id": "a", "cluster": "c1", "source": "AFP", "extra": {"story": "s", "n": 7}}),
                serde_json::json!({"id": "b", "cluster": "c1", "source": "AFP", "extra": {"story": "s", "n": 7}}),
                serde_json::json!({"id": "c", "cluster": "c2", "extra": {"story": null}}),
            ],
        );
        write(
            dir.path(),
            "rejects.jsonl",
            &[
                serde_json::json!({"file": "in.jsonl", "line": 4, "id": "d", "reason": "empty text"}),
            ],
        );
        let report = evaluate_output(dir.path(), &EvalOptions::new("story")).unwrap();
        assert_eq!(
            (report.evaluated, report.missing_gold, report.rejected),
            (2, 1, 1)
        );
        assert_eq!(report.rejected_ids, ["d"]);
        // A metadata field by name, a number as its JSON text.
        let by_source = evaluate_output(dir.path(), &EvalOptions::new("source")).unwrap();
        assert_eq!(by_source.evaluated, 2);
        let by_n = evaluate_output(dir.path(), &EvalOptions::new("n")).unwrap();
        assert_eq!(by_n.evaluated, 2);
        // The predicted `cluster` is never taken for a gold field of that name.
        assert_eq!(
            gold_label(&serde_json::json!({"cluster": "c1"}), "cluster"),
            None
        );
    }

    #[test]
    fn merges_name_what_joined_them_and_splits_how_far_apart_they_stayed() {
        // c1 joins gold x (a, b) and y (c); y's d is alone in c2.
        let dir = tempfile::tempdir().unwrap();
        let article = |id: &str, cluster: &str, story: &str| serde_json::json!({"id": id, "cluster": cluster, "extra": {"story": story}});
        write(
            dir.path(),
            "articles.jsonl",
            &[
                article("a", "c1", "x"),
                article("b", "c1", "x"),
                article("c", "c1", "y"),
                article("d", "c2", "y"),
            ],
        );
        let pair = |a: &str, b: &str, shared: Value| {
            serde_json::json!({"a": a, "b": b, "cluster": "c1", "relation": "same_story",
                "score": 0.3, "cosine": 0.8, "rare_overlap": 0.2, "evidence": [],
                "explanation": {"embedding": 0.1, "rare": 0.2, "date_penalty": 0.0,
                    "shared": shared}})
        };
        write(
            dir.path(),
            "pairs.jsonl",
            &[
                // Inside gold x: not what joined x and y.
                pair(
                    "a",
                    "b",
                    serde_json::json!([{"term": "Angels", "kind": "name", "score": 0.3}]),
                ),
                pair(
                    "a",
                    "c",
                    serde_json::json!([
                    {"term": "Boras", "kind": "name", "score": 0.05},
                    {"term": "Teixeira", "kind": "name", "score": 0.1}]),
                ),
                pair(
                    "b",
                    "c",
                    serde_json::json!([{"term": "teixeira", "kind": "name", "score": 0.02}]),
                ),
            ],
        );
        let cluster = |id: &str, other: &str| {
            serde_json::json!({"cluster": id, "size": 1, "representative": "a", "members": [],
                "sources": [], "languages": [], "date_span": null,
                "nearest": {"cluster": other, "average": 0.15, "threshold": 0.16}})
        };
        write(
            dir.path(),
            "clusters.jsonl",
            &[cluster("c1", "c2"), cluster("c2", "c1")],
        );
        let report = evaluate_output(dir.path(), &EvalOptions::new("story")).unwrap();
        assert_eq!(report.worst_merges[0].joined_by, ["Teixeira", "Boras"]);
        assert_eq!(
            report.worst_splits[0].gaps,
            [Gap {
                a: "c1".into(),
                b: "c2".into(),
                average: 0.15,
                threshold: 0.16
            }]
        );
        let text = report.to_text();
        assert!(text.contains("; joined by: Teixeira, Boras"), "{text}");
        assert!(
            text.contains("; apart: c1-c2 average 0.150 < threshold 0.160"),
            "{text}"
        );
        // Outputs without pairs or clusters files still evaluate, with nothing to add.
        std::fs::remove_file(dir.path().join("pairs.jsonl")).unwrap();
        std::fs::remove_file(dir.path().join("clusters.jsonl")).unwrap();
        let bare = evaluate_output(dir.path(), &EvalOptions::new("story")).unwrap();
        assert!(bare.worst_merges[0].joined_by.is_empty());
        assert!(bare.worst_splits[0].gaps.is_empty());
    }

    #[test]
    fn gold_field_missing_everywhere_is_an_error_naming_the_fields() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "articles.jsonl",
            &[
                serde_json::json!({"id": "a", "cluster": "c1", "source": "AFP", "extra": {"story": "s"}}),
            ],
        );
        let err = evaluate_output(dir.path(), &EvalOptions::new("stroy")).unwrap_err();
        assert!(matches!(err, Error::GoldField { .. }), "{err}");
        let message = err.to_string();
        assert!(
            message.contains("`stroy`") && message.contains("source, story"),
            "{message}"
        );
        // A folder without articles.jsonl.
        let empty = tempfile::tempdir().unwrap();
        let err = evaluate_output(empty.path(), &EvalOptions::new("story")).unwrap_err();
        assert!(matches!(err, Error::OutputRead { .. }), "{err}");
    }
}
