//! [`Lang`]: our language type with ISO 639-1 / 639-3 codes and serde, converted to and
//! from the backends' types only inside this crate.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::Error;

// Generated table: one row per language whatlang 0.18 knows (70). Keep in sync with
// `whatlang::Lang` when the pinned version moves; the unit tests check the round trip.

/// A language recoupe can detect: the 70 languages of the whatlang backend, under our own
/// names and codes so that no backend type leaks into other crates.
///
/// Serialized as its ISO 639-1 code (`"fr"`); deserialized from ISO 639-1 or ISO 639-3,
/// case-insensitive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lang {
    /// Afrikaans (`af`, `afr`)
    Afrikaans,
    /// Akan (`ak`, `aka`)
    Akan,
    /// Amharic (`am`, `amh`)
    Amharic,
    /// Arabic (`ar`, `ara`)
    Arabic,
    /// Armenian (`hy`, `hye`)
    Armenian,
    /// Azerbaijani (`az`, `aze`)
    Azerbaijani,
    /// Belarusian (`be`, `bel`)
    Belarusian,
    /// Bengali (`bn`, `ben`)
    Bengali,
    /// Bokmal (`nb`, `nob`)
    Bokmal,
    /// Bulgarian (`bg`, `bul`)
    Bulgarian,
    /// Burmese (`my`, `mya`)
    Burmese,
    /// Catalan (`ca`, `cat`)
    Catalan,
    /// Chinese (`zh`, `cmn`)
    Chinese,
    /// Croatian (`hr`, `hrv`)
    Croatian,
    /// Czech (`cs`, `ces`)
    Czech,
    /// Danish (`da`, `dan`)
    Danish,
    /// Dutch (`nl`, `nld`)
    Dutch,
    /// English (`en`, `eng`)
    English,
    /// Esperanto (`eo`, `epo`)
    Esperanto,
    /// Estonian (`et`, `est`)
    Estonian,
    /// Finnish (`fi`, `fin`)
    Finnish,
    /// French (`fr`, `fra`)
    French,
    /// Georgian (`ka`, `kat`)
    Georgian,
    /// German (`de`, `deu`)
    German,
    /// Greek (`el`, `ell`)
    Greek,
    /// Gujarati (`gu`, `guj`)
    Gujarati,
    /// Hebrew (`he`, `heb`)
    Hebrew,
    /// Hindi (`hi`, `hin`)
    Hindi,
    /// Hungarian (`hu`, `hun`)
    Hungarian,
    /// Indonesian (`id`, `ind`)
    Indonesian,
    /// Italian (`it`, `ita`)
    Italian,
    /// Japanese (`ja`, `jpn`)
    Japanese,
    /// Javanese (`jv`, `jav`)
    Javanese,
    /// Kannada (`kn`, `kan`)
    Kannada,
    /// Khmer (`km`, `khm`)
    Khmer,
    /// Korean (`ko`, `kor`)
    Korean,
    /// Latin (`la`, `lat`)
    Latin,
    /// Latvian (`lv`, `lav`)
    Latvian,
    /// Lithuanian (`lt`, `lit`)
    Lithuanian,
    /// Macedonian (`mk`, `mkd`)
    Macedonian,
    /// Malayalam (`ml`, `mal`)
    Malayalam,
    /// Marathi (`mr`, `mar`)
    Marathi,
    /// Nepali (`ne`, `nep`)
    Nepali,
    /// Oriya (`or`, `ori`)
    Oriya,
    /// Persian (`fa`, `pes`)
    Persian,
    /// Polish (`pl`, `pol`)
    Polish,
    /// Portuguese (`pt`, `por`)
    Portuguese,
    /// Punjabi (`pa`, `pan`)
    Punjabi,
    /// Romanian (`ro`, `ron`)
    Romanian,
    /// Russian (`ru`, `rus`)
    Russian,
    /// Serbian (`sr`, `srp`)
    Serbian,
    /// Shona (`sn`, `sna`)
    Shona,
    /// Sinhala (`si`, `sin`)
    Sinhala,
    /// Slovak (`sk`, `slk`)
    Slovak,
    /// Slovene (`sl`, `slv`)
    Slovene,
    /// Spanish (`es`, `spa`)
    Spanish,
    /// Swedish (`sv`, `swe`)
    Swedish,
    /// Tagalog (`tl`, `tgl`)
    Tagalog,
    /// Tamil (`ta`, `tam`)
    Tamil,
    /// Telugu (`te`, `tel`)
    Telugu,
    /// Thai (`th`, `tha`)
    Thai,
    /// Turkish (`tr`, `tur`)
    Turkish,
    /// Turkmen (`tk`, `tuk`)
    Turkmen,
    /// Ukrainian (`uk`, `ukr`)
    Ukrainian,
    /// Urdu (`ur`, `urd`)
    Urdu,
    /// Uzbek (`uz`, `uzb`)
    Uzbek,
    /// Vietnamese (`vi`, `vie`)
    Vietnamese,
    /// Welsh (`cy`, `cym`)
    Welsh,
    /// Yiddish (`yi`, `yid`)
    Yiddish,
    /// Zulu (`zu`, `zul`)
    Zulu,
}

