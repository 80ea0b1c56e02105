//! lingua's n-gram models, read in place (feature `hybrid`).
//!
//! Each `lingua-<language>-language-model` crate (Apache-2.0, by Peter M. Stahl) embeds a
//! finite-state transducer `ngrams.fst`: key = a lower-case 1- to 5-gram in UTF-8, value =
//! the bits of an `f64`, the natural log of its relative frequency (unigrams: share of all
//! unigrams; longer n-grams: conditional on their first n-1 characters). The bytes are
//! compiled into the binary and used where they lie, so opening a model costs nothing and
//! memory is only the pages a detection touches.

use std::sync::LazyLock;

use fst::raw::Fst;

use crate::lang::Lang;

/// One language's n-gram model.
pub(crate) type Model = Fst<&'static [u8]>;

/// Every model, by [`Lang::index`]; `None` for the languages without a lingua model.
static MODELS: LazyLock<Vec<Option<Model>>> = LazyLock::new(|| {
    Lang::ALL
        .iter()
        .map(|lang| model_bytes(*lang).and_then(|bytes| Fst::new(bytes).ok()))
        .collect()
});

/// The n-gram model of `lang`, if one is compiled in.
pub(crate) fn model(lang: Lang) -> Option<&'static Model> {
    MODELS.get(lang.index()).and_then(Option::as_ref)
}

/// Whether `lang` has a model.
pub(crate) fn has_model(lang: Lang) -> bool {
    model(lang).is_some()
}

