//! Errors a caller can handle: missing model files, empty text.

use recoupe_embed::{Error, SentenceEmbedder};

use crate::common::model_dir;

#[test]
fn missing_model_names_file_and_setup() {
    let dir = std::env::temp_dir().join("recoupe-embed-no-such-model");
    let err = SentenceEmbedder::builder(&dir).build().unwrap_err();
    assert!(matches!(err, Error::MissingModelFile { .. }), "{err:?}");
    assert!(err.to_string().contains("scripts/setup.sh"));
}

#[cfg(feature = "rust-bert")]
#[test]
fn corrupt_weights_name_the_file() {
    let Some(real) = model_dir("all-minilm-l6-v2") else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("recoupe-embed-corrupt-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("1_Pooling")).unwrap();
    for f in [
        "config.json",
        "tokenizer.json",
        "modules.json",
        "sentence_bert_config.json",
        "1_Pooling/config.json",
    ] {
        std::fs::copy(real.join(f), dir.join(f)).unwrap();
    }
    std::fs::write(dir.join("model.safetensors"), b"not a safetensors file").unwrap();
    let err = SentenceEmbedder::builder(&dir)
        .workers(1)
        .build()
        .unwrap_err();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(matches!(err, Error::CorruptModelFile { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("model.safetensors") && msg.contains("scripts/setup.sh"),
        "{msg}"
    );
}

#[cfg(feature = "rust-bert")]
#[test]
fn empty_text_is_a_typed_error() {
    let Some(dir) = model_dir("all-minilm-l6-v2") else {
        return;
    };
    let e = SentenceEmbedder::builder(&dir).workers(1).build().unwrap();
    let err = e.embed(&["fine", "   ", "also fine"]).unwrap_err();
    assert!(matches!(err, Error::EmptyText { index: 1 }), "{err:?}");
    assert!(matches!(
        e.embed_one(""),
        Err(Error::EmptyText { index: 0 })
    ));
    assert_eq!(e.embed::<&str>(&[]).unwrap().shape(), &[0, e.dim()]);
}

#[cfg(not(feature = "rust-bert"))]
#[test]
fn disabled_backend_says_how_to_rebuild() {
    let Some(dir) = model_dir("all-minilm-l6-v2") else {
        return;
    };
    let err = SentenceEmbedder::builder(&dir).build().unwrap_err();
    assert!(matches!(err, Error::BackendDisabled), "{err:?}");
    assert!(err.to_string().contains("rust-bert"));
}
