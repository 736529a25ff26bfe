// Typed calls into the Tauri shell. Every command's failure arrives as an AppError.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { toAppError } from "./lib/errors";
import type { HouseholdSummary } from "./lib/households";
import type { SyncReport, SyncStatus } from "./lib/sync";
import type { LiveLine } from "./lib/recording";

export type { HouseholdSummary, SyncStatus, SyncReport, LiveLine };

export interface ProfileInfo {
  profile_id: string;
  advisor: string;
  device: string;
  actor: string;
  key_source: "keyring" | "passphrase";
  schema_version: number;
  households: number;
}

export interface ProfileStatus {
  dir: string;
  exists: boolean;
  info: ProfileInfo | null;
}

export interface Member {
  name: string;
  role: string;
  birth_year: number | null;
  contact: { email: string | null; phone: string | null };
}
export interface Account {
  kind: string;
  custodian: string | null;
  registration: string | null;
  aum: string | null;
  fee_rate: string | null;
}
export interface Goal {
  title: string;
  target_amount: string | null;
  target_date: string | null;
}
export interface Note {
  category: string;
  body: string;
  author: string;
  created_at: number;
  source_meeting: string | null;
}
export interface Task {
  title: string;
  owner: string;
  due: string | null;
  status: "open" | "done" | "cancelled";
  source_meeting: string | null;
  created_at: number;
}
export interface DocumentRef {
  name: string;
  media_type: string;
  size: number;
  sha256: string;
  added_at: number;
}
export interface TranscriptSegment {
  start_ms: number;
  end_ms: number;
  speaker: string | null;
  text: string;
}
export interface Consent {
  consented_by: string[];
  recorded_at: number;
  recorded_by: string;
  disclosure_version: string;
  disclosure_text: string;
  method: string;
}
export interface Meeting {
  title: string;
  started_at: number;
  duration_secs: number | null;
  participants: string[];
  consent: Consent | null;
  transcript: TranscriptSegment[];
  audio: string | null;
  analysis: string | null;
  redactions: string | null;
  accepted: string[];
}
export interface ClientFact {
  key: string;
  value: string;
  source: string;
  confidence: number;
  accepted: boolean;
}
export interface HouseholdData {
  id: string;
  name: string;
  status: "client" | "prospect";
  segment: string | null;
  tags: string[];
  created_at: number;
  members: Record<string, Member>;
  accounts: Record<string, Account>;
  goals: Record<string, Goal>;
  notes: Record<string, Note>;
  tasks: Record<string, Task>;
  documents: Record<string, DocumentRef>;
  meetings: Record<string, Meeting>;
  facts: Record<string, ClientFact>;
  custom: Record<string, string>;
}
export interface HistoryEntry {
  hash: string;
  actor: string;
  advisor: string | null;
  device: string | null;
  time: number;
  summary: string;
  ops: number;
}
export interface HouseholdView {
  data: HouseholdData;
  history: HistoryEntry[];
}

export interface SuggestedNote {
  category: string;
  text: string;
}
export interface ActionItem {
  what: string;
  owner: "advisor" | "client";
  due: string | null;
  due_phrase: string | null;
}
export interface Fact {
  kind: string;
  key: string;
  value: string;
  confidence: number;
}
export interface ComplianceFlag {
  rule_id: string;
  kind: string;
  excerpt: string;
  redacted: boolean;
}
export interface Analysis {
  notes: SuggestedNote[];
  action_items: ActionItem[];
  facts: Fact[];
  flags: ComplianceFlag[];
  email: { subject: string; body: string; tone: string };
}
export interface Outcome {
  analysis: Analysis;
  engine: string;
  fallback_reason: string | null;
}
export interface MeetingView {
  household_id: string;
  meeting_id: string;
  meeting: Meeting;
  analysis: Analysis | null;
}
export interface Filed {
  accepted: string[];
  created: string[];
}
export interface LlmSettings {
  enabled: boolean;
  provider: string;
  base_url: string;
  model: string;
}
export interface Settings {
  profile: ProfileInfo;
  dir: string;
  relay: Record<string, string> | null;
  llm: LlmSettings;
  tone: string;
  disclosure: { version: string; text: string };
}
export interface Capabilities {
  search: boolean;
  audio_import: boolean;
  recording: boolean;
  documents: boolean;
}

export interface RemoteAdvisor {
  id: string;
  name: string;
  is_admin: boolean;
}
export interface Sharing {
  on_relay: boolean;
  owner_id: string | null;
  me: string;
  advisors: RemoteAdvisor[];
  shared_with: string[];
}

export interface ModelRow {
  name: string;
  installed: boolean;
  size: number | null;
  downloadable: boolean;
  english_only: boolean;
}
export interface ModelStatus {
  dir: string;
  models: ModelRow[];
  active: string | null;
  problem: string | null;
}
export interface ImportProgress {
  stage: string;
  percent: number | null;
}
export interface AudioDevice {
  id: string;
  name: string;
  isDefault: boolean;
}
export interface RecordingLevel {
  dbfs: number;
  secs: number;
}
export interface ModelProgress {
  name: string;
  downloaded: number;
  total: number | null;
}
export interface AttachedDocument {
  id: string;
  name: string;
  media_type: string;
  size: number;
}

export interface SearchResult {
  kind: string;
  household_id: string;
  item_id: string;
  title: string;
  snippet: { text: string; hit: boolean }[];
  date: number;
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toAppError(e);
  }
}

