//! Broken model folders: a truncated `model.safetensors`, a missing `tokenizer.json`, a
//! `config.json` of another shape. Each exits 2 before writing anything, with a message
//! naming the file and `scripts/setup.sh`, and never a panic.
//!
//! The model folder is rebuilt in a temp dir: small files are copied, the unchanged
//! weights are symlinked (read only, never opened for writing), and a truncated weights
//! file is a new file holding a prefix. `models/<name>` points at shared files, so
//! nothing is ever written through it.

use std::path::Path;

use recoupe_e2e::{model_installed, recoupe_bin, run, workspace_root};

const MODEL: &str = "all-minilm-l6-v2";

/// A copy of the model folder in `dir/<name>` (weights symlinked).
fn copy_model(dir: &Path, name: &str) -> std::path::PathBuf {
    let real = workspace_root().join("models").join(MODEL);
    let real = std::fs::canonicalize(real).unwrap();
    let copy = dir.join(name);
    for entry in walk(&real) {
        let rel = entry.strip_prefix(&real).unwrap();
        let dest = copy.join(rel);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        if rel == Path::new("model.safetensors") {
            std::os::unix::fs::symlink(&entry, &dest).unwrap();
        } else {
            std::fs::copy(&entry, &dest).unwrap();
        }
    }
    copy
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn edit_config(model: &Path, field: &str, value: u64) {
    let path = model.join("config.json");
    let mut config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    config[field] = value.into();
    std::fs::write(&path, serde_json::to_vec_pretty(&config).unwrap()).unwrap();
}

#[test]
fn broken_model_files_exit_2_naming_the_file() {
    if !model_installed(MODEL) {
        eprintln!("SKIP: model {MODEL} not installed; run scripts/setup.sh");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models");
    let input = dir.path().join("in.jsonl");
    std::fs::write(
        &input,
        "{\"id\":\"a\",\"text\":\"The harbour authority closed two terminals.\"}\n",
    )
    .unwrap();

    // (model folder name, file the message must name, what must be said)
    let mut cases: Vec<(&str, &str, &str)> = Vec::new();

    let m = copy_model(&models, "truncated-weights");
    let weights = m.join("model.safetensors");
    let full = std::fs::read(&weights).unwrap();
    std::fs::remove_file(&weights).unwrap(); // the symlink, not its target
    std::fs::write(&weights, &full[..full.len() / 2]).unwrap();
    drop(full);
    cases.push(("truncated-weights", "model.safetensors", "truncated"));

    let m = copy_model(&models, "empty-weights");
    std::fs::remove_file(m.join("model.safetensors")).unwrap();
    std::fs::write(m.join("model.safetensors"), b"").unwrap();
    cases.push(("empty-weights", "model.safetensors", "too short"));

    let m = copy_model(&models, "no-tokenizer");
    std::fs::remove_file(m.join("tokenizer.json")).unwrap();
    cases.push(("no-tokenizer", "tokenizer.json", "missing"));

    let m = copy_model(&models, "cut-tokenizer");
    let tok = std::fs::read(m.join("tokenizer.json")).unwrap();
    std::fs::write(m.join("tokenizer.json"), &tok[..tok.len() / 3]).unwrap();
    cases.push(("cut-tokenizer", "tokenizer.json", "corrupt"));

    let m = copy_model(&models, "wide-config");
    edit_config(&m, "hidden_size", 768);
    cases.push(("wide-config", "config.json", "different models"));

    let m = copy_model(&models, "deep-config");
    edit_config(&m, "num_hidden_layers", 12);
    cases.push(("deep-config", "num_hidden_layers = 12", "different models"));

    let m = copy_model(&models, "bad-heads");
    edit_config(&m, "num_attention_heads", 5);
    cases.push(("bad-heads", "config.json", "num_attention_heads 5"));

    let m = copy_model(&models, "bad-json-config");
    std::fs::write(m.join("config.json"), "{\"hidden_size\": 384,").unwrap();
    cases.push(("bad-json-config", "config.json", "invalid JSON"));

    let bin = recoupe_bin().unwrap();
    let mut failures = Vec::new();
    for (name, file, says) in cases {
        let out = dir.path().join(format!("out-{name}"));
        let r = run(
            &bin,
            &[
                "run",
                input.to_str().unwrap(),
                "--model",
                name,
                "--models-dir",
                models.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
        )
        .unwrap();
        eprintln!("{name}: exit {:?}: {}", r.code, r.stderr.trim());
        let ok = r.code == Some(2)
            && !r.stderr.contains("panicked")
            && r.stderr.contains(file)
            && r.stderr.contains(says)
            && r.stderr.contains("scripts/setup.sh")
            && !out.exists();
        if !ok {
            failures.push(format!(
                "{name}: exit {:?}, want 2 naming {file} and saying {says:?}: {}",
                r.code, r.stderr
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
