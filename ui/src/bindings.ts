// Generated from the Rust types by `HEARTH_WRITE_BINDINGS=1 cargo test -p hearth-desktop --test bindings`.
// Do not edit: change the Rust type and regenerate.

export type Account = { 
/**
 * Account type, e.g. "Roth IRA", "Brokerage", "401(k)".
 */
kind: string, 
/**
 * Custodian, e.g. "Schwab".
 */
custodian: string | null, 
/**
 * Registration, e.g. "JTWROS", "Individual", "Trust".
 */
registration: string | null, 
/**
 * Assets under management as an exact decimal string (never a float).
 */
aum: string | null, 
/**
 * Annual advisory fee rate as an exact decimal string, e.g. "0.0100" for 1%.
 */
fee_rate: string | null, 
/**
 * The date `aum` is as of, YYYY-MM-DD.
 */
aum_as_of: string | null, 
/**
 * Every balance entered, by item id (concurrent entries are all kept).
 */
balances: { [key in string]: Balance }, 
/**
 * The member (item id) who owns it: RMDs follow the owner.
 */
owner: string | null, 
/**
 * The date it was closed, YYYY-MM-DD; a closed account is kept but counts for nothing.
 */
closed_on: string | null, };

export type AccountPatch = { 
/**
 * Account type, e.g. "Roth IRA".
 */
kind?: string, 
/**
 * Custodian.
 */
custodian?: string | null, 
/**
 * Registration.
 */
registration?: string | null, 
/**
 * Annual fee rate, exact decimal.
 */
fee_rate?: string | null, 
/**
 * Owning member (item id).
 */
owner?: string | null, 
/**
 * Closing date (set: closed; clear: reopened).
 */
closed_on?: string | null, 
/**
 * A new balance: becomes the account's AUM and joins its balance history.
 */
aum?: NewBalance, };

export type ActionItem = { 
/**
 * What has to be done (redacted).
 */
what: string, 
/**
 * Who does it.
 */
owner: Owner, 
/**
 * Due date resolved against the meeting date, if one was stated.
 */
due: string | null, 
/**
 * The phrase the due date came from, e.g. "by Friday".
 */
due_phrase: string | null, 
/**
 * Where it was said.
 */
span: Span, 
/**
 * The owner is a guess: nobody is named as the speaker of the sentence (one microphone
 * in a room, no relabelling), so "I'll …" was taken as the advisor's. The review says
 * so, and relabelling the speakers settles it.
 */
owner_guessed: boolean, };

export type ActivityLine = { 
/**
 * Its arrival number on this desk (mark up to it as seen).
 */
seq: number, 
/**
 * Household id.
 */
household_id: string, 
/**
 * Household name.
 */
household: string, 
/**
 * Who made it.
 */
advisor: string | null, 
/**
 * When, ms since the epoch.
 */
time: number, 
/**
 * What they did, in words.
 */
summary: string, };

export type ActorInfo = { 
/**
 * Advisor name.
 */
advisor: string, 
/**
 * Device label.
 */
device: string, };

export type Address = { 
/**
 * Street and number.
 */
line1: string, 
/**
 * Apartment, suite.
 */
line2: string | null, 
/**
 * City or town.
 */
city: string, 
/**
 * State, province or region.
 */
region: string | null, 
/**
 * ZIP or postal code.
 */
postal_code: string | null, 
/**
 * ISO country code.
 */
country: string | null, };

export type Alert = { 
/**
 * What it is about.
 */
kind: AlertKind, 
/**
 * The person it concerns, if any.
 */
person_id: string | null, 
/**
 * The person's name, the goal's title, the account or fact it comes from.
 */
subject: string, 
/**
 * When it is due, happens or opens (first day of the month or year for
 * [`Precision::Month`] and [`Precision::Year`]). For a goal behind pace, today; for an
 * overdue review, the day it became due.
 */
date: string, 
/**
 * The last day of a window (the Medicare initial enrollment period).
 */
ends: string | null, 
/**
 * How exactly `date` is known.
 */
precision: Precision, 
/**
 * One plain-English sentence.
 */
title: string, 
/**
 * Where the date comes from: statute, regulation, agency page or firm practice.
 */
rule: string, };

export type AlertKind = "rmd_first" | "rmd_annual" | "inherited_ira_deadline" | "medicare_enrollment" | "full_retirement_age" | "age_fifty_nine_and_half" | "catch_up_contributions" | "birthday" | "annual_review" | "goal_behind_pace" | "beneficiary_review";

export type Analysis = { 
/**
 * Suggested notes by category.
 */
notes: Array<SuggestedNote>, 
/**
 * Action items with owners and due dates.
 */
action_items: Array<ActionItem>, 
/**
 * Client facts.
 */
facts: Array<Fact>, 
/**
 * Compliance flags.
 */
flags: Array<ComplianceFlag>, 
/**
 * Follow-up e-mail draft.
 */
email: FollowUpDraft, };

export type AnalysisOutcome = { 
/**
 * The suggestions to review.
 */
analysis: Analysis, 
/**
 * `local` or `llm`.
 */
engine: EngineUsed, 
/**
 * Why the LLM's result was not used, if one was configured.
 */
fallback_reason: string | null, };

export type AttachedDocument = { 
/**
 * The document's id in the household.
 */
id: string, 
/**
 * Its name.
 */
name: string, 
/**
 * Its media type.
 */
media_type: string, 
/**
 * Its size in bytes.
 */
size: number, };

