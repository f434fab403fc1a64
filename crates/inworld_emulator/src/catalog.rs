//! The voices the emulator knows: listed voices (system and published custom ones) and
//! unpublished design drafts, with the list endpoint's filter, ordering and paging.
//!
//! `filter` understands conjunctions (`AND`) of `field = "value"` (or `field:value`) over
//! `source`, `lang_code` (alias `langCode`, `language`), `gender`, `age_group`, `voice_id` and
//! `display_name`, values compared case-insensitively. `lang_code` matches like Inworld's:
//! `en` is a language prefix, `en-US` / `en_US` / `EN_US` an exact code. `orderBy` takes
//! `field [asc|desc]` items separated by commas over `display_name`, `voice_id`, `lang_code`,
//! `source`. `pageToken` is an opaque offset.

use serde_json::{Value, json};

use super::error::ApiError;

/// Where a voice comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VoiceSource {
    /// Built into the service, visible to every workspace.
    System,
    /// Instant voice clone or published design, owned by the workspace.
    Ivc,
}

impl VoiceSource {
    /// The protocol's spelling: `SYSTEM` or `IVC`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::System => "SYSTEM",
            Self::Ivc => "IVC",
        }
    }
}

/// One voice, as the voices API describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct Voice {
    /// ID used in synthesis requests (`Dennis`, or `workspace__name` for custom voices).
    pub voice_id: String,
    /// Human-readable name.
    pub display_name: String,
    /// Language in upper-snake form (`EN_US`).
    pub lang_code: String,
    /// Free text.
    pub description: String,
    /// Labels.
    pub tags: Vec<String>,
    /// System or custom.
    pub source: VoiceSource,
    /// `male`, `female`, or empty.
    pub gender: String,
    /// `young`, `middle_aged`, ..., or empty.
    pub age_group: String,
}

/// The workspace custom voices are created in (their IDs start with `emulator__`).
pub(crate) const WORKSPACE: &str = "emulator";

impl Voice {
    /// A system voice.
    pub fn system(voice_id: &str, lang_code: &str, gender: &str, description: &str) -> Self {
        Self {
            voice_id: voice_id.to_owned(),
            display_name: voice_id.to_owned(),
            lang_code: lang_code.to_owned(),
            description: description.to_owned(),
            tags: Vec::new(),
            source: VoiceSource::System,
            gender: gender.to_owned(),
            age_group: "middle_aged".to_owned(),
        }
    }

    /// The JSON the voices API returns for this voice.
    pub(crate) fn to_json(&self) -> Value {
        let (workspace, short) = match self.voice_id.split_once("__") {
            Some((workspace, short)) => (workspace, short),
            None => ("inworld", self.voice_id.as_str()),
        };
        json!({
            "name": format!("workspaces/{workspace}/voices/{short}"),
            "voiceId": self.voice_id,
            "langCode": self.lang_code,
            "displayName": self.display_name,
            "description": self.description,
            "tags": self.tags,
            "source": self.source.as_str(),
            "gender": self.gender,
            "ageGroup": self.age_group,
        })
    }
}

/// The system voices listed by default: five American English, two others.
pub fn default_voices() -> Vec<Voice> {
    vec![
        Voice::system("Dennis", "EN_US", "male", "Calm, friendly middle-aged man"),
        Voice::system("Ashley", "EN_US", "female", "Warm, natural young woman"),
        Voice::system(
            "Alex",
            "EN_US",
            "male",
            "Energetic and expressive mid-range voice",
        ),
        Voice::system("Olivia", "EN_US", "female", "Bright, clear narrator"),
        Voice::system("Timothy", "EN_US", "male", "Lively, upbeat young man"),
        Voice::system("Mathieu", "FR_FR", "male", "Voix masculine posée"),
        Voice::system("Diego", "ES_ES", "male", "Voz masculina cálida"),
    ]
}

/// Language codes the voices API accepts.
pub(crate) const LANG_CODES: [&str; 16] = [
    "EN_US", "ZH_CN", "KO_KR", "JA_JP", "RU_RU", "AUTO", "IT_IT", "ES_ES", "PT_BR", "DE_DE",
    "FR_FR", "AR_SA", "PL_PL", "NL_NL", "HI_IN", "HE_IL",
];

