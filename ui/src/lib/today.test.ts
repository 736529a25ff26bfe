import { describe, expect, it } from "vitest";
import type { Today, TodayLoop } from "../bindings";
import { dueNowMine, lateness, visibleAlerts, visibleGroups } from "./today";

const loop = (title: string, mine: boolean): TodayLoop => ({
  household_id: "h",
  household: "Johnson",
  task_id: title,
  title,
  owner: mine ? "Avery" : "Blake",
  mine,
  due: "2026-12-01",
  days_overdue: 4,
  source_meeting: null,
});

const day: Today = {
  date: "2026-12-05",
  advisor: "Avery",
  groups: [
    { due: "overdue", label: "Overdue", loops: [loop("a", true), loop("b", false)] },
    { due: "today", label: "Today", loops: [loop("c", false)] },
    { due: "later", label: "Later", loops: [loop("d", true)] },
  ],
  snoozed: 0,
  later_more: 0,
  alerts_more: 0,
  alerts: [
    { household_id: "h", household: "J", soon: true, kind: "rmd_annual", person_id: null, subject: "x", date: "2026-12-31", ends: null, precision: "day", title: "RMD", rule: "r" },
    { household_id: "h", household: "J", soon: false, kind: "birthday", person_id: null, subject: "x", date: "2027-02-10", ends: null, precision: "day", title: "Birthday", rule: "r" },
  ],
  upcoming: [],
  since_you_last_looked: [],
  latest_seq: 0,
};

describe("today", () => {
  it("shows mine or everyone's, without empty groups", () => {
    expect(visibleGroups(day, "mine").map((g) => [g.due, g.loops.map((l) => l.title)])).toEqual([
      ["overdue", ["a"]],
      ["later", ["d"]],
    ]);
    expect(visibleGroups(day, "everyone").map((g) => g.loops.length)).toEqual([2, 1, 1]);
  });
  it("counts what is due now and mine, and windows the alerts", () => {
    expect(dueNowMine(day)).toBe(1);
    expect(visibleAlerts(day, 30).map((a) => a.title)).toEqual(["RMD"]);
    expect(visibleAlerts(day, 90).length).toBe(2);
    expect(lateness(1)).toBe("1 day late");
    expect(lateness(12)).toBe("12 days late");
    expect(lateness(null)).toBe("");
  });
});
