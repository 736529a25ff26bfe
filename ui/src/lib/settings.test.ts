import { describe, expect, it } from "vitest";
import { dateTime } from "./dates";
import {
  audioStatus,
  columnField,
  csvColumns,
  downloadDetail,
  downloadPercent,
  fieldLabel,
  fieldOptions,
  importReportText,
  keepDaysSentence,
  learnDefaults,
  mappingOverrides,
  needsNewVersion,
  parseKeepDays,
  plural,
  policyChanged,
  shortenPath,
  statusLabel,
  warningText,
} from "./settings";

describe("CSV columns", () => {
  it.each([
    ["First Name,Last Name,Email\nLinda,Johnson,l@x.com", ["First Name", "Last Name", "Email"]],
    ["\uFEFFHousehold,First Name\r\nJohnson,Linda", ["Household", "First Name"]],
    ['"Name","Tags, groups","Say ""hi"""\n', ["Name", "Tags, groups", 'Say "hi"']],
    ['"Street\nLine 1",City\nx,y', ["Street\nLine 1", "City"]],
    [" First Name , Last Name ,,", ["First Name", "Last Name"]],
    ["Email,Email,Phone", ["Email", "Phone"]],
    ["", []],
    ["OnlyOne", ["OnlyOne"]],
  ])("%j → %j", (text, columns) => {
    expect(csvColumns(text)).toEqual(columns);
  });
});

describe("mapping overrides", () => {
  it.each<[string, Record<string, string>, Record<string, string>, [string, string][]]>([
    ["nothing chosen", { Email: "email" }, {}, []],
    ["a changed column", { Email: "email", Notes: "ignore" }, { Notes: "note" }, [["Notes", "note"]]],
    ["set back to its default", { Email: "email" }, { Email: "email" }, []],
    ["ignoring a mapped column", { Email: "email" }, { Email: "ignore" }, [["Email", "ignore"]]],
    ["default not known yet", {}, { Name: "full_name" }, [["Name", "full_name"]]],
    [
      "several, in the order chosen",
      { A: "ignore", B: "ignore", C: "city" },
      { B: "phone", C: "city", A: "email" },
      [
        ["B", "phone"],
        ["A", "email"],
      ],
    ],
  ])("%s", (_, defaults, chosen, expected) => {
    expect(mappingOverrides(defaults, chosen)).toEqual(expected);
  });
});

describe("learning the format's defaults from a preview", () => {
  it.each<[string, Record<string, string>, string[], Record<string, string>, [string, string][], Record<string, string>]>([
    ["first preview, nothing sent", {}, ["First Name", "Notes"], { "First Name": "first_name" }, [], { "First Name": "first_name", Notes: "ignore" }],
    ["an overridden column keeps what was known", { Notes: "ignore" }, ["First Name", "Notes"], { "First Name": "first_name", Notes: "note" }, [["Notes", "note"]], { "First Name": "first_name", Notes: "ignore" }],
    ["an overridden column never known stays unknown", {}, ["Name", "City"], { Name: "full_name", City: "city" }, [["Name", "full_name"]], { City: "city" }],
    ["overrides match columns case-insensitively", {}, ["Email"], { Email: "phone" }, [["email", "phone"]], {}],
  ])("%s", (_, previous, columns, planColumns, sent, expected) => {
    expect(learnDefaults(previous, columns, planColumns, sent)).toEqual(expected);
  });

  it("the select shows the choice, then the default, then the plan, then ignore", () => {
    expect(columnField("A", { A: "email" }, { A: "phone" }, { A: "city" })).toBe("email");
    expect(columnField("A", {}, { A: "phone" }, { A: "city" })).toBe("phone");
    expect(columnField("A", {}, {}, { A: "city" })).toBe("city");
    expect(columnField("A", {}, {}, null)).toBe("ignore");
  });
});

describe("field words", () => {
  it.each([
    ["first_name", "First name"],
    ["address_line1", "Street address"],
    ["ignore", "Don't import"],
    ["middle_name", "Middle name"],
  ])("%s → %s", (field, label) => {
    expect(fieldLabel(field)).toBe(label);
  });

  it("every field has words, not its id", () => {
    for (const f of ["household", "full_name", "first_name", "last_name", "role", "status", "email", "phone", "birth_date", "address_line1", "city", "region", "postal_code", "tags", "note", "ignore"])
      expect(fieldLabel(f)).not.toContain("_");
  });

  it.each([
    [["email", "ignore", "phone"], ["email", "phone", "ignore"]],
    [["email", "email"], ["email", "ignore"]],
    [[], ["ignore"]],
  ])("options %j → %j", (fields, options) => {
    expect(fieldOptions(fields)).toEqual(options);
  });

  it.each([
    ["line 4: skipped, no name", "Line 4: skipped, no name"],
    ["", ""],
  ])("warning %j", (w, text) => {
    expect(warningText(w)).toBe(text);
  });

  it.each([
    ["client", "Client"],
    ["former_client", "Former client"],
    ["prospect", "Prospect"],
  ])("status %s", (s, label) => {
    expect(statusLabel(s)).toBe(label);
  });
});

