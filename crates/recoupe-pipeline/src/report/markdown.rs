//! `report.md`: a short Markdown summary of a run (counts, the largest clusters, rejects)
//! for terminals and pull requests. Nothing machine-dependent goes in it (no timings,
//! no absolute paths), so it can be compared across runs.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use super::html::article_label;
use super::{Outputs, TermTally};
use crate::error::Result;
use crate::output::AtomicFile;

/// Clusters listed in the table.
pub const TOP_CLUSTERS: usize = 10;
/// Members listed per cluster (the rest are counted).
const MEMBERS_SHOWN: usize = 5;
/// Closest calls listed.
const CLOSEST_SHOWN: usize = 10;
/// Rejects listed (the rest are counted).
const REJECTS_SHOWN: usize = 10;

/// Writes `report.md` to a temporary file; the caller commits it with the others.
pub fn write(dest: &Path, out: &Outputs<'_>) -> Result<AtomicFile> {
    let mut file = AtomicFile::create(dest)?;
    file.write_all(render(out).as_bytes())?;
    Ok(file)
}

/// Names and numbers shown per cluster.
const NAMES_SHOWN: usize = 5;

/// The names and numbers behind each cluster's scores: the shared tokens of kind
/// `name` or `number` in its pairs' explanations, their parts of the score summed over
/// the pairs (case folded; shown as first written), largest first.
fn shared_names<'o>(out: &Outputs<'o>) -> HashMap<&'o str, Vec<String>> {
    let mut tallies: HashMap<&str, TermTally> = HashMap::new();
    for p in out.pairs {
        let Some(x) = &p.explanation else { continue };
        let tally = tallies.entry(p.cluster.as_str()).or_default();
        for t in x.shared.iter().filter(|t| t.kind != "word") {
            tally.add(t);
        }
    }
    tallies
        .into_iter()
        .map(|(cluster, tally)| (cluster, tally.top(NAMES_SHOWN)))
        .collect()
}