export type AudioDevice = { 
/**
 * Id to record from.
 */
id: string, 
/**
 * Name to show.
 */
name: string, 
/**
 * Whether it is the system's default input (or the default output's system audio).
 */
isDefault: boolean, 
/**
 * `microphone`, or `system` for the other side of a call (what the computer plays).
 */
kind: string, };

export type AumChange = { 
/**
 * The balance on or before the last meeting, exact decimal.
 */
from: string, 
/**
 * Its as-of date.
 */
from_as_of: string, 
/**
 * The difference to the current AUM, exact decimal.
 */
delta: string, 
/**
 * The difference in percent of `from`, two decimals (`None` when `from` is zero).
 */
percent: string | null, };

export type AvailableUpdate = { 
/**
 * Its version.
 */
version: string, 
/**
 * Release notes, when the feed gives them.
 */
notes: string | null, 
/**
 * Publication date (RFC 3339), when the feed gives it.
 */
date: string | null, };

export type Balance = { 
/**
 * The balance, exact decimal text.
 */
amount: string, 
/**
 * The date the balance is as of, YYYY-MM-DD.
 */
as_of: string, 
/**
 * When it was entered, ms since the epoch.
 */
recorded_at: number, 
/**
 * Advisor who entered it.
 */
recorded_by: string, };

export type Brief = { 
/**
 * Household id.
 */
household_id: string, 
/**
 * Name.
 */
name: string, 
/**
 * Status.
 */
status: string, 
/**
 * Segment.
 */
segment: string | null, 
/**
 * The day it was built for.
 */
date: string, 
/**
 * Members with ages and milestones.
 */
members: Array<BriefMember>, 
/**
 * Household-wide alerts (goals, reviews, inherited IRAs, beneficiaries).
 */
household_alerts: Array<Alert>, 
/**
 * Open accounts.
 */
accounts: Array<BriefAccount>, 
/**
 * Sum of open accounts' AUM.
 */
aum_total: string | null, 
/**
 * Goals.
 */
goals: Array<BriefGoal>, 
/**
 * The last meeting held.
 */
last_meeting: LastMeeting | null, 
/**
 * Open loops, overdue first.
 */
open_loops: Array<BriefLoop>, 
/**
 * Current client facts.
 */
facts: Array<BriefFact>, 
/**
 * Compliance items.
 */
compliance: BriefCompliance, 
/**
 * Fields two advisors set at the same time.
 */
conflicts: number, 
/**
 * Suggested agenda points, most pressing first.
 */
agenda: Array<string>, };

export type BriefAccount = { 
/**
 * Account item id.
 */
id: string, 
/**
 * Type.
 */
kind: string, 
/**
 * Custodian.
 */
custodian: string | null, 
/**
 * Owner's name.
 */
owner: string | null, 
/**
 * Current AUM, exact decimal.
 */
aum: string | null, 
/**
 * Its as-of date.
 */
aum_as_of: string | null, 
/**
 * Change since the last meeting, when a balance from then is on record.
 */
change_since_last_meeting: AumChange | null, };

export type BriefActionItem = { 
/**
 * What was agreed.
 */
what: string, 
/**
 * "advisor" or "client".
 */
side: string, 
/**
 * Due date.
 */
due: string | null, 
/**
 * "open", "done", "cancelled", or "not filed" (suggested, never accepted).
 */
status: string, };

export type BriefCompliance = { 
/**
 * The last note recording a Form ADV delivery: its date (YYYY-MM-DD) and text.
 */
last_adv_delivery: [string, string] | null, 
/**
 * Flags raised in meetings of the last 12 months.
 */
flags: Array<BriefFlag>, };

export type BriefFact = { 
/**
 * What it is about.
 */
key: string, 
/**
 * Its value.
 */
value: string, 
/**
 * Where it came from.
 */
source: string, };

export type BriefFlag = { 
/**
 * Meeting it was raised in.
 */
meeting: string, 
/**
 * When, ms since the epoch.
 */
started_at: number, 
/**
 * What kind, in words.
 */
kind: string, 
/**
 * The words it is about (redacted).
 */
excerpt: string, };

export type BriefGoal = { 
/**
 * Goal item id.
 */
id: string, 
/**
 * What it is.
 */
title: string, 
/**
 * Target amount.
 */
target_amount: string | null, 
/**
 * Funded so far.
 */
funded_amount: string | null, 
/**
 * Funded / target in percent, two decimals.
 */
progress_percent: string | null, 
/**
 * Target date.
 */
target_date: string | null, 
/**
 * Behind its straight-line pace.
 */
behind_pace: boolean, };

export type BriefLoop = { 
/**
 * Task item id.
 */
id: string, 
/**
 * What has to be done.
 */
title: string, 
/**
 * Owning advisor.
 */
owner: string, 
/**
 * Due date.
 */
due: string | null, 
/**
 * Past due.
 */
overdue: boolean, };

export type BriefMember = { 
/**
 * Member item id.
 */
id: string, 
/**
 * Full name.
 */
name: string, 
/**
 * Role.
 */
role: string, 
/**
 * Age today, when known.
 */
age: number | null, 
/**
 * The age is computed from a birth year alone.
 */
age_from_year_only: boolean, 
/**
 * Milestones in the next year (RMD, Medicare, Social Security, 59½, birthday…).
 */
milestones: Array<Alert>, };