/// The embedded `ngrams.fst` of `lang`'s lingua model crate.
fn model_bytes(lang: Lang) -> Option<&'static [u8]> {
    macro_rules! ngrams {
        ($dir:path) => {
            $dir.get_file("ngrams.fst").map(|f| f.contents())
        };
    }
    match lang {
        Lang::Afrikaans => ngrams!(lingua_afrikaans_language_model::AFRIKAANS_MODELS_DIRECTORY),
        Lang::Arabic => ngrams!(lingua_arabic_language_model::ARABIC_MODELS_DIRECTORY),
        Lang::Armenian => ngrams!(lingua_armenian_language_model::ARMENIAN_MODELS_DIRECTORY),
        Lang::Azerbaijani => {
            ngrams!(lingua_azerbaijani_language_model::AZERBAIJANI_MODELS_DIRECTORY)
        }
        Lang::Belarusian => ngrams!(lingua_belarusian_language_model::BELARUSIAN_MODELS_DIRECTORY),
        Lang::Bengali => ngrams!(lingua_bengali_language_model::BENGALI_MODELS_DIRECTORY),
        Lang::Bokmal => ngrams!(lingua_bokmal_language_model::BOKMAL_MODELS_DIRECTORY),
        Lang::Bulgarian => ngrams!(lingua_bulgarian_language_model::BULGARIAN_MODELS_DIRECTORY),
        Lang::Catalan => ngrams!(lingua_catalan_language_model::CATALAN_MODELS_DIRECTORY),
        Lang::Chinese => ngrams!(lingua_chinese_language_model::CHINESE_MODELS_DIRECTORY),
        Lang::Croatian => ngrams!(lingua_croatian_language_model::CROATIAN_MODELS_DIRECTORY),
        Lang::Czech => ngrams!(lingua_czech_language_model::CZECH_MODELS_DIRECTORY),
        Lang::Danish => ngrams!(lingua_danish_language_model::DANISH_MODELS_DIRECTORY),
        Lang::Dutch => ngrams!(lingua_dutch_language_model::DUTCH_MODELS_DIRECTORY),
        Lang::English => ngrams!(lingua_english_language_model::ENGLISH_MODELS_DIRECTORY),
        Lang::Esperanto => ngrams!(lingua_esperanto_language_model::ESPERANTO_MODELS_DIRECTORY),
        Lang::Estonian => ngrams!(lingua_estonian_language_model::ESTONIAN_MODELS_DIRECTORY),
        Lang::Finnish => ngrams!(lingua_finnish_language_model::FINNISH_MODELS_DIRECTORY),
        Lang::French => ngrams!(lingua_french_language_model::FRENCH_MODELS_DIRECTORY),
        Lang::Georgian => ngrams!(lingua_georgian_language_model::GEORGIAN_MODELS_DIRECTORY),
        Lang::German => ngrams!(lingua_german_language_model::GERMAN_MODELS_DIRECTORY),
        Lang::Greek => ngrams!(lingua_greek_language_model::GREEK_MODELS_DIRECTORY),
        Lang::Gujarati => ngrams!(lingua_gujarati_language_model::GUJARATI_MODELS_DIRECTORY),
        Lang::Hebrew => ngrams!(lingua_hebrew_language_model::HEBREW_MODELS_DIRECTORY),
        Lang::Hindi => ngrams!(lingua_hindi_language_model::HINDI_MODELS_DIRECTORY),
        Lang::Hungarian => ngrams!(lingua_hungarian_language_model::HUNGARIAN_MODELS_DIRECTORY),
        Lang::Indonesian => ngrams!(lingua_indonesian_language_model::INDONESIAN_MODELS_DIRECTORY),
        Lang::Italian => ngrams!(lingua_italian_language_model::ITALIAN_MODELS_DIRECTORY),
        Lang::Japanese => ngrams!(lingua_japanese_language_model::JAPANESE_MODELS_DIRECTORY),
        Lang::Korean => ngrams!(lingua_korean_language_model::KOREAN_MODELS_DIRECTORY),
        Lang::Latin => ngrams!(lingua_latin_language_model::LATIN_MODELS_DIRECTORY),
        Lang::Latvian => ngrams!(lingua_latvian_language_model::LATVIAN_MODELS_DIRECTORY),
        Lang::Lithuanian => ngrams!(lingua_lithuanian_language_model::LITHUANIAN_MODELS_DIRECTORY),
        Lang::Macedonian => ngrams!(lingua_macedonian_language_model::MACEDONIAN_MODELS_DIRECTORY),
        Lang::Marathi => ngrams!(lingua_marathi_language_model::MARATHI_MODELS_DIRECTORY),
        Lang::Persian => ngrams!(lingua_persian_language_model::PERSIAN_MODELS_DIRECTORY),
        Lang::Polish => ngrams!(lingua_polish_language_model::POLISH_MODELS_DIRECTORY),
        Lang::Portuguese => ngrams!(lingua_portuguese_language_model::PORTUGUESE_MODELS_DIRECTORY),
        Lang::Punjabi => ngrams!(lingua_punjabi_language_model::PUNJABI_MODELS_DIRECTORY),
        Lang::Romanian => ngrams!(lingua_romanian_language_model::ROMANIAN_MODELS_DIRECTORY),
        Lang::Russian => ngrams!(lingua_russian_language_model::RUSSIAN_MODELS_DIRECTORY),
        Lang::Serbian => ngrams!(lingua_serbian_language_model::SERBIAN_MODELS_DIRECTORY),
        Lang::Shona => ngrams!(lingua_shona_language_model::SHONA_MODELS_DIRECTORY),
        Lang::Slovak => ngrams!(lingua_slovak_language_model::SLOVAK_MODELS_DIRECTORY),
        Lang::Slovene => ngrams!(lingua_slovene_language_model::SLOVENE_MODELS_DIRECTORY),
        Lang::Spanish => ngrams!(lingua_spanish_language_model::SPANISH_MODELS_DIRECTORY),
        Lang::Swedish => ngrams!(lingua_swedish_language_model::SWEDISH_MODELS_DIRECTORY),
        Lang::Tagalog => ngrams!(lingua_tagalog_language_model::TAGALOG_MODELS_DIRECTORY),
        Lang::Tamil => ngrams!(lingua_tamil_language_model::TAMIL_MODELS_DIRECTORY),
        Lang::Telugu => ngrams!(lingua_telugu_language_model::TELUGU_MODELS_DIRECTORY),
        Lang::Thai => ngrams!(lingua_thai_language_model::THAI_MODELS_DIRECTORY),
        Lang::Turkish => ngrams!(lingua_turkish_language_model::TURKISH_MODELS_DIRECTORY),
        Lang::Ukrainian => ngrams!(lingua_ukrainian_language_model::UKRAINIAN_MODELS_DIRECTORY),
        Lang::Urdu => ngrams!(lingua_urdu_language_model::URDU_MODELS_DIRECTORY),
        Lang::Vietnamese => ngrams!(lingua_vietnamese_language_model::VIETNAMESE_MODELS_DIRECTORY),
        Lang::Welsh => ngrams!(lingua_welsh_language_model::WELSH_MODELS_DIRECTORY),
        Lang::Zulu => ngrams!(lingua_zulu_language_model::ZULU_MODELS_DIRECTORY),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_57_models_open_and_hold_lingua_values() -> anyhow::Result<()> {
        let with_model: Vec<Lang> = Lang::ALL.into_iter().filter(|l| has_model(*l)).collect();
        assert_eq!(with_model.len(), 57);
        for lang in with_model {
            assert!(model(lang).is_some(), "{lang:?} model does not open");
        }
        // lingua's own unit test value: ln(7915445 / 93616591) for English "a".
        let english = model(Lang::English).ok_or_else(|| anyhow::anyhow!("no English model"))?;
        let a = english.get("a").map(|o| f64::from_bits(o.value()));
        assert_eq!(a, Some((7_915_445f64 / 93_616_591f64).ln()));
        Ok(())
    }
}