/// Escapes text for one Markdown table cell: whitespace (newlines included) collapsed
/// to single spaces, and the characters that open tables, emphasis, code, links or
/// HTML backslash-escaped.
pub fn escape_cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars() {
            if matches!(
                c,
                '\\' | '|' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '~' | '!' | '&'
            ) {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

/// The Markdown text.
pub fn render(out: &Outputs<'_>) -> String {
    let s = out.summary;
    let index: HashMap<&str, usize> = out
        .articles
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i))
        .collect();
    let label = |id: &str| -> String {
        index
            .get(id)
            .map(|&i| article_label(&out.articles[i], out.texts.get(i).copied().unwrap_or("")))
            .unwrap_or_default()
    };
    let mut langs: HashMap<&str, usize> = HashMap::new();
    let mut sources: HashMap<&str, usize> = HashMap::new();
    for a in out.articles {
        *langs
            .entry(a.language.code.as_deref().unwrap_or("und"))
            .or_default() += 1;
        if let Some(src) = a.meta.source.as_deref() {
            *sources.entry(src).or_default() += 1;
        }
    }
    let langs = ranked(langs);
    let sources = ranked(sources);

    let mut md = String::new();
    md.push_str("# recoupe report\n\n");
    let _ = writeln!(
        md,
        "- **{}** articles from {} records, **{}** rejected",
        s.articles, s.records, s.rejected
    );
    let _ = writeln!(
        md,
        "- **{}** clusters, {} with 2+ articles; **{}** duplicates (copies and rewrites marked `drop`)",
        s.clusters, s.multi_article_clusters, s.duplicates
    );
    let shown = |v: &[(&str, usize)], n: usize| -> String {
        let mut parts: Vec<String> = v
            .iter()
            .take(n)
            .map(|(k, c)| format!("{} {c}", escape_cell(k)))
            .collect();
        if v.len() > n {
            parts.push(format!("+{} more", v.len() - n));
        }
        parts.join(", ")
    };
    let _ = writeln!(md, "- languages: {}", shown(&langs, 8));
    if !sources.is_empty() {
        let _ = writeln!(md, "- {} sources: {}", sources.len(), shown(&sources, 5));
    }
    let _ = writeln!(md, "- model: {}", escape_cell(&s.model));

    let mut multi: Vec<&super::ClusterRecord> =
        out.clusters.iter().filter(|c| c.size > 1).collect();
    multi.sort_by(|a, b| b.size.cmp(&a.size).then(a.cluster.cmp(&b.cluster)));
    md.push_str("\n## Largest clusters\n\n");
    if multi.is_empty() {
        md.push_str("No two articles were found to cover the same story.\n");
    } else {
        md.push_str(
            "| Cluster | Size | Representative | Other members (relation, score) | Shared names | Sources | Languages |\n\
             |---|---:|---|---|---|---|---|\n",
        );
        let names = shared_names(out);
        for c in multi.iter().take(TOP_CLUSTERS) {
            let mut others: Vec<String> = c
                .members
                .iter()
                .filter(|m| m.id != c.representative)
                .take(MEMBERS_SHOWN)
                .map(|m| {
                    let score = m.score.map(|s| format!(" {s:.2}")).unwrap_or_default();
                    format!("`{}` {}{score}", code_safe(&m.id), m.relation)
                })
                .collect();
            let rest = c.size.saturating_sub(1 + MEMBERS_SHOWN);
            if rest > 0 {
                others.push(format!("+{rest} more"));
            }
            let _ = writeln!(
                md,
                "| {} | {} | `{}` {} | {} | {} | {} | {} |",
                c.cluster,
                c.size,
                code_safe(&c.representative),
                escape_cell(&label(&c.representative)),
                others.join("; "),
                escape_cell(
                    &names
                        .get(c.cluster.as_str())
                        .map(|n| n.join(", "))
                        .unwrap_or_default()
                ),
                escape_cell(&first_few(&c.sources, 5)),
                escape_cell(&c.languages.join(", ")),
            );
        }
        if multi.len() > TOP_CLUSTERS {
            let _ = writeln!(
                md,
                "\n{} more clusters of 2+ articles: see `report.html` or `clusters.jsonl`.",
                multi.len() - TOP_CLUSTERS
            );
        }
    }
    let singles = out.clusters.iter().filter(|c| c.size == 1).count();
    let _ = writeln!(md, "\n{singles} articles are alone in their cluster.");

    // Why clusters are apart: the pairs of clusters that came closest to merging.
    let mut calls: Vec<(
        &super::ClusterRecord,
        &super::ClusterRecord,
        &super::NearestRecord,
    )> = Vec::new();
    let by_id: HashMap<&str, &super::ClusterRecord> = out
        .clusters
        .iter()
        .map(|c| (c.cluster.as_str(), c))
        .collect();
    for c in out.clusters {
        let Some(n) = &c.nearest else { continue };
        let Some(&other) = by_id.get(n.cluster.as_str()) else {
            continue;
        };
        // Each pair once, from its lower id (or from the only side naming the other).
        let mutual = other
            .nearest
            .as_ref()
            .is_some_and(|m| m.cluster == c.cluster);
        if !mutual || c.cluster < other.cluster {
            calls.push(if c.cluster < other.cluster {
                (c, other, n)
            } else {
                (other, c, n)
            });
        }
    }
    calls.sort_by(|x, y| {
        (x.2.threshold - x.2.average)
            .total_cmp(&(y.2.threshold - y.2.average))
            .then(x.0.cluster.cmp(&y.0.cluster))
    });
    if !calls.is_empty() {
        md.push_str(
            "\n## Closest calls\n\nClusters kept apart that came closest to merging (average story \
             score over all pairs of their members, against the threshold average link needed).\n\n\
             | Clusters | Average | Threshold | Kept apart by | Representatives |\n\
             |---|---:|---:|---|---|\n",
        );
        for (a, b, n) in calls.iter().take(CLOSEST_SHOWN) {
            let _ = writeln!(
                md,
                "| {} – {} | {:.3} | {:.3} | {} | `{}` {} / `{}` {} |",
                a.cluster,
                b.cluster,
                n.average,
                n.threshold,
                if n.average < n.threshold {
                    "the threshold"
                } else {
                    "the event split"
                },
                code_safe(&a.representative),
                escape_cell(&label(&a.representative)),
                code_safe(&b.representative),
                escape_cell(&label(&b.representative)),
            );
        }
    }

    md.push_str("\n## Rejects\n\n");
    if out.rejects.is_empty() {
        md.push_str("No record was rejected.\n");
    } else {
        md.push_str("| Where | Id | Reason |\n|---|---|---|\n");
        for r in out.rejects.iter().take(REJECTS_SHOWN) {
            let _ = writeln!(
                md,
                "| {} | {} | {} |",
                escape_cell(&r.origin.to_string()),
                r.id.as_deref()
                    .map(|i| format!("`{}`", code_safe(i)))
                    .unwrap_or_default(),
                escape_cell(&r.reason)
            );
        }
        if out.rejects.len() > REJECTS_SHOWN {
            let _ = writeln!(
                md,
                "\n{} more in `rejects.jsonl`.",
                out.rejects.len() - REJECTS_SHOWN
            );
        }
    }
    md.push_str(
        "\nFull report: `report.html` (open it in a browser); data: `articles.jsonl`, \
         `clusters.jsonl`, `pairs.jsonl`, `rejects.jsonl`.\n",
    );
    md
}

