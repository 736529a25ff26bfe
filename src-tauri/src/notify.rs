//! What is due, outside the window: the tray's count and tooltip, and one OS notification
//! when the app starts and each morning (unless turned off in Settings).
//!
//! A background task recounts every minute, and whenever sync brings changes or an edit is
//! made (`refresh`); the count is Today's — the advisor's own loops due today or overdue.

use std::sync::Mutex;
use std::time::Duration;

use chrono::NaiveDate;
use tauri::{AppHandle, Listener, Manager};
use tauri_plugin_notification::NotificationExt;

use hearth_profile::Profile;

use crate::error::CommandResult;
use crate::state::AppState;
use crate::sync::HOUSEHOLDS_CHANGED_EVENT;

/// The tray icon's id (see `tray.rs`).
pub const TRAY_ID: &str = "hearth";

/// What a notification and the tray say about a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DueCount {
    /// The advisor's loops due today.
    pub today: usize,
    /// The advisor's overdue loops.
    pub overdue: usize,
    /// Date alerts that fall today.
    pub dates: usize,
}

impl DueCount {
    /// The tray tooltip: "Hearth — 3 due today, 1 overdue".
    pub fn tooltip(&self) -> String {
        match self.summary() {
            Some(what) => format!("Hearth — {what}"),
            None => "Hearth — nothing due today".to_string(),
        }
    }

    /// The notification's body, or `None` when there is nothing to say.
    pub fn summary(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.today > 0 {
            parts.push(format!("{} due today", self.today));
        }
        if self.overdue > 0 {
            parts.push(format!("{} overdue", self.overdue));
        }
        if self.dates > 0 {
            parts.push(format!(
                "{} date{} that matter{} today",
                self.dates,
                if self.dates == 1 { "" } else { "s" },
                if self.dates == 1 { "s" } else { "" }
            ));
        }
        (!parts.is_empty()).then(|| parts.join(", "))
    }
}

/// The profile setting that turns morning notifications off (`off`); on by default.
pub(crate) const NOTIFICATIONS_SETTING: &str = "notifications";

/// Whether morning notifications are on.
pub(crate) fn notifications_enabled(profile: &Profile) -> CommandResult<bool> {
    Ok(profile.setting(NOTIFICATIONS_SETTING)?.as_deref() != Some("off"))
}

/// The day the last notification was shown (one a day).
static NOTIFIED_ON: Mutex<Option<NaiveDate>> = Mutex::new(None);

/// Starts the background count (call once, at setup).
pub fn install(app: &AppHandle) {
    let handle = app.clone();
    app.listen(HOUSEHOLDS_CHANGED_EVENT, move |_| refresh(&handle));
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            tick(&handle).await;
            tokio::time::sleep(Duration::from_secs(60)).await;
        }
    });
}

/// Recounts now (after an edit or a sync).
pub fn refresh(app: &AppHandle) {
    let handle = app.clone();
    tauri::async_runtime::spawn(async move { tick(&handle).await });
}

async fn tick(app: &AppHandle) {
    let state = app.state::<AppState>();
    let today = chrono::Local::now().date_naive();
    let counted = state
        .with_profile(move |p| {
            let view = p.today_view(today)?;
            let mine = |due: hearth_agenda::today::Due| {
                view.groups
                    .iter()
                    .filter(|g| g.due == due)
                    .flat_map(|g| &g.loops)
                    .filter(|l| l.mine)
                    .count()
            };
            let count = DueCount {
                today: mine(hearth_agenda::today::Due::Today),
                overdue: mine(hearth_agenda::today::Due::Overdue),
                dates: view.alerts.iter().filter(|a| a.alert.date == today).count(),
            };
            Ok((count, notifications_enabled(p)?))
        })
        .await;
    // A locked profile has nothing to count yet.
    let Ok((count, enabled)) = counted else {
        return;
    };
    if let Some(tray) = app.tray_by_id(TRAY_ID) {
        let _ = tray.set_tooltip(Some(count.tooltip()));
        // The count beside the icon (macOS menu bar, Linux app indicators; Windows shows the
        // tooltip only).
        let due = count.today + count.overdue;
        let _ = tray.set_title((due > 0).then(|| due.to_string()));
    }
    let first_today = NOTIFIED_ON
        .lock()
        .map(|mut day| day.replace(today) != Some(today))
        .unwrap_or(false);
    if enabled
        && first_today
        && let Some(body) = count.summary()
        && let Err(e) = app
            .notification()
            .builder()
            .title("Hearth: your day")
            .body(body)
            .show()
    {
        tracing::info!(error = %e, "no notification shown");
    }
}

#[cfg(test)]
mod tests {
    use super::DueCount;

    #[test]
    fn counts_read_as_a_sentence() {
        let c = DueCount {
            today: 3,
            overdue: 1,
            dates: 1,
        };
        assert_eq!(
            c.summary().as_deref(),
            Some("3 due today, 1 overdue, 1 date that matters today")
        );
        assert_eq!(
            c.tooltip(),
            "Hearth — 3 due today, 1 overdue, 1 date that matters today"
        );
        assert_eq!(DueCount::default().summary(), None);
        assert_eq!(DueCount::default().tooltip(), "Hearth — nothing due today");
        let two = DueCount {
            dates: 2,
            ..Default::default()
        };
        assert_eq!(two.summary().as_deref(), Some("2 dates that matter today"));
    }
}
