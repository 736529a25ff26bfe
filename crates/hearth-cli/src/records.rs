//! `hearth household|member|account|goal|note|task|fact …`: adding, correcting and removing
//! the records of a household. Each command is one attributed Automerge change.
//!
//! Clearing a field: give it as an empty string (`--phone ''`).

use anyhow::{Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use hearth_core::{
    Account, AccountPatch, Address, ClientFact, Contact, FactPatch, Goal, GoalPatch,
    HouseholdPatch, HouseholdStatus, Member, MemberPatch, NewBalance, NoteCategory, Role,
    TaskPatch, TaskStatus, parse_birth,
};
use hearth_profile::Profile;

use crate::{JsonFlag, print_json, render};

/// `HouseholdStatus` parsed by its own FromStr so the error lists the accepted values.
#[derive(Clone)]
pub(crate) struct HouseholdStatusArg(pub(crate) HouseholdStatus);
impl std::str::FromStr for HouseholdStatusArg {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        s.parse()
            .map(Self)
            .map_err(|e: hearth_core::CoreError| e.to_string())
    }
}

/// `Role` parsed by its own FromStr so the error lists the accepted values.
#[derive(Clone)]
pub(crate) struct RoleArg(Role);
impl std::str::FromStr for RoleArg {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        s.parse()
            .map(Self)
            .map_err(|e: hearth_core::CoreError| e.to_string())
    }
}

/// An optional text flag where an empty value means "clear it".
fn change(value: Option<String>) -> Option<Option<String>> {
    value.map(|v| Some(v).filter(|v| !v.trim().is_empty()))
}

/// How `household list` sorts.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum SortBy {
    /// By name.
    Name,
    /// Largest AUM first.
    Aum,
    /// Longest without a meeting first.
    LastContact,
    /// Soonest review first.
    NextReview,
    /// Most open loops first.
    OpenLoops,
}

