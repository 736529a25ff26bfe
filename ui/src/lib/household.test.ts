import { describe, expect, it } from "vitest";
import type { Account, Balance, FieldConflict } from "../bindings";
import {
  addressForm,
  ageLabel,
  ageOn,
  balanceHistory,
  birthInput,
  changedFields,
  checkAddress,
  checkBirth,
  checkCustom,
  checkDay,
  checkDecimal,
  checkFeeRate,
  checkOptionalDecimal,
  customInput,
  describeConflict,
  fieldLabel,
  formatAddress,
  goalProgress,
  isDay,
  localDateTimeMs,
  openAum,
  schemaFields,
  snoozeUntil,
  sortTasks,
  splitTags,
  type CustomField,
} from "./household";

describe("ages", () => {
  it.each([
    ["1961-04-02", "2026-04-01", 64],
    ["1961-04-02", "2026-04-02", 65],
    ["1961-04-02", "2026-12-31", 65],
    ["1961-12-31", "2026-01-01", 64],
    // Feb 29: a year older on Mar 1 in a common year, on Feb 29 in a leap year.
    ["1960-02-29", "2025-02-28", 64],
    ["1960-02-29", "2025-03-01", 65],
    ["1960-02-29", "2028-02-28", 67],
    ["1960-02-29", "2028-02-29", 68],
    ["2026-05-01", "2026-05-01", 0],
  ])("born %s, on %s: %i", (birth, day, age) => {
    expect(ageOn(birth, day)).toBe(age);
  });
  it.each([
    ["2027-01-01", "2026-01-01"],
    ["1961-02-30", "2026-01-01"],
    ["1961", "2026-01-01"],
    ["1961-04-02", "today"],
  ])("no age for born %s on %s", (birth, day) => {
    expect(ageOn(birth, day)).toBeNull();
  });
  it.each([
    [{ birth_date: "1961-04-02", birth_year: 1961 }, "age 65"],
    [{ birth_date: null, birth_year: 1961 }, "born 1961"],
    [{ birth_date: "1961-02-30", birth_year: 1961 }, "born 1961"],
    [{ birth_date: null, birth_year: null }, null],
  ])("labels %j as %s", (m, label) => {
    expect(ageLabel(m, "2026-06-01")).toBe(label);
  });
  it("shows the birth as it can be edited", () => {
    expect(birthInput({ birth_date: "1961-04-02", birth_year: 1961 })).toBe("1961-04-02");
    expect(birthInput({ birth_date: null, birth_year: 1961 })).toBe("1961");
    expect(birthInput({ birth_date: null, birth_year: null })).toBe("");
  });
});

describe("birth input", () => {
  it.each([
    ["", null],
    ["  ", null],
    ["1961", "1961"],
    [" 1961-04-02 ", "1961-04-02"],
    ["1960-02-29", "1960-02-29"],
  ])("accepts %j", (text, value) => {
    expect(checkBirth(text)).toEqual({ ok: true, value });
  });
  it.each(["1961-02-29", "1961-13-01", "61", "1800", "2300", "04/02/1961", "born 1961", "1961-4-2"])("refuses %j", (text) => {
    const r = checkBirth(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/^Birth:/);
  });
});

