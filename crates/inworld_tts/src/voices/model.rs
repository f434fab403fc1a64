//! What the Voices API says about voices ([`Voice`], [`VoicePage`]), how to ask for a page of
//! them ([`ListVoices`]) and how to edit one ([`VoiceUpdate`]), plus the lenient decoding every
//! answer shares.

use serde::{Deserialize, Deserializer, Serialize};

use super::lang::{LangCode, VoiceSource};
#[cfg(doc)]
use crate::InworldClient;
use crate::error::{InworldError, Result};

/// A voice as the Voices API describes it. Only `voiceId` is required; everything else
/// defaults when absent or `null`, and unknown fields are ignored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Voice {
    /// The id a synthesis request names (`"Ashley"`, `"workspace__my_clone"`).
    pub voice_id: String,
    /// The human-readable name.
    #[serde(default, deserialize_with = "null_as_default")]
    pub display_name: String,
    /// The voice's language; `None` when the server left it out or unspecified.
    #[serde(
        default,
        deserialize_with = "optional_lang",
        skip_serializing_if = "Option::is_none"
    )]
    pub lang_code: Option<LangCode>,
    /// A description of how it sounds.
    #[serde(default, deserialize_with = "null_as_default")]
    pub description: String,
    /// Free-form tags (`"friendly"`, `"narration"`).
    #[serde(default, deserialize_with = "null_as_default")]
    pub tags: Vec<String>,
    /// System or workspace voice.
    #[serde(default)]
    pub source: VoiceSource,
    /// Gender as Inworld labels it (`None` when absent or empty).
    #[serde(
        default,
        deserialize_with = "non_empty",
        skip_serializing_if = "Option::is_none"
    )]
    pub gender: Option<String>,
    /// Age group as Inworld labels it (`"middle_aged"`; `None` when absent or empty).
    #[serde(
        default,
        deserialize_with = "non_empty",
        skip_serializing_if = "Option::is_none"
    )]
    pub age_group: Option<String>,
}

impl Voice {
    /// Whether `name` is this voice's id or display name, ignoring case and surrounding spaces.
    pub fn is_named(&self, name: &str) -> bool {
        let name = name.trim();
        self.voice_id.eq_ignore_ascii_case(name)
            || self.display_name.trim().eq_ignore_ascii_case(name)
    }
}

/// One page request of [`InworldClient::list_voices`].
///
/// The filter and ordering use the server's expression syntax, e.g.
/// `source = "SYSTEM" AND lang_code = "EN_US"` and `display_name asc`; [`Self::language_filter`]
/// builds the language filter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListVoices {
    /// Filter expression (`filter`).
    pub filter: Option<String>,
    /// Sort order (`orderBy`).
    pub order_by: Option<String>,
    /// Voices per page (`pageSize`); the server's default when `None`.
    pub page_size: Option<u32>,
    /// The `next_page_token` of the previous page (`pageToken`).
    pub page_token: Option<String>,
}

impl ListVoices {
    /// The first page, unfiltered, in the server's order.
    pub fn new() -> Self {
        Self::default()
    }

    /// The filter expression for voices of one language: `lang_code = "EN_US"`.
    pub fn language_filter(lang: &LangCode) -> String {
        format!("lang_code = \"{lang}\"")
    }

    /// Sets the filter expression.
    pub fn with_filter(mut self, filter: impl Into<String>) -> Self {
        self.filter = Some(filter.into());
        self
    }

    /// Sets the sort order.
    pub fn with_order_by(mut self, order_by: impl Into<String>) -> Self {
        self.order_by = Some(order_by.into());
        self
    }

    /// Sets the page size.
    pub fn with_page_size(mut self, page_size: u32) -> Self {
        self.page_size = Some(page_size);
        self
    }

    /// Asks for the page after the one that returned `token`.
    pub fn with_page_token(mut self, token: impl Into<String>) -> Self {
        self.page_token = Some(token.into());
        self
    }

    /// Checks what the server would reject, with a message saying what to change.
    pub fn validate(&self) -> Result<()> {
        if self.page_size == Some(0) {
            return Err(InworldError::InvalidRequest(
                "page size 0 asks for nothing; use at least 1, or leave it unset for the \
                 server's default"
                    .into(),
            ));
        }
        Ok(())
    }

    /// The query string; empty strings are left out rather than sent as empty values.
    pub(super) fn query(&self) -> Vec<(&'static str, String)> {
        let text = |name, value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| (name, v.to_owned()))
        };
        [
            text("filter", &self.filter),
            text("orderBy", &self.order_by),
            self.page_size.map(|size| ("pageSize", size.to_string())),
            text("pageToken", &self.page_token),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// One page of voices.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VoicePage {
    /// The voices on this page.
    #[serde(default, deserialize_with = "null_as_default")]
    pub voices: Vec<Voice>,
    /// Pass to [`ListVoices::with_page_token`] for the next page; `None` on the last page
    /// (an empty token means the same).
    #[serde(default, deserialize_with = "non_empty")]
    pub next_page_token: Option<String>,
}

