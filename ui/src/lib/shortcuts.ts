// Keyboard shortcuts: one table so the help overlay and the handler agree.

export type Action = "palette" | "newHousehold" | "newMeeting" | "settings" | "households" | "focusSearch" | "help";

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  /** Whether focus is in a text field (plain-letter shortcuts are off there). */
  inField: boolean;
}

export const SHORTCUTS: { action: Action; keys: string; label: string }[] = [
  { action: "palette", keys: "Ctrl/⌘ K", label: "Search and jump" },
  { action: "newHousehold", keys: "Ctrl/⌘ N", label: "New household" },
  { action: "newMeeting", keys: "Ctrl/⌘ M", label: "New meeting" },
  { action: "households", keys: "Ctrl/⌘ 1", label: "Households" },
  { action: "settings", keys: "Ctrl/⌘ ,", label: "Settings" },
  { action: "focusSearch", keys: "/", label: "Filter the list" },
  { action: "help", keys: "?", label: "Keyboard shortcuts" },
];

export function matchShortcut(e: KeyLike): Action | null {
  const mod = e.ctrlKey || e.metaKey;
  if (mod && !e.altKey) {
    switch (e.key.toLowerCase()) {
      case "k":
        return "palette";
      case "n":
        return "newHousehold";
      case "m":
        return "newMeeting";
      case ",":
        return "settings";
      case "1":
        return "households";
    }
    return null;
  }
  if (e.inField || e.altKey) return null;
  if (e.key === "/") return "focusSearch";
  if (e.key === "?") return "help";
  return null;
}
