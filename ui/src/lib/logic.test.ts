import { describe, expect, it } from "vitest";
import { formatMoney, formatRate, sumDecimals, toScaled } from "./money";
import { filterHouseholds, fold, initials, segmentsOf, sortHouseholds, type HouseholdSummary } from "./households";
import { addDays, dayOf, dueState, formatDay, relativeTime, today } from "./dates";
import { errorTitle, toAppError } from "./errors";
import { acceptKeys, isFiled, consentComplete, draftText, formatBytes, importLabel, importPercent, parseNames, speakerChoices, timestamp, consentFor } from "./meeting";
import { describeSync, type SyncStatus } from "./sync";
import { isMac, keysFor, matchShortcut, shortcutList } from "./shortcuts";
import { applyLive, hasSignal, interruptedLabel, levelPercent, speakerLabel } from "./recording";

describe("money", () => {
  it("sums exactly, without floating-point error", () => {
    expect(sumDecimals(["0.10", "0.20"])).toBe("0.30");
    expect(sumDecimals(["1250000.00", "3.5", null, "", "oops"])).toBe("1250003.50");
    expect(sumDecimals(["9007199254740993.01", "1"])).toBe("9007199254740994.01");
    expect(sumDecimals([])).toBe("0.00");
    expect(sumDecimals(["-5", "2.125"])).toBe("-2.875");
  });
  it("parses only decimal text", () => {
    expect(toScaled("12.5", 2)).toBe(1250n);
    expect(toScaled("1e5", 2)).toBeNull();
    expect(toScaled("1.234", 2)).toBeNull();
  });
  it("formats dollars with grouping", () => {
    expect(formatMoney("1250000")).toBe("$1,250,000.00");
    expect(formatMoney("999.5")).toBe("$999.50");
    expect(formatMoney(null)).toBe("—");
    expect(formatMoney("n/a")).toBe("n/a");
    expect(formatRate("0.0085")).toBe("0.85%");
    expect(formatRate("0.01")).toBe("1%");
  });
});

const row = (id: string, name: string, status: string, segment: string | null, more: Partial<HouseholdSummary> = {}): HouseholdSummary => ({
  id,
  name,
  status,
  segment,
  updated_at: Number(id),
  archived: false,
  aum_total: null,
  last_contact: null,
  next_review: null,
  open_loops: 0,
  conflicts: 0,
  ...more,
});
const rows: HouseholdSummary[] = [
  row("1", "The Johnson Family", "client", "A", { aum_total: "1250000.00", last_contact: 5, next_review: "2027-03-01", open_loops: 2 }),
  row("2", "José Álvarez", "prospect", null, { aum_total: "999999999999.99", next_review: "2026-12-20" }),
  row("3", "Johnson Trust", "client", "Premier", { last_contact: 2, open_loops: 7 }),
  row("4", "Archived Family", "former_client", null, { archived: true }),
];

describe("households", () => {
  it("filters by every word, accent- and case-insensitively", () => {
    expect(filterHouseholds(rows, "johnson").map((h) => h.id)).toEqual(["1", "3"]);
    expect(filterHouseholds(rows, "family JOHN").map((h) => h.id)).toEqual(["1"]);
    expect(filterHouseholds(rows, "jose alv").map((h) => h.id)).toEqual(["2"]);
    expect(filterHouseholds(rows, "  ").length).toBe(3);
    expect(filterHouseholds(rows, "", { kind: "all" }, "all", true).map((h) => h.id)).toEqual(["4"]);
    expect(fold("Ünïcödé")).toBe("unicode");
  });
  it("filters by segment and status", () => {
    expect(filterHouseholds(rows, "", { kind: "segment", segment: "A" }).map((h) => h.id)).toEqual(["1"]);
    expect(filterHouseholds(rows, "", { kind: "none" }).map((h) => h.id)).toEqual(["2"]);
    expect(filterHouseholds(rows, "", { kind: "all" }, "prospect").map((h) => h.id)).toEqual(["2"]);
    expect(segmentsOf(rows)).toEqual(["A", "Premier"]);
  });
  it("sorts by the columns an advisor reads", () => {
    const ids = (key: Parameters<typeof sortHouseholds>[1]) => sortHouseholds(rows.slice(0, 3), key).map((h) => h.id);
    expect(ids("name")).toEqual(["3", "2", "1"]);
    expect(ids("aum")).toEqual(["2", "1", "3"]);
    expect(ids("last_contact")).toEqual(["2", "3", "1"]);
    expect(ids("next_review")).toEqual(["2", "1", "3"]);
    expect(ids("open_loops")).toEqual(["3", "1", "2"]);
  });
  it("makes initials", () => {
    expect(initials("The Johnson Family")).toBe("JF");
    expect(initials("madonna")).toBe("M");
    expect(initials("")).toBe("?");
  });
  it("filters 5,000 households quickly enough to type", () => {
    const many = Array.from({ length: 5000 }, (_, i) => ({ ...rows[i % 3], id: String(i), name: `Household ${i}` }));
    expect(filterHouseholds(many, "household 4999").map((h) => h.id)).toEqual(["4999"]);
  });
});

