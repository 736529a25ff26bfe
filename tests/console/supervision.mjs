// Firm supervision in the relay's console, in real headless Chromium (Debian's, through
// playwright-core). Run by tests/tests/console.rs
// (`compliance_officer_reviews_and_sets_policy_in_chromium`), which starts the relay, has an
// advisor's desk analyse and sync a meeting with a guarantee and a complaint, creates a
// compliance officer of firm A and one of firm B, and passes everything as JSON in argv[2].
//
// Prints one JSON line: {"ok":true, ...results} or {"ok":false,"error":"..."} (exit 1).

import { chromium } from "playwright-core";
import path from "node:path";

const world = JSON.parse(process.argv[2]);
const base = world.url;
const results = { steps: [] };

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(world.screenshots, `console-${name}.png`), fullPage: true });
}

async function signIn(page, email, password) {
  await page.goto(`${base}/admin/login`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Sign in" }).click()]);
}

async function mainText(page) {
  return page.locator("main").innerText();
}

async function officerOfFirmA(browser) {
  const a = world.a;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  await signIn(page, a.email, a.password);
  // A compliance officer lands on the review queue; the advisors' pages are not theirs.
  check(page.url().endsWith("/admin/review"), `after sign-in: ${page.url()}`);
  const nav = await page.locator("nav.side").innerText();
  check(!nav.includes("Advisors") && !nav.includes("Devices"), `officer's sections: ${nav}`);
  const advisors = await page.goto(`${base}/admin/advisors`);
  check(advisors.status() === 404, `advisors page for an officer: ${advisors.status()}`);
  await page.goto(`${base}/admin/review`);

  // The guarantee flag from the advisor's synced meeting is in the queue.
  const guarantee = page.locator('tr[data-kind="guarantee"]').first();
  check((await guarantee.count()) === 1, `a guarantee flag in the queue: ${await mainText(page)}`);
  check((await guarantee.innerText()).includes(a.advisor_name), "the advisor who said it");
  check((await guarantee.getAttribute("data-state")) === "new", "new before review");
  await shot(page, "review-queue");

  // Filters: by kind.
  await page.getByLabel("Kind").selectOption("guarantee");
  await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Filter" }).click()]);
  const kinds = await page.locator("tr[data-kind]").evaluateAll((rows) => rows.map((r) => r.dataset.kind));
  check(kinds.length > 0 && kinds.every((k) => k === "guarantee"), `filtered by kind: ${kinds}`);

  // Open it: the excerpt with its context; mark it reviewed with a comment.
  await Promise.all([page.waitForNavigation(), page.locator('tr[data-kind="guarantee"] a').first().click()]);
  const said = await page.locator("[data-excerpt]").innerText();
  check(/guarantee/i.test(said), `the excerpt: ${said}`);
  results.guarantee_item = new URL(page.url()).searchParams.get("id");
  await page.getByLabel("Decision", { exact: true }).selectOption("reviewed");
  await page.getByLabel("Comment (why; examiners read it)").fill(world.comment);
  await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Record decision" }).click()]);
  check((await mainText(page)).includes("Your decision is recorded"), "decision notice");
  check((await page.locator("[data-current-state]").getAttribute("data-current-state")) === "reviewed", "reviewed");
  check((await page.locator('[data-decision="reviewed"]').innerText()).includes(world.comment), "the comment in the history");
  await shot(page, "review-item");
  results.steps.push("review a guarantee flag");

  // The client's complaint gets a complaint record; one without its record is refused.
  await page.goto(`${base}/admin/review?kind=complaint`);
  await Promise.all([page.waitForNavigation(), page.locator('tr[data-kind="complaint"] a').first().click()]);
  await page.getByLabel("Decision", { exact: true }).selectOption("complaint");
  await page.getByLabel("Comment (why; examiners read it)").fill("Client unhappy with fees; logged per WSP 4.2.");
  const refused = await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Record decision" }).click()]);
  check(refused[0].status() === 400, `a complaint without its record: ${refused[0].status()}`);
  check((await mainText(page)).includes("date received"), "the refusal says what is missing");
  await page.getByLabel("Decision", { exact: true }).selectOption("complaint");
  await page.getByLabel("Comment (why; examiners read it)").fill("Client unhappy with fees; logged per WSP 4.2.");
  await page.getByLabel("Received on").fill("2026-12-01");
  await page.getByLabel("Nature of the complaint").fill("Advisory fee billed twice in Q3");
  await page.getByLabel("Action taken").fill("Refund of the duplicate fee requested from the custodian");
  await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Record decision" }).click()]);
  check((await page.locator("[data-current-state]").getAttribute("data-current-state")) === "complaint", "complaint recorded");
  check((await mainText(page)).includes("Advisory fee billed twice"), "the complaint record is shown");
  results.steps.push("record a complaint");

  // The examiner's report: CSV and a printable page, with the decisions.
  const csv = await page.request.get(`${base}/admin/review/report.csv`);
  check(csv.status() === 200, `CSV: ${csv.status()}`);
  const csvText = await csv.text();
  check(csvText.startsWith("item,household,advisor,kind"), "CSV header");
  check(csvText.includes(world.comment) && csvText.includes("Advisory fee billed twice"), "decisions in the CSV");
  await page.goto(`${base}/admin/review/report`);
  check((await mainText(page)).includes(world.comment), "decisions in the printable report");
  await shot(page, "review-report");
  results.steps.push("examiner report");

  // The firm's policy: all-party consent, a new disclosure version, 30 days of audio at most.
  await page.getByRole("link", { name: "Policy" }).click();
  await page.getByLabel("Disclosure version").fill(world.policy.disclosure_version);
  await page.getByLabel("Disclosure read before recording").fill(world.policy.disclosure_text);
  await page.getByLabel("Consent", { exact: true }).selectOption("all-party");
  await page.getByLabel(/Keep audio after transcription/).fill(String(world.policy.max_audio_days));
  await page.getByLabel("compliance").check();
  await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Save as version 1" }).click()]);
  check((await mainText(page)).includes("The policy is saved"), `policy saved: ${await mainText(page)}`);
  check((await page.locator("[data-policy-version]").getAttribute("data-policy-version")) === "1", "version 1");
  await shot(page, "policy");
  results.steps.push("set the firm policy");

  // The archive: export for an examiner (the test verifies the bundle with the pinned key).
  await page.getByRole("link", { name: "Archive" }).click();
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Export" }).click(),
  ]);
  const saved = path.join(world.downloads, download.suggestedFilename());
  await download.saveAs(saved);
  results.archive_export = saved;
  results.steps.push("export the archive");
  await context.close();
}