impl Lang {
    /// Every language, in alphabetical order of the English name.
    pub const ALL: [Lang; 70] = [
        Lang::Afrikaans,
        Lang::Akan,
        Lang::Amharic,
        Lang::Arabic,
        Lang::Armenian,
        Lang::Azerbaijani,
        Lang::Belarusian,
        Lang::Bengali,
        Lang::Bokmal,
        Lang::Bulgarian,
        Lang::Burmese,
        Lang::Catalan,
        Lang::Chinese,
        Lang::Croatian,
        Lang::Czech,
        Lang::Danish,
        Lang::Dutch,
        Lang::English,
        Lang::Esperanto,
        Lang::Estonian,
        Lang::Finnish,
        Lang::French,
        Lang::Georgian,
        Lang::German,
        Lang::Greek,
        Lang::Gujarati,
        Lang::Hebrew,
        Lang::Hindi,
        Lang::Hungarian,
        Lang::Indonesian,
        Lang::Italian,
        Lang::Japanese,
        Lang::Javanese,
        Lang::Kannada,
        Lang::Khmer,
        Lang::Korean,
        Lang::Latin,
        Lang::Latvian,
        Lang::Lithuanian,
        Lang::Macedonian,
        Lang::Malayalam,
        Lang::Marathi,
        Lang::Nepali,
        Lang::Oriya,
        Lang::Persian,
        Lang::Polish,
        Lang::Portuguese,
        Lang::Punjabi,
        Lang::Romanian,
        Lang::Russian,
        Lang::Serbian,
        Lang::Shona,
        Lang::Sinhala,
        Lang::Slovak,
        Lang::Slovene,
        Lang::Spanish,
        Lang::Swedish,
        Lang::Tagalog,
        Lang::Tamil,
        Lang::Telugu,
        Lang::Thai,
        Lang::Turkish,
        Lang::Turkmen,
        Lang::Ukrainian,
        Lang::Urdu,
        Lang::Uzbek,
        Lang::Vietnamese,
        Lang::Welsh,
        Lang::Yiddish,
        Lang::Zulu,
    ];