describe("audio retention", () => {
  it.each([
    ["0", { ok: true, days: 0 }],
    ["30", { ok: true, days: 30 }],
    [" 7 ", { ok: true, days: 7 }],
    ["36500", { ok: true, days: 36500 }],
    ["30.0", { ok: true, days: 30 }],
  ])("%j is accepted", (text, result) => {
    expect(parseKeepDays(text)).toEqual(result);
  });

  it.each([
    ["", "Enter a number of days"],
    ["   ", "Enter a number of days"],
    ["-1", "cannot be negative"],
    ["1.5", "whole days"],
    ["abc", "e.g. 30"],
    ["1e3", "e.g. 30"],
    ["36501", "At most"],
  ])("%j is refused", (text, message) => {
    const r = parseKeepDays(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(message);
  });

  it.each([
    [0, "deleted as soon as it is transcribed"],
    [1, "for 1 day, then deleted"],
    [30, "for 30 days, then deleted"],
  ])("%i days reads %j", (days, words) => {
    expect(keepDaysSentence(days)).toContain(words);
  });
});

describe("the recording policy", () => {
  const saved = { consent_mode: "one-party", audio_keep_days: 0, disclosure: { version: "1", text: "This call is recorded." } };
  it.each([
    ["same text, same version", { version: "1", text: "This call is recorded." }, false],
    ["same text, spaces around", { version: " 1 ", text: "This call is recorded.\n" }, false],
    ["new text, same version", { version: "1", text: "This meeting is recorded." }, true],
    ["new text, new version", { version: "2", text: "This meeting is recorded." }, false],
    ["same text, new version", { version: "2", text: "This call is recorded." }, false],
  ])("%s: needs a new version = %s", (_, draft, expected) => {
    expect(needsNewVersion(saved.disclosure, draft)).toBe(expected);
  });

  it.each([
    ["nothing changed", { consentMode: "one-party", keepDays: "0", version: "1", text: "This call is recorded." }, false],
    ["mode", { consentMode: "all-party", keepDays: "0", version: "1", text: "This call is recorded." }, true],
    ["days", { consentMode: "one-party", keepDays: "30", version: "1", text: "This call is recorded." }, true],
    ["days not valid", { consentMode: "one-party", keepDays: "", version: "1", text: "This call is recorded." }, true],
    ["version", { consentMode: "one-party", keepDays: "0", version: "2", text: "This call is recorded." }, true],
    ["text", { consentMode: "one-party", keepDays: "0", version: "1", text: "Recorded." }, true],
  ])("%s → changed = %s", (_, draft, expected) => {
    expect(policyChanged(saved, draft)).toBe(expected);
  });

  it.each([
    [null, ""],
    ["none", ""],
    ["recording", "audio being transcribed"],
    ["kept", "audio kept, encrypted"],
    ["deleted", "audio deleted per the retention policy"],
    ["kept-until:1780000000000", `audio kept, encrypted, until ${dateTime(1780000000000)}`],
    ["something-new", ""],
  ])("audio %j → %j", (audio, words) => {
    expect(audioStatus(audio)).toBe(words);
  });
});

describe("files", () => {
  it.each([
    ["/home/ada/Downloads/hearth-export-2026-05-01.json", "…/Downloads/hearth-export-2026-05-01.json"],
    ["C:\\Users\\Ada\\Downloads\\Annual review.vtt", "…\\Downloads\\Annual review.vtt"],
    ["/Users/ada/Downloads/Trust (2).pdf", "…/Downloads/Trust (2).pdf"],
    ["/Downloads/x.json", "/Downloads/x.json"],
    ["x.json", "x.json"],
  ])("%s → %s", (path, short) => {
    expect(shortenPath(path)).toBe(short);
  });

  it.each([
    [{ added: 3, merged: 1 }, "Imported 4 households (3 new, 1 merged)"],
    [{ added: 1, merged: 0 }, "Imported 1 household (1 new, 0 merged)"],
    [{ added: 0, merged: 0 }, "Imported 0 households (0 new, 0 merged)"],
  ])("%j → %s", (report, text) => {
    expect(importReportText(report)).toBe(text);
  });

  it.each([
    [1, "household", "1 household"],
    [2, "household", "2 households"],
    [0, "day", "0 days"],
  ])("plural %i %s", (n, w, text) => {
    expect(plural(n, w)).toBe(text);
  });
});

describe("model download", () => {
  it.each([
    [null, 0, "connecting…"],
    [{ name: "tiny.en", downloaded: 0, total: null }, 0, "connecting…"],
    [{ name: "tiny.en", downloaded: 0, total: 77_700_000 }, 0, "connecting…"],
    [{ name: "tiny.en", downloaded: 812_000, total: null }, 0, "812 KB"],
    [{ name: "tiny.en", downloaded: 38_900_000, total: 77_700_000 }, 50, "38.9 MB of 77.7 MB"],
    [{ name: "tiny.en", downloaded: 77_700_000, total: 77_700_000 }, 100, "77.7 MB of 77.7 MB"],
    [{ name: "tiny.en", downloaded: 90, total: 0 }, 0, "1 KB"],
  ])("%j → %i%%, %s", (p, percent, detail) => {
    expect(downloadPercent(p)).toBe(percent);
    expect(downloadDetail(p)).toBe(detail);
  });
});