export type Capabilities = { 
/**
 * Global full-text search.
 */
search: boolean, 
/**
 * Importing audio files and transcribing them on this device.
 */
audio_import: boolean, 
/**
 * Recording from a microphone.
 */
recording: boolean, 
/**
 * Attaching documents.
 */
documents: boolean, };

export type ClientFact = { 
/**
 * What the fact is about, e.g. "risk_tolerance".
 */
key: string, 
/**
 * The value, e.g. "moderate".
 */
value: string, 
/**
 * Where it came from, e.g. "meeting:<id>" or "advisor".
 */
source: string, 
/**
 * Confidence between 0 and 1.
 */
confidence: number, 
/**
 * Whether the advisor accepted it.
 */
accepted: boolean, 
/**
 * When it was recorded, ms since the epoch (absent in facts written before it existed).
 */
recorded_at: number | null, 
/**
 * When it stopped being true, ms since the epoch: a retired fact is kept for the
 * record but no longer shown as current.
 */
retired_at: number | null, };

export type CommandError = { 
/**
 * Stable machine-readable kind: `no_profile`, `locked`, `passphrase_required`,
 * `wrong_passphrase`, `keyring_unavailable`, `relay_unreachable`, `relay_refused`,
 * `bad_code`, `not_enrolled`, `not_found`, `invalid`, `model_missing`,
 * `model_download_failed`, `cancelled`, `internal`.
 */
kind: string, 
/**
 * A sentence for the advisor: what happened and what to do — plain words, no paths,
 * addresses or library messages.
 */
message: string, 
/**
 * The technical cause, for a "Details" disclosure and for support.
 */
detail: string | null, };

export type ComplianceFlag = { 
/**
 * Stable id of the rule that fired, e.g. "guarantee.no_loss" or "llm.guarantee".
 */
rule_id: string, 
/**
 * What kind of problem.
 */
kind: FlagKind, 
/**
 * Where it was said.
 */
span: Span, 
/**
 * The sentence, redacted.
 */
excerpt: string, 
/**
 * Whether digits were masked in the stored text because of this flag.
 */
redacted: boolean, };

export type ConflictValue = { 
/**
 * The value as shown (money grouped, dates as written).
 */
value: string, 
/**
 * Advisor who wrote it, if the document knows the writer.
 */
advisor: string | null, 
/**
 * Whether this is the value Automerge currently shows (its deterministic winner).
 */
shown: boolean, };

export type Consent = { 
/**
 * Everyone who consented (two-party-consent states need every participant).
 */
consented_by: Array<string>, 
/**
 * When consent was recorded, ms since the epoch.
 */
recorded_at: number, 
/**
 * Advisor who recorded (or attested) it.
 */
recorded_by: string, 
/**
 * Version of the firm's disclosure text that was read.
 */
disclosure_version: string, 
/**
 * The disclosure text itself.
 */
disclosure_text: string, 
/**
 * `in_app` (captured before recording) or `attested` (a recording made elsewhere).
 */
method: string, };

export type Contact = { 
/**
 * E-mail address.
 */
email: string | null, 
/**
 * Phone number.
 */
phone: string | null, };

export type CsvImport = { 
/**
 * The plan: households, members, columns used, warnings; `exists` marks households
 * that are skipped because the profile has them.
 */
plan: ImportPlan, 
/**
 * The households created (empty for a preview).
 */
created: Array<ImportedHousehold>, 
/**
 * The fields a column can be mapped to.
 */
fields: Array<string>, };

export type Disclosure = { 
/**
 * Version, stored with each consent.
 */
version: string, 
/**
 * The words the advisor reads out.
 */
text: string, };

export type DocumentRef = { 
/**
 * File name as the advisor attached it.
 */
name: string, 
/**
 * Media type, e.g. "application/pdf".
 */
media_type: string, 
/**
 * Size in bytes.
 */
size: number, 
/**
 * SHA-256 of the content, hex; the content address of the blob.
 */
sha256: string, 
/**
 * When it was attached, ms since the epoch.
 */
added_at: number, 
/**
 * Whether the content has text: "text", "no_text_layer" (a scanned PDF) or "image".
 * Absent in references written before extraction existed.
 */
text_layer: string | null, };

export type Due = "overdue" | "today" | "this_week" | "later";

export type EngineUsed = "local" | "llm" | "on_device";

export type Fact = { 
/**
 * What sort of fact.
 */
kind: FactKind, 
/**
 * Key it would be filed under, e.g. "risk_tolerance", "monthly_amount".
 */
key: string, 
/**
 * The value (redacted), e.g. "conservative" or the statement itself.
 */
value: string, 
/**
 * Where it was said.
 */
span: Span, 
/**
 * Confidence between 0 and 1.
 */
confidence: number, };

export type FactKind = "life_event" | "goal" | "risk_tolerance" | "family_change" | "account" | "amount" | "insurance" | "health";

export type FactPatch = { 
/**
 * What the fact is about.
 */
key?: string, 
/**
 * Its value.
 */
value?: string, };

export type FieldConflict = { 
/**
 * Where the field is: `["accounts", "<item id>", "aum"]`. Pass it back to resolve.
 */
path: Array<string>, 
/**
 * The field in words: "AUM of Rollover IRA".
 */
label: string, 
/**
 * Every concurrent value, the shown one first.
 */
values: Array<ConflictValue>, };

