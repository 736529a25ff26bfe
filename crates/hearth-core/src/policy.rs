//! The firm's policy: what every desk of a firm must do, set once by the firm (admins or the
//! compliance officer, in the relay's console) and carried to every desk on sync.
//!
//! A desk applies it and refuses local settings looser than it. "Looser" is decided here, by
//! pure functions both sides share: the relay validates what a console user saves, the desk
//! checks what an advisor sets.

use serde::{Deserialize, Serialize};

use crate::NoteCategory;

/// Whose consent a recording needs, firm-wide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum PolicyConsent {
    /// One named participant's consent is enough, except in the states listed in
    /// [`FirmPolicy::all_party_states`].
    #[default]
    OneParty,
    /// Every participant must consent, everywhere.
    AllParty,
}

/// Whether meeting analysis may use a language model, and which.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum PolicyLlm {
    /// The offline rules only.
    #[default]
    Off,
    /// A model on the advisor's own computer only (nothing leaves the laptop).
    OnDeviceOnly,
    /// The named providers (e.g. `openai`, `anthropic`), besides on-device models.
    Providers {
        /// Provider names a desk may send redacted transcripts to.
        allowed: Vec<String>,
    },
}

/// One firm's policy (one version of it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirmPolicy {
    /// 1 for the firm's first policy, one more for every change (set by the relay).
    pub version: i64,
    /// Version of the recording disclosure (a consent record names it).
    pub disclosure_version: String,
    /// The disclosure read before a recording starts.
    pub disclosure_text: String,
    /// Whose consent recordings need.
    pub consent: PolicyConsent,
    /// Two-letter state codes (a household's address) where every participant must consent
    /// even under [`PolicyConsent::OneParty`], e.g. `CA`, `FL`, `WA`.
    #[serde(default)]
    pub all_party_states: Vec<String>,
    /// Longest a desk may keep a recording's audio after transcription, in days; 0 = delete
    /// it as soon as it is transcribed.
    pub max_audio_days: u32,
    /// Whether analysis may use a language model.
    pub llm: PolicyLlm,
    /// Note categories every analysed meeting must have a note under before it is complete.
    #[serde(default)]
    pub required_note_categories: Vec<NoteCategory>,
}

/// Why a policy cannot be saved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PolicyInvalid(pub String);

/// Longest audio retention a policy may allow (ten years).
pub const MAX_AUDIO_DAYS: u32 = 3650;

impl FirmPolicy {
    /// Checks what a console user typed; the message says what to fix.
    pub fn validate(&self) -> Result<(), PolicyInvalid> {
        let bad = |m: &str| Err(PolicyInvalid(m.to_string()));
        if self.disclosure_version.trim().is_empty() || self.disclosure_text.trim().is_empty() {
            return bad("the disclosure needs a version and a text");
        }
        if self.disclosure_version.len() > 64 || self.disclosure_text.len() > 4000 {
            return bad(
                "the disclosure version is at most 64 characters and its text at most 4,000",
            );
        }
        if self.max_audio_days > MAX_AUDIO_DAYS {
            return bad("audio may be kept at most 3650 days");
        }
        if let Some(s) = self
            .all_party_states
            .iter()
            .find(|s| s.len() != 2 || !s.bytes().all(|b| b.is_ascii_uppercase()))
        {
            return Err(PolicyInvalid(format!(
                "\"{s}\" is not a two-letter state code (e.g. CA)"
            )));
        }
        if let PolicyLlm::Providers { allowed } = &self.llm
            && allowed.iter().any(|p| p.trim().is_empty())
        {
            return bad("a provider name is empty");
        }
        Ok(())
    }

    /// Whether a recording of a household in `state` (its address, if known) needs every
    /// participant's consent.
    pub fn requires_all_party(&self, state: Option<&str>) -> bool {
        self.consent == PolicyConsent::AllParty
            || state.is_some_and(|s| {
                self.all_party_states
                    .iter()
                    .any(|p| p.eq_ignore_ascii_case(s.trim()))
            })
    }

    /// Whether keeping audio `days` days after transcription is within the policy.
    pub fn allows_audio_days(&self, days: u32) -> bool {
        days <= self.max_audio_days
    }

    /// Whether analysis may send redacted transcripts to `provider` (a cloud or local server
    /// reached over the network).
    pub fn allows_provider(&self, provider: &str) -> bool {
        match &self.llm {
            PolicyLlm::Off | PolicyLlm::OnDeviceOnly => false,
            PolicyLlm::Providers { allowed } => {
                allowed.iter().any(|p| p.eq_ignore_ascii_case(provider))
            }
        }
    }

    /// One line naming the policy, for refusals: "firm policy v3".
    pub fn name(&self) -> String {
        format!("firm policy v{}", self.version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> FirmPolicy {
        FirmPolicy {
            version: 3,
            disclosure_version: "2027-1".into(),
            disclosure_text: "We record this call, both sides.".into(),
            consent: PolicyConsent::OneParty,
            all_party_states: vec!["CA".into(), "FL".into()],
            max_audio_days: 30,
            llm: PolicyLlm::Providers {
                allowed: vec!["anthropic".into()],
            },
            required_note_categories: vec![NoteCategory::Compliance],
        }
    }

    #[test]
    fn consent_per_state_and_firm_wide() {
        let p = policy();
        assert!(!p.requires_all_party(None));
        assert!(!p.requires_all_party(Some("TX")));
        assert!(p.requires_all_party(Some("ca")));
        let all = FirmPolicy {
            consent: PolicyConsent::AllParty,
            ..policy()
        };
        assert!(all.requires_all_party(None));
    }

    #[test]
    fn what_is_looser_than_the_policy() {
        let p = policy();
        assert!(p.allows_audio_days(0) && p.allows_audio_days(30));
        assert!(!p.allows_audio_days(31));
        assert!(p.allows_provider("Anthropic"));
        assert!(!p.allows_provider("openai"));
        let off = FirmPolicy {
            llm: PolicyLlm::OnDeviceOnly,
            ..policy()
        };
        assert!(!off.allows_provider("anthropic"));
    }

    #[test]
    fn validation_names_what_to_fix() {
        assert_eq!(policy().validate(), Ok(()));
        let cases = [
            (
                FirmPolicy {
                    disclosure_text: " ".into(),
                    ..policy()
                },
                "disclosure",
            ),
            (
                FirmPolicy {
                    max_audio_days: 5000,
                    ..policy()
                },
                "3650",
            ),
            (
                FirmPolicy {
                    all_party_states: vec!["California".into()],
                    ..policy()
                },
                "two-letter",
            ),
        ];
        for (p, needle) in cases {
            let err = p.validate().expect_err(needle).0;
            assert!(err.contains(needle), "{err}");
        }
    }

    #[test]
    fn json_round_trips_in_the_documented_shape() {
        let text = serde_json::to_string(&policy()).unwrap();
        assert!(text.contains("\"consent\":\"one-party\""), "{text}");
        assert!(text.contains("\"mode\":\"providers\""), "{text}");
        assert!(text.contains("\"compliance\""), "{text}");
        let back: FirmPolicy = serde_json::from_str(&text).unwrap();
        assert_eq!(back, policy());
    }
}
