//! `hearth batch`: many edits through one open profile. Each input line is one JSON edit; each
//! is acknowledged with one JSON line on stdout only after it is durable, so a caller that saw
//! the acknowledgement can rely on the edit surviving a crash.
//!
//! ```text
//! {"op":"household.create","name":"Lee","status":"client"}
//! {"op":"note.add","household":"<id>","category":"planning","text":"..."}
//! {"op":"task.add","household":"<id>","title":"...","due":"2026-12-01"}
//! {"op":"task.done","household":"<id>","task":"<task id>"}
//! {"op":"member.add","household":"<id>","name":"...","role":"Spouse"}
//! ```

use std::io::{BufRead, Write};

use anyhow::Result;
use hearth_core::{HouseholdStatus, Member, TaskStatus};
use hearth_profile::Profile;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
#[serde(tag = "op")]
enum Edit {
    #[serde(rename = "household.create")]
    HouseholdCreate {
        name: String,
        status: Option<String>,
    },
    #[serde(rename = "note.add")]
    NoteAdd {
        household: String,
        category: String,
        text: String,
    },
    #[serde(rename = "task.add")]
    TaskAdd {
        household: String,
        title: String,
        due: Option<String>,
    },
    #[serde(rename = "task.done")]
    TaskDone { household: String, task: String },
    #[serde(rename = "member.add")]
    MemberAdd {
        household: String,
        name: String,
        role: String,
        birth_year: Option<i64>,
    },
}

fn apply(profile: &mut Profile, edit: Edit) -> Result<String> {
    Ok(match edit {
        Edit::HouseholdCreate { name, status } => {
            let status = match status {
                Some(s) => s.parse()?,
                None => HouseholdStatus::Prospect,
            };
            profile.create_household(&name, status)?.to_string()
        }
        Edit::NoteAdd {
            household,
            category,
            text,
        } => {
            let category = category.parse()?;
            profile.edit(&household, |h, ctx| h.add_note(category, &text, None, ctx))?
        }
        Edit::TaskAdd {
            household,
            title,
            due,
        } => {
            let owner = profile.advisor().to_string();
            profile.edit(&household, |h, ctx| {
                h.add_task(&title, &owner, due.as_deref(), None, ctx)
            })?
        }
        Edit::TaskDone { household, task } => {
            profile.edit(&household, |h, ctx| {
                h.set_task_status(&task, TaskStatus::Done, ctx)
            })?;
            task
        }
        Edit::MemberAdd {
            household,
            name,
            role,
            birth_year,
        } => {
            let member = Member {
                name,
                role: role.parse()?,
                birth_year,
                ..Default::default()
            };
            profile.edit(&household, |h, ctx| h.add_member(&member, ctx))?
        }
    })
}

/// Reads edits until end of input. A bad line is answered with an error line and skipped.
pub fn run(profile: &mut Profile) -> Result<()> {
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    for (n, line) in stdin.lock().lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let reply = match serde_json::from_str::<Edit>(&line)
            .map_err(anyhow::Error::from)
            .and_then(|edit| apply(profile, edit))
        {
            Ok(id) => json!({"line": n + 1, "ok": true, "id": id}),
            Err(e) => json!({"line": n + 1, "ok": false, "error": format!("{e:#}")}),
        };
        writeln!(out, "{reply}")?;
        out.flush()?;
    }
    Ok(())
}
