//! The shell's commands, by name. `build.rs` turns each into an `allow-<name>` permission and
//! `capabilities/main-window.json` grants exactly these to the main window.

/// Every command the UI may invoke.
pub const COMMANDS: &[&str] = &[
    "profile_status",
    "create_profile",
    "unlock_profile",
    "enroll",
    "list_households",
    "create_household",
    "household",
    "set_segment",
    "add_member",
    "add_account",
    "add_goal",
    "add_note",
    "edit_note",
    "add_task",
    "set_task_status",
    "disclosure",
    "import_transcript",
    "meeting",
    "analyze_meeting",
    "accept_meeting_items",
    "sync_status",
    "sync_now",
    "get_settings",
    "save_settings",
    "capabilities",
    "household_sharing",
    "set_share",
    "search",
];
