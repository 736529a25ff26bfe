//! Sharing a household with colleagues of the firm, through the relay.

use serde::Serialize;
use tauri::State;

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;

/// Runs a relay call on a blocking thread with its own runtime: `hearth-sync`'s futures
/// borrow the profile across awaits, and a SQLite connection is not `Sync`.
async fn with_session<T: Send + 'static>(
    state: &AppState,
    work: impl AsyncFnOnce(&hearth_sync::Session) -> hearth_sync::Result<T> + Send + 'static,
) -> CommandResult<T> {
    state
        .with_profile(move |p| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(CommandError::internal)?;
            runtime.block_on(async move {
                let session = hearth_sync::Session::start(p).await?;
                Ok(work(&session).await?)
            })
        })
        .await
}

/// Who a household is shared with, among the firm's advisors.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct Sharing {
    /// Whether the relay holds the household yet (it must sync once before sharing).
    pub on_relay: bool,
    /// The owner's advisor id on the relay.
    pub owner_id: Option<String>,
    /// This advisor's id on the relay.
    pub me: String,
    /// The firm's advisors.
    pub advisors: Vec<hearth_sync::RemoteAdvisor>,
    /// Advisor ids it is shared with.
    pub shared_with: Vec<String>,
}

/// The household's sharing within the firm.
#[tauri::command]
pub async fn household_sharing(state: State<'_, AppState>, id: String) -> CommandResult<Sharing> {
    with_session(&state, async move |session| {
        let advisors = session.advisors().await?;
        let doc = session
            .documents()
            .await?
            .into_iter()
            .find(|d| d.doc_id == id);
        Ok(Sharing {
            on_relay: doc.is_some(),
            owner_id: doc.as_ref().map(|d| d.owner_id.clone()),
            me: session.creds.advisor_id.clone(),
            shared_with: doc.map(|d| d.shared_with).unwrap_or_default(),
            advisors,
        })
    })
    .await
}

/// Shares a household with a colleague (or stops sharing it).
#[tauri::command]
pub async fn set_share(
    state: State<'_, AppState>,
    id: String,
    advisor_id: String,
    share: bool,
) -> CommandResult<()> {
    with_session(&state, async move |session| {
        session.set_share(&id, &advisor_id, share).await?;
        Ok(())
    })
    .await?;
    state.sync.kick();
    Ok(())
}
