// Today's presentation logic: filtering mine vs everyone, the alert window, sentences.

import type { LoopGroup, Today, TodayAlert } from "../bindings";

export type Whose = "mine" | "everyone";

/** The groups as shown: only the advisor's own loops for "mine", empty groups left out. */
export function visibleGroups(today: Today, whose: Whose): LoopGroup[] {
  return today.groups
    .map((g) => ({ ...g, loops: whose === "mine" ? g.loops.filter((l) => l.mine) : g.loops }))
    .filter((g) => g.loops.length > 0);
}

/** Alerts within the chosen window: 30 days (`soon`, and anything already running) or 90. */
export function visibleAlerts(today: Today, window: 30 | 90): TodayAlert[] {
  return window === 30 ? today.alerts.filter((a) => a.soon) : today.alerts;
}

/** How many loops the advisor owns that are due today or overdue (the tray's count). */
export function dueNowMine(today: Today): number {
  return today.groups
    .filter((g) => g.due === "overdue" || g.due === "today")
    .reduce((n, g) => n + g.loops.filter((l) => l.mine).length, 0);
}

/** "1 day late", "12 days late". */
export function lateness(days: number | null): string {
  if (days === null || days <= 0) return "";
  return days === 1 ? "1 day late" : `${days} days late`;
}
