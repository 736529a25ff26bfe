//! The firm's policy on this desk: kept in the profile as the relay last served it
//! (`hearth sync` fetches it), applied to the local settings it governs, and checked whenever
//! an advisor changes one of them. A setting looser than the firm's is refused with a message
//! naming the policy; the effective value of each governed setting is the stricter of the two.
//!
//! What "looser" means is decided by `hearth_core::policy` (shared with the relay).

use hearth_core::NoteCategory;
use hearth_core::policy::FirmPolicy;
use hearth_intel::llm::{LLM_SETTING, LlmSettings};
use serde::Serialize;

use crate::audio::{ConsentMode, RetentionPolicy};
use crate::{Profile, ProfileError};

const POLICY_SETTING: &str = "firm_policy";

/// What applying a new policy changed on this desk.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PolicyApplied {
    /// The policy's version (`None`: the firm has none; local settings govern).
    pub version: Option<i64>,
    /// Whether it differs from the one the desk had.
    pub changed: bool,
    /// Local settings brought within it, in words ("audio retention: 90 → 30 days").
    pub tightened: Vec<String>,
}

impl Profile {
    /// The firm's policy as last received from the relay, if the firm has one.
    pub fn firm_policy(&self) -> Result<Option<FirmPolicy>, ProfileError> {
        Ok(self
            .setting(POLICY_SETTING)?
            .and_then(|text| serde_json::from_str(&text).ok()))
    }

    /// Stores the policy the relay served (`None`: the firm has none) and brings the local
    /// settings it governs within it. Called by sync; a policy older than the one kept (a
    /// relay restored from an old backup) is ignored.
    pub fn apply_firm_policy(
        &mut self,
        policy: Option<&FirmPolicy>,
    ) -> Result<PolicyApplied, ProfileError> {
        let current = self.firm_policy()?;
        let Some(policy) = policy else {
            return Ok(PolicyApplied {
                version: current.as_ref().map(|p| p.version),
                changed: false,
                tightened: Vec::new(),
            });
        };
        if current.as_ref().is_some_and(|c| c.version > policy.version) {
            return Ok(PolicyApplied {
                version: current.map(|c| c.version),
                changed: false,
                tightened: Vec::new(),
            });
        }
        let changed = current.as_ref() != Some(policy);
        let text = serde_json::to_string(policy)
            .map_err(|e| ProfileError::Core(hearth_core::CoreError::Corrupt(e.to_string())))?;
        self.set_setting(POLICY_SETTING, &text)?;
        let mut tightened = Vec::new();
        if let RetentionPolicy::KeepDays { days } = self.local_retention_policy()?
            && !policy.allows_audio_days(days)
        {
            let within = retention_within(policy);
            self.store_retention_policy(within)?;
            tightened.push(format!("audio retention: {days} days → {within}"));
        }
        if policy.consent == hearth_core::policy::PolicyConsent::AllParty
            && self.local_consent_mode()? == ConsentMode::OneParty
        {
            self.store_consent_mode(ConsentMode::AllParty)?;
            tightened.push("consent: one-party → all-party".into());
        }
        let llm = self.llm_settings()?;
        if llm.enabled && !policy.allows_provider(&llm.provider) {
            self.store_llm_settings(&LlmSettings {
                enabled: false,
                ..llm.clone()
            })?;
            tightened.push(format!("language model: {} turned off", llm.provider));
        }
        Ok(PolicyApplied {
            version: Some(policy.version),
            changed,
            tightened,
        })
    }

    /// Refuses `what` when the firm's policy forbids it: the message names the policy and what
    /// it allows.
    pub(crate) fn policy_refuses(
        &self,
        why: impl FnOnce(&FirmPolicy) -> Option<String>,
    ) -> Result<(), ProfileError> {
        match self.firm_policy()? {
            Some(policy) => match why(&policy) {
                Some(reason) => Err(ProfileError::Policy(format!(
                    "{} ({}) {reason}",
                    policy.name(),
                    "set by your firm in the relay's console"
                ))),
                None => Ok(()),
            },
            None => Ok(()),
        }
    }

    /// The stored LLM settings (off when none were saved).
    pub fn llm_settings(&self) -> Result<LlmSettings, ProfileError> {
        Ok(self
            .setting(LLM_SETTING)?
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default())
    }

    /// Saves the LLM settings; enabling a provider the firm's policy does not allow is refused.
    pub fn set_llm_settings(&mut self, settings: &LlmSettings) -> Result<(), ProfileError> {
        if settings.enabled {
            self.check_llm_provider(&settings.provider)?;
        }
        self.store_llm_settings(settings)
    }

    /// `Ok` when meeting analysis may send redacted transcripts to `provider`.
    /// Whether the firm's policy lets a language model on this computer analyse meetings (no
    /// policy: yes; `off`: the rules only).
    pub fn on_device_model_allowed(&self) -> Result<bool, ProfileError> {
        Ok(self
            .firm_policy()?
            .is_none_or(|p| !matches!(p.llm, hearth_core::policy::PolicyLlm::Off)))
    }

    pub fn check_llm_provider(&self, provider: &str) -> Result<(), ProfileError> {
        self.policy_refuses(|p| {
            (!p.allows_provider(provider)).then(|| {
                format!(
                    "does not allow sending transcripts to {provider}: {}",
                    match &p.llm {
                        hearth_core::policy::PolicyLlm::Off =>
                            "analysis uses the offline rules only".to_string(),
                        hearth_core::policy::PolicyLlm::OnDeviceOnly =>
                            "only a model on this computer may be used".to_string(),
                        hearth_core::policy::PolicyLlm::Providers { allowed } =>
                            format!("allowed: {}", allowed.join(", ")),
                    }
                )
            })
        })
    }

    fn store_llm_settings(&mut self, settings: &LlmSettings) -> Result<(), ProfileError> {
        let text = serde_json::to_string(settings)
            .map_err(|e| ProfileError::Core(hearth_core::CoreError::Corrupt(e.to_string())))?;
        self.set_setting(LLM_SETTING, &text)
    }
}

/// Note categories `policy` requires after a meeting that the household has no note for from
/// `meeting_id` yet.
pub(crate) fn required_notes_missing(
    policy: &FirmPolicy,
    household: &hearth_core::HouseholdData,
    meeting_id: &str,
) -> Vec<NoteCategory> {
    policy
        .required_note_categories
        .iter()
        .filter(|c| {
            !household
                .notes
                .values()
                .any(|n| n.category == **c && n.source_meeting.as_deref() == Some(meeting_id))
        })
        .copied()
        .collect()
}

/// The retention a policy allows at most.
fn retention_within(policy: &FirmPolicy) -> RetentionPolicy {
    match policy.max_audio_days {
        0 => RetentionPolicy::DeleteAfterTranscription,
        days => RetentionPolicy::KeepDays { days },
    }
}

/// The stricter of a local retention setting and the policy's limit.
pub(crate) fn effective_retention(
    local: RetentionPolicy,
    policy: Option<&FirmPolicy>,
) -> RetentionPolicy {
    match (local, policy) {
        (RetentionPolicy::KeepDays { days }, Some(p)) if !p.allows_audio_days(days) => {
            retention_within(p)
        }
        (local, _) => local,
    }
}