export type Filed = { 
/**
 * Item keys accepted now.
 */
accepted: Array<string>, 
/**
 * Ids of the tasks, facts and notes created.
 */
created: Array<string>, };

export type FlagKind = "guarantee" | "performance_claim" | "unsuitable" | "complaint" | "pii_ssn" | "pii_account" | "pii_card";

export type FollowUpDraft = { 
/**
 * Subject line.
 */
subject: string, 
/**
 * Plain-text body.
 */
body: string, 
/**
 * Tone it was written in.
 */
tone: Tone, };

export type Goal = { 
/**
 * What the goal is, e.g. "Retire at 62".
 */
title: string, 
/**
 * Target amount as an exact decimal string.
 */
target_amount: string | null, 
/**
 * Target date, YYYY-MM-DD.
 */
target_date: string | null, 
/**
 * How much is put aside so far, exact decimal text (progress = funded / target).
 */
funded_amount: string | null, 
/**
 * When saving towards it started, YYYY-MM-DD (the straight-line pace runs from here).
 */
started_on: string | null, };

export type GoalPatch = { 
/**
 * New title.
 */
title?: string, 
/**
 * Target amount, exact decimal.
 */
target_amount?: string | null, 
/**
 * Target date.
 */
target_date?: string | null, 
/**
 * Amount funded so far, exact decimal.
 */
funded_amount?: string | null, };

export type HistoryEntry = { 
/**
 * Change hash, hex.
 */
hash: string, 
/**
 * Automerge actor id, hex.
 */
actor: string, 
/**
 * Advisor behind the actor, if the document knows it.
 */
advisor: string | null, 
/**
 * Device behind the actor, if the document knows it.
 */
device: string | null, 
/**
 * Seconds since the epoch, as recorded in the change.
 */
time: number, 
/**
 * What the change did, in words.
 */
summary: string, 
/**
 * How many operations it holds.
 */
ops: number, };

export type HouseholdAlert = { 
/**
 * Household id.
 */
household_id: string, 
/**
 * Household name.
 */
household: string, 
/**
 * What it is about.
 */
kind: AlertKind, 
/**
 * The person it concerns, if any.
 */
person_id: string | null, 
/**
 * The person's name, the goal's title, the account or fact it comes from.
 */
subject: string, 
/**
 * When it is due, happens or opens (first day of the month or year for
 * [`Precision::Month`] and [`Precision::Year`]). For a goal behind pace, today; for an
 * overdue review, the day it became due.
 */
date: string, 
/**
 * The last day of a window (the Medicare initial enrollment period).
 */
ends: string | null, 
/**
 * How exactly `date` is known.
 */
precision: Precision, 
/**
 * One plain-English sentence.
 */
title: string, 
/**
 * Where the date comes from: statute, regulation, agency page or firm practice.
 */
rule: string, };

export type HouseholdData = { 
/**
 * Layout version.
 */
schema: number, 
/**
 * The household (document) id, bs58check.
 */
id: string, 
/**
 * Household name, e.g. "The Johnson Family".
 */
name: string, 
/**
 * Prospect or client.
 */
status: HouseholdStatus, 
/**
 * Service segment, e.g. "A", "Premier".
 */
segment: string | null, 
/**
 * The firm's own reference for the client (e.g. a CRM or custodian number, "C-1042"): how
 * the firm's admins recognise the household in the relay's console without its name.
 */
client_ref?: string, 
/**
 * When it was archived, ms since the epoch: an archived household leaves lists and
 * Today but is kept (an advisor never hard-deletes a client record).
 */
archived_at: number | null, 
/**
 * Free tags.
 */
tags: Array<string>, 
/**
 * Mailing address.
 */
address: Address | null, 
/**
 * When it was created, ms since the epoch.
 */
created_at: number, 
/**
 * People, by item id.
 */
members: { [key in string]: Member }, 
/**
 * Accounts, by item id.
 */
accounts: { [key in string]: Account }, 
/**
 * Goals, by item id.
 */
goals: { [key in string]: Goal }, 
/**
 * Notes, by item id.
 */
notes: { [key in string]: Note }, 
/**
 * Open loops, by item id.
 */
tasks: { [key in string]: Task }, 
/**
 * Document references, by item id.
 */
documents: { [key in string]: DocumentRef }, 
/**
 * Meetings, by item id.
 */
meetings: { [key in string]: Meeting }, 
/**
 * Client facts, by item id.
 */
facts: { [key in string]: ClientFact }, 
/**
 * Custom-field template, if one is applied.
 */
template: Template | null, 
/**
 * Custom field values as JSON text, by field name.
 */
custom: { [key in string]: string }, 
/**
 * Actor id (hex) → who wrote with it.
 */
actors: { [key in string]: ActorInfo }, };

export type HouseholdPatch = { 
/**
 * New name.
 */
name?: string, 
/**
 * New status.
 */
status?: HouseholdStatus, 
/**
 * New service segment.
 */
segment?: string | null, 
/**
 * New client reference (the firm's own number for the client).
 */
client_ref?: string | null, 
/**
 * New mailing address.
 */
address?: Address | null, 
/**
 * Tags to add (present ones are kept once).
 */
add_tags?: Array<string>, 
/**
 * Tags to remove.
 */
remove_tags?: Array<string>, };

export type HouseholdStatus = "prospect" | "client" | "former_client";

