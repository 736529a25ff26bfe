//! Full-text search across everything in the profile.

use serde::Serialize;
use tauri::State;

use crate::args::{given, invalid};
use crate::error::CommandResult;
use crate::state::AppState;

/// A run of a search snippet, marked when it matched the query.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct SnippetPart {
    /// The text.
    pub text: String,
    /// Whether it matched.
    pub hit: bool,
}

/// One search result, as the palette shows it.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct SearchResult {
    /// `household`, `note`, `task`, `fact`, `meeting`, `document`, ...
    pub kind: &'static str,
    /// Its household.
    pub household_id: String,
    /// Its id in the household.
    pub item_id: String,
    /// Title.
    pub title: String,
    /// The snippet around the best match, split at the matches.
    pub snippet: Vec<SnippetPart>,
    /// Date, ms since the epoch.
    pub date: i64,
}

/// Splits `text` at the matched byte ranges (ranges off a character boundary are skipped).
fn snippet_parts(text: &str, ranges: &[std::ops::Range<usize>]) -> Vec<SnippetPart> {
    let mut parts = Vec::new();
    let mut at = 0;
    for range in ranges {
        let (Some(before), Some(matched)) = (text.get(at..range.start), text.get(range.clone()))
        else {
            continue;
        };
        if !before.is_empty() {
            parts.push(SnippetPart {
                text: before.to_string(),
                hit: false,
            });
        }
        parts.push(SnippetPart {
            text: matched.to_string(),
            hit: true,
        });
        at = range.end;
    }
    if let Some(rest) = text.get(at..).filter(|r| !r.is_empty()) {
        parts.push(SnippetPart {
            text: rest.to_string(),
            hit: false,
        });
    }
    parts
}

/// What a search may be narrowed to (every field optional).
#[derive(Debug, Default, serde::Deserialize, ts_rs::TS)]
#[serde(default, rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SearchFilters {
    /// Only this kind: household, member, account, note, task, fact, transcript, document.
    #[ts(optional)]
    pub kind: Option<String>,
    /// Only this household.
    #[ts(optional)]
    pub household_id: Option<String>,
    /// Only items dated on or after this day (YYYY-MM-DD).
    #[ts(optional)]
    pub from: Option<String>,
    /// Only items dated on or before this day (YYYY-MM-DD).
    #[ts(optional)]
    pub to: Option<String>,
    /// Only items written or owned by this advisor.
    #[ts(optional)]
    pub advisor: Option<String>,
}

/// Full-text search over households, notes, open loops, facts, transcripts and documents,
/// optionally narrowed by kind, household, dates and advisor.
#[tauri::command]
pub async fn search(
    state: State<'_, AppState>,
    text: String,
    filters: Option<SearchFilters>,
) -> CommandResult<Vec<SearchResult>> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let filters = filters.unwrap_or_default();
    let day = |text: Option<String>, end: bool| -> CommandResult<Option<i64>> {
        let Some(text) = given(text) else {
            return Ok(None);
        };
        let date: chrono::NaiveDate = text
            .parse()
            .map_err(|_| invalid(format!("'{text}' is not a date; use YYYY-MM-DD")))?;
        let next = if end {
            date + chrono::Days::new(1)
        } else {
            date
        };
        Ok(Some(hearth_profile::start_of_day_ms(next) - i64::from(end)))
    };
    let query = hearth_profile::SearchQuery {
        text,
        kind: match given(filters.kind) {
            Some(k) => Some(
                k.parse::<hearth_profile::SearchKind>()
                    .map_err(|e| invalid(e.to_string()))?,
            ),
            None => None,
        },
        household: given(filters.household_id),
        from: day(filters.from, false)?,
        to: day(filters.to, true)?,
        advisor: given(filters.advisor),
        limit: 50,
    };
    state
        .with_profile(move |p| {
            let hits = p.search(&query)?;
            Ok(hits
                .into_iter()
                .map(|h| SearchResult {
                    kind: h.kind.as_str(),
                    snippet: snippet_parts(&h.snippet, &h.highlights),
                    household_id: h.household_id,
                    item_id: h.item_id,
                    title: h.title,
                    date: h.date,
                })
                .collect())
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::snippet_parts;

    #[test]
    fn snippets_split_at_matches_and_survive_bad_ranges() {
        let parts = snippet_parts("Reviewed the RMD schedule", &[(13..16), (30..40)]);
        let shown: Vec<(&str, bool)> = parts.iter().map(|p| (p.text.as_str(), p.hit)).collect();
        assert_eq!(
            shown,
            [
                ("Reviewed the ", false),
                ("RMD", true),
                (" schedule", false)
            ]
        );
        // A range inside a multi-byte character is skipped, not a panic.
        let inside_e_acute = std::ops::Range { start: 3, end: 4 };
        let parts = snippet_parts("José", std::slice::from_ref(&inside_e_acute));
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].text, "José");
    }
}