    /// The two-letter ISO 639-1 code, e.g. `"fr"`.
    pub const fn iso639_1(self) -> &'static str {
        match self {
            Lang::Afrikaans => "af",
            Lang::Akan => "ak",
            Lang::Amharic => "am",
            Lang::Arabic => "ar",
            Lang::Armenian => "hy",
            Lang::Azerbaijani => "az",
            Lang::Belarusian => "be",
            Lang::Bengali => "bn",
            Lang::Bokmal => "nb",
            Lang::Bulgarian => "bg",
            Lang::Burmese => "my",
            Lang::Catalan => "ca",
            Lang::Chinese => "zh",
            Lang::Croatian => "hr",
            Lang::Czech => "cs",
            Lang::Danish => "da",
            Lang::Dutch => "nl",
            Lang::English => "en",
            Lang::Esperanto => "eo",
            Lang::Estonian => "et",
            Lang::Finnish => "fi",
            Lang::French => "fr",
            Lang::Georgian => "ka",
            Lang::German => "de",
            Lang::Greek => "el",
            Lang::Gujarati => "gu",
            Lang::Hebrew => "he",
            Lang::Hindi => "hi",
            Lang::Hungarian => "hu",
            Lang::Indonesian => "id",
            Lang::Italian => "it",
            Lang::Japanese => "ja",
            Lang::Javanese => "jv",
            Lang::Kannada => "kn",
            Lang::Khmer => "km",
            Lang::Korean => "ko",
            Lang::Latin => "la",
            Lang::Latvian => "lv",
            Lang::Lithuanian => "lt",
            Lang::Macedonian => "mk",
            Lang::Malayalam => "ml",
            Lang::Marathi => "mr",
            Lang::Nepali => "ne",
            Lang::Oriya => "or",
            Lang::Persian => "fa",
            Lang::Polish => "pl",
            Lang::Portuguese => "pt",
            Lang::Punjabi => "pa",
            Lang::Romanian => "ro",
            Lang::Russian => "ru",
            Lang::Serbian => "sr",
            Lang::Shona => "sn",
            Lang::Sinhala => "si",
            Lang::Slovak => "sk",
            Lang::Slovene => "sl",
            Lang::Spanish => "es",
            Lang::Swedish => "sv",
            Lang::Tagalog => "tl",
            Lang::Tamil => "ta",
            Lang::Telugu => "te",
            Lang::Thai => "th",
            Lang::Turkish => "tr",
            Lang::Turkmen => "tk",
            Lang::Ukrainian => "uk",
            Lang::Urdu => "ur",
            Lang::Uzbek => "uz",
            Lang::Vietnamese => "vi",
            Lang::Welsh => "cy",
            Lang::Yiddish => "yi",
            Lang::Zulu => "zu",
        }
    }

    /// The three-letter ISO 639-3 code, e.g. `"fra"` (`"cmn"` for Chinese, `"pes"` for Persian, as whatlang reports them).
    pub const fn iso639_3(self) -> &'static str {
        match self {
            Lang::Afrikaans => "afr",
            Lang::Akan => "aka",
            Lang::Amharic => "amh",
            Lang::Arabic => "ara",
            Lang::Armenian => "hye",
            Lang::Azerbaijani => "aze",
            Lang::Belarusian => "bel",
            Lang::Bengali => "ben",
            Lang::Bokmal => "nob",
            Lang::Bulgarian => "bul",
            Lang::Burmese => "mya",
            Lang::Catalan => "cat",
            Lang::Chinese => "cmn",
            Lang::Croatian => "hrv",
            Lang::Czech => "ces",
            Lang::Danish => "dan",
            Lang::Dutch => "nld",
            Lang::English => "eng",
            Lang::Esperanto => "epo",
            Lang::Estonian => "est",
            Lang::Finnish => "fin",
            Lang::French => "fra",
            Lang::Georgian => "kat",
            Lang::German => "deu",
            Lang::Greek => "ell",
            Lang::Gujarati => "guj",
            Lang::Hebrew => "heb",
            Lang::Hindi => "hin",
            Lang::Hungarian => "hun",
            Lang::Indonesian => "ind",
            Lang::Italian => "ita",
            Lang::Japanese => "jpn",
            Lang::Javanese => "jav",
            Lang::Kannada => "kan",
            Lang::Khmer => "khm",
            Lang::Korean => "kor",
            Lang::Latin => "lat",
            Lang::Latvian => "lav",
            Lang::Lithuanian => "lit",
            Lang::Macedonian => "mkd",
            Lang::Malayalam => "mal",
            Lang::Marathi => "mar",
            Lang::Nepali => "nep",
            Lang::Oriya => "ori",
            Lang::Persian => "pes",
            Lang::Polish => "pol",
            Lang::Portuguese => "por",
            Lang::Punjabi => "pan",
            Lang::Romanian => "ron",
            Lang::Russian => "rus",
            Lang::Serbian => "srp",
            Lang::Shona => "sna",
            Lang::Sinhala => "sin",
            Lang::Slovak => "slk",
            Lang::Slovene => "slv",
            Lang::Spanish => "spa",
            Lang::Swedish => "swe",
            Lang::Tagalog => "tgl",
            Lang::Tamil => "tam",
            Lang::Telugu => "tel",
            Lang::Thai => "tha",
            Lang::Turkish => "tur",
            Lang::Turkmen => "tuk",
            Lang::Ukrainian => "ukr",
            Lang::Urdu => "urd",
            Lang::Uzbek => "uzb",
            Lang::Vietnamese => "vie",
            Lang::Welsh => "cym",
            Lang::Yiddish => "yid",
            Lang::Zulu => "zul",
        }
    }

    /// The English name, e.g. `"French"`.
    pub const fn name(self) -> &'static str {
        match self {
            Lang::Afrikaans => "Afrikaans",
            Lang::Akan => "Akan",
            Lang::Amharic => "Amharic",
            Lang::Arabic => "Arabic",
            Lang::Armenian => "Armenian",
            Lang::Azerbaijani => "Azerbaijani",
            Lang::Belarusian => "Belarusian",
            Lang::Bengali => "Bengali",
            Lang::Bokmal => "Bokmal",
            Lang::Bulgarian => "Bulgarian",
            Lang::Burmese => "Burmese",
            Lang::Catalan => "Catalan",
            Lang::Chinese => "Chinese",
            Lang::Croatian => "Croatian",
            Lang::Czech => "Czech",
            Lang::Danish => "Danish",
            Lang::Dutch => "Dutch",
            Lang::English => "English",
            Lang::Esperanto => "Esperanto",
            Lang::Estonian => "Estonian",
            Lang::Finnish => "Finnish",
            Lang::French => "French",
            Lang::Georgian => "Georgian",
            Lang::German => "German",
            Lang::Greek => "Greek",
            Lang::Gujarati => "Gujarati",
            Lang::Hebrew => "Hebrew",
            Lang::Hindi => "Hindi",
            Lang::Hungarian => "Hungarian",
            Lang::Indonesian => "Indonesian",
            Lang::Italian => "Italian",
            Lang::Japanese => "Japanese",
            Lang::Javanese => "Javanese",
            Lang::Kannada => "Kannada",
            Lang::Khmer => "Khmer",
            Lang::Korean => "Korean",
            Lang::Latin => "Latin",
            Lang::Latvian => "Latvian",
            Lang::Lithuanian => "Lithuanian",
            Lang::Macedonian => "Macedonian",
            Lang::Malayalam => "Malayalam",
            Lang::Marathi => "Marathi",
            Lang::Nepali => "Nepali",
            Lang::Oriya => "Oriya",
            Lang::Persian => "Persian",
            Lang::Polish => "Polish",
            Lang::Portuguese => "Portuguese",
            Lang::Punjabi => "Punjabi",
            Lang::Romanian => "Romanian",
            Lang::Russian => "Russian",
            Lang::Serbian => "Serbian",
            Lang::Shona => "Shona",
            Lang::Sinhala => "Sinhala",
            Lang::Slovak => "Slovak",
            Lang::Slovene => "Slovene",
            Lang::Spanish => "Spanish",
            Lang::Swedish => "Swedish",
            Lang::Tagalog => "Tagalog",
            Lang::Tamil => "Tamil",
            Lang::Telugu => "Telugu",
            Lang::Thai => "Thai",
            Lang::Turkish => "Turkish",
            Lang::Turkmen => "Turkmen",
            Lang::Ukrainian => "Ukrainian",
            Lang::Urdu => "Urdu",
            Lang::Uzbek => "Uzbek",
            Lang::Vietnamese => "Vietnamese",
            Lang::Welsh => "Welsh",
            Lang::Yiddish => "Yiddish",
            Lang::Zulu => "Zulu",
        }
    }

    /// Looks a language up by ISO 639-1 or ISO 639-3 code, case-insensitive.
    pub fn from_code(code: &str) -> Option<Lang> {
        let code = code.trim().to_ascii_lowercase();
        Lang::ALL
            .iter()
            .copied()
            .find(|lang| lang.iso639_1() == code || lang.iso639_3() == code)
    }

    /// Index in [`Lang::ALL`], used for bit sets.
    pub(crate) const fn index(self) -> usize {
        self as usize
    }

    pub(crate) const fn from_whatlang(lang: whatlang::Lang) -> Lang {
        match lang {
            whatlang::Lang::Afr => Lang::Afrikaans,
            whatlang::Lang::Aka => Lang::Akan,
            whatlang::Lang::Amh => Lang::Amharic,
            whatlang::Lang::Ara => Lang::Arabic,
            whatlang::Lang::Hye => Lang::Armenian,
            whatlang::Lang::Aze => Lang::Azerbaijani,
            whatlang::Lang::Bel => Lang::Belarusian,
            whatlang::Lang::Ben => Lang::Bengali,
            whatlang::Lang::Nob => Lang::Bokmal,
            whatlang::Lang::Bul => Lang::Bulgarian,
            whatlang::Lang::Mya => Lang::Burmese,
            whatlang::Lang::Cat => Lang::Catalan,
            whatlang::Lang::Cmn => Lang::Chinese,
            whatlang::Lang::Hrv => Lang::Croatian,
            whatlang::Lang::Ces => Lang::Czech,
            whatlang::Lang::Dan => Lang::Danish,
            whatlang::Lang::Nld => Lang::Dutch,
            whatlang::Lang::Eng => Lang::English,
            whatlang::Lang::Epo => Lang::Esperanto,
            whatlang::Lang::Est => Lang::Estonian,
            whatlang::Lang::Fin => Lang::Finnish,
            whatlang::Lang::Fra => Lang::French,
            whatlang::Lang::Kat => Lang::Georgian,
            whatlang::Lang::Deu => Lang::German,
            whatlang::Lang::Ell => Lang::Greek,
            whatlang::Lang::Guj => Lang::Gujarati,
            whatlang::Lang::Heb => Lang::Hebrew,
            whatlang::Lang::Hin => Lang::Hindi,
            whatlang::Lang::Hun => Lang::Hungarian,
            whatlang::Lang::Ind => Lang::Indonesian,
            whatlang::Lang::Ita => Lang::Italian,
            whatlang::Lang::Jpn => Lang::Japanese,
            whatlang::Lang::Jav => Lang::Javanese,
            whatlang::Lang::Kan => Lang::Kannada,
            whatlang::Lang::Khm => Lang::Khmer,
            whatlang::Lang::Kor => Lang::Korean,
            whatlang::Lang::Lat => Lang::Latin,
            whatlang::Lang::Lav => Lang::Latvian,
            whatlang::Lang::Lit => Lang::Lithuanian,
            whatlang::Lang::Mkd => Lang::Macedonian,
            whatlang::Lang::Mal => Lang::Malayalam,
            whatlang::Lang::Mar => Lang::Marathi,
            whatlang::Lang::Nep => Lang::Nepali,
            whatlang::Lang::Ori => Lang::Oriya,
            whatlang::Lang::Pes => Lang::Persian,
            whatlang::Lang::Pol => Lang::Polish,
            whatlang::Lang::Por => Lang::Portuguese,
            whatlang::Lang::Pan => Lang::Punjabi,
            whatlang::Lang::Ron => Lang::Romanian,
            whatlang::Lang::Rus => Lang::Russian,
            whatlang::Lang::Srp => Lang::Serbian,
            whatlang::Lang::Sna => Lang::Shona,
            whatlang::Lang::Sin => Lang::Sinhala,
            whatlang::Lang::Slk => Lang::Slovak,
            whatlang::Lang::Slv => Lang::Slovene,
            whatlang::Lang::Spa => Lang::Spanish,
            whatlang::Lang::Swe => Lang::Swedish,
            whatlang::Lang::Tgl => Lang::Tagalog,
            whatlang::Lang::Tam => Lang::Tamil,
            whatlang::Lang::Tel => Lang::Telugu,
            whatlang::Lang::Tha => Lang::Thai,
            whatlang::Lang::Tur => Lang::Turkish,
            whatlang::Lang::Tuk => Lang::Turkmen,
            whatlang::Lang::Ukr => Lang::Ukrainian,
            whatlang::Lang::Urd => Lang::Urdu,
            whatlang::Lang::Uzb => Lang::Uzbek,
            whatlang::Lang::Vie => Lang::Vietnamese,
            whatlang::Lang::Cym => Lang::Welsh,
            whatlang::Lang::Yid => Lang::Yiddish,
            whatlang::Lang::Zul => Lang::Zulu,
        }
    }

    pub(crate) const fn to_whatlang(self) -> whatlang::Lang {
        match self {
            Lang::Afrikaans => whatlang::Lang::Afr,
            Lang::Akan => whatlang::Lang::Aka,
            Lang::Amharic => whatlang::Lang::Amh,
            Lang::Arabic => whatlang::Lang::Ara,
            Lang::Armenian => whatlang::Lang::Hye,
            Lang::Azerbaijani => whatlang::Lang::Aze,
            Lang::Belarusian => whatlang::Lang::Bel,
            Lang::Bengali => whatlang::Lang::Ben,
            Lang::Bokmal => whatlang::Lang::Nob,
            Lang::Bulgarian => whatlang::Lang::Bul,
            Lang::Burmese => whatlang::Lang::Mya,
            Lang::Catalan => whatlang::Lang::Cat,
            Lang::Chinese => whatlang::Lang::Cmn,
            Lang::Croatian => whatlang::Lang::Hrv,
            Lang::Czech => whatlang::Lang::Ces,
            Lang::Danish => whatlang::Lang::Dan,
            Lang::Dutch => whatlang::Lang::Nld,
            Lang::English => whatlang::Lang::Eng,
            Lang::Esperanto => whatlang::Lang::Epo,
            Lang::Estonian => whatlang::Lang::Est,
            Lang::Finnish => whatlang::Lang::Fin,
            Lang::French => whatlang::Lang::Fra,
            Lang::Georgian => whatlang::Lang::Kat,
            Lang::German => whatlang::Lang::Deu,
            Lang::Greek => whatlang::Lang::Ell,
            Lang::Gujarati => whatlang::Lang::Guj,
            Lang::Hebrew => whatlang::Lang::Heb,
            Lang::Hindi => whatlang::Lang::Hin,
            Lang::Hungarian => whatlang::Lang::Hun,
            Lang::Indonesian => whatlang::Lang::Ind,
            Lang::Italian => whatlang::Lang::Ita,
            Lang::Japanese => whatlang::Lang::Jpn,
            Lang::Javanese => whatlang::Lang::Jav,
            Lang::Kannada => whatlang::Lang::Kan,
            Lang::Khmer => whatlang::Lang::Khm,
            Lang::Korean => whatlang::Lang::Kor,
            Lang::Latin => whatlang::Lang::Lat,
            Lang::Latvian => whatlang::Lang::Lav,
            Lang::Lithuanian => whatlang::Lang::Lit,
            Lang::Macedonian => whatlang::Lang::Mkd,
            Lang::Malayalam => whatlang::Lang::Mal,
            Lang::Marathi => whatlang::Lang::Mar,
            Lang::Nepali => whatlang::Lang::Nep,
            Lang::Oriya => whatlang::Lang::Ori,
            Lang::Persian => whatlang::Lang::Pes,
            Lang::Polish => whatlang::Lang::Pol,
            Lang::Portuguese => whatlang::Lang::Por,
            Lang::Punjabi => whatlang::Lang::Pan,
            Lang::Romanian => whatlang::Lang::Ron,
            Lang::Russian => whatlang::Lang::Rus,
            Lang::Serbian => whatlang::Lang::Srp,
            Lang::Shona => whatlang::Lang::Sna,
            Lang::Sinhala => whatlang::Lang::Sin,
            Lang::Slovak => whatlang::Lang::Slk,
            Lang::Slovene => whatlang::Lang::Slv,
            Lang::Spanish => whatlang::Lang::Spa,
            Lang::Swedish => whatlang::Lang::Swe,
            Lang::Tagalog => whatlang::Lang::Tgl,
            Lang::Tamil => whatlang::Lang::Tam,
            Lang::Telugu => whatlang::Lang::Tel,
            Lang::Thai => whatlang::Lang::Tha,
            Lang::Turkish => whatlang::Lang::Tur,
            Lang::Turkmen => whatlang::Lang::Tuk,
            Lang::Ukrainian => whatlang::Lang::Ukr,
            Lang::Urdu => whatlang::Lang::Urd,
            Lang::Uzbek => whatlang::Lang::Uzb,
            Lang::Vietnamese => whatlang::Lang::Vie,
            Lang::Welsh => whatlang::Lang::Cym,
            Lang::Yiddish => whatlang::Lang::Yid,
            Lang::Zulu => whatlang::Lang::Zul,
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.iso639_1())
    }
}

