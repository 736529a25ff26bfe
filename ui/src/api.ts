// Typed calls into the Tauri shell. The types are generated from the Rust types (bindings.ts);
// every command's failure arrives as an AppError.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type * as B from "./bindings";
import { toAppError } from "./lib/errors";
import type { LiveLine } from "./lib/recording";

export type * from "./bindings";
export type { LiveLine };

/** The meeting's analysis, as stored and shown in review. */
export type Analysis = B.Analysis;

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

type View = Promise<B.HouseholdView>;

export const api = {
  profileStatus: () => call<B.ProfileStatus>("profile_status"),
  createProfile: (advisor: string, device: string, keyStorage: "keyring" | "passphrase", passphrase: string | null) =>
    call<B.ProfileInfo>("create_profile", { advisor, device, keyStorage, passphrase }),
  unlockProfile: (passphrase: string | null) => call<B.ProfileInfo>("unlock_profile", { passphrase }),
  enroll: (relay: string, code: string) => call<B.SyncStatus>("enroll", { relay, code }),
  syncStatus: () => call<B.SyncStatus>("sync_status"),
  syncNow: () => call<B.SyncStatus>("sync_now"),

  // Households and their records. Every edit answers with the household's fresh view.
  listHouseholds: () => call<B.HouseholdSummary[]>("list_households"),
  createHousehold: (name: string, status: string, segment: string | null) => call<string>("create_household", { name, status, segment }),
  household: (id: string) => call<B.HouseholdView>("household", { id }),
  householdHistory: (id: string) => call<B.HistoryEntry[]>("household_history", { id }),
  updateHousehold: (id: string, patch: B.HouseholdPatch): View => call("update_household", { id, patch }),
  setArchived: (id: string, archived: boolean): View => call("set_archived", { id, archived }),
  addMember: (id: string, member: B.NewMember): View => call("add_member", { id, member }),
  updateMember: (id: string, memberId: string, patch: B.MemberPatch): View => call("update_member", { id, memberId, patch }),
  removeMember: (id: string, memberId: string): View => call("remove_member", { id, memberId }),
  addAccount: (id: string, account: B.NewAccount): View => call("add_account", { id, account }),
  updateAccount: (id: string, accountId: string, patch: B.AccountPatch): View => call("update_account", { id, accountId, patch }),
  removeAccount: (id: string, accountId: string): View => call("remove_account", { id, accountId }),
  addGoal: (id: string, goal: B.NewGoal): View => call("add_goal", { id, goal }),
  updateGoal: (id: string, goalId: string, patch: B.GoalPatch): View => call("update_goal", { id, goalId, patch }),
  removeGoal: (id: string, goalId: string): View => call("remove_goal", { id, goalId }),
  addFact: (id: string, key: string, value: string): View => call("add_fact", { id, key, value }),
  updateFact: (id: string, factId: string, patch: B.FactPatch): View => call("update_fact", { id, factId, patch }),
  retireFact: (id: string, factId: string): View => call("retire_fact", { id, factId }),
  addNote: (id: string, category: string, text: string): View => call("add_note", { id, category, text }),
  editNote: (id: string, noteId: string, text: string): View => call("edit_note", { id, noteId, text }),
  removeNote: (id: string, noteId: string): View => call("remove_note", { id, noteId }),
  addTask: (id: string, title: string, due: string | null, owner: string | null = null): View => call("add_task", { id, title, due, owner }),
  updateTask: (id: string, taskId: string, patch: B.TaskPatch): View => call("update_task", { id, taskId, patch }),
  setTaskStatus: (id: string, taskId: string, status: "open" | "done" | "cancelled"): View => call("set_task_status", { id, taskId, status }),
  resolveConflict: (id: string, path: string[], keep: string): View => call("resolve_conflict", { id, path, keep }),
  templates: () => call<B.Template[]>("templates"),
  applyTemplate: (id: string, name: string): View => call("apply_template", { id, name }),
  setCustom: (id: string, field: string, value: unknown): View => call("set_custom", { id, field, value }),
  scheduleMeeting: (id: string, title: string, startsAt: number): View => call("schedule_meeting", { id, title, startsAt }),

  // The advisor's day.
  today: (date: string | null = null) => call<B.Today>("today", { date }),
  markSeen: (upTo: number) => call<void>("mark_seen", { upTo }),
  brief: (id: string, date: string | null = null) => call<B.Brief>("brief", { id, date }),
  alerts: (householdId: string | null, days: number | null = null) => call<B.HouseholdAlert[]>("alerts", { householdId, days }),

  // Meetings.
  disclosure: () => call<B.Disclosure>("disclosure"),
  importTranscript: (householdId: string, title: string, date: string | null, transcript: string, consentedBy: string[]) =>
    call<string>("import_transcript", { householdId, title, date, transcript, consentedBy }),
  meeting: (meetingId: string) => call<B.MeetingView>("meeting", { meetingId }),
  analyzeMeeting: (meetingId: string) => call<B.AnalysisOutcome>("analyze_meeting", { meetingId }),
  acceptMeetingItems: (meetingId: string, items: string[]) => call<B.Filed>("accept_meeting_items", { meetingId, items }),
  importMeetingAudio: (file: File, m: { householdId: string; title: string; date: string | null; consentedBy: string[]; participants: string[] }) =>
    callWithFile<B.MeetingView>("import_meeting_audio", file, { ...m, fileName: file.name }),
  cancelImport: () => call<void>("cancel_import"),
  audioDevices: () => call<B.AudioDevice[]>("audio_devices"),
  startRecording: (m: {
    householdId: string;
    title: string;
    date: string | null;
    consentedBy: string[];
    participants: string[];
    device: string | null;
    /** `auto` (the default output's, where this computer can record it), `off`, or a system-audio device id. */
    otherSide: string;
  }) =>
    call<string>("start_recording", m),
  /** Stops, files the advisor's notes typed during the meeting (if any) and transcribes. */
  /** Changes a suggestion before filing: `action:N` (text, owner, due), `note:N`/`fact:N` (text), `email` (subject, text); answers with the meeting. */
  reviseSuggestion: (meetingId: string, item: string, edit: { text?: string; owner?: string; due?: string; subject?: string }) =>
    call<B.MeetingView>("revise_suggestion", { meetingId, item, text: edit.text ?? null, owner: edit.owner ?? null, due: edit.due ?? null, subject: edit.subject ?? null }),
  /** Renames a speaker: every segment labelled `old` (`?` unlabelled), or only segments from..to; an analysed meeting is analysed again. */
  relabelSpeaker: (meetingId: string, old: string, name: string, from: number | null, to: number | null) =>
    call<B.MeetingView>("relabel_speaker", { meetingId, old, new: name, from, to }),
  stopRecording: (notes: string | null) => call<B.MeetingView>("stop_recording", { notes }),
  /** Pauses or resumes; answers whether it is now paused. */
  pauseRecording: (paused: boolean) => call<boolean>("pause_recording", { paused }),
  cancelRecording: () => call<void>("cancel_recording"),
  interruptedRecordings: () => call<B.InterruptedRecording[]>("interrupted_recordings"),
  recoverRecording: (meetingId: string) => call<B.MeetingView>("recover_recording", { meetingId }),

  // Settings.
  getSettings: () => call<B.Settings>("get_settings"),
  saveSettings: (llm: B.LlmSettings, tone: string) => call<void>("save_settings", { llm, tone }),
  setNotifications: (enabled: boolean) => call<void>("set_notifications", { enabled }),
  saveRecordingPolicy: (p: { consentMode: string; audioKeepDays: number; disclosureVersion: string; disclosureText: string }) =>
    call<void>("save_recording_policy", p),
  setLlmKey: (key: string) => call<void>("set_llm_key", { key }),
  capabilities: () => call<B.Capabilities>("capabilities"),
  modelStatus: () => call<B.ModelStatus>("model_status"),
  fetchModel: (name: string) => call<B.ModelStatus>("fetch_model", { name }),
  installModelFile: (file: File, name: string) => callWithFile<B.ModelStatus>("install_model_file", file, { name }),

  // Updates.
  updateStatus: () => call<B.UpdateStatus>("update_status"),
  setUpdateFeed: (feed: string) => call<void>("set_update_feed", { feed }),
  checkForUpdate: () => call<B.AvailableUpdate | null>("check_for_update"),
  installUpdate: (version: string) => call<string>("install_update", { version }),
  restartApp: () => call<void>("restart_app"),

  // Sharing and search.
  householdSharing: (id: string) => call<B.Sharing>("household_sharing", { id }),
  setShare: (id: string, advisorId: string, share: boolean) => call<void>("set_share", { id, advisorId, share }),
  search: (text: string, filters: B.SearchFilters | null = null) => call<B.SearchResult[]>("search", { text, filters }),

  // Files in and out.
  attachDocument: (householdId: string, file: File) => callWithFile<B.AttachedDocument>("attach_document", file, { householdId, fileName: file.name }),
  saveDocument: (householdId: string, documentId: string) => call<string>("save_document", { householdId, documentId }),
  exportVtt: (meetingId: string) => call<string>("export_vtt", { meetingId }),
  exportProfile: () => call<string>("export_profile"),
  importProfile: (file: File) => callWithFile<B.ImportReport>("import_profile", file, { fileName: file.name }),
  csvFields: () => call<string[]>("csv_fields"),
  importCsv: (file: File, format: "wealthbox" | "redtail", mapping: [string, string][], apply: boolean) =>
    callWithFile<B.CsvImport>("import_csv", file, { fileName: file.name, format, mapping, apply }),
  openSaved: (path: string) => call<void>("open_saved", { path }),
};