async function officerOfFirmB(browser) {
  const b = world.b;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signIn(page, b.email, b.password);
  check(page.url().endsWith("/admin/review"), `firm B officer after sign-in: ${page.url()}`);
  const queue = await mainText(page);
  check(!queue.includes(world.a.household_name), "firm A's households are not in firm B's queue");
  check((await page.locator("tr[data-item]").count()) === 0, "firm B's queue is empty");
  // Firm A's item id, and an id that never existed: the same 404 page, byte for byte.
  const item = encodeURIComponent(results.guarantee_item);
  const theirs = await page.goto(`${base}/admin/review/item?id=${item}`);
  const theirsBody = await theirs.text();
  const none = await page.goto(`${base}/admin/review/item?id=${encodeURIComponent("nope/meeting/x/flag/0")}`);
  check(theirs.status() === 404 && none.status() === 404, `404s: ${theirs.status()} ${none.status()}`);
  check(theirsBody === (await none.text()), "firm A's item looks exactly like one that does not exist");
  // A decision posted on firm A's item changes nothing there.
  await page.goto(`${base}/admin/review`);
  const csrf = await page.locator('input[name="csrf"]').first().inputValue();
  const posted = await page.request.post(`${base}/admin/review/decide`, {
    form: { csrf, id: results.guarantee_item, state: "dismissed", comment: "not ours" },
  });
  check(posted.status() === 404, `firm B deciding on firm A's item: ${posted.status()}`);
  results.steps.push("firm B reaches nothing of firm A");
  await context.close();
}

async function main() {
  const browser = await chromium.launch({
    executablePath: world.chromium || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  });
  try {
    await officerOfFirmA(browser);
    await officerOfFirmB(browser);
  } finally {
    await browser.close();
  }
}

main().then(
  () => console.log(JSON.stringify({ ok: true, ...results })),
  (error) => {
    console.log(JSON.stringify({ ok: false, error: String(error && error.stack ? error.stack : error), ...results }));
    process.exit(1);
  },
);
