//! The UI's TypeScript types, generated from the Rust types the commands take and return
//! (ts-rs), into one file: `ui/src/bindings.ts`. The test fails when the file is not what the
//! Rust types say; `HEARTH_WRITE_BINDINGS=1 cargo test -p hearth-desktop --test bindings`
//! rewrites it.

use std::collections::BTreeMap;
use std::path::Path;

use ts_rs::{Config, TS, TypeVisitor};

/// Collects the declarations of types and everything they mention, by name.
struct Collector<'a> {
    cfg: &'a Config,
    decls: BTreeMap<String, String>,
}

impl Collector<'_> {
    fn add<T: TS + 'static + ?Sized>(&mut self) {
        // Built-in and generic types (string, Array, Record…) have nothing to declare; what
        // they hold may.
        if T::output_path().is_none() {
            T::visit_generics(self);
            T::visit_dependencies(self);
            return;
        }
        let name = T::ident(self.cfg);
        if self.decls.contains_key(&name) {
            return;
        }
        self.decls.insert(name, T::decl(self.cfg));
        T::visit_dependencies(self);
    }
}

impl TypeVisitor for Collector<'_> {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        self.add::<T>();
    }
}

macro_rules! collect {
    ($collector:expr, $($ty:ty),+ $(,)?) => { $( $collector.add::<$ty>(); )+ };
}

fn generated() -> String {
    // serde_json writes 64-bit integers as JSON numbers, never bigints.
    let cfg = Config::new().with_large_int("number");
    let mut c = Collector {
        cfg: &cfg,
        decls: BTreeMap::new(),
    };
    use hearth_desktop::commands::*;
    collect!(
        c,
        hearth_desktop::views::HouseholdView,
        hearth_desktop::views::MeetingView,
        hearth_profile::HouseholdSummary,
        hearth_profile::ProfileInfo,
        hearth_profile::HouseholdAlert,
        hearth_profile::ImportReport,
        hearth_profile::Today,
        hearth_profile::Brief,
        hearth_core::HistoryEntry,
        hearth_core::Template,
        hearth_core::HouseholdPatch,
        hearth_core::MemberPatch,
        hearth_core::AccountPatch,
        hearth_core::GoalPatch,
        hearth_core::FactPatch,
        hearth_core::TaskPatch,
        hearth_intel::llm::LlmSettings,
        profile::ProfileStatus,
        households::NewMember,
        households::NewAccount,
        households::NewGoal,
        meetings::Disclosure,
        meetings::AnalysisOutcome,
        hearth_profile::Filed,
        settings::Settings,
        settings::Capabilities,
        sharing::Sharing,
        updates::UpdateStatus,
        updates::AvailableUpdate,
        search::SearchResult,
        search::SearchFilters,
        files::CsvImport,
        hearth_desktop::sync::SyncStatus,
        hearth_desktop::media::ImportProgress,
        hearth_desktop::media::ModelStatus,
        hearth_desktop::media::ModelProgress,
        hearth_desktop::media::AttachedDocument,
        hearth_desktop::media::InterruptedRecording,
        hearth_desktop::record::AudioDevice,
        hearth_desktop::record::RecordingLevel,
        hearth_desktop::record::RecordingLive,
        hearth_desktop::error::CommandError,
    );
    let mut out = String::from(
        "// Generated from the Rust types by `HEARTH_WRITE_BINDINGS=1 cargo test -p hearth-desktop --test bindings`.\n\
         // Do not edit: change the Rust type and regenerate.\n",
    );
    for decl in c.decls.values() {
        out.push_str("\nexport ");
        out.push_str(decl.trim());
        out.push('\n');
    }
    out
}

#[test]
fn ui_types_match_the_rust_types() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings.ts");
    let fresh = generated();
    if std::env::var_os("HEARTH_WRITE_BINDINGS").is_some() {
        std::fs::write(&path, &fresh).expect("write ui/src/bindings.ts");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "ui/src/bindings.ts is not what the Rust types say: run \
         `HEARTH_WRITE_BINDINGS=1 cargo test -p hearth-desktop --test bindings` and commit it"
    );
}