export type HouseholdSummary = { 
/**
 * Household id.
 */
id: string, 
/**
 * Name.
 */
name: string, 
/**
 * prospect, client or former_client.
 */
status: string, 
/**
 * Service segment.
 */
segment: string | null, 
/**
 * Last local write, ms since the epoch.
 */
updated_at: number, 
/**
 * Archived: kept, read-only, out of lists and Today.
 */
archived: boolean, 
/**
 * Sum of the open accounts' AUM, exact decimal text.
 */
aum_total: string | null, 
/**
 * When the last meeting was held, ms since the epoch.
 */
last_contact: number | null, 
/**
 * The next annual review or scheduled meeting, YYYY-MM-DD.
 */
next_review: string | null, 
/**
 * Number of open loops.
 */
open_loops: number, 
/**
 * Fields two advisors set at the same time, waiting for someone to pick a value.
 */
conflicts: number, };

export type HouseholdView = { 
/**
 * The household; each meeting's `transcript` is empty here.
 */
data: HouseholdData, 
/**
 * Fields two advisors set at the same time, waiting for someone to pick a value.
 */
conflicts: Array<FieldConflict>, 
/**
 * Advisors who can own its tasks (as far as this desk knows).
 */
advisors: Array<string>, };

export type ImportPlan = { 
/**
 * Households, by name.
 */
households: Array<PlannedHousehold>, 
/**
 * Rows or values that could not be used, with their line numbers.
 */
warnings: Array<string>, 
/**
 * Column → field actually used.
 */
columns: { [key in string]: string }, 
/**
 * Where the data came from (for the note that records the import).
 */
source: string, };

export type ImportProgress = { 
/**
 * The stage.
 */
stage: string, 
/**
 * Percent of the transcription done.
 */
percent: number | null, };

export type ImportReport = { 
/**
 * Households that were new to this profile.
 */
added: number, 
/**
 * Households that existed and were merged with the imported copy.
 */
merged: number, };

export type ImportedHousehold = { 
/**
 * Its new id.
 */
id: string, 
/**
 * Its name.
 */
name: string, 
/**
 * Members added.
 */
members: number, };

export type InterruptedRecording = { 
/**
 * The meeting.
 */
meeting_id: string, 
/**
 * Its household.
 */
household_id: string, 
/**
 * The household's name.
 */
household_name: string, 
/**
 * The meeting's title.
 */
title: string, 
/**
 * When it started, ms since the epoch.
 */
started_at: number, };

export type LastMeeting = { 
/**
 * Meeting item id.
 */
id: string, 
/**
 * Title.
 */
title: string, 
/**
 * When, ms since the epoch.
 */
started_at: number, 
/**
 * What was decided (filed notes, or the analysis's suggestions if none were filed).
 */
decisions: Array<string>, 
/**
 * What both sides agreed to do.
 */
action_items: Array<BriefActionItem>, };

export type LlmSettings = { 
/**
 * Whether redacted transcripts may be sent to it.
 */
enabled: boolean, 
/**
 * `openai` (any OpenAI-compatible server) or `anthropic`.
 */
provider: string, 
/**
 * Base URL.
 */
base_url: string, 
/**
 * Model name.
 */
model: string, };

export type LoopGroup = { 
/**
 * Which group.
 */
due: Due, 
/**
 * Its heading.
 */
label: string, 
/**
 * The loops, the advisor's own first, then by due date.
 */
loops: Array<TodayLoop>, };

export type Meeting = { 
/**
 * Short title, e.g. "Annual review".
 */
title: string, 
/**
 * Start time, ms since the epoch.
 */
started_at: number, 
/**
 * Length in seconds, once known.
 */
duration_secs: number | null, 
/**
 * Who took part.
 */
participants: Array<string>, 
/**
 * The recorded consent.
 */
consent: Consent | null, 
/**
 * The transcript, redacted.
 */
transcript: Array<TranscriptSegment>, 
/**
 * What happened to the audio (the bytes themselves never enter the document):
 * `none` (transcript only), `recording` (capture or import in progress), `kept` (in
 * the profile, encrypted, no deadline), `kept-until:<ms since the epoch>` (deleted by
 * the retention policy after that time), `deleted` (per policy).
 */
audio: string | null, 
/**
 * The latest analysis (JSON, redacted), so review decisions refer to stable items.
 */
analysis: string | null, 
/**
 * Where numbers were masked in the transcript (JSON: segment, offsets, kind, rule; never
 * the raw value), so the compliance record keeps that something was redacted.
 */
redactions: string | null, 
/**
 * Items the advisor accepted, e.g. `action:0`, `fact:2`, `notes`.
 */
accepted: Array<string>, 
/**
 * A meeting on the calendar that has not happened yet (no consent, no transcript).
 */
scheduled: boolean, 
/**
 * The recording was interrupted (a crash, a kill, a dead battery) and its transcript
 * holds what was sealed up to the last whole second before that (`hearth meeting
 * recover`, or the app's prompt on the next start).
 */
recovered: boolean, 
/**
 * What the advisor must know about the recording before trusting the transcript as
 * complete, e.g. that the other side of the call was silent for the whole meeting (the
 * wrong output device) or that only the microphone could be recorded.
 */
audio_notice: string | null, };

export type MeetingView = { 
/**
 * The stored analysis.
 */
analysis: Analysis | null, 
/**
 * Household id.
 */
household_id: string, 
/**
 * Meeting id.
 */
meeting_id: string, 
/**
 * The record.
 */
meeting: Meeting, 
/**
 * Note categories the firm's policy requires after an analysed meeting that have no note
 * from this meeting yet (empty when complete, not analysed, or no policy requires any).
 */
required_notes_missing?: Array<NoteCategory>, };

