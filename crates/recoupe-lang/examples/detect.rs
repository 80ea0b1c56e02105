//! Detects the language of stdin, as a whole and per paragraph, and prints JSON.
//!
//! ```text
//! echo "Le ministre a salué des liens forts." | cargo run -p recoupe-lang --example detect
//! ```

use std::io::Read;

fn main() -> anyhow::Result<()> {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text)?;
    let detector = recoupe_lang::LanguageDetector::new();
    println!(
        "{}",
        serde_json::to_string_pretty(&detector.detect_paragraphs(&text))?
    );
    Ok(())
}