/// Fields to change on a voice ([`InworldClient::update_voice`]); `None` leaves a field as is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VoiceUpdate {
    /// New display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// New description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// New tags, replacing the old ones (`Some(vec![])` clears them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
}

impl VoiceUpdate {
    /// Checks what the server would reject, with a message saying what to change.
    pub fn validate(&self) -> Result<()> {
        if self.display_name.is_none() && self.description.is_none() && self.tags.is_none() {
            return Err(InworldError::InvalidRequest(
                "the voice update changes nothing; set a display name, description or tags".into(),
            ));
        }
        if self
            .display_name
            .as_deref()
            .is_some_and(|n| n.trim().is_empty())
        {
            return Err(InworldError::InvalidRequest(
                "the new display name is empty; give a name or leave it unset to keep the old one"
                    .into(),
            ));
        }
        Ok(())
    }
}

/// `null` decodes as the default, like an absent field.
pub(super) fn null_as_default<'de, D, T>(deserializer: D) -> std::result::Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// Empty strings (Inworld sends `"gender": ""`) decode as `None`.
pub(super) fn non_empty<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<String>, D::Error> {
    Ok(Option::<String>::deserialize(deserializer)?.filter(|s| !s.trim().is_empty()))
}

/// A language code, with empty and `LANGUAGE_CODE_UNSPECIFIED` meaning none.
pub(super) fn optional_lang<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<LangCode>, D::Error> {
    Ok(non_empty(deserializer)?
        .filter(|code| code != "LANGUAGE_CODE_UNSPECIFIED")
        .map(|code| LangCode::from_wire(&code)))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::voices::tests::{invalid, voice};

    #[test]
    fn a_documented_list_answer_decodes() {
        // Shaped like Inworld's reference answer, with fields this client does not model.
        let page: VoicePage = serde_json::from_value(json!({
            "voices": [
                {
                    "name": "workspaces/inworld/voices/Alex",
                    "voiceId": "Alex",
                    "langCode": "EN_US",
                    "displayName": "Alex",
                    "description": "Energetic and expressive",
                    "tags": ["friendly", "expressive"],
                    "categories": ["companions"],
                    "source": "SYSTEM",
                    "gender": "male",
                    "ageGroup": "middle_aged",
                    "promptLanguages": ["en-US"]
                },
                {
                    "voiceId": "ws__clone",
                    "langCode": "SV_SE",
                    "displayName": "John",
                    "tags": null,
                    "source": "VOICE_DESIGN",
                    "gender": "",
                    "ageGroup": ""
                },
                {"voiceId": "Bare"}
            ],
            "totalSize": 42,
            "nextPageToken": "1-20"
        }))
        .unwrap();
        assert_eq!(page.next_page_token.as_deref(), Some("1-20"));
        let [alex, clone, bare] = &page.voices[..] else {
            panic!("three voices expected: {page:?}");
        };
        assert_eq!(alex.source, VoiceSource::System);
        assert_eq!(alex.gender.as_deref(), Some("male"));
        assert_eq!(alex.age_group.as_deref(), Some("middle_aged"));
        assert_eq!(alex.tags, ["friendly", "expressive"]);
        assert_eq!(clone.lang_code, Some(LangCode::Other("SV_SE".into())));
        assert_eq!(clone.source, VoiceSource::Other("VOICE_DESIGN".into()));
        assert_eq!(
            (clone.gender.clone(), clone.age_group.clone()),
            (None, None)
        );
        assert!(clone.tags.is_empty());
        assert_eq!(
            bare,
            &Voice {
                lang_code: None,
                source: VoiceSource::default(),
                ..voice("Bare", "")
            }
        );

        let last: VoicePage =
            serde_json::from_value(json!({"voices": [], "nextPageToken": ""})).unwrap();
        assert_eq!(last.next_page_token, None);
        let empty: VoicePage = serde_json::from_value(json!({})).unwrap();
        assert_eq!(empty, VoicePage::default());
        let no_id = serde_json::from_value::<Voice>(json!({"displayName": "x"}));
        assert!(no_id.is_err(), "voiceId is required");
    }

    #[test]
    fn list_queries_use_the_documented_names() {
        let request = ListVoices::new()
            .with_filter(ListVoices::language_filter(&LangCode::JaJp))
            .with_order_by("display_name asc")
            .with_page_size(2)
            .with_page_token("");
        assert_eq!(
            request.query(),
            [
                ("filter", "lang_code = \"JA_JP\"".to_owned()),
                ("orderBy", "display_name asc".to_owned()),
                ("pageSize", "2".to_owned()),
            ]
        );
        assert!(ListVoices::new().query().is_empty());
        assert!(invalid(ListVoices::new().with_page_size(0).validate()).contains("at least 1"));
    }
}