export type Member = { 
/**
 * Full name.
 */
name: string, 
/**
 * Role in the household.
 */
role: Role, 
/**
 * Year of birth (drives RMD and age-based planning). Always set when `birth_date` is,
 * so readers that know only the year keep working.
 */
birth_year: number | null, 
/**
 * Full date of birth, YYYY-MM-DD, when known (day-exact Medicare windows, 59½,
 * birthdays); a year alone gives year-level dates.
 */
birth_date: string | null, 
/**
 * How to reach them.
 */
contact: Contact, };

export type MemberPatch = { 
/**
 * New full name.
 */
name?: string, 
/**
 * New role.
 */
role?: Role, 
/**
 * Birth: a year (`1961`) or a full date (`1961-04-02`); see [`parse_birth`].
 */
birth?: string | null, 
/**
 * E-mail address.
 */
email?: string | null, 
/**
 * Phone number.
 */
phone?: string | null, };

export type ModelProgress = { 
/**
 * The model.
 */
name: string, 
/**
 * Bytes so far.
 */
downloaded: number, 
/**
 * Total bytes, when known.
 */
total: number | null, };

export type ModelRow = { 
/**
 * Name (`tiny.en`, ...).
 */
name: string, 
/**
 * Its file is in the store (not yet verified).
 */
installed: boolean, 
/**
 * Size in bytes, when known.
 */
size: number | null, 
/**
 * It can be downloaded from here (otherwise it is built with the CLI).
 */
downloadable: boolean, 
/**
 * English only.
 */
english_only: boolean, };

export type ModelStatus = { 
/**
 * The model store's directory.
 */
dir: string, 
/**
 * Every known model.
 */
models: Array<ModelRow>, 
/**
 * The model transcription will use (verified), if any.
 */
active: string | null, 
/**
 * Why there is none, and what to do.
 */
problem: string | null, };

export type NewAccount = { 
/**
 * Account type, e.g. "Rollover IRA".
 */
kind: string, 
/**
 * Custodian.
 */
custodian?: string | null, 
/**
 * Registration.
 */
registration?: string | null, 
/**
 * AUM.
 */
aum?: string | null, 
/**
 * The date the AUM is as of (default today).
 */
asOf?: string | null, 
/**
 * Annual fee rate.
 */
feeRate?: string | null, 
/**
 * Owning member's id.
 */
owner?: string | null, };

export type NewBalance = { 
/**
 * The balance, exact decimal text.
 */
amount: string, 
/**
 * The date it is as of (default: today where the advisor is).
 */
as_of?: string, };

export type NewGoal = { 
/**
 * What the goal is.
 */
title: string, 
/**
 * Target amount.
 */
targetAmount?: string | null, 
/**
 * Target date.
 */
targetDate?: string | null, 
/**
 * Funded so far.
 */
fundedAmount?: string | null, };

export type NewMember = { 
/**
 * Full name.
 */
name: string, 
/**
 * Head, Spouse, Partner, Child, Dependent or Other.
 */
role: string, 
/**
 * A birth date (YYYY-MM-DD) or a year.
 */
birth?: string | null, 
/**
 * E-mail.
 */
email?: string | null, 
/**
 * Phone.
 */
phone?: string | null, };

export type Note = { 
/**
 * Which of the five categories it is filed under.
 */
category: NoteCategory, 
/**
 * The note's text; concurrent edits merge character-wise.
 */
body: string, 
/**
 * Advisor who wrote it.
 */
author: string, 
/**
 * When it was written, ms since the epoch.
 */
created_at: number, 
/**
 * Meeting it came from, if any.
 */
source_meeting: string | null, };

export type NoteCategory = "discussion" | "decisions" | "client_updates" | "planning" | "compliance";

export type Owner = "advisor" | "client";

export type PlannedHousehold = { 
/**
 * Household name.
 */
name: string, 
/**
 * Client or prospect.
 */
status: HouseholdStatus, 
/**
 * Members, in file order.
 */
members: Array<Member>, 
/**
 * Tags, deduplicated.
 */
tags: Array<string>, 
/**
 * Mailing address (the first member's that has one).
 */
address: Address | null, 
/**
 * Background text, as one note.
 */
notes: Array<string>, 
/**
 * Already in the profile under this name: skipped.
 */
exists: boolean, };

export type Precision = "day" | "month" | "year";

export type ProfileInfo = { 
/**
 * Profile id.
 */
profile_id: string, 
/**
 * Advisor name.
 */
advisor: string, 
/**
 * Device label.
 */
device: string, 
/**
 * Automerge actor id (hex) this device writes with.
 */
actor: string, 
/**
 * "keyring" or "passphrase".
 */
key_source: string, 
/**
 * Database schema version.
 */
schema_version: number, 
/**
 * Number of households.
 */
households: number, };

export type ProfileStatus = { 
/**
 * The profile directory.
 */
dir: string, 
/**
 * A profile exists there.
 */
exists: boolean, 
/**
 * Who the open profile belongs to, once unlocked.
 */
info: ProfileInfo | null, };

export type RecordingLevel = { 
/**
 * `microphone` (the advisor) or `system` (the other side of the call).
 */
source: string, 
/**
 * RMS level in dBFS (silence is very negative, full scale is 0).
 */
dbfs: number, 
/**
 * Seconds since the recording started.
 */
secs: number, };

