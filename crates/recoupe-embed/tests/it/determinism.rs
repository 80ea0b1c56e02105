//! The output does not depend on the number of workers, nor on batch composition order.

use recoupe_embed::SentenceEmbedder;

use crate::common::model_dir;

fn corpus() -> Vec<String> {
    let mut texts = vec![
        "Un séisme frappe le centre de l'Italie.".to_string(),
        "The central bank left rates unchanged.".to_string(),
    ];
    let long: String = (0..60)
        .map(|i| format!("Sentence number {i} of a long article about the same event. "))
        .collect();
    texts.push(long);
    for i in 0..20 {
        texts.push(format!(
            "Headline {i}: markets {} as investors weigh the data.",
            if i % 2 == 0 { "rise" } else { "fall" }
        ));
    }
    texts
}

#[test]
fn one_and_two_workers_give_identical_bits() {
    let Some(dir) = model_dir("all-minilm-l6-v2") else {
        return;
    };
    let texts = corpus();
    let one = SentenceEmbedder::builder(&dir)
        .workers(1)
        .batch_size(4)
        .build()
        .unwrap();
    let two = SentenceEmbedder::builder(&dir)
        .workers(2)
        .batch_size(4)
        .build()
        .unwrap();
    let a = one.embed(&texts).unwrap();
    let b = two.embed(&texts).unwrap();
    assert_eq!(a.shape(), b.shape());
    let same = a
        .iter()
        .zip(b.iter())
        .all(|(x, y)| x.to_bits() == y.to_bits());
    assert!(same, "1 and 2 workers differ");
    assert_eq!(one.model_id(), two.model_id());
}

#[test]
fn rows_are_unit_length_and_in_input_order() {
    let Some(dir) = model_dir("all-minilm-l6-v2") else {
        return;
    };
    let texts = corpus();
    let e = SentenceEmbedder::builder(&dir).workers(2).build().unwrap();
    let all = e.embed(&texts).unwrap();
    for (i, t) in texts.iter().enumerate().step_by(5) {
        let single = e.embed_one(t).unwrap();
        let row = all.row(i);
        let norm: f32 = row.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5, "row {i} norm {norm}");
        let cos: f32 = row.iter().zip(&single).map(|(x, y)| x * y).sum();
        // a different batch (padding) changes the float rounding only
        assert!(
            cos > 0.99999,
            "row {i} differs from embedding it alone: {cos}"
        );
    }
}