describe("dates", () => {
  it.each([
    ["2024-02-29", true],
    ["2025-02-29", false],
    ["2026-04-31", false],
    ["2026-12-31", true],
    ["2026-1-5", false],
    ["", false],
  ])("isDay(%j) = %s", (text, valid) => {
    expect(isDay(text)).toBe(valid);
  });
  it("checks optional day inputs", () => {
    expect(checkDay("", "Due date")).toEqual({ ok: true, value: null });
    expect(checkDay("2026-03-01", "Due date")).toEqual({ ok: true, value: "2026-03-01" });
    const bad = checkDay("2026-02-30", "Due date");
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.message).toContain("Due date");
  });
  it("turns a local date and time into epoch ms", () => {
    expect(localDateTimeMs("2026-03-08", "14:30")).toBe(new Date(2026, 2, 8, 14, 30).getTime());
    expect(localDateTimeMs("2026-03-08", "09:05:00")).toBe(new Date(2026, 2, 8, 9, 5).getTime());
    expect(localDateTimeMs("2026-03-08", "24:00")).toBeNull();
    expect(localDateTimeMs("2026-03-08", "9:05")).toBeNull();
    expect(localDateTimeMs("2026-03-08", "")).toBeNull();
    expect(localDateTimeMs("2026-02-30", "09:00")).toBeNull();
  });
  it.each([
    ["day" as const, "2026-03-01", "2026-03-02"],
    ["week" as const, "2026-02-26", "2026-03-05"],
    ["day" as const, "2026-12-31", "2027-01-01"],
    [{ until: "2026-04-01" }, "2026-03-01", "2026-04-01"],
  ])("snoozes %j from %s to %s", (choice, day, until) => {
    expect(snoozeUntil(choice, day)).toEqual({ ok: true, value: until });
  });
  it.each([{ until: "2026-03-01" }, { until: "2026-02-01" }, { until: "" }, { until: "soon" }])("refuses to snooze until %j", (choice) => {
    expect(snoozeUntil(choice, "2026-03-01").ok).toBe(false);
  });
});

describe("amounts", () => {
  it.each([
    ["1250000.00", "1250000.00"],
    [" 1300 ", "1300"],
    ["0.20", "0.20"],
    ["0", "0"],
    ["9007199254740993.01", "9007199254740993.01"],
  ])("accepts %j", (text, value) => {
    expect(checkDecimal(text, "AUM")).toEqual({ ok: true, value });
  });
  it.each([
    ["1,300", "thousands separators"],
    ["1,300,000.00", "thousands separators"],
    ["1e6", "exponent"],
    ["1.2E+6", "exponent"],
    ["$1300", "currency"],
    ["12%", "percent"],
    ["", "enter an amount"],
    [".5", "digits"],
    ["5.", "digits"],
    ["1.2.3", "digits"],
    ["abc", "digits"],
    ["-5", "negative"],
    ["Infinity", "digits"],
    ["0x10", "digits"],
  ])("refuses %j (%s)", (text, why) => {
    const r = checkDecimal(text, "AUM");
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toContain("AUM");
      expect(r.message).toContain(why);
    }
  });
  it("takes negatives and fraction limits when asked", () => {
    expect(checkDecimal("-5", "Delta", { negative: true })).toEqual({ ok: true, value: "-5" });
    expect(checkDecimal("1.005", "AUM", { maxFraction: 2 }).ok).toBe(false);
  });
  it("treats empty optional amounts as none", () => {
    expect(checkOptionalDecimal(" ", "Target")).toEqual({ ok: true, value: null });
    expect(checkOptionalDecimal("1,000", "Target").ok).toBe(false);
  });
  it.each([
    ["", null],
    ["0.0085", "0.0085"],
    ["0.01", "0.01"],
    ["0", "0"],
  ])("fee rate %j is fine", (text, value) => {
    expect(checkFeeRate(text)).toEqual({ ok: true, value });
  });
  it.each(["1", "0.85%", "1.5", "85", "1,5"])("fee rate %j is refused", (text) => {
    expect(checkFeeRate(text).ok).toBe(false);
  });
  it.each([
    ["500000", "1000000", 50, "50.00%"],
    ["333333.33", "1000000.00", 33.33, "33.33%"],
    ["1", "3", 33.33, "33.33%"],
    [null, "1000", 0, "0.00%"],
    ["1500", "1000", 100, "150.00%"],
    ["0.1", "0.3", 33.33, "33.33%"],
    ["12345678901234567890.12", "24691357802469135780.24", 50, "50.00%"],
  ])("goal progress %s of %s", (funded, target, percent, label) => {
    expect(goalProgress(funded, target)).toEqual({ percent, label });
  });
  it.each([
    [null, null],
    ["5", "0"],
    ["5", "lots"],
    ["1,000", "2000"],
  ])("no progress for %s of %s", (funded, target) => {
    expect(goalProgress(funded, target)).toBeNull();
  });
  it("totals open accounts only, exactly", () => {
    const acct = (aum: string | null, closed_on: string | null = null) => ({ aum, closed_on }) as Account;
    expect(openAum([acct("1250000.10"), acct("0.20"), acct("99", "2026-01-01"), acct(null)])).toBe("1250000.30");
    expect(openAum([])).toBe("0.00");
  });
  it("sorts the balance history by as-of date, then by entry", () => {
    const b = (amount: string, as_of: string, recorded_at: number): Balance => ({ amount, as_of, recorded_at, recorded_by: "Ada" });
    const sorted = balanceHistory({ x: b("3", "2026-03-31", 5), y: b("1", "2025-12-31", 9), z: b("2", "2026-03-31", 1), w: b("0", "2025-06-30", 20) });
    expect(sorted.map((e) => e.id)).toEqual(["w", "y", "z", "x"]);
    expect(balanceHistory({})).toEqual([]);
  });
});

