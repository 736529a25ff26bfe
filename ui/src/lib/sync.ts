// The sync status line.
import { relativeTime } from "./dates";

import type { SyncStatus } from "../bindings";

export type { SyncStatus };

export function describeSync(s: SyncStatus, now: number = Date.now()): { label: string; tone: "ok" | "busy" | "warn" | "off" } {
  switch (s.state) {
    case "not_enrolled":
      return { label: "Local only", tone: "off" };
    case "syncing":
      return { label: "Syncing…", tone: "busy" };
    case "online":
      return {
        label: s.last_synced_ms ? `Synced ${relativeTime(s.last_synced_ms, now)}` : "Online",
        tone: "ok",
      };
    case "offline":
      return {
        label: s.last_synced_ms ? `Offline · last synced ${relativeTime(s.last_synced_ms, now)}` : "Offline",
        tone: "warn",
      };
    default:
      return { label: "Sync stopped", tone: "warn" };
  }
}