export type RecordingLive = { 
/**
 * `microphone` (the advisor) or `system` (the other side of the call); utterance
 * numbers count per source.
 */
source: string, 
/**
 * Utterance number (0, 1, ...).
 */
utterance: number, 
/**
 * The text so far (partial) or the utterance's text (final).
 */
text: string, 
/**
 * Whether this is the utterance's final text.
 */
isFinal: boolean, };

export type RemoteAdvisor = { 
/**
 * Advisor id.
 */
id: string, 
/**
 * Name.
 */
name: string, 
/**
 * Firm admin?
 */
is_admin: boolean, };

export type Role = "Head" | "Spouse" | "Partner" | "Child" | "Dependent" | "Other";

export type SearchFilters = { 
/**
 * Only this kind: household, member, account, note, task, fact, transcript, document.
 */
kind?: string, 
/**
 * Only this household.
 */
householdId?: string, 
/**
 * Only items dated on or after this day (YYYY-MM-DD).
 */
from?: string, 
/**
 * Only items dated on or before this day (YYYY-MM-DD).
 */
to?: string, 
/**
 * Only items written or owned by this advisor.
 */
advisor?: string, };

export type SearchResult = { 
/**
 * `household`, `note`, `task`, `fact`, `meeting`, `document`, ...
 */
kind: string, 
/**
 * Its household.
 */
household_id: string, 
/**
 * Its id in the household.
 */
item_id: string, 
/**
 * Title.
 */
title: string, 
/**
 * The snippet around the best match, split at the matches.
 */
snippet: Array<SnippetPart>, 
/**
 * Date, ms since the epoch.
 */
date: number, };

export type Settings = { 
/**
 * Who this profile is.
 */
profile: ProfileInfo, 
/**
 * Profile directory.
 */
dir: string, 
/**
 * Relay enrollment (never the tokens).
 */
relay: { [key in string]: string } | null, 
/**
 * Optional LLM engine.
 */
llm: LlmSettings, 
/**
 * Follow-up e-mail tone: `professional_warm`, `formal` or `conversational`.
 */
tone: string, 
/**
 * The firm's disclosure.
 */
disclosure: Disclosure, 
/**
 * Whose consent a recording needs: `one-party` or `all-party`.
 */
consent_mode: string, 
/**
 * What happens to audio once transcribed: 0 = deleted at once, else kept this many days.
 */
audio_keep_days: number, 
/**
 * An API key for the LLM engine is in the OS keyring.
 */
llm_key_stored: boolean, 
/**
 * Morning notifications of what is due.
 */
notifications: boolean, };

export type Sharing = { 
/**
 * Whether the relay holds the household yet (it must sync once before sharing).
 */
on_relay: boolean, 
/**
 * The owner's advisor id on the relay.
 */
owner_id: string | null, 
/**
 * This advisor's id on the relay.
 */
me: string, 
/**
 * The firm's advisors.
 */
advisors: Array<RemoteAdvisor>, 
/**
 * Advisor ids it is shared with.
 */
shared_with: Array<string>, };

export type SnippetPart = { 
/**
 * The text.
 */
text: string, 
/**
 * Whether it matched.
 */
hit: boolean, };

export type Span = { 
/**
 * Index into [`Transcript::segments`].
 */
segment: number, 
/**
 * Start byte offset into the segment text (inclusive).
 */
start: number, 
/**
 * End byte offset into the segment text (exclusive).
 */
end: number, };

export type SuggestedNote = { 
/**
 * Category it would be filed under.
 */
category: NoteCategory, 
/**
 * Note text (redacted).
 */
text: string, 
/**
 * Transcript spans the note is based on.
 */
spans: Array<Span>, };

export type SyncReport = { 
/**
 * Households offered to the relay.
 */
offered: number, 
/**
 * Households fetched that were not here before.
 */
fetched: number, 
/**
 * Households changed here by what arrived.
 */
updated: number, 
/**
 * Households the relay does not hold for this advisor (e.g. unshared).
 */
unavailable: number, 
/**
 * Documents that arrived but are not valid households (left alone, reported).
 */
skipped: number, 
/**
 * Attached documents (blobs) uploaded to the relay.
 */
blobs_uploaded: number, 
/**
 * Attached documents downloaded from the relay.
 */
blobs_downloaded: number, 
/**
 * Attached documents referenced here whose bytes no advisor has uploaded yet.
 */
blobs_pending: number, 
/**
 * Attached documents that could not be moved, one message each (the rest still synced).
 */
blob_errors: Array<string>, 
/**
 * Households that changed here (fetched or updated), so a window can reload just them.
 */
changed: Array<string>, 
/**
 * The firm policy's version this desk now follows (`None`: the firm has none).
 */
policy_version: number | null, 
/**
 * Local settings the firm's policy tightened in this sync, in words.
 */
policy_tightened: Array<string>, };

export type SyncStatus = { 
/**
 * `not_enrolled`, `syncing`, `online`, `offline` or `error`.
 */
state: string, 
/**
 * Relay URL, when enrolled.
 */
relay: string | null, 
/**
 * Firm name, when enrolled.
 */
firm: string | null, 
/**
 * When the last sync finished, ms since the epoch.
 */
last_synced_ms: number | null, 
/**
 * Why sync is offline or failing, for the advisor.
 */
message: string | null, 
/**
 * What the last sync did.
 */
last_report: SyncReport | null, };