impl FromStr for Lang {
    type Err = Error;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        Lang::from_code(code).ok_or_else(|| Error::UnknownLanguageCode {
            code: code.to_owned(),
        })
    }
}

impl Serialize for Lang {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.iso639_1())
    }
}

impl<'de> Deserialize<'de> for Lang {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        code.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for (i, lang) in Lang::ALL.iter().copied().enumerate() {
            assert_eq!(lang.index(), i, "ALL must be in declaration order");
            assert_eq!(Lang::from_code(lang.iso639_1()), Some(lang));
            assert_eq!(Lang::from_code(lang.iso639_3()), Some(lang));
            assert_eq!(Lang::from_code(&lang.iso639_3().to_uppercase()), Some(lang));
            assert_eq!(lang.iso639_1().len(), 2);
            assert_eq!(lang.iso639_3().len(), 3);
            assert!(seen.insert(lang.iso639_1()));
            assert!(seen.insert(lang.iso639_3()));
            assert_eq!(Lang::from_whatlang(lang.to_whatlang()), lang);
        }
    }

    #[test]
    fn every_whatlang_language_is_covered() {
        for wl in whatlang::Lang::all() {
            let ours = Lang::from_whatlang(*wl);
            assert_eq!(ours.to_whatlang(), *wl);
        }
        assert_eq!(whatlang::Lang::all().len(), Lang::ALL.len());
    }

    #[test]
    fn serde_uses_iso639_1_and_accepts_iso639_3() -> anyhow::Result<()> {
        assert_eq!(serde_json::to_string(&Lang::French)?, "\"fr\"");
        assert_eq!(serde_json::from_str::<Lang>("\"fra\"")?, Lang::French);
        assert_eq!(serde_json::from_str::<Lang>("\"FR\"")?, Lang::French);
        assert!(serde_json::from_str::<Lang>("\"xx\"").is_err());
        Ok(())
    }

    #[test]
    fn unknown_code_error_says_what_to_do() {
        let err = "klingon".parse::<Lang>().err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("klingon") && e.contains("ISO 639")));
    }
}
