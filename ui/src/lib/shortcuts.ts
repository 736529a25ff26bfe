// Keyboard shortcuts: one table so the help overlay, the menus and the handler agree. Ctrl on
// Windows and Linux, ⌘ on macOS; none of them is one the OS keeps (⌘M minimises on macOS, so a
// new meeting is ⌘⇧M; ⌘H hides; ⌘Q quits).

export type Action =
  | "palette"
  | "newHousehold"
  | "newMeeting"
  | "today"
  | "households"
  | "settings"
  | "capture"
  | "focusSearch"
  | "help";

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  /** Whether focus is in a text field (plain-letter shortcuts are off there). */
  inField: boolean;
}

/** Whether this is a Mac (shortcuts use ⌘ and are shown with ⌘). */
export function isMac(platform: string = typeof navigator === "undefined" ? "" : navigator.platform || navigator.userAgent): boolean {
  return /mac|iphone|ipad/i.test(platform);
}

interface Binding {
  action: Action;
  label: string;
  /** The key, with the modifier (Ctrl/⌘) unless `plain`. */
  key: string;
  shift?: boolean;
  plain?: boolean;
}

const BINDINGS: Binding[] = [
  { action: "palette", key: "k", label: "Search and jump" },
  { action: "capture", key: "j", label: "Quick capture: a note, a loop or a recording" },
  { action: "newHousehold", key: "n", label: "New household" },
  { action: "newMeeting", key: "m", shift: true, label: "New meeting" },
  { action: "today", key: "1", label: "Today" },
  { action: "households", key: "2", label: "Households" },
  { action: "settings", key: ",", label: "Settings" },
  { action: "focusSearch", key: "/", plain: true, label: "Filter the list" },
  { action: "help", key: "?", plain: true, label: "Keyboard shortcuts" },
];

/** How a shortcut reads on this platform: "⌘K" on macOS, "Ctrl K" elsewhere. */
export function keysFor(action: Action, mac: boolean = isMac()): string {
  const b = BINDINGS.find((x) => x.action === action);
  if (!b) return "";
  const key = b.key.length === 1 ? b.key.toUpperCase() : b.key;
  if (b.plain) return key;
  if (mac) return `${b.shift ? "⇧" : ""}⌘${key}`;
  return `Ctrl ${b.shift ? "Shift " : ""}${key}`;
}

/** The shortcut table for the help overlay. */
export function shortcutList(mac: boolean = isMac()): { action: Action; keys: string; label: string }[] {
  return BINDINGS.map((b) => ({ action: b.action, keys: keysFor(b.action, mac), label: b.label }));
}

export function matchShortcut(e: KeyLike, mac: boolean = isMac()): Action | null {
  // The platform's own modifier only: Ctrl on a Mac is not ⌘.
  const mod = mac ? e.metaKey && !e.ctrlKey : e.ctrlKey && !e.metaKey;
  for (const b of BINDINGS) {
    if (b.plain) {
      if (!e.inField && !e.altKey && !e.ctrlKey && !e.metaKey && e.key === b.key) return b.action;
      continue;
    }
    if (mod && !e.altKey && !!b.shift === e.shiftKey && e.key.toLowerCase() === b.key) return b.action;
  }
  return null;
}