/// Listed voices and unpublished drafts.
#[derive(Debug, Default)]
pub(crate) struct Catalog {
    pub voices: Vec<Voice>,
    pub drafts: Vec<Voice>,
    next_id: u64,
}

impl Catalog {
    pub fn new(voices: Vec<Voice>) -> Self {
        Self {
            voices,
            drafts: Vec::new(),
            next_id: 1,
        }
    }

    /// A listed voice, matched case-insensitively.
    pub fn find(&self, voice_id: &str) -> Option<&Voice> {
        self.voices
            .iter()
            .find(|v| v.voice_id.eq_ignore_ascii_case(voice_id))
    }

    pub fn find_mut(&mut self, voice_id: &str) -> Option<&mut Voice> {
        self.voices
            .iter_mut()
            .find(|v| v.voice_id.eq_ignore_ascii_case(voice_id))
    }

    /// A fresh custom voice ID: `emulator__<stem>_<n>`.
    pub fn new_id(&mut self, stem: &str) -> String {
        let slug: String = stem
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .take(40)
            .collect();
        let id = format!("{WORKSPACE}__{slug}_{}", self.next_id);
        self.next_id += 1;
        id
    }

    /// `GET /voices/v1/voices` with its query parameters.
    pub fn list(
        &self,
        filter: Option<&str>,
        order_by: Option<&str>,
        page_size: Option<&str>,
        page_token: Option<&str>,
    ) -> Result<Value, ApiError> {
        let conditions = parse_filter(filter.unwrap_or_default())?;
        let mut voices: Vec<&Voice> = self
            .voices
            .iter()
            .filter(|v| conditions.iter().all(|c| c.matches(v)))
            .collect();
        if let Some(order) = order_by.filter(|o| !o.trim().is_empty()) {
            sort(&mut voices, order)?;
        }
        // Like the real service, a call without paging parameters returns everything at once.
        let paged = filter.is_some() || page_size.is_some() || page_token.is_some();
        let size = match page_size.map(str::parse::<i64>) {
            None => 50,
            Some(Ok(0)) => 50,
            Some(Ok(n)) if n > 0 => usize::try_from(n.min(1000)).unwrap_or(1000),
            _ => return Err(ApiError::invalid("pageSize must be a non-negative integer")),
        };
        let offset = match page_token.filter(|t| !t.is_empty()) {
            None => 0,
            Some(token) => token
                .strip_prefix("emu-")
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|n| *n <= voices.len())
                .ok_or_else(|| ApiError::invalid(format!("invalid pageToken `{token}`")))?,
        };
        let end = if paged {
            (offset + size).min(voices.len())
        } else {
            voices.len()
        };
        let page: Vec<Value> = voices[offset..end].iter().map(|v| v.to_json()).collect();
        let mut body = json!({"voices": page, "totalSize": voices.len()});
        if end < voices.len() {
            body["nextPageToken"] = json!(format!("emu-{end}"));
        }
        Ok(body)
    }
}

/// One `field = value` condition of a list filter.
#[derive(Debug, PartialEq)]
struct Condition {
    field: Field,
    value: String,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Field {
    Source,
    LangCode,
    Gender,
    AgeGroup,
    VoiceId,
    DisplayName,
}

impl Field {
    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "source" => Self::Source,
            "lang_code" | "langCode" | "language" => Self::LangCode,
            "gender" => Self::Gender,
            "age_group" | "ageGroup" => Self::AgeGroup,
            "voice_id" | "voiceId" => Self::VoiceId,
            "display_name" | "displayName" => Self::DisplayName,
            _ => return None,
        })
    }

    fn of(self, voice: &Voice) -> &str {
        match self {
            Self::Source => voice.source.as_str(),
            Self::LangCode => &voice.lang_code,
            Self::Gender => &voice.gender,
            Self::AgeGroup => &voice.age_group,
            Self::VoiceId => &voice.voice_id,
            Self::DisplayName => &voice.display_name,
        }
    }
}