describe("edits", () => {
  it("keeps only the fields that changed, empties as clear", () => {
    expect(changedFields({ name: "Linda", email: "l@x.com", phone: "" }, { name: "Linda ", email: "", phone: "555" })).toEqual({ email: null, phone: "555" });
    expect(changedFields({ a: "x" }, { a: "x" })).toEqual({});
  });
  it("splits tags", () => {
    expect(splitTags(" estate, 529 plan,,estate ")).toEqual(["estate", "529 plan"]);
    expect(splitTags("")).toEqual([]);
  });
  it("checks and formats addresses", () => {
    const empty = addressForm(null);
    expect(checkAddress(empty)).toEqual({ ok: true, value: null });
    expect(checkAddress({ ...empty, city: "Springfield" }).ok).toBe(false);
    const full = checkAddress({ ...empty, line1: " 12 Oak St ", city: "Springfield", region: "IL", postal_code: "62701" });
    expect(full).toEqual({ ok: true, value: { line1: "12 Oak St", line2: null, city: "Springfield", region: "IL", postal_code: "62701", country: null } });
    if (full.ok) {
      expect(formatAddress(full.value)).toBe("12 Oak St, Springfield, IL 62701");
      expect(addressForm(full.value).line1).toBe("12 Oak St");
    }
    expect(formatAddress(null)).toBe("");
  });
  it("orders loops: open by due date (undated last), closed newest first", () => {
    const t = (status: "open" | "done" | "cancelled", due: string | null, closed_at: number | null = null, created_at = 0) => ({ status, due, title: "", closed_at, created_at });
    const { open, closed } = sortTasks([
      ["a", t("open", null)],
      ["b", t("open", "2026-03-01")],
      ["c", t("done", null, 10)],
      ["d", t("open", "2026-01-15")],
      ["e", t("cancelled", null, 20)],
    ]);
    expect(open.map(([id]) => id)).toEqual(["d", "b", "a"]);
    expect(closed.map(([id]) => id)).toEqual(["e", "c"]);
  });
});

describe("conflicts", () => {
  const aum: FieldConflict = {
    path: ["accounts", "acc1", "aum"],
    label: "AUM of Rollover IRA",
    values: [
      { value: "1,310,000.00", advisor: "Blake Advisor", shown: true },
      { value: "1,300,000.00", advisor: "Ada Advisor", shown: false },
    ],
  };
  it("reads from my point of view", () => {
    expect(describeConflict(aum, "Ada Advisor")).toBe("AUM of Rollover IRA: Blake Advisor set 1,310,000.00 at the same time as you (1,300,000.00)");
  });
  it("reads as a third party's view when I wrote neither", () => {
    expect(describeConflict(aum, "Cy")).toBe("AUM of Rollover IRA: Blake Advisor set 1,310,000.00; Ada Advisor set 1,300,000.00, at the same time");
  });
  it("names unknown writers", () => {
    const c: FieldConflict = { path: ["segment"], label: "Household segment", values: [{ value: "A", advisor: null, shown: true }, { value: "B", advisor: "Ada", shown: false }] };
    expect(describeConflict(c, "Ada")).toBe("Household segment: someone set A at the same time as you (B)");
  });
});

