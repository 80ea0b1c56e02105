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
        "[embed]",
        "[similarity]",
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