impl Condition {
    fn matches(&self, voice: &Voice) -> bool {
        let actual = self.field.of(voice);
        if self.field != Field::LangCode {
            return actual.eq_ignore_ascii_case(&self.value);
        }
        let wanted = self.value.replace('-', "_").to_ascii_uppercase();
        if wanted.contains('_') {
            actual.eq_ignore_ascii_case(&wanted)
        } else {
            actual.split('_').next() == Some(wanted.as_str())
        }
    }
}

fn parse_filter(filter: &str) -> Result<Vec<Condition>, ApiError> {
    let bad = || ApiError::invalid(format!("unsupported filter `{filter}`"));
    let mut conditions = Vec::new();
    let mut rest = filter.trim();
    while !rest.is_empty() {
        let (term, tail) = split_and(rest);
        let at = term.find(['=', ':']).ok_or_else(bad)?;
        let field = Field::parse(term[..at].trim()).ok_or_else(bad)?;
        let value = term[at + 1..].trim().trim_matches('"').to_owned();
        conditions.push(Condition { field, value });
        rest = tail.trim();
    }
    Ok(conditions)
}

/// The first term of `a AND b AND c`, and what follows the first `AND` outside quotes.
fn split_and(text: &str) -> (&str, &str) {
    let mut quoted = false;
    for (at, c) in text.char_indices() {
        if c == '"' {
            quoted = !quoted;
        }
        let rest = &text[at..];
        if !quoted && rest.len() >= 5 && rest.as_bytes()[..5].eq_ignore_ascii_case(b" and ") {
            return (&text[..at], &rest[5..]);
        }
    }
    (text, "")
}

fn sort(voices: &mut [&Voice], order_by: &str) -> Result<(), ApiError> {
    let mut keys = Vec::new();
    for item in order_by.split(',') {
        let mut words = item.split_whitespace();
        let field = words
            .next()
            .and_then(Field::parse)
            .filter(|f| !matches!(f, Field::Gender | Field::AgeGroup))
            .ok_or_else(|| ApiError::invalid(format!("unsupported orderBy `{order_by}`")))?;
        let descending = match words.next().map(str::to_ascii_lowercase).as_deref() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(_) => {
                return Err(ApiError::invalid(format!(
                    "unsupported orderBy `{order_by}`"
                )));
            }
        };
        keys.push((field, descending));
    }
    voices.sort_by(|a, b| {
        keys.iter()
            .map(|(field, descending)| {
                let order = field.of(a).to_lowercase().cmp(&field.of(b).to_lowercase());
                if *descending { order.reverse() } else { order }
            })
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(body: &Value) -> Vec<&str> {
        body["voices"]
            .as_array()
            .map(|a| a.iter().filter_map(|v| v["voiceId"].as_str()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn filters_order_and_pages() {
        let catalog = Catalog::new(default_voices());
        let all = catalog.list(None, None, None, None).unwrap();
        assert_eq!(ids(&all).len(), 7);
        assert!(all.get("nextPageToken").is_none());

        let en = catalog
            .list(Some("lang_code = \"en\""), None, None, None)
            .unwrap();
        assert_eq!(ids(&en).len(), 5);
        let fr = catalog
            .list(
                Some("source=\"SYSTEM\" AND langCode:fr-FR"),
                None,
                None,
                None,
            )
            .unwrap();
        assert_eq!(ids(&fr), ["Mathieu"]);

        let first = catalog
            .list(None, Some("display_name desc"), Some("3"), None)
            .unwrap();
        assert_eq!(ids(&first), ["Timothy", "Olivia", "Mathieu"]);
        let token = first["nextPageToken"].as_str().unwrap();
        let second = catalog
            .list(None, Some("display_name desc"), Some("3"), Some(token))
            .unwrap();
        assert_eq!(ids(&second), ["Diego", "Dennis", "Ashley"]);

        assert!(
            catalog
                .list(Some("colour = red"), None, None, None)
                .is_err()
        );
        let unicode = catalog.list(
            Some("display_name = \"Zoë ñ\" AND source=SYSTEM"),
            None,
            None,
            None,
        );
        assert_eq!(ids(&unicode.unwrap()).len(), 0);
        assert!(catalog.list(None, None, Some("-1"), None).is_err());
        assert!(catalog.list(None, None, None, Some("bogus")).is_err());
    }
}
