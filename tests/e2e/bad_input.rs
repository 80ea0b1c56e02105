//! Hostile input: every record is accounted for exactly once, bad ones are rejected with
//! their file, line and reason, and setup errors exit 2 without writing anything.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use recoupe_e2e::{read_jsonl, recoupe_bin, run, seeds_dir, skip_without};
use serde_json::{json, Value};

const MODEL: &str = "all-minilm-l6-v2";

fn seed_text(prefix: &str) -> String {
    read_jsonl(&seeds_dir().unwrap().join("articles.jsonl"))
        .unwrap()
        .into_iter()
        .find(|v| v["id"].as_str().unwrap().starts_with(prefix))
        .unwrap()["text"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Writes the hostile JSONL; returns (line, expected reject kind or None) per record.
fn hostile_jsonl(path: &Path) -> Vec<(u64, Option<&'static str>)> {
    let mut f = std::fs::File::create(path).unwrap();
    let mut expected = Vec::new();
    let mut line = 0u64;
    let mut put =
        |f: &mut std::fs::File, bytes: &[u8], kind: Option<&'static str>, record: bool| {
            line += 1;
            f.write_all(bytes).unwrap();
            f.write_all(b"\n").unwrap();
            if record {
                expected.push((line, kind));
            }
        };
    let obj = |v: Value| serde_json::to_vec(&v).unwrap();
    put(
        &mut f,
        &obj(json!({"id": "a1", "text": seed_text("000")})),
        None,
        true,
    );
    put(&mut f, b"{not json", Some("malformed_json"), true);
    put(&mut f, &obj(json!({"id": "b"})), Some("missing_text"), true);
    put(
        &mut f,
        &obj(json!({"id": "c", "text": " \n\t "})),
        Some("empty_text"),
        true,
    );
    put(
        &mut f,
        &obj(json!({"id": "a1", "text": "again"})),
        Some("duplicate_id"),
        true,
    );
    put(
        &mut f,
        b"{\"id\":\"d\",\"text\":\"caf\xff\"}",
        Some("invalid_utf8"),
        true,
    );
    let deep = format!(
        "{{\"id\":\"e\",\"text\":\"x\",\"n\":{}{}}}",
        "[".repeat(500),
        "]".repeat(500)
    );
    put(&mut f, deep.as_bytes(), Some("malformed_json"), true);
    put(
        &mut f,
        &obj(json!({"id": "f", "text": "Partager cet article\nRead more: elsewhere"})),
        Some("empty_after_cleaning"),
        true,
    );
    put(
        &mut f,
        &obj(json!({"id": "a2", "text": seed_text("001"), "source": "Press TV"})),
        None,
        true,
    );
    // A 50 MB article: processed (on a bounded prefix), not hung.
    let paragraph = "Le ministre chinois de la Défense a salué dimanche des liens forts avec Moscou lors d'une rencontre au Kremlin.\n";
    let big: String = paragraph.repeat(50 * 1024 * 1024 / paragraph.len() + 1);
    put(&mut f, &obj(json!({"id": "big", "text": big})), None, true);
    put(&mut f, b"   ", None, false);
    put(
        &mut f,
        &obj(
            json!({"id": "g", "text": "NUL \u{0} byte, CRLF\r\nand RTL: مرحبا بالعالم هذا نص عربي طويل بما يكفي"}),
        ),
        None,
        true,
    );
    put(
        &mut f,
        &obj(json!({"id": 12, "text": "A numeric id is read as a string."})),
        None,
        true,
    );
    put(&mut f, b"[1, 2]", Some("malformed_json"), true);
    put(
        &mut f,
        &obj(json!({"id": "h", "text": "😀😀😀 🎉"})),
        Some("no_content"),
        true,
    );
    put(
        &mut f,
        &obj(json!({"id": "i", "text": "ok", "title": {"nested": true}})),
        Some("invalid_field"),
        true,
    );
    expected
}

#[test]
fn every_record_is_accounted_for_exactly_once() {
    if skip_without(MODEL) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let jsonl = dir.path().join("hostile.jsonl");
    let expected = hostile_jsonl(&jsonl);
    let folder = dir.path().join("folder");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("ok.txt"), seed_text("003")).unwrap();
    std::fs::write(folder.join("bad.txt"), b"valid start \xc3\x28 then bad").unwrap();
    std::fs::write(folder.join("blank.md"), "   \n\n").unwrap();
    std::fs::write(folder.join("ignored.json"), "{}").unwrap();
    let csv = dir.path().join("in.csv");
    std::fs::write(
        &csv,
        "id,text\nr1,\"A row, with a comma.\"\nr2,too,many\nr3,\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let bin = recoupe_bin().unwrap();
    let started = std::time::Instant::now();
    let r = run(
        &bin,
        &[
            "run",
            jsonl.to_str().unwrap(),
            folder.to_str().unwrap(),
            csv.to_str().unwrap(),
            "--model",
            MODEL,
            "--out",
            out.to_str().unwrap(),
            "--strict",
        ],
    )
    .unwrap();
    eprintln!("hostile run took {:?}\n{}", started.elapsed(), r.stderr);
    assert_eq!(
        r.code,
        Some(3),
        "--strict with rejects exits 3: {}",
        r.stderr
    );
    let articles = read_jsonl(&out.join("articles.jsonl")).unwrap();
    let rejects = read_jsonl(&out.join("rejects.jsonl")).unwrap();

    // (file, line) -> how often it appears, over both files.
    let mut seen: BTreeMap<(String, Option<u64>), Vec<String>> = BTreeMap::new();
    for a in &articles {
        seen.entry((a["file"].as_str().unwrap().to_owned(), a["line"].as_u64()))
            .or_default()
            .push("article".into());
    }
    for r in &rejects {
        seen.entry((r["file"].as_str().unwrap().to_owned(), r["line"].as_u64()))
            .or_default()
            .push(r["detail"]["kind"].as_str().unwrap().to_owned());
    }
    let jsonl_name = jsonl.to_str().unwrap().to_owned();
    for (line, kind) in &expected {
        let got = seen
            .remove(&(jsonl_name.clone(), Some(*line)))
            .unwrap_or_default();
        let want = kind.unwrap_or("article");
        assert_eq!(got, vec![want.to_owned()], "line {line}");
    }
    let folder_file = |name: &str| (format!("{}/{name}", folder.display()), None);
    assert_eq!(seen.remove(&folder_file("ok.txt")).unwrap(), ["article"]);
    assert_eq!(
        seen.remove(&folder_file("bad.txt")).unwrap(),
        ["invalid_utf8"]
    );
    assert_eq!(
        seen.remove(&folder_file("blank.md")).unwrap(),
        ["empty_text"]
    );
    let csv_name = csv.to_str().unwrap().to_owned();
    assert_eq!(
        seen.remove(&(csv_name.clone(), Some(2))).unwrap(),
        ["article"]
    );
    assert_eq!(
        seen.remove(&(csv_name.clone(), Some(3))).unwrap(),
        ["malformed_csv"]
    );
    assert_eq!(seen.remove(&(csv_name, Some(4))).unwrap(), ["empty_text"]);
    assert!(seen.is_empty(), "unexpected records: {seen:?}");

    // Reasons name what to look at.
    let reject = |kind: &str| {
        rejects
            .iter()
            .find(|r| r["detail"]["kind"] == kind)
            .unwrap()
    };
    assert_eq!(reject("duplicate_id")["detail"]["first"]["line"], 1);
    let utf8: Vec<&Value> = rejects
        .iter()
        .filter(|r| r["detail"]["kind"] == "invalid_utf8")
        .collect();
    assert!(
        utf8.iter().any(|r| r["detail"]["byte_offset"] == 12),
        "{utf8:?}"
    );
    let big = articles.iter().find(|a| a["id"] == "big").unwrap();
    assert!(big["truncated"]
        .as_array()
        .unwrap()
        .contains(&json!("compare")));
    let numeric = articles.iter().find(|a| a["id"] == "12").unwrap();
    assert_eq!(numeric["line"], 13);

    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(summary["records"], expected.len() + 3 + 3);
    assert_eq!(
        summary["articles"].as_u64().unwrap() + summary["rejected"].as_u64().unwrap(),
        summary["records"].as_u64().unwrap()
    );
    // The temp folder differs per run: keep the rest of each message.
    let tmp = dir.path().display().to_string();
    let rejects_snapshot: Vec<Value> = rejects
        .iter()
        .map(|r| {
            let reason = r["reason"].as_str().unwrap().replace(&tmp, "[tmp]");
            let file = r["file"].as_str().unwrap().replace(&tmp, "[tmp]");
            json!({"file": file, "line": r["line"], "id": r["id"], "reason": reason})
        })
        .collect();
    insta::assert_json_snapshot!("hostile_rejects", rejects_snapshot);
}

#[test]
fn missing_input_exits_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let bin = recoupe_bin().unwrap();
    let r = run(
        &bin,
        &[
            "run",
            "/no/such/input.jsonl",
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .unwrap();
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("/no/such/input.jsonl"), "{}", r.stderr);
    assert!(!out.exists());
}

#[test]
fn missing_model_exits_2_and_writes_nothing() {
    let Some(seeds) = seeds_dir() else {
        eprintln!("SKIP: seed articles not found");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let models = dir.path().join("models");
    std::fs::create_dir_all(models.join("broken")).unwrap();
    std::fs::write(models.join("broken/config.json"), "{ not a model").unwrap();
    let bin = recoupe_bin().unwrap();
    let input = seeds.join("articles.jsonl");
    for model in ["absent", "broken"] {
        let r = run(
            &bin,
            &[
                "run",
                input.to_str().unwrap(),
                "--model",
                model,
                "--models-dir",
                models.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
        )
        .unwrap();
        assert_eq!(r.code, Some(2), "{model}: {}", r.stderr);
        assert!(r.stderr.contains(model), "{}", r.stderr);
        assert!(!out.exists(), "{model}: output written");
    }
}

#[test]
fn default_config_parses_back() {
    let bin = recoupe_bin().unwrap();
    let r = run(&bin, &["config", "--default"]).unwrap();
    assert_eq!(r.code, Some(0));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    std::fs::write(&path, &r.stdout).unwrap();
    // A run with a bad config file exits 2 naming the file; the defaults are accepted
    // (checked by the missing-input error coming first from the inputs, not the config).
    let args = [
        "run",
        "/no/such.jsonl",
        "--config",
        path.to_str().unwrap(),
        "--out",
        "x",
    ];
    let r2 = run(&bin, &args).unwrap();
    assert_eq!(r2.code, Some(2));
    assert!(r2.stderr.contains("/no/such.jsonl"), "{}", r2.stderr);
    std::fs::write(&path, "[embed]\nmodle = 1\n").unwrap();
    let r3 = run(&bin, &args).unwrap();
    assert_eq!(r3.code, Some(2));
    assert!(r3.stderr.contains("modle"), "{}", r3.stderr);
}
