//! `report.html` in a real browser: headless Chromium loads from disk the report of the
//! seed articles (screenshot; cluster count drawn by the script, highlighted evidence of
//! the 000/001/002 story) and of two hostile articles (markup shown as text, never run).
//! `report.md` of the seeds is snapshotted. Without Chromium the browser half skips
//! with a message.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use recoupe_e2e::{model_installed, read_jsonl, recoupe_bin, run, seeds_dir, skip_without};
use serde_json::Value;

const MODEL: &str = "multilingual-e5-small";

/// Each payload, if it ran, would leave a mark in the DOM that its text alone cannot:
/// an attribute set to `ran`, or the title `xss-ran` (the text only has `'xss' + '-ran'`).
const HOSTILE_TEXT: &str = "Recette du gâteau aux noix de grand-mère, pas à pas. \
<script>document.documentElement.setAttribute('data-xss-script','ran');document.title='xss'+'-ran'</script> \
Préchauffer le four à 180 degrés et beurrer un moule de vingt-deux centimètres. \
\"><img src=x onerror=\"document.body.setAttribute('data-xss-img','ran')\"> \
Battre six oeufs avec deux cent cinquante grammes de sucre jusqu'à ce que le mélange blanchisse, \
puis ajouter les noix concassées, la farine tamisée et une pincée de sel. \
</textarea></title><svg onload=\"document.body.setAttribute('data-xss-svg','ran')\"> \
Enfourner quarante minutes et laisser refroidir avant de démouler sur une grille.";

fn hostile_jsonl(path: &Path) {
    let rows = [
        serde_json::json!({
            "id": "x01<script>",
            "title": "<script>document.title='xss'+'-ran'</script> | gâteau\nnoix",
            "source": "\"><img src=x onerror=\"document.body.setAttribute('data-xss-src','ran')\">",
            "text": HOSTILE_TEXT,
        }),
        serde_json::json!({
            "id": "x02\"><b>",
            "source": "Blog <i>cuisine</i>",
            "text": format!("{HOSTILE_TEXT}\n\nBon appétit !"),
        }),
    ];
    let text: String = rows.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(path, text).unwrap();
}

/// `/usr/bin/chromium`, or `RECOUPE_CHROMIUM` when set.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("RECOUPE_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    path.is_file().then_some(path)
}

/// Runs headless Chromium with a fresh profile on `url`; returns stdout. Output goes to
/// files (a full pipe would stall the browser); killed after 120 s, so a hung browser
/// fails the test instead of hanging it.
fn chromium_run(chrome: &Path, profile: &Path, extra: &[&str], url: &str) -> (String, String) {
    std::fs::create_dir_all(profile).unwrap();
    let stdout = profile.join("stdout.txt");
    let stderr = profile.join("stderr.txt");
    let mut child = Command::new(chrome)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!(
            "--user-data-dir={}",
            profile.join("data").display()
        ))
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout).unwrap())
        .stderr(std::fs::File::create(&stderr).unwrap())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish in 120 s: {extra:?} {url}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        status.success(),
        "chromium failed: {}",
        std::fs::read_to_string(&stderr).unwrap_or_default()
    );
    (
        std::fs::read_to_string(&stdout).unwrap(),
        std::fs::read_to_string(&stderr).unwrap_or_default(),
    )
}

fn dump_dom(chrome: &Path, profile: &Path, url: &str) -> String {
    // Console messages go to stderr: an exception in the page's script fails the test.
    let (dom, log) = chromium_run(
        chrome,
        profile,
        &[
            "--virtual-time-budget=5000",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
        ],
        url,
    );
    assert!(dom.contains("</html>"), "no DOM dumped: {dom:.300}");
    let errors: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught"))
        .collect();
    assert!(errors.is_empty(), "console output: {errors:#?}");
    dom
}

/// Text content of every `<mark ...>` element (marks hold text only).
fn marks(dom: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = dom;
    while let Some(i) = rest.find("<mark class=\"ev") {
        rest = &rest[i..];
        let open = rest.find('>').unwrap() + 1;
        let close = rest.find("</mark>").unwrap();
        let inner = &rest[open..close];
        // A removed passage inside a mark is a <span>: keep its text.
        let mut text = String::new();
        let mut in_tag = false;
        for c in inner.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        out.push(unescape(&text));
        rest = &rest[close..];
    }
    out
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

fn escape_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn attr<'a>(dom: &'a str, id: &str, name: &str) -> Option<&'a str> {
    let at = dom.find(&format!("id=\"{id}\""))?;
    let tag_start = dom[..at].rfind('<')?;
    let tag = &dom[tag_start..tag_start + dom[tag_start..].find('>')?];
    let key = format!("{name}=\"");
    let v = tag.find(&key)? + key.len();
    Some(&tag[v..v + tag[v..].find('"')?])
}