describe("dates", () => {
  it("classifies due dates", () => {
    expect(dueState("2026-03-01", "2026-03-03")).toBe("overdue");
    expect(dueState("2026-03-03", "2026-03-03")).toBe("today");
    expect(dueState("2026-03-10", "2026-03-03")).toBe("soon");
    expect(dueState("2026-03-11", "2026-03-03")).toBe("later");
    expect(dueState(null, "2026-03-03")).toBe("none");
    expect(dueState("next week", "2026-03-03")).toBe("none");
  });
  it("formats today and relative times", () => {
    expect(today(new Date(2026, 0, 5))).toBe("2026-01-05");
    const now = 1_000_000_000;
    expect(relativeTime(now - 2_000, now)).toBe("just now");
    expect(relativeTime(now - 5 * 60_000, now)).toBe("5 min ago");
    expect(relativeTime(now - 3 * 3_600_000, now)).toBe("3 h ago");
    expect(relativeTime(now - 26 * 3_600_000, now)).toBe("yesterday");
  });
  it("adds days across months and leap years, formats days in the locale", () => {
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2028-02-28", 1)).toBe("2028-02-29");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
    expect(formatDay(null)).toBe("—");
    expect(formatDay("not a date")).toBe("not a date");
    expect(formatDay("2026-12-05")).toMatch(/2026/);
    expect(dayOf(new Date(2026, 11, 5, 23, 30).getTime())).toBe("2026-12-05");
  });
});

describe("errors", () => {
  it("normalises whatever the bridge throws", () => {
    expect(toAppError({ kind: "wrong_passphrase", message: "nope" })).toEqual({ kind: "wrong_passphrase", message: "nope", detail: null });
    expect(toAppError({ kind: "relay_unreachable", message: "Cannot reach", detail: "http://x: refused" }).detail).toBe("http://x: refused");
    expect(toAppError("plain text")).toEqual({ kind: "internal", message: "Something went wrong. Try again.", detail: "plain text" });
    expect(toAppError(undefined).kind).toBe("internal");
    expect(toAppError(new Error("boom")).message).toBe("boom");
    expect(errorTitle("relay_unreachable")).toBe("Relay unreachable");
    expect(errorTitle("whatever")).toBe("Something went wrong");
  });
});

describe("meeting", () => {
  it("parses consent names", () => {
    expect(parseNames("Linda Johnson, Robert Johnson,, linda johnson")).toEqual(["Linda Johnson", "Robert Johnson"]);
    expect(consentComplete(true, [])).toBe(false);
    expect(consentComplete(false, ["A"])).toBe(false);
    expect(consentComplete(true, ["A"])).toBe(true);
  });
  it("builds accept keys and skips accepted ones", () => {
    const sel = { actions: new Set([2, 0]), facts: new Set([1]), notes: new Set([1, 0]) };
    expect(acceptKeys(sel)).toEqual(["action:0", "action:2", "fact:1", "note:0", "note:1"]);
    expect(acceptKeys(sel, ["action:0", "note:1"])).toEqual(["action:2", "fact:1", "note:0"]);
    // A meeting reviewed before notes were certified one by one: `notes` filed them all.
    expect(acceptKeys(sel, ["notes"])).toEqual(["action:0", "action:2", "fact:1"]);
    expect(isFiled("note:3", ["notes"])).toBe(true);
    expect(isFiled("fact:3", ["notes"])).toBe(false);
  });
  it("formats drafts and timestamps", () => {
    expect(draftText({ subject: "Hi", body: "Body" })).toBe("Subject: Hi\n\nBody");
    expect(timestamp(125_000)).toBe("2:05");
  });
});