export type Task = { 
/**
 * What has to be done.
 */
title: string, 
/**
 * Advisor who owns it.
 */
owner: string, 
/**
 * Due date, YYYY-MM-DD.
 */
due: string | null, 
/**
 * Open, done or cancelled.
 */
status: TaskStatus, 
/**
 * Meeting it came from, if any.
 */
source_meeting: string | null, 
/**
 * When it was created, ms since the epoch.
 */
created_at: number, 
/**
 * Hidden from Today until this date, YYYY-MM-DD.
 */
snoozed_until: string | null, 
/**
 * When it was marked done or cancelled, ms since the epoch.
 */
closed_at: number | null, 
/**
 * The meeting analysis item it was filed from, e.g. `action:2` (with `source_meeting`).
 */
source_item: string | null, };

export type TaskPatch = { 
/**
 * New title.
 */
title?: string, 
/**
 * Due date (reschedule), or none.
 */
due?: string | null, 
/**
 * Owning advisor (checked by the caller against who can see the household).
 */
owner?: string, 
/**
 * Hidden from Today until this date.
 */
snoozed_until?: string | null, };

export type TaskStatus = "open" | "done" | "cancelled";

export type Template = { 
/**
 * Template name, e.g. "wealth" or "insurance".
 */
name: string, 
/**
 * JSON Schema (object with typed properties) as text.
 */
schema: string, };

export type Today = { 
/**
 * The day.
 */
date: string, 
/**
 * The advisor looking.
 */
advisor: string, 
/**
 * Open loops: overdue, today, this week, later (empty groups left out).
 */
groups: Array<LoopGroup>, 
/**
 * Loops hidden by a snooze.
 */
snoozed: number, 
/**
 * Loops due later that are not listed in the "later" group.
 */
later_more: number, 
/**
 * Date alerts in the next [`ALERT_HORIZON_DAYS`], by date (at most [`ALERTS_SHOWN`]).
 */
alerts: Array<TodayAlert>, 
/**
 * Alerts in the horizon that are not listed.
 */
alerts_more: number, 
/**
 * Meetings and annual reviews in the next [`UPCOMING_DAYS`], by date.
 */
upcoming: Array<Upcoming>, 
/**
 * Colleagues' changes since the advisor last looked, newest first.
 */
since_you_last_looked: Array<ActivityLine>, 
/**
 * The newest of them: pass it to "mark as seen" so nothing that arrives after this
 * view was drawn is marked.
 */
latest_seq: number, };

export type TodayAlert = { 
/**
 * Household id.
 */
household_id: string, 
/**
 * Household name.
 */
household: string, 
/**
 * Within [`SOON_DAYS`] (or already running).
 */
soon: boolean, 
/**
 * What it is about.
 */
kind: AlertKind, 
/**
 * The person it concerns, if any.
 */
person_id: string | null, 
/**
 * The person's name, the goal's title, the account or fact it comes from.
 */
subject: string, 
/**
 * When it is due, happens or opens (first day of the month or year for
 * [`Precision::Month`] and [`Precision::Year`]). For a goal behind pace, today; for an
 * overdue review, the day it became due.
 */
date: string, 
/**
 * The last day of a window (the Medicare initial enrollment period).
 */
ends: string | null, 
/**
 * How exactly `date` is known.
 */
precision: Precision, 
/**
 * One plain-English sentence.
 */
title: string, 
/**
 * Where the date comes from: statute, regulation, agency page or firm practice.
 */
rule: string, };

export type TodayLoop = { 
/**
 * Household id.
 */
household_id: string, 
/**
 * Household name.
 */
household: string, 
/**
 * Task item id.
 */
task_id: string, 
/**
 * What has to be done.
 */
title: string, 
/**
 * Owning advisor.
 */
owner: string, 
/**
 * Owned by the advisor looking.
 */
mine: boolean, 
/**
 * Due date.
 */
due: string | null, 
/**
 * Days past due (overdue loops only).
 */
days_overdue: number | null, 
/**
 * Meeting it came from.
 */
source_meeting: string | null, };

export type Tone = "professional_warm" | "formal" | "conversational";

export type TranscriptSegment = { 
/**
 * Start, ms from the start of the recording.
 */
start_ms: number, 
/**
 * End, ms from the start of the recording.
 */
end_ms: number, 
/**
 * Speaker label, when known.
 */
speaker: string | null, 
/**
 * What was said (SSNs, account and card numbers masked).
 */
text: string, };

export type Upcoming = { 
/**
 * Household id.
 */
household_id: string, 
/**
 * Household name.
 */
household: string, 
/**
 * "meeting" or "annual_review".
 */
kind: string, 
/**
 * What it is.
 */
title: string, 
/**
 * Its date.
 */
date: string, 
/**
 * The meeting's start, ms since the epoch (meetings only).
 */
starts_at: number | null, 
/**
 * The meeting's id (meetings only).
 */
meeting_id: string | null, };

export type UpdateStatus = { 
/**
 * The running version.
 */
current_version: string, 
/**
 * This build carries a release key, so it can verify and install updates.
 */
signed_updates: boolean, 
/**
 * The feed a check asks: the firm's own when set, else the build's; none when neither.
 */
feed: string | null, 
/**
 * The feed is the firm's own (set in Settings) rather than the build's.
 */
feed_is_custom: boolean, };
