//! The `recoupe` binary without a model: usage errors and `config --default`.

use std::process::Command;

fn recoupe() -> Command {
    Command::new(env!("CARGO_BIN_EXE_recoupe"))
}

#[test]
fn config_default_prints_every_table() {
    let out = recoupe().args(["config", "--default"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for table in [
        "[input]",
        "[clean]",
        "[language]",
        "[tokenize]",
        "[minhash]",
        "[neighbours]",
        "[neighbours.ivf]",
        "[embed]",
        "[similarity]",
        "[stories]",
        "[evidence]",
        "[limits]",
    ] {
        assert!(text.contains(table), "{table} missing:\n{text}");
    }
    assert!(recoupe_pipeline::PipelineConfig::from_toml(&text).is_ok());
}

#[test]
fn missing_input_is_exit_2_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let out = recoupe()
        .args(["run", "/definitely/missing.jsonl", "--out"])
        .arg(&out_dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot read input /definitely/missing.jsonl"),
        "{err}"
    );
    assert!(!out_dir.exists());
}

#[test]
fn unknown_model_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, "{\"id\":\"a\",\"text\":\"x\"}\n").unwrap();
    let out = recoupe()
        .arg("run")
        .arg(&input)
        .args(["--model", "no-such-model", "--models-dir"])
        .arg(dir.path())
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("model `no-such-model` not found") && err.contains("scripts/setup.sh"),
        "{err}"
    );
    assert!(!dir.path().join("out").exists());
}

#[test]
fn no_arguments_is_a_usage_error() {
    let out = recoupe().arg("run").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// A finished run's output folder, made by hand: gold stories under `extra`.
fn output_folder(dir: &std::path::Path) -> std::io::Result<()> {
    let lines = [
        r#"{"id":"a","cluster":"c1","extra":{"story":"s"}}"#,
        r#"{"id":"b","cluster":"c1","extra":{"story":"t"}}"#,
        r#"{"id":"c","cluster":"c2","extra":{"story":"t"}}"#,
        r#"{"id":"d","cluster":"c3"}"#,
    ];
    std::fs::write(dir.join("articles.jsonl"), lines.join("\n") + "\n")?;
    std::fs::write(
        dir.join("rejects.jsonl"),
        "{\"file\":\"in.jsonl\",\"line\":5,\"id\":\"e\",\"reason\":\"empty text\"}\n",
    )
}

#[test]
fn eval_from_output_prints_text_and_json() {
    let dir = tempfile::tempdir().unwrap();
    output_folder(dir.path()).unwrap();
    let out = recoupe()
        .args(["eval", "--gold", "story", "--from-output"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("3 articles evaluated"), "{text}");
    assert!(text.contains("1 without `story`, 1 rejected"), "{text}");
    assert!(text.contains("c1 (2 articles, 1 misplaced)"), "{text}");
    let out = recoupe()
        .args(["eval", "--gold", "story", "--json", "--from-output"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["evaluated"], 3);
    assert_eq!(json["rejected"], 1);
    assert_eq!(json["worst_splits"][0]["story"], "t");
    assert!(json["scores"]["b_cubed"]["f1"].as_f64().unwrap() < 1.0);
}

#[test]
fn eval_gold_field_missing_everywhere_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    output_folder(dir.path()).unwrap();
    let out = recoupe()
        .args(["eval", "--gold", "event", "--from-output"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("gold field `event` not found"), "{err}");
    assert!(err.contains("story"), "{err}");
    // Not an output folder; and neither inputs nor --from-output.
    let empty = tempfile::tempdir().unwrap();
    let out = recoupe()
        .args(["eval", "--gold", "story", "--from-output"])
        .arg(empty.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = recoupe()
        .args(["eval", "--gold", "story"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