export function onImportProgress(handler: (p: B.ImportProgress) => void): Promise<UnlistenFn> {
  return listen<B.ImportProgress>("import-progress", (e) => handler(e.payload));
}

export function onRecordingLevel(handler: (l: B.RecordingLevel) => void): Promise<UnlistenFn> {
  return listen<B.RecordingLevel>("recording-level", (e) => handler(e.payload));
}

export function onRecordingLive(handler: (l: LiveLine) => void): Promise<UnlistenFn> {
  return listen<LiveLine>("recording-live", (e) => handler(e.payload));
}

export function onModelProgress(handler: (p: B.ModelProgress) => void): Promise<UnlistenFn> {
  return listen<B.ModelProgress>("model-progress", (e) => handler(e.payload));
}

export function onSyncStatus(handler: (s: B.SyncStatus) => void): Promise<UnlistenFn> {
  return listen<B.SyncStatus>("sync-status", (e) => handler(e.payload));
}

/** Sync changed these households. */
export function onHouseholdsChanged(handler: (ids: string[]) => void): Promise<UnlistenFn> {
  return listen<string[]>("households-changed", (e) => handler(Array.isArray(e.payload) ? e.payload : []));
}

/** The tray or the global shortcut asked for quick capture. */
export function onQuickCapture(handler: () => void): Promise<UnlistenFn> {
  return listen("quick-capture", () => handler());
}

/** The tray asked for a screen (e.g. "today"). */
export function onNavigate(handler: (screen: string) => void): Promise<UnlistenFn> {
  return listen<string>("navigate", (e) => handler(e.payload));
}
