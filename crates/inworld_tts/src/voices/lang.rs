//! Voice languages ([`LangCode`]) and origins ([`VoiceSource`]), as the Voices API spells them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{InworldError, Result};

/// A voice's language, as the Voices API spells it (`EN_US`, `JA_JP`, ..., `AUTO`).
///
/// Parsing accepts any case and `-` for `_` (`"en-US"` is [`LangCode::EnUs`]) but only the codes
/// Inworld documents. Codes Inworld adds later decode as [`LangCode::Other`], so an old client
/// still reads a new server's answers.
///
/// ```
/// # use inworld_tts::LangCode;
/// assert_eq!("en-us".parse::<LangCode>().ok(), Some(LangCode::EnUs));
/// assert_eq!(LangCode::JaJp.to_string(), "JA_JP");
/// assert!("english".parse::<LangCode>().is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LangCode {
    /// English (US).
    EnUs,
    /// Chinese (China).
    ZhCn,
    /// Korean.
    KoKr,
    /// Japanese.
    JaJp,
    /// Russian.
    RuRu,
    /// Detect the language (cloning languages without their own code).
    Auto,
    /// Italian.
    ItIt,
    /// Spanish (Spain).
    EsEs,
    /// Portuguese (Brazil).
    PtBr,
    /// German.
    DeDe,
    /// French.
    FrFr,
    /// Arabic (Saudi Arabia).
    ArSa,
    /// Polish.
    PlPl,
    /// Dutch.
    NlNl,
    /// Hindi.
    HiIn,
    /// Hebrew.
    HeIl,
    /// A code this client does not know yet, exactly as the server wrote it.
    Other(String),
}

impl LangCode {
    /// Every code Inworld documents, in its order.
    pub const KNOWN: [LangCode; 16] = [
        LangCode::EnUs,
        LangCode::ZhCn,
        LangCode::KoKr,
        LangCode::JaJp,
        LangCode::RuRu,
        LangCode::Auto,
        LangCode::ItIt,
        LangCode::EsEs,
        LangCode::PtBr,
        LangCode::DeDe,
        LangCode::FrFr,
        LangCode::ArSa,
        LangCode::PlPl,
        LangCode::NlNl,
        LangCode::HiIn,
        LangCode::HeIl,
    ];

    /// The code as sent on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            LangCode::EnUs => "EN_US",
            LangCode::ZhCn => "ZH_CN",
            LangCode::KoKr => "KO_KR",
            LangCode::JaJp => "JA_JP",
            LangCode::RuRu => "RU_RU",
            LangCode::Auto => "AUTO",
            LangCode::ItIt => "IT_IT",
            LangCode::EsEs => "ES_ES",
            LangCode::PtBr => "PT_BR",
            LangCode::DeDe => "DE_DE",
            LangCode::FrFr => "FR_FR",
            LangCode::ArSa => "AR_SA",
            LangCode::PlPl => "PL_PL",
            LangCode::NlNl => "NL_NL",
            LangCode::HiIn => "HI_IN",
            LangCode::HeIl => "HE_IL",
            LangCode::Other(code) => code,
        }
    }

    /// A code as the server wrote it: a known one, else [`LangCode::Other`].
    pub(super) fn from_wire(code: &str) -> Self {
        Self::KNOWN
            .into_iter()
            .find(|known| known.as_str() == code)
            .unwrap_or_else(|| LangCode::Other(code.to_owned()))
    }

    pub(super) fn validate(&self) -> Result<()> {
        // `Other` is the escape hatch for codes newer than this client; it must at least look
        // like one (`XX_YY`), so a typo such as "english" fails here with the list.
        let code = self.as_str();
        let shaped = code.split('_').count() == 2
            && code
                .split('_')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_uppercase()));
        if shaped || matches!(self, LangCode::Auto) {
            Ok(())
        } else {
            Err(unknown_lang(code))
        }
    }
}

fn unknown_lang(code: &str) -> InworldError {
    let known: Vec<&str> = LangCode::KNOWN.iter().map(LangCode::as_str).collect();
    InworldError::InvalidRequest(format!(
        "`{code}` is not a voice language code; use one of {}",
        known.join(" ")
    ))
}

impl fmt::Display for LangCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for LangCode {
    type Err = InworldError;

    fn from_str(s: &str) -> Result<Self> {
        let code = s.trim().to_ascii_uppercase().replace('-', "_");
        match LangCode::from_wire(&code) {
            LangCode::Other(_) => Err(unknown_lang(s.trim())),
            known => Ok(known),
        }
    }
}

impl Serialize for LangCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for LangCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        Ok(LangCode::from_wire(&String::deserialize(deserializer)?))
    }
}

/// Where a voice comes from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VoiceSource {
    /// Inworld's shared voices, visible to every workspace.
    System,
    /// Instant voice cloning (and published designs): voices owned by this workspace.
    Ivc,
    /// A value this client does not know, as the server wrote it (empty when absent).
    Other(String),
}

impl VoiceSource {
    /// The value as sent on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            VoiceSource::System => "SYSTEM",
            VoiceSource::Ivc => "IVC",
            VoiceSource::Other(s) => s,
        }
    }
}

impl Default for VoiceSource {
    /// What an answer without `source` decodes to.
    fn default() -> Self {
        VoiceSource::Other(String::new())
    }
}

impl fmt::Display for VoiceSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for VoiceSource {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for VoiceSource {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let value = Option::<String>::deserialize(deserializer)?.unwrap_or_default();
        Ok(match value.as_str() {
            "SYSTEM" => VoiceSource::System,
            "IVC" => VoiceSource::Ivc,
            _ => VoiceSource::Other(value),
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn lang_codes_parse_print_and_tolerate_new_values() {
        for code in LangCode::KNOWN {
            assert_eq!(code.as_str().parse::<LangCode>().unwrap(), code);
            assert_eq!(serde_json::to_value(&code).unwrap(), json!(code.as_str()));
            assert!(code.validate().is_ok());
        }
        assert_eq!("pt-br".parse::<LangCode>().unwrap(), LangCode::PtBr);
        assert_eq!(" auto ".parse::<LangCode>().unwrap(), LangCode::Auto);
        let err = "english".parse::<LangCode>().unwrap_err().to_string();
        assert!(err.contains("`english`") && err.contains("EN_US") && err.contains("HE_IL"));
        let new: LangCode = serde_json::from_value(json!("SV_SE")).unwrap();
        assert_eq!(new, LangCode::Other("SV_SE".into()));
        assert_eq!(serde_json::to_value(&new).unwrap(), json!("SV_SE"));
        assert!(new.validate().is_ok(), "well-formed new codes may be sent");
        assert!(LangCode::Other("english".into()).validate().is_err());
        assert!(LangCode::Other("EN_".into()).validate().is_err());
    }
}