/** Sends a file the advisor chose as the raw body of `command`; the other arguments travel as
 * percent-encoded JSON in a header (IPC headers are ASCII, names need not be). */
async function callWithFile<T>(command: string, file: File, args: Record<string, unknown>): Promise<T> {
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    return await invoke<T>(command, bytes, { headers: { "Hearth-Args": encodeURIComponent(JSON.stringify(args)) } });
  } catch (e) {
    throw toAppError(e);
  }
}

export const api = {
  profileStatus: () => call<ProfileStatus>("profile_status"),
  createProfile: (advisor: string, device: string, keyStorage: "keyring" | "passphrase", passphrase: string | null) =>
    call<ProfileInfo>("create_profile", { advisor, device, keyStorage, passphrase }),
  unlockProfile: (passphrase: string | null) => call<ProfileInfo>("unlock_profile", { passphrase }),
  enroll: (relay: string, code: string) => call<SyncStatus>("enroll", { relay, code }),
  listHouseholds: () => call<HouseholdSummary[]>("list_households"),
  createHousehold: (name: string, status: string, segment: string | null) =>
    call<string>("create_household", { name, status, segment }),
  household: (id: string) => call<HouseholdView>("household", { id }),
  setSegment: (id: string, segment: string | null) => call<void>("set_segment", { id, segment }),
  addMember: (id: string, m: { name: string; role: string; birthYear: number | null; email: string | null; phone: string | null }) =>
    call<string>("add_member", { id, ...m }),
  addAccount: (id: string, a: { kind: string; custodian: string | null; aum: string | null; feeRate: string | null }) =>
    call<string>("add_account", { id, ...a }),
  addGoal: (id: string, g: { title: string; targetAmount: string | null; targetDate: string | null }) =>
    call<string>("add_goal", { id, ...g }),
  addNote: (id: string, category: string, text: string) => call<string>("add_note", { id, category, text }),
  editNote: (id: string, noteId: string, text: string) => call<void>("edit_note", { id, noteId, text }),
  addTask: (id: string, title: string, due: string | null) => call<string>("add_task", { id, title, due }),
  setTaskStatus: (id: string, taskId: string, status: string) => call<void>("set_task_status", { id, taskId, status }),
  disclosure: () => call<{ version: string; text: string }>("disclosure"),
  importTranscript: (householdId: string, title: string, date: string | null, transcript: string, consentedBy: string[]) =>
    call<string>("import_transcript", { householdId, title, date, transcript, consentedBy }),
  meeting: (meetingId: string) => call<MeetingView>("meeting", { meetingId }),
  analyzeMeeting: (meetingId: string) => call<Outcome>("analyze_meeting", { meetingId }),
  acceptMeetingItems: (meetingId: string, items: string[]) => call<Filed>("accept_meeting_items", { meetingId, items }),
  syncStatus: () => call<SyncStatus>("sync_status"),
  syncNow: () => call<SyncStatus>("sync_now"),
  getSettings: () => call<Settings>("get_settings"),
  saveSettings: (llm: LlmSettings, tone: string) => call<void>("save_settings", { llm, tone }),
  capabilities: () => call<Capabilities>("capabilities"),
  search: (text: string) => call<SearchResult[]>("search", { text }),
  householdSharing: (id: string) => call<Sharing>("household_sharing", { id }),
  setShare: (id: string, advisorId: string, share: boolean) => call<void>("set_share", { id, advisorId, share }),
  importMeetingAudio: (file: File, m: { householdId: string; title: string; date: string | null; consentedBy: string[] }) =>
    callWithFile<MeetingView>("import_meeting_audio", file, { ...m, fileName: file.name }),
  cancelImport: () => call<void>("cancel_import"),
  modelStatus: () => call<ModelStatus>("model_status"),
  fetchModel: (name: string) => call<ModelStatus>("fetch_model", { name }),
  installModelFile: (file: File, name: string) => callWithFile<ModelStatus>("install_model_file", file, { name }),
  audioDevices: () => call<AudioDevice[]>("audio_devices"),
  startRecording: (m: { householdId: string; title: string; date: string | null; consentedBy: string[]; device: string | null }) =>
    call<string>("start_recording", m),
  stopRecording: () => call<MeetingView>("stop_recording"),
  cancelRecording: () => call<void>("cancel_recording"),
  attachDocument: (householdId: string, file: File) => callWithFile<AttachedDocument>("attach_document", file, { householdId, fileName: file.name }),
};

export function onImportProgress(handler: (p: ImportProgress) => void): Promise<UnlistenFn> {
  return listen<ImportProgress>("import-progress", (e) => handler(e.payload));
}

export function onRecordingLevel(handler: (l: RecordingLevel) => void): Promise<UnlistenFn> {
  return listen<RecordingLevel>("recording-level", (e) => handler(e.payload));
}

export function onRecordingLive(handler: (l: LiveLine) => void): Promise<UnlistenFn> {
  return listen<LiveLine>("recording-live", (e) => handler(e.payload));
}

export function onModelProgress(handler: (p: ModelProgress) => void): Promise<UnlistenFn> {
  return listen<ModelProgress>("model-progress", (e) => handler(e.payload));
}

export function onSyncStatus(handler: (s: SyncStatus) => void): Promise<UnlistenFn> {
  return listen<SyncStatus>("sync-status", (e) => handler(e.payload));
}

export function onHouseholdsChanged(handler: () => void): Promise<UnlistenFn> {
  return listen("households-changed", () => handler());
}