const WEALTH = JSON.stringify({
  type: "object",
  properties: {
    risk_tolerance: { type: "string", enum: ["conservative", "moderate", "growth", "aggressive"] },
    investment_objective: { type: "string" },
    time_horizon_years: { type: "integer", minimum: 0 },
    ips_signed: { type: "string", format: "date" },
    annual_review_month: { type: "integer", minimum: 1, maximum: 12 },
    face_amount: { type: "number", minimum: 0 },
    smoker: { type: "boolean" },
  },
});

describe("custom fields", () => {
  const parsed = schemaFields(WEALTH);
  const fields = parsed.ok ? parsed.value : [];
  const field = (name: string) => fields.find((f) => f.name === name) as CustomField;

  it("builds the form from the schema", () => {
    expect(parsed.ok).toBe(true);
    expect(fields.map((f) => [f.name, f.input])).toEqual([
      ["risk_tolerance", "select"],
      ["investment_objective", "text"],
      ["time_horizon_years", "number"],
      ["ips_signed", "date"],
      ["annual_review_month", "number"],
      ["face_amount", "number"],
      ["smoker", "checkbox"],
    ]);
    expect(field("risk_tolerance").options).toEqual(["conservative", "moderate", "growth", "aggressive"]);
    expect(field("annual_review_month")).toMatchObject({ min: 1, max: 12, label: "Annual review month", words: "annual review month", type: "integer" });
    expect(fieldLabel("time_horizon_years")).toBe("Time horizon years");
  });
  it.each([
    ["not json", "not valid JSON"],
    ['{"type":"object"}', "no fields"],
    ['{"type":"object","properties":{"x":{"type":"object"}}}', "x"],
  ])("refuses schema %s", (schema, why) => {
    const r = schemaFields(schema);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(why);
  });
  it.each([
    ["risk_tolerance", "growth", "growth"],
    ["investment_objective", "  Income  ", "Income"],
    ["time_horizon_years", "0", 0],
    ["annual_review_month", "12", 12],
    ["annual_review_month", "1", 1],
    ["face_amount", "250000.50", 250000.5],
    ["ips_signed", "2026-02-28", "2026-02-28"],
    ["smoker", true, true],
    ["smoker", false, false],
  ])("accepts %s = %j", (name, raw, value) => {
    expect(checkCustom(field(name), raw)).toEqual({ ok: true, value });
  });
  it.each([
    ["risk_tolerance", "reckless", "The risk tolerance must be one of conservative, moderate, growth, aggressive."],
    ["time_horizon_years", "-1", "The time horizon years must be at least 0."],
    ["time_horizon_years", "2.5", 'The time horizon years must be a whole number, not "2.5".'],
    ["annual_review_month", "13", "The annual review month must be at most 12."],
    ["annual_review_month", "0", "The annual review month must be at least 1."],
    ["face_amount", "1e6", 'The face amount must be a number, not "1e6".'],
    ["face_amount", "1,000", 'The face amount must be a number, not "1,000".'],
    ["ips_signed", "2026-02-30", "The ips signed must be a date as YYYY-MM-DD."],
    ["investment_objective", "  ", "The investment objective is empty: enter a value."],
  ])("refuses %s = %j", (name, raw, message) => {
    const r = checkCustom(field(name), raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toBe(message);
  });
  it("shows stored JSON values in the inputs", () => {
    expect(customInput(field("annual_review_month"), "3")).toBe("3");
    expect(customInput(field("risk_tolerance"), '"growth"')).toBe("growth");
    expect(customInput(field("smoker"), "true")).toBe(true);
    expect(customInput(field("smoker"), undefined)).toBe(false);
    expect(customInput(field("investment_objective"), undefined)).toBe("");
    expect(customInput(field("investment_objective"), "not json")).toBe("not json");
  });
});
