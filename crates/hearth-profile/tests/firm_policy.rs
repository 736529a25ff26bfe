//! The firm's policy on a desk: applied on sync, stricter of local and firm, refusals naming
//! the policy. Real SQLCipher profiles on disk.

use std::path::Path;

use hearth_core::policy::{FirmPolicy, PolicyConsent, PolicyLlm};
use hearth_core::{Address, HouseholdPatch, HouseholdStatus, NoteCategory};
use hearth_intel::llm::LlmSettings;
use hearth_profile::{
    ConsentMode, InitOptions, KeyStorage, Profile, ProfileError, RetentionPolicy,
};
use zeroize::Zeroizing;

fn init(dir: &Path) -> Profile {
    let mut pass = || Ok(Zeroizing::new("correct horse battery".to_string()));
    Profile::init(
        dir,
        InitOptions {
            advisor: "Avery Advisor".into(),
            device: "test".into(),
            key_storage: KeyStorage::Passphrase,
            passphrase: &mut pass,
        },
    )
    .unwrap()
}

fn policy(version: i64) -> FirmPolicy {
    FirmPolicy {
        version,
        disclosure_version: "2027-1".into(),
        disclosure_text: "We record both sides of this call.".into(),
        consent: PolicyConsent::OneParty,
        all_party_states: vec!["CA".into()],
        max_audio_days: 30,
        llm: PolicyLlm::OnDeviceOnly,
        required_note_categories: vec![NoteCategory::Compliance],
    }
}

fn refused(result: Result<(), ProfileError>) -> String {
    match result {
        Err(ProfileError::Policy(why)) => why,
        other => panic!("expected a policy refusal, got {other:?}"),
    }
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn a_firm_policy_tightens_local_settings_and_refuses_looser_ones() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = init(dir.path());
    p.set_retention_policy(RetentionPolicy::KeepDays { days: 90 })
        .unwrap();
    p.set_llm_settings(&LlmSettings {
        enabled: true,
        provider: "openai".into(),
        base_url: "http://127.0.0.1:9".into(),
        model: "m".into(),
    })
    .unwrap();

    let applied = p.apply_firm_policy(Some(&policy(1))).unwrap();
    assert_eq!(applied.version, Some(1));
    assert!(applied.changed);
    assert_eq!(applied.tightened.len(), 2, "{:?}", applied.tightened);
    assert_eq!(
        p.retention_policy().unwrap(),
        RetentionPolicy::KeepDays { days: 30 }
    );
    assert!(!p.llm_settings().unwrap().enabled, "the cloud model is off");
    assert_eq!(p.disclosure().unwrap().0, "2027-1");

    // Looser settings are refused, naming the policy; within it they are fine.
    let why = refused(p.set_retention_policy(RetentionPolicy::KeepDays { days: 31 }));
    assert!(
        why.contains("firm policy v1") && why.contains("30 days"),
        "{why}"
    );
    p.set_retention_policy(RetentionPolicy::KeepDays { days: 7 })
        .unwrap();
    p.set_retention_policy(RetentionPolicy::DeleteAfterTranscription)
        .unwrap();
    let why = refused(p.set_disclosure("2026-9", "Something else."));
    assert!(why.contains("2027-1"), "{why}");
    p.set_disclosure("2027-1", "We record both sides of this call.")
        .unwrap();
    let why = refused(p.set_llm_settings(&LlmSettings {
        enabled: true,
        provider: "anthropic".into(),
        base_url: "https://api.example".into(),
        model: "m".into(),
    }));
    assert!(why.contains("only a model on this computer"), "{why}");

    // A policy older than the one kept (a relay restored from a backup) is ignored.
    let stale = p
        .apply_firm_policy(Some(&FirmPolicy {
            max_audio_days: 365,
            ..policy(0)
        }))
        .unwrap();
    assert!(!stale.changed);
    assert_eq!(p.firm_policy().unwrap().map(|f| f.version), Some(1));
    // No policy served (an older relay): the kept one still governs.
    p.apply_firm_policy(None).unwrap();
    assert_eq!(p.firm_policy().unwrap().map(|f| f.max_audio_days), Some(30));
}

#[test]
fn consent_follows_the_firm_and_the_households_state() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = init(dir.path());
    let texas = p
        .create_household("Lone Star Household", HouseholdStatus::Client)
        .unwrap()
        .to_string();
    let california = p
        .create_household("Golden State Household", HouseholdStatus::Client)
        .unwrap()
        .to_string();
    p.edit(&california, |h, ctx| {
        h.update_household(
            &HouseholdPatch {
                address: Some(Some(Address {
                    line1: "1 Main St".into(),
                    line2: None,
                    city: "Fresno".into(),
                    region: Some("CA".into()),
                    postal_code: Some("93701".into()),
                    ..Default::default()
                })),
                ..Default::default()
            },
            ctx,
        )
    })
    .unwrap();
    let one = names(&["Ann"]);
    let both = names(&["Ann", "Bob"]);
    // Without a policy: one-party, as set locally.
    p.check_consent(&california, &both, &one).unwrap();

    p.apply_firm_policy(Some(&policy(1))).unwrap();
    // One-party firm-wide, but California needs everyone.
    p.check_consent(&texas, &both, &one).unwrap();
    match p.check_consent(&california, &both, &one) {
        Err(ProfileError::ConsentIncomplete(missing)) => assert_eq!(missing, names(&["Bob"])),
        other => panic!("California needs Bob's consent: {other:?}"),
    }

    // All-party firm-wide: everywhere, and the desk cannot go back to one-party.
    p.apply_firm_policy(Some(&FirmPolicy {
        consent: PolicyConsent::AllParty,
        ..policy(2)
    }))
    .unwrap();
    assert_eq!(p.consent_mode().unwrap(), ConsentMode::AllParty);
    assert!(p.check_consent(&texas, &both, &one).is_err());
    p.check_consent(&texas, &both, &both).unwrap();
    let why = refused(p.set_consent_mode(ConsentMode::OneParty));
    assert!(why.contains("firm policy v2"), "{why}");
}