describe("sync and shortcuts", () => {
  const base: SyncStatus = { state: "online", relay: "http://r", firm: "F", last_synced_ms: 0, message: null, last_report: null };
  it("describes sync state", () => {
    expect(describeSync({ ...base, last_synced_ms: 1000 }, 3000)).toEqual({ label: "Synced just now", tone: "ok" });
    expect(describeSync({ ...base, state: "offline", last_synced_ms: null }).tone).toBe("warn");
    expect(describeSync({ ...base, state: "not_enrolled" }).label).toBe("Local only");
  });
  it("maps keys to actions with the platform's modifier", () => {
    const k = { ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, inField: false };
    expect(matchShortcut({ ...k, key: "k", ctrlKey: true }, false)).toBe("palette");
    expect(matchShortcut({ ...k, key: "K", metaKey: true }, true)).toBe("palette");
    expect(matchShortcut({ ...k, key: "k", metaKey: true }, false)).toBeNull();
    expect(matchShortcut({ ...k, key: "k", ctrlKey: true }, true)).toBeNull();
    expect(matchShortcut({ ...k, key: "/" }, false)).toBe("focusSearch");
    expect(matchShortcut({ ...k, key: "/", inField: true }, false)).toBeNull();
    expect(matchShortcut({ ...k, key: "x", ctrlKey: true }, false)).toBeNull();
    // ⌘M minimises on macOS: a new meeting is ⌘⇧M, and ⌘M alone does nothing here.
    expect(matchShortcut({ ...k, key: "m", metaKey: true }, true)).toBeNull();
    expect(matchShortcut({ ...k, key: "M", metaKey: true, shiftKey: true }, true)).toBe("newMeeting");
    expect(matchShortcut({ ...k, key: "1", ctrlKey: true }, false)).toBe("today");
  });
  it("shows ⌘ on macOS and Ctrl elsewhere", () => {
    expect(keysFor("palette", true)).toBe("⌘K");
    expect(keysFor("palette", false)).toBe("Ctrl K");
    expect(keysFor("newMeeting", true)).toBe("⇧⌘M");
    expect(keysFor("help", true)).toBe("?");
    expect(shortcutList(true).every((s) => !s.keys.includes("Ctrl"))).toBe(true);
    expect(isMac("MacIntel")).toBe(true);
    expect(isMac("Linux x86_64")).toBe(false);
  });
});

describe("audio import progress", () => {
  it("maps stages onto one bar that only moves forward", () => {
    const stages = [
      { stage: "decoding", percent: null },
      { stage: "loading_model", percent: null },
      { stage: "sealing", percent: null },
      { stage: "transcribing", percent: 0 },
      { stage: "transcribing", percent: 50 },
      { stage: "transcribing", percent: 100 },
      { stage: "saving", percent: null },
    ];
    const values = stages.map(importPercent);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(values[0]).toBe(0);
    expect(values[4]).toBe(56);
    expect(importPercent({ stage: "transcribing", percent: 250 })).toBe(97);
    expect(importPercent(null)).toBe(0);
  });
  it("labels stages for the advisor", () => {
    expect(importLabel({ stage: "transcribing", percent: 42 })).toBe("Transcribing on this computer… 42%");
    expect(importLabel({ stage: "decoding", percent: null })).toBe("Reading the recording…");
    expect(importLabel(null)).toBe("Starting…");
    expect(importLabel({ stage: "something new", percent: null })).toBe("Working…");
  });
  it("formats sizes", () => {
    expect(formatBytes(77_704_715)).toBe("77.7 MB");
    expect(formatBytes(812_000)).toBe("812 KB");
    expect(formatBytes(10)).toBe("1 KB");
  });
});

