//! Prints the paragraphs, sentences and tokens of each argument (or of stdin), with their
//! byte ranges in the original, comparison forms and flags:
//! `cargo run -p recoupe-tokenize --example show -- "Il a ajouté M. Li. Fin."`

use std::io::Read;

use recoupe_tokenize::Tokenizer;

fn main() -> std::io::Result<()> {
    let mut texts: Vec<String> = std::env::args().skip(1).collect();
    if texts.is_empty() {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        texts.push(text);
    }
    let tokenizer = Tokenizer::default();
    for text in &texts {
        let doc = tokenizer.tokenize(text);
        for para in doc.paragraphs() {
            println!("paragraph {:?}", para.span.range());
            for sentence in &doc.sentences()[para.sentences.clone()] {
                println!(
                    "  sentence {:?} {:?}",
                    sentence.span.range(),
                    sentence.span.slice(text)
                );
                for t in doc.sentence_tokens(sentence) {
                    println!(
                        "    {:>5}..{:<5} {:<20} {:<20} flags={:06b}{}",
                        t.span.start,
                        t.span.end,
                        format!("{:?}", t.span.slice(text)),
                        format!("{:?}", doc.norm(t)),
                        t.flags.bits(),
                        if t.is_rare_candidate() { " rare" } else { "" }
                    );
                }
            }
        }
    }
    Ok(())
}