/// Up to `n` items joined with commas, then `+k more`.
fn first_few(items: &[String], n: usize) -> String {
    let mut s = items.iter().take(n).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > n {
        let _ = write!(s, " +{} more", items.len() - n);
    }
    s
}

fn ranked(m: HashMap<&str, usize>) -> Vec<(&str, usize)> {
    let mut v: Vec<(&str, usize)> = m.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v
}

/// An id inside backticks in a table cell: backticks and pipes cannot be escaped inside
/// code spans reliably, so they become `'` and `/`; whitespace becomes one space.
fn code_safe(id: &str) -> String {
    id.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('`', "'")
        .replace('|', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_keep_tables_whole() {
        let e = escape_cell("A | B\nC  <b>*x*</b> [l](u) `c`");
        assert!(!e.contains('\n'));
        assert_eq!(e.matches('|').count(), e.matches("\\|").count());
        assert_eq!(e, "A \\| B C \\<b\\>\\*x\\*\\</b\\> \\[l\\](u) \\`c\\`");
        assert_eq!(code_safe("a|b`c\nd"), "a/b'c d");
    }

    #[test]
    fn hostile_titles_stay_in_their_cells() {
        let md = crate::report::html::tests::Fixture::new().render(render);
        let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| c0001")).collect();
        assert_eq!(rows.len(), 1, "{md}");
        let unescaped = rows[0].matches('|').count() - rows[0].matches("\\|").count();
        assert_eq!(unescaped, 8, "{}", rows[0]);
        // Shared names are escaped text, words are left out.
        assert!(
            rows[0].contains("| \\<b\\>Na\\|me\\</b\\> |"),
            "{}",
            rows[0]
        );
        assert!(!rows[0].contains("x\\`"), "{}", rows[0]);
        assert!(!md.contains("<script>"), "{md}");
        // Ids are code spans, where nothing is markup.
        assert!(md.contains("| `<img src=x onerror=alert(2)>` |"), "{md}");
        assert!(
            md.contains("\\<script\\>alert('t')\\</script\\> \\| a b"),
            "{md}"
        );
        // Nothing machine-dependent.
        assert!(!md.contains("/abs/out") && !md.contains("1.00"), "{md}");
        assert!(md.contains("| in.jsonl:3 |"), "{md}");
    }
}