describe("recording", () => {
  it("maps dBFS onto the meter and tells signal from noise", () => {
    expect(levelPercent(-60)).toBe(0);
    expect(levelPercent(-90)).toBe(0);
    expect(levelPercent(-30)).toBe(50);
    expect(levelPercent(0)).toBe(100);
    expect(levelPercent(6)).toBe(100);
    expect(levelPercent(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(hasSignal(-20)).toBe(true);
    expect(hasSignal(-70)).toBe(false);
    expect(hasSignal(Number.NaN)).toBe(false);
  });
  it("replaces partials by later text of the same utterance, keeps finals", () => {
    const mic = (utterance: number, text: string, isFinal: boolean) => ({ source: "microphone" as const, utterance, text, isFinal });
    let lines = applyLive([], mic(0, "we want", false));
    lines = applyLive(lines, mic(0, "we want to retire", false));
    expect(lines).toEqual([mic(0, "we want to retire", false)]);
    lines = applyLive(lines, mic(0, "We want to retire early.", true));
    lines = applyLive(lines, mic(0, "late draft", false));
    expect(lines).toEqual([mic(0, "We want to retire early.", true)]);
    lines = applyLive(lines, mic(2, "two", false));
    lines = applyLive(lines, mic(1, "one", true));
    expect(lines.map((l) => l.utterance)).toEqual([0, 1, 2]);
  });
  it("keeps the two sides of a call apart, in the order they spoke", () => {
    let lines = applyLive([], { source: "microphone", utterance: 0, text: "Good morning", isFinal: true });
    lines = applyLive(lines, { source: "system", utterance: 0, text: "Morning, can we", isFinal: false });
    lines = applyLive(lines, { source: "microphone", utterance: 1, text: "Of course", isFinal: false });
    // The other side's utterance 0 is not the advisor's utterance 0.
    lines = applyLive(lines, { source: "system", utterance: 0, text: "Morning, can we talk about the IRA?", isFinal: true });
    expect(lines.map((l) => `${speakerLabel(l.source)}: ${l.text}`)).toEqual([
      "You: Good morning",
      "Other side: Morning, can we talk about the IRA?",
      "You: Of course",
    ]);
  });
  it("names an interrupted recording by title, household and start", () => {
    const started = new Date(2026, 11, 7, 9, 30).getTime();
    expect(interruptedLabel({ title: "Annual review", household_name: "The Okafors", started_at: started }, "en-GB")).toBe(
      "Annual review with The Okafors, started 7 Dec at 09:30",
    );
    expect(interruptedLabel({ title: "  ", household_name: "Lindqvist", started_at: started }, "en-GB")).toMatch(/^Meeting with Lindqvist/);
  });
});

describe("consent before capture", () => {
  const ada = { name: "Ada Okafor", present: true, consented: true };
  const ben = { name: "Ben Okafor", present: true, consented: false };
  const kid = { name: "Sam Okafor", present: false, consented: false };
  it("sends everyone present as participants and those who agreed as consented", () => {
    const c = consentFor([ada, ben, kid], ["Carla CPA"], false, true);
    expect(c.participants).toEqual(["Ada Okafor", "Ben Okafor", "Carla CPA"]);
    expect(c.consented).toEqual(["Ada Okafor", "Carla CPA"]);
    expect(c.missing).toEqual(["Ben Okafor"]);
    expect(c.complete).toBe(true);
  });
  it("with all-party consent, waits for every participant", () => {
    expect(consentFor([ada, ben], [], true, true).complete).toBe(false);
    expect(consentFor([ada, { ...ben, consented: true }], [], true, true).complete).toBe(true);
  });
  it("needs the disclosure read and someone's consent", () => {
    expect(consentFor([ada], [], false, false).complete).toBe(false);
    expect(consentFor([{ ...ada, consented: false }], [], false, true).complete).toBe(false);
    expect(consentFor([], ["Ada Okafor"], true, true).complete).toBe(true);
  });
});

describe("speaker choices", () => {
  it("offers the participants, then the transcript's speakers, each once, never '?'", () => {
    expect(
      speakerChoices(["Ada Okafor", "Dana Advisor"], [{ speaker: "Dana Advisor" }, { speaker: "Speaker 2" }, { speaker: null }, { speaker: "?" }, { speaker: "ada okafor" }]),
    ).toEqual(["Ada Okafor", "Dana Advisor", "Speaker 2"]);
  });
});