#[derive(Subcommand)]
pub(crate) enum HouseholdCmd {
    /// Create a household; prints its id.
    Create {
        #[arg(long)]
        name: String,
        /// prospect, client or former_client.
        #[arg(long, default_value = "prospect")]
        status: HouseholdStatusArg,
    },
    /// List households with AUM, last contact, next review and open loops.
    List {
        /// Only this segment.
        #[arg(long)]
        segment: Option<String>,
        /// Include archived households.
        #[arg(long)]
        archived: bool,
        /// Sort order.
        #[arg(long, value_enum, default_value_t = SortBy::Name)]
        sort: SortBy,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Show one household, with any fields two advisors set at the same time.
    Show {
        id: String,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Change the household's name, status, segment, client reference, tags or address (one change).
    Set(Box<HouseholdSetArgs>),
    /// Archive a household: kept, read-only, out of lists and Today.
    Archive { id: String },
    /// Bring an archived household back.
    Unarchive { id: String },
    /// Settle a field two advisors set at the same time by keeping one of its values.
    Resolve {
        id: String,
        /// The conflicting field, as `household show` prints it (e.g. accounts.ID.aum).
        field: String,
        /// The value to keep, as shown (e.g. 1,300,000.00).
        #[arg(long)]
        keep: String,
    },
}

#[derive(Args)]
pub(crate) struct HouseholdSetArgs {
    id: String,
    #[arg(long)]
    name: Option<String>,
    /// prospect, client or former_client.
    #[arg(long)]
    status: Option<HouseholdStatusArg>,
    /// Service segment ('' clears it).
    #[arg(long)]
    segment: Option<String>,
    /// The firm's reference for the client, e.g. a CRM number ('' clears it); the relay's
    /// console shows it to admins instead of the name.
    #[arg(long)]
    client_ref: Option<String>,
    /// Add a tag (repeatable).
    #[arg(long = "tag")]
    tags: Vec<String>,
    /// Remove a tag (repeatable).
    #[arg(long = "untag")]
    untags: Vec<String>,
    /// Street and number (with --city sets the mailing address).
    #[arg(long)]
    street: Option<String>,
    /// Apartment, suite.
    #[arg(long)]
    street2: Option<String>,
    #[arg(long)]
    city: Option<String>,
    /// State or region.
    #[arg(long)]
    region: Option<String>,
    #[arg(long)]
    postal_code: Option<String>,
    #[arg(long)]
    country: Option<String>,
    /// Remove the mailing address.
    #[arg(long, conflicts_with_all = ["street", "city"])]
    clear_address: bool,
}

#[derive(Subcommand)]
pub(crate) enum MemberCmd {
    /// Add a member; prints the member id.
    Add {
        id: String,
        #[arg(long)]
        name: String,
        /// Head, Spouse, Partner, Child, Dependent or Other.
        #[arg(long)]
        role: RoleArg,
        /// Birth date (YYYY-MM-DD) or year alone.
        #[arg(long, alias = "birth-year")]
        birth_date: Option<String>,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        phone: Option<String>,
    },
    /// Correct a member ('' clears a field).
    Edit {
        id: String,
        member: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        role: Option<RoleArg>,
        /// Birth date (YYYY-MM-DD) or year alone.
        #[arg(long, alias = "birth-year")]
        birth_date: Option<String>,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        phone: Option<String>,
    },
    /// Remove a member.
    Remove { id: String, member: String },
}

#[derive(Subcommand)]
pub(crate) enum AccountCmd {
    /// Add an account; prints the account id.
    Add {
        id: String,
        /// Account type, e.g. "Roth IRA".
        #[arg(long = "type")]
        kind: String,
        #[arg(long)]
        custodian: Option<String>,
        #[arg(long)]
        registration: Option<String>,
        /// Assets under management, exact decimal.
        #[arg(long)]
        aum: Option<String>,
        /// The date the AUM is as of (default: today).
        #[arg(long, requires = "aum")]
        as_of: Option<String>,
        /// Annual fee rate, exact decimal (0.01 = 1%).
        #[arg(long)]
        fee_rate: Option<String>,
        /// The member who owns it (member id): RMD dates follow the owner.
        #[arg(long)]
        owner: Option<String>,
    },
    /// Correct an account or record a new balance ('' clears a field).
    Edit {
        id: String,
        account: String,
        #[arg(long = "type")]
        kind: Option<String>,
        #[arg(long)]
        custodian: Option<String>,
        #[arg(long)]
        registration: Option<String>,
        #[arg(long)]
        fee_rate: Option<String>,
        #[arg(long)]
        owner: Option<String>,
        /// A new balance: becomes the AUM and joins the balance history.
        #[arg(long)]
        aum: Option<String>,
        /// The date the new balance is as of (default: today).
        #[arg(long, requires = "aum")]
        as_of: Option<String>,
        /// Close the account on this date (kept, no longer counted).
        #[arg(long, conflicts_with = "reopen")]
        closed_on: Option<String>,
        /// Reopen a closed account.
        #[arg(long)]
        reopen: bool,
    },
    /// Remove an account and its balance history.
    Remove { id: String, account: String },
}

#[derive(Subcommand)]
pub(crate) enum GoalCmd {
    /// Add a goal; prints the goal id.
    Add {
        id: String,
        #[arg(long)]
        title: String,
        /// Target amount, exact decimal.
        #[arg(long)]
        amount: Option<String>,
        /// Target date, YYYY-MM-DD.
        #[arg(long)]
        date: Option<String>,
        /// Funded so far, exact decimal.
        #[arg(long)]
        funded: Option<String>,
    },
    /// Correct a goal or update its progress ('' clears a field).
    Edit {
        id: String,
        goal: String,
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        amount: Option<String>,
        #[arg(long)]
        date: Option<String>,
        #[arg(long)]
        funded: Option<String>,
    },
    /// Remove a goal.
    Remove { id: String, goal: String },
}

#[derive(Subcommand)]
pub(crate) enum NoteCmd {
    /// Add a note; prints the note id.
    Add {
        id: String,
        #[arg(long)]
        category: String,
        #[arg(long)]
        text: String,
        /// The meeting it is about (a firm policy may require notes after each meeting).
        #[arg(long)]
        meeting: Option<String>,
    },
    /// Replace a note's text (merged character-wise with concurrent edits).
    Edit {
        id: String,
        note: String,
        #[arg(long)]
        text: String,
    },
    /// Delete a note (history keeps who deleted it).
    Remove { id: String, note: String },
}

#[derive(Subcommand)]
pub(crate) enum TaskCmd {
    /// Open a task; prints the task id.
    Add {
        id: String,
        #[arg(long)]
        title: String,
        /// Due date, YYYY-MM-DD.
        #[arg(long)]
        due: Option<String>,
        /// Owning advisor (default: this profile's advisor).
        #[arg(long)]
        owner: Option<String>,
    },
    /// Change a task's title, due date, owner or snooze ('' clears due date or snooze).
    Edit {
        id: String,
        task: String,
        #[arg(long)]
        title: Option<String>,
        /// New due date (reschedule).
        #[arg(long)]
        due: Option<String>,
        /// Any advisor who can see the household.
        #[arg(long)]
        owner: Option<String>,
        /// Hide it from Today until this date.
        #[arg(long)]
        snooze: Option<String>,
    },
    /// Mark a task done.
    Done { id: String, task: String },
    /// Cancel a task.
    Cancel { id: String, task: String },
    /// Reopen a done or cancelled task.
    Reopen { id: String, task: String },
}

#[derive(Subcommand)]
pub(crate) enum FactCmd {
    /// Record a client fact; prints the fact id.
    Add {
        id: String,
        #[arg(long)]
        key: String,
        #[arg(long)]
        value: String,
        #[arg(long, default_value = "advisor")]
        source: String,
        #[arg(long, default_value_t = 1.0)]
        confidence: f64,
    },
    /// Correct a fact.
    Edit {
        id: String,
        fact: String,
        #[arg(long)]
        key: Option<String>,
        #[arg(long)]
        value: Option<String>,
    },
    /// Retire a fact that is no longer true (kept in the record).
    Retire { id: String, fact: String },
}

fn saved() -> Result<()> {
    println!("saved");
    Ok(())
}

pub(crate) fn household(profile: &mut Profile, cmd: HouseholdCmd) -> Result<()> {
    match cmd {
        HouseholdCmd::Create { name, status } => {
            let id = profile.create_household(&name, status.0)?;
            println!("{id}");
            Ok(())
        }
        HouseholdCmd::List {
            segment,
            archived,
            sort,
            json,
        } => {
            let mut rows = profile.list_households()?;
            rows.retain(|r| archived || !r.archived);
            if let Some(segment) = segment {
                rows.retain(|r| r.segment.as_deref() == Some(segment.as_str()));
            }
            let aum = |r: &hearth_profile::HouseholdSummary| {
                r.aum_total
                    .as_deref()
                    .and_then(|a| a.parse::<rust_decimal::Decimal>().ok())
                    .unwrap_or_default()
            };
            match sort {
                SortBy::Name => {}
                SortBy::Aum => rows.sort_by_key(|r| std::cmp::Reverse(aum(r))),
                SortBy::LastContact => rows.sort_by_key(|r| r.last_contact.unwrap_or(i64::MIN)),
                SortBy::NextReview => rows.sort_by(|a, b| {
                    (a.next_review.is_none(), &a.next_review)
                        .cmp(&(b.next_review.is_none(), &b.next_review))
                }),
                SortBy::OpenLoops => rows.sort_by_key(|r| std::cmp::Reverse(r.open_loops)),
            }
            if json.json {
                print_json(&rows)
            } else {
                render::household_list(&rows);
                Ok(())
            }
        }
        HouseholdCmd::Show { id, json } => {
            let household = profile.household(&id)?;
            let data = household.data()?;
            let conflicts = household.conflicts()?;
            if json.json {
                let mut value = serde_json::to_value(&data)?;
                value["conflicts"] = serde_json::to_value(&conflicts)?;
                print_json(&value)
            } else {
                render::household(&data);
                render::conflicts(&conflicts, profile.advisor());
                Ok(())
            }
        }
        HouseholdCmd::Set(args) => {
            let address = if args.clear_address {
                Some(None)
            } else if args.street.is_some() || args.city.is_some() {
                let (Some(line1), Some(city)) = (args.street, args.city) else {
                    bail!("an address needs both --street and --city");
                };
                Some(Some(Address {
                    line1,
                    line2: args.street2,
                    city,
                    region: args.region,
                    postal_code: args.postal_code,
                    country: args.country,
                }))
            } else {
                None
            };
            let patch = HouseholdPatch {
                name: args.name,
                status: args.status.map(|s| s.0),
                segment: change(args.segment),
                client_ref: change(args.client_ref),
                address,
                add_tags: args.tags,
                remove_tags: args.untags,
            };
            profile.edit(&args.id, |h, ctx| h.update_household(&patch, ctx))?;
            saved()
        }
        HouseholdCmd::Archive { id } => {
            profile.edit(&id, |h, ctx| h.set_archived(true, ctx))?;
            println!("archived: {id} is kept, read-only, and left out of lists and Today");
            Ok(())
        }
        HouseholdCmd::Unarchive { id } => {
            profile.edit(&id, |h, ctx| h.set_archived(false, ctx))?;
            saved()
        }
        HouseholdCmd::Resolve { id, field, keep } => {
            let path: Vec<String> = field.split('.').map(str::to_string).collect();
            profile.edit(&id, |h, ctx| h.resolve_conflict(&path, &keep, ctx))?;
            saved()
        }
    }
}

pub(crate) fn member(profile: &mut Profile, cmd: MemberCmd) -> Result<()> {
    match cmd {
        MemberCmd::Add {
            id,
            name,
            role,
            birth_date,
            email,
            phone,
        } => {
            let (birth_year, birth_date) = match birth_date {
                Some(text) => {
                    let (year, date) = parse_birth(&text)?;
                    (Some(year), date)
                }
                None => (None, None),
            };
            let member = Member {
                name,
                role: role.0,
                birth_year,
                birth_date,
                contact: Contact { email, phone },
            };
            let item = profile.edit(&id, |h, ctx| h.add_member(&member, ctx))?;
            println!("{item}");
            Ok(())
        }
        MemberCmd::Edit {
            id,
            member,
            name,
            role,
            birth_date,
            email,
            phone,
        } => {
            let patch = MemberPatch {
                name,
                role: role.map(|r| r.0),
                birth: change(birth_date),
                email: change(email),
                phone: change(phone),
            };
            profile.edit(&id, |h, ctx| h.update_member(&member, &patch, ctx))?;
            saved()
        }
        MemberCmd::Remove { id, member } => {
            profile.edit(&id, |h, ctx| h.remove_member(&member, ctx))?;
            saved()
        }
    }
}

pub(crate) fn account(profile: &mut Profile, cmd: AccountCmd) -> Result<()> {
    match cmd {
        AccountCmd::Add {
            id,
            kind,
            custodian,
            registration,
            aum,
            as_of,
            fee_rate,
            owner,
        } => {
            let account = Account {
                kind,
                custodian,
                registration,
                aum,
                fee_rate,
                aum_as_of: as_of,
                owner,
                ..Default::default()
            };
            let item = profile.edit(&id, |h, ctx| h.add_account(&account, ctx))?;
            println!("{item}");
            Ok(())
        }
        AccountCmd::Edit {
            id,
            account,
            kind,
            custodian,
            registration,
            fee_rate,
            owner,
            aum,
            as_of,
            closed_on,
            reopen,
        } => {
            let patch = AccountPatch {
                kind,
                custodian: change(custodian),
                registration: change(registration),
                fee_rate: change(fee_rate),
                owner: change(owner),
                closed_on: if reopen {
                    Some(None)
                } else {
                    change(closed_on)
                },
                aum: aum.map(|amount| NewBalance { amount, as_of }),
            };
            profile.edit(&id, |h, ctx| h.update_account(&account, &patch, ctx))?;
            saved()
        }
        AccountCmd::Remove { id, account } => {
            profile.edit(&id, |h, ctx| h.remove_account(&account, ctx))?;
            saved()
        }
    }
}

pub(crate) fn goal(profile: &mut Profile, cmd: GoalCmd) -> Result<()> {
    match cmd {
        GoalCmd::Add {
            id,
            title,
            amount,
            date,
            funded,
        } => {
            let goal = Goal {
                title,
                target_amount: amount,
                target_date: date,
                funded_amount: funded,
                ..Default::default()
            };
            let item = profile.edit(&id, |h, ctx| h.add_goal(&goal, ctx))?;
            println!("{item}");
            Ok(())
        }
        GoalCmd::Edit {
            id,
            goal,
            title,
            amount,
            date,
            funded,
        } => {
            let patch = GoalPatch {
                title,
                target_amount: change(amount),
                target_date: change(date),
                funded_amount: change(funded),
            };
            profile.edit(&id, |h, ctx| h.update_goal(&goal, &patch, ctx))?;
            saved()
        }
        GoalCmd::Remove { id, goal } => {
            profile.edit(&id, |h, ctx| h.remove_goal(&goal, ctx))?;
            saved()
        }
    }
}

pub(crate) fn note(profile: &mut Profile, cmd: NoteCmd) -> Result<()> {
    match cmd {
        NoteCmd::Add {
            id,
            category,
            text,
            meeting,
        } => {
            let category: NoteCategory = category.parse()?;
            let item = profile.edit(&id, |h, ctx| {
                h.add_note(category, &text, meeting.as_deref(), ctx)
            })?;
            println!("{item}");
            Ok(())
        }
        NoteCmd::Edit { id, note, text } => {
            profile.edit(&id, |h, ctx| h.edit_note(&note, &text, ctx))?;
            saved()
        }
        NoteCmd::Remove { id, note } => {
            profile.edit(&id, |h, ctx| h.remove_note(&note, ctx))?;
            saved()
        }
    }
}

pub(crate) fn task(profile: &mut Profile, cmd: TaskCmd) -> Result<()> {
    let status = |profile: &mut Profile, id: String, task: String, status: TaskStatus| {
        profile.edit(&id, |h, ctx| h.set_task_status(&task, status, ctx))?;
        saved()
    };
    match cmd {
        TaskCmd::Add {
            id,
            title,
            due,
            owner,
        } => {
            let owner = match owner {
                Some(name) => profile.check_task_owner(&id, &name)?,
                None => profile.advisor().to_string(),
            };
            let item = profile.edit(&id, |h, ctx| {
                h.add_task(&title, &owner, due.as_deref(), None, ctx)
            })?;
            println!("{item}");
            Ok(())
        }
        TaskCmd::Edit {
            id,
            task,
            title,
            due,
            owner,
            snooze,
        } => {
            let owner = match owner {
                Some(name) => Some(profile.check_task_owner(&id, &name)?),
                None => None,
            };
            let patch = TaskPatch {
                title,
                due: change(due),
                owner,
                snoozed_until: change(snooze),
            };
            profile.edit(&id, |h, ctx| h.update_task(&task, &patch, ctx))?;
            saved()
        }
        TaskCmd::Done { id, task } => status(profile, id, task, TaskStatus::Done),
        TaskCmd::Cancel { id, task } => status(profile, id, task, TaskStatus::Cancelled),
        TaskCmd::Reopen { id, task } => status(profile, id, task, TaskStatus::Open),
    }
}

pub(crate) fn fact(profile: &mut Profile, cmd: FactCmd) -> Result<()> {
    match cmd {
        FactCmd::Add {
            id,
            key,
            value,
            source,
            confidence,
        } => {
            let fact = ClientFact {
                key,
                value,
                source,
                confidence,
                accepted: true,
                recorded_at: None,
                retired_at: None,
            };
            let item = profile.edit(&id, |h, ctx| h.add_fact(&fact, ctx))?;
            println!("{item}");
            Ok(())
        }
        FactCmd::Edit {
            id,
            fact,
            key,
            value,
        } => {
            let patch = FactPatch { key, value };
            profile.edit(&id, |h, ctx| h.update_fact(&fact, &patch, ctx))?;
            saved()
        }
        FactCmd::Retire { id, fact } => {
            profile.edit(&id, |h, ctx| h.retire_fact(&fact, ctx))?;
            saved()
        }
    }
}