fn file_url(path: &Path) -> String {
    format!("file://{}", path.display()).replace(' ', "%20")
}

/// Replaces every decimal number with two or more decimals (scores) by `[n]`, so the
/// snapshot does not depend on the CPU's float rounding.
fn mask_scores(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() && (i == 0 || !chars[i - 1].is_ascii_alphanumeric()) {
            let mut j = i;
            while j < chars.len() && chars[j].is_ascii_digit() {
                j += 1;
            }
            if j + 2 < chars.len()
                && chars[j] == '.'
                && chars[j + 1].is_ascii_digit()
                && chars[j + 2].is_ascii_digit()
            {
                let mut k = j + 1;
                while k < chars.len() && chars[k].is_ascii_digit() {
                    k += 1;
                }
                out.push_str("[n]");
                i = k;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

fn run_cli(args: &[&str]) {
    let r = run(&recoupe_bin().unwrap(), args).unwrap();
    assert_eq!(r.code, Some(0), "stderr: {}", r.stderr);
}

fn chromium_or_skip() -> Option<PathBuf> {
    let found = chromium();
    if found.is_none() {
        eprintln!(
            "SKIP: /usr/bin/chromium not found (nor RECOUPE_CHROMIUM); install with \
             apt-get install chromium -- report.html was written but not checked in a browser"
        );
    }
    found
}

/// The seed articles: report.md snapshot, a screenshot, and the rendered DOM (cluster
/// count drawn by the script, the 000/001/002 story open with its evidence highlighted).
/// Scores, relation labels and the duplicate count come from the model's floats (bf16
/// where the CPU has it), so they may differ between machines; seeds.rs checks the
/// relations within their tolerance. The shared names of a cluster are ranked by
/// summed scores, so their order may differ too: the test checks them apart.
/// Everything else of report.md is snapshotted.
fn mask_machine_dependent(md: &str) -> String {
    let mut md = mask_scores(md);
    for relation in ["same_story", "rewrite", "copy"] {
        md = md.replace(&format!("` {relation} [n]"), "` [relation] [n]");
    }
    let mut lines: Vec<String> = md.lines().map(str::to_owned).collect();
    for line in &mut lines {
        if line.starts_with("| c") {
            let mut cells: Vec<&str> = line.split(" | ").collect();
            if cells.len() == 7 {
                cells[4] = "[names]";
                *line = cells.join(" | ");
            }
        }
        if let Some(at) = line.find("** duplicates") {
            if let Some(open) = line[..at].rfind("**") {
                line.replace_range(open + 2..at, "[n]");
            }
        }
    }
    lines.join("\n") + "\n"
}

#[test]
fn seeds_report_in_chromium() {
    if skip_without(MODEL) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let seeds = seeds_dir().unwrap().join("articles.jsonl");
    run_cli(&[
        "run",
        seeds.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    let report = out.join("report.html");
    let html = std::fs::read_to_string(&report).unwrap();
    for fetch in ["src=\"http", "href=\"http", "url(http", "@import"] {
        assert!(!html.contains(fetch), "{fetch} in report.html");
    }
    let clusters = read_jsonl(&out.join("clusters.jsonl")).unwrap();
    let pairs = read_jsonl(&out.join("pairs.jsonl")).unwrap();
    let articles = read_jsonl(&out.join("articles.jsonl")).unwrap();
    let story = articles
        .iter()
        .find(|a| a["id"].as_str().unwrap().starts_with("000"))
        .unwrap()["cluster"]
        .as_str()
        .unwrap()
        .to_owned();

    // pairs.jsonl says why each pair of the story scored what it did: the parts add up
    // to the score, and the meeting's own names (the Chinese minister of 000-002, not
    // the Dong Jun or Zhang Youxia of 003 and 004) are among the shared tokens.
    let story_pairs: Vec<&Value> = pairs
        .iter()
        .filter(|p| p["cluster"] == story.as_str())
        .collect();
    assert_eq!(story_pairs.len(), 3, "the three pairs of 000-002");
    for p in &story_pairs {
        let x = &p["explanation"];
        let part = |k: &str| x[k].as_f64().unwrap();
        let score = p["score"].as_f64().unwrap();
        assert!(
            (part("embedding") + part("rare") + part("neighbourhood")
                - part("date_penalty")
                - score)
                .abs()
                < 1e-4,
            "{p}"
        );
        let terms: Vec<&str> = x["shared"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["term"].as_str().unwrap())
            .collect();
        assert!(terms.contains(&"Shangfu"), "{terms:?}");
        for stranger in ["Dong", "Jun", "Zhang", "Youxia", "Belousov"] {
            assert!(!terms.contains(&stranger), "{stranger} in {terms:?}");
        }
        let listed: f64 = x["shared"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["score"].as_f64().unwrap())
            .sum();
        assert!(listed > 0.0 && listed <= part("rare") + 1e-4, "{p}");
    }

    // Why the other two are apart: each names its closest other cluster, below the
    // threshold (the event split does not act on five articles).
    for c in &clusters {
        let n = &c["nearest"];
        assert!(n.is_object(), "{c}");
        assert!(
            n["average"].as_f64().unwrap() < n["threshold"].as_f64().unwrap(),
            "{c}"
        );
        assert_ne!(n["cluster"], c["cluster"]);
    }

    // report.md: stable across machines once the scores are masked.
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("## Closest calls"), "{md}");
    assert!(
        !md.contains(&out.display().to_string()),
        "absolute path in report.md"
    );
    let row = md
        .lines()
        .find(|l| l.starts_with(&format!("| {story} |")))
        .expect("the seed story's row");
    assert!(
        row.contains("Shangfu") && !row.contains("Dong") && !row.contains("Zhang"),
        "{row}"
    );
    insta::assert_snapshot!("seeds_report_md", mask_machine_dependent(&md));

    let Some(chrome) = chromium_or_skip() else {
        return;
    };
    // Screenshot, kept under the target dir as a test artifact.
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("html_report");
    std::fs::create_dir_all(&shots).unwrap();
    let shot = shots.join("seeds.png");
    let _ = std::fs::remove_file(&shot);
    chromium_run(
        &chrome,
        &dir.path().join("profile-shot"),
        &[
            "--window-size=1400,2400",
            "--virtual-time-budget=5000",
            &format!("--screenshot={}", shot.display()),
        ],
        &file_url(&report),
    );
    let png = std::fs::read(&shot).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert!(
        png.len() > 30_000,
        "screenshot of {} bytes looks blank",
        png.len()
    );
    eprintln!("screenshot: {} ({} bytes)", shot.display(), png.len());

    // Default view: the largest story (000/001/002) is open with its best pair.
    let dom = dump_dom(&chrome, &dir.path().join("profile-dom"), &file_url(&report));
    assert!(dom.contains("<title>recoupe report</title>"));
    assert_eq!(
        attr(&dom, "cluster-count", "data-total"),
        Some(clusters.len().to_string().as_str()),
        "cluster count drawn by the script"
    );
    assert_eq!(
        dom.matches("<tr data-cluster=\"").count(),
        clusters.len().min(50),
        "one row per cluster on the first page"
    );
    assert_eq!(attr(&dom, "reject-count", "data-total"), Some("0"));
    assert!(
        dom.contains(&format!("Cluster {story}")),
        "the seed story is not the one opened"
    );
    let shown = attr(&dom, "evidence-count", "data-n")
        .expect("a pair of the seed story is shown")
        .parse::<usize>()
        .unwrap();
    assert!(shown >= 1, "the shown pair has evidence");
    let found = marks(&dom);
    assert!(
        found.len() >= 2 * shown,
        "{} marks for {shown} passages",
        found.len()
    );
    // Every highlight is (part of) an evidence passage of the story in pairs.jsonl.
    let passages: Vec<String> = pairs
        .iter()
        .filter(|p| p["cluster"] == story.as_str())
        .flat_map(|p| p["evidence"].as_array().unwrap().clone())
        .flat_map(|e| [e["a"]["text"].clone(), e["b"]["text"].clone()])
        .map(|t: Value| t.as_str().unwrap().to_owned())
        .collect();
    for m in &found {
        let head: String = m.chars().take(40).collect();
        assert!(
            passages.iter().any(|p| p.contains(head.trim())),
            "highlight {m:?} is not an evidence passage"
        );
    }
    let longest = found.iter().map(|m| m.chars().count()).max().unwrap_or(0);
    assert!(
        longest >= 100,
        "highlights are whole passages, not fragments"
    );
    // The open cluster says which cluster it came closest to joining, and why not.
    let near_at = dom
        .find("id=\"nearest\"")
        .expect("the closest other cluster is drawn");
    let near = &dom[near_at..near_at + dom[near_at..].find("</p>").unwrap()];
    assert!(near.contains("below the threshold"), "{near}");
    // The shown pair's explanation: the score's parts and the shared names.
    let why_at = dom
        .find("id=\"pair-why\"")
        .expect("the pair's explanation is drawn");
    let why = &dom[why_at..why_at + dom[why_at..].find("</div>").unwrap()];
    assert!(
        why.contains("embedding") && why.contains("rare tokens"),
        "{why}"
    );
    assert!(why.contains("Shangfu"), "{why}");
}

/// Hostile titles, sources, ids and texts render as text, and none of their scripts or
/// handlers run (the page's own script does: it draws the rows).
#[test]
fn hostile_report_in_chromium() {
    // Any model will do: this checks rendering, and the smaller one loads faster.
    let model = if model_installed("all-minilm-l6-v2") {
        "all-minilm-l6-v2"
    } else {
        MODEL
    };
    if skip_without(model) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let hostile = dir.path().join("hostile.jsonl");
    hostile_jsonl(&hostile);
    run_cli(&[
        "run",
        hostile.to_str().unwrap(),
        "--model",
        model,
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    let report = out.join("report.html");
    let html = std::fs::read_to_string(&report).unwrap();
    for raw in [
        "<script>document",
        "<img src=x",
        "<svg onload",
        "<i>cuisine",
        "</textarea",
    ] {
        assert!(!html.contains(raw), "{raw} in report.html");
    }
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    let table: Vec<&str> = md.lines().filter(|l| l.starts_with("| c")).collect();
    assert_eq!(table.len(), 1, "{md}");
    // Eight unescaped pipes: the borders of the row's seven cells, none from the hostile
    // title.
    assert_eq!(
        table[0].matches('|').count() - table[0].matches("\\|").count(),
        8,
        "{md}"
    );
    let articles = read_jsonl(&out.join("articles.jsonl")).unwrap();
    assert_eq!(articles.len(), 2);
    assert_eq!(articles[0]["cluster"], articles[1]["cluster"], "two copies");
    let cluster = articles[0]["cluster"].as_str().unwrap();

    let Some(chrome) = chromium_or_skip() else {
        return;
    };
    let url = format!("{}#cluster={cluster}", file_url(&report));
    let dom = dump_dom(&chrome, &dir.path().join("profile"), &url);
    assert_eq!(dom.matches("<tr data-cluster=\"").count(), 1, "script ran");
    assert!(
        dom.contains(&format!("Cluster {cluster}")),
        "cluster not opened"
    );
    assert!(
        dom.contains("<title>recoupe report</title>"),
        "title changed"
    );
    assert!(!dom.contains("xss-ran"), "a script set the title");
    assert!(!dom.contains("=\"ran\""), "an injected handler ran");
    assert!(!dom.contains("<img src=\"x\"") && !dom.contains("<img src=x"));
    assert!(!dom.contains("<svg onload"));
    for shown in [
        "&lt;script&gt;document.documentElement.setAttribute('data-xss-script','ran')",
        "\"&gt;&lt;img src=x onerror=\"document.body.setAttribute('data-xss-img','ran')\"&gt;",
        "&lt;/textarea&gt;&lt;/title&gt;&lt;svg onload=",
        "Blog &lt;i&gt;cuisine&lt;/i&gt;",
        "x02\"&gt;&lt;b&gt;",
        "onerror=\"document.body.setAttribute('data-xss-src','ran')\"&gt;",
    ] {
        assert!(dom.contains(shown), "not shown as text: {shown}");
    }
    assert!(
        dom.contains(&escape_text(
            "<script>document.title='xss'+'-ran'</script> | gâteau noix"
        )),
        "title shown as one line of text"
    );
    // Both texts are in the side-by-side view, with the shared passages highlighted.
    assert!(dom.matches("Bon appétit").count() >= 1);
    assert!(!marks(&dom).is_empty(), "copies share highlighted passages");
}
