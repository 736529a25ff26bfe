// Drives the relay's web console (/admin) in real headless Chromium (Debian's, through
// playwright-core). Run by tests/tests/console.rs, which starts the relay, creates two firms
// with their admins, advisors, devices and a household, and passes them as JSON in argv[2].
//
// Prints one JSON line: {"ok":true, ...results} or {"ok":false,"error":"..."} (exit 1).

import { chromium } from "playwright-core";
import path from "node:path";

const world = JSON.parse(process.argv[2]);
const base = world.url;
const shots = world.screenshots;
const results = { steps: [] };

function check(condition, message) {
  if (!condition) throw new Error(message);
}

function step(name) {
  results.steps.push(name);
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(shots, `console-${name}.png`), fullPage: true });
}

async function signIn(page, email, password) {
  await page.goto(`${base}/admin`);
  check(page.url().endsWith("/admin/login"), `/admin should send a signed-out browser to the sign-in page, got ${page.url()}`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Sign in" }).click()]);
}

async function signOut(page) {
  await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Sign out" }).click()]);
  check(page.url().includes("/admin/login"), `sign-out should end on the sign-in page, got ${page.url()}`);
}

/** Submits a POST form built in the page (as a user editing ids would), returns the response. */
async function submitForm(page, action, fields) {
  const [response] = await Promise.all([
    page.waitForNavigation(),
    page.evaluate(
      ({ action, fields }) => {
        const form = document.createElement("form");
        form.method = "post";
        form.action = action;
        for (const [name, value] of Object.entries(fields)) {
          const input = document.createElement("input");
          input.type = "hidden";
          input.name = name;
          input.value = value;
          form.appendChild(input);
        }
        document.body.appendChild(form);
        form.submit();
      },
      { action, fields },
    ),
  ]);
  return response;
}

async function csrfOf(page) {
  return page.locator('input[name="csrf"]').first().inputValue();
}

async function mainText(page) {
  return page.locator("main").innerText();
}

async function firmA(browser) {
  const a = world.a;
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  page.on("dialog", (dialog) => dialog.accept());

  // Sign in: a wrong password is refused without saying whether the email exists.
  await page.goto(`${base}/admin/login`);
  await shot(page, "signin");
  await page.getByLabel("Email").fill(a.email);
  await page.getByLabel("Password").fill("not the password at all");
  const refused = await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Sign in" }).click()]);
  check(refused[0].status() === 401, `wrong password: expected 401, got ${refused[0].status()}`);
  check((await mainText(page)).includes("The email or password is not correct."), "wrong password message");
  await signIn(page, a.email, a.password);
  check(page.url().endsWith("/admin/advisors"), `after sign-in: ${page.url()}`);
  check((await page.locator("header").innerText()).includes(a.firm_name), "firm name in the header");
  step("sign in");

  // Invite an advisor: the one-time code is shown.
  await page.getByLabel("Name", { exact: true }).fill("Iris Invited");
  await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Invite" }).click()]);
  const code = (await page.locator("[data-enrollment-code]").innerText()).trim();
  check(/^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/.test(code), `enrollment code shown: ${code}`);
  check((await page.locator("tbody").innerText()).includes("Iris Invited"), "invited advisor listed");
  results.invite_code = code;
  await shot(page, "advisors");
  step("invite an advisor");

  // Revoke a device.
  await page.getByRole("link", { name: "Devices" }).click();
  const row = page.locator(`tr[data-device="${a.revoke_device}"]`);
  check((await row.innerText()).includes("Active"), "device active before revoking");
  await Promise.all([page.waitForNavigation(), row.getByRole("button", { name: "Revoke" }).click()]);
  check((await mainText(page)).includes("The device is revoked"), "revoke notice");
  check((await page.locator(`tr[data-device="${a.revoke_device}"]`).innerText()).includes("Revoked"), "device shows revoked");
  check((await page.locator(`tr[data-device="${a.keep_device}"]`).innerText()).includes("Active"), "other device untouched");
  await shot(page, "devices");
  step("revoke a device");

  // Share a household.
  await page.getByRole("link", { name: "Households" }).click();
  const listed = await page.locator(`tr[data-household="${a.household}"]`).innerText();
  check(listed.includes(a.owner_name), "household owner listed");
  // Labels an admin recognises: the household's name and the firm's client reference.
  check(listed.includes(a.household_name) && listed.includes(a.client_ref), `household label: ${listed}`);
  await shot(page, "households");
  await page.locator(`tr[data-household="${a.household}"] a`).click();
  await page.getByLabel("Share with").selectOption(a.share_with);
  await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Share", exact: true }).click()]);
  check((await mainText(page)).includes("The household is now shared."), "share notice");
  check(await page.locator(`li[data-shared="${a.share_with}"]`).isVisible(), "shared advisor listed");
  await shot(page, "household");
  step("share a household");

  // Every action above is in the audit log.
  await page.getByRole("link", { name: "Audit log" }).click();
  // In words ("Invited advisor Iris Invited"), each row marked with its action.
  const audit = await mainText(page);
  for (const action of ["console.sign_in", "advisor.invite", "device.revoke", "document.share"]) {
    check((await page.locator(`tr[data-action="${action}"]`).count()) > 0, `audit log shows ${action}`);
  }
  check(audit.includes("Invited advisor Iris Invited"), "the audit log reads as sentences");
  // Filtered by area.
  await page.getByLabel("Area").selectOption("advisors");
  await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Filter" }).click()]);
  const areas = await page.locator("tr[data-action]").evaluateAll((rows) => rows.map((r) => r.dataset.action));
  check(areas.length > 0 && areas.every((a) => a.startsWith("advisor.")), `audit filtered to advisors: ${areas}`);
  await shot(page, "audit");
  step("audit log");

  await page.getByRole("link", { name: "Settings" }).click();
  check((await mainText(page)).includes(a.firm_id), "settings show the firm id");
  await shot(page, "settings");
  step("settings");

  if (world.archive) {
    await archiveFlow(page, a);
  }
  await adminTools(page, a);

  await signOut(page);
  // The old session is gone: the console sends the browser back to sign-in.
  await page.goto(`${base}/admin/devices`);
  check(page.url().endsWith("/admin/login"), "signed out: pages need a new sign-in");
  step("sign out");
  await context.close();
}

/** What a non-technical admin does without the CLI: the invite's address and code to copy,
 * the firm's time zone, promoting an advisor, moving a departing advisor's households. */
async function adminTools(page, a) {
  // The invite box shows what the app asks for, each with a Copy button.
  await page.getByRole("link", { name: "Advisors" }).click();
  await Promise.all([page.waitForNavigation(), page.locator(`tr[data-advisor="${a.share_with}"]`).getByRole("button", { name: "New enrollment code" }).click()]);
  check((await page.locator("[data-relay-address]").innerText()).trim() === base, "the relay address to type");
  check((await page.locator('button[data-copy="#enrollment-code"]').count()) === 1, "a Copy button for the code");
  step("invite shows address and code");

  // The firm's time zone: the audit log reads in it.
  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByLabel(/Firm time zone/).fill("America/Chicago");
  await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Save", exact: true }).click()]);
  check((await page.locator("[data-time-zone]").innerText()).trim() === "America/Chicago", "time zone saved");
  await page.getByRole("link", { name: "Audit log" }).click();
  const when = await page.locator("tr[data-action] td").first().innerText();
  check(/ C[SD]T$/.test(when.trim()), `audit times in the firm's zone: ${when}`);
  step("time zone");

  // Promote a colleague to admin, then move the owner's households to them.
  await page.getByRole("link", { name: "Advisors" }).click();
  await Promise.all([page.waitForNavigation(), page.locator(`tr[data-advisor="${a.share_with}"]`).getByRole("button", { name: "Make admin" }).click()]);
  check((await mainText(page)).includes("is a firm admin now"), "promote notice");
  check((await page.locator(`tr[data-advisor="${a.share_with}"]`).innerText()).includes("Admin"), "shown as admin");
  const owner = page.locator(`tr[data-advisor="${a.owner_id}"]`);
  check((await owner.locator("[data-owned]").innerText()).trim() === "1", "the owner has one household");
  await owner.getByLabel(/households to/).selectOption(a.share_with);
  await Promise.all([page.waitForNavigation(), owner.getByRole("button", { name: "Move households" }).click()]);
  check((await mainText(page)).includes("The households are moved"), "transfer notice");
  check((await page.locator(`tr[data-advisor="${a.owner_id}"] [data-owned]`).innerText()).trim() === "0", "nothing left with the departing advisor");
  await page.getByRole("link", { name: "Households" }).click();
  check((await page.locator(`tr[data-household="${a.household}"]`).innerText()).includes(a.share_with_name), "the colleague owns it now");
  step("promote and move households");
}

async function archiveFlow(page, a) {
  await page.getByRole("link", { name: "Archive" }).click();
  check(page.url().endsWith("/admin/archive"), `archive page: ${page.url()}`);

  // A legal hold on the household.
  await page.getByLabel("Hold covers").selectOption(a.household);
  await page.getByLabel("Reason (matter or case)").fill("SEC inquiry 2026-14");
  await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Place hold" }).click()]);
  check((await mainText(page)).includes("The legal hold is in place"), "hold notice");
  check((await mainText(page)).includes("SEC inquiry 2026-14"), "hold listed");

  // Retention: lengthening works; shortening while entries are within it is refused.
  await page.getByLabel("Years").fill("7");
  await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Set retention" }).click()]);
  check((await page.locator('[data-archive="retention"]').innerText()).includes("7 years"), "retention lengthened");
  await page.getByLabel("Years").fill("6");
  const refused = await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Set retention" }).click()]);
  check(refused[0].status() === 400, `shortening retention: expected 400, got ${refused[0].status()}`);
  check((await mainText(page)).includes("Not changed"), "shortening refused with a reason");
  check((await page.locator('[data-archive="retention"]').innerText()).includes("7 years"), "retention unchanged");

  // Browse by household.
  await page.getByLabel("Household", { exact: true }).selectOption(a.household);
  await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Show" }).click()]);
  check((await page.locator("tr[data-entry]").count()) > 0, "entries of the household are listed");
  await shot(page, "archive");

  // Verify the stored log, then export a bundle for an examiner.
  await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Verify" }).click()]);
  check(await page.locator(".verify-ok").isVisible(), `archive verifies: ${await mainText(page)}`);
  await shot(page, "archive-verified");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Export" }).click(),
  ]);
  const saved = path.join(world.downloads, download.suggestedFilename());
  await download.saveAs(saved);
  check(saved.endsWith(".zip"), `export is a ZIP: ${saved}`);
  results.archive_export = saved;
  step("export and verify the archive");
}

async function operator(browser) {
  const o = world.operator;
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  await signIn(page, o.email, o.password);
  check(page.url().endsWith("/admin/operator"), `operator lands on the operator page: ${page.url()}`);
  const text = await mainText(page);
  check(text.includes(world.a.firm_name) && text.includes(world.b.firm_name), "operator sees both firms");
  check(!text.includes(world.a.household) && !text.includes(world.a.owner_name), "operator sees no household or advisor");
  // A firm admin's page is not the operator's.
  const response = await page.goto(`${base}/admin/households/${world.a.household}`);
  check(response.status() === 404, `operator on a firm page: ${response.status()}`);
  await page.goto(`${base}/admin/operator`);

  await page.getByLabel("Firm name").fill("Cedar Partners");
  await page.getByLabel("First admin's email").fill("admin@cedar.example");
  await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Create firm" }).click()]);
  // The operator gets a one-time link, never a password.
  const link = (await page.locator("[data-password-link]").innerText()).trim();
  check(link.startsWith(`${base}/admin/set-password/`), `a set-password link on this relay is shown: ${link}`);
  check(!(await page.content()).includes("data-initial-password"), "no password is shown to the operator");
  await shot(page, "operator");
  await signOut(page);

  // The admin opens it in their own browser, chooses a password and is signed in.
  const admin = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const adminPage = await admin.newPage();
  await adminPage.goto(link);
  check((await adminPage.locator("[data-link-email]").innerText()).trim() === "admin@cedar.example", "the link names whose password it sets");
  await adminPage.getByLabel("New password").fill("cedar admin's own password");
  await adminPage.getByLabel("Repeat it").fill("a different password typed");
  await Promise.all([adminPage.waitForNavigation(), adminPage.getByRole("button", { name: "Set password and sign in" }).click()]);
  check((await adminPage.locator(".problem").innerText()).includes("differ"), "two different passwords are refused");
  await adminPage.getByLabel("New password").fill("cedar admin's own password");
  await adminPage.getByLabel("Repeat it").fill("cedar admin's own password");
  await Promise.all([adminPage.waitForNavigation(), adminPage.getByRole("button", { name: "Set password and sign in" }).click()]);
  check((await adminPage.locator("header").innerText()).includes("Cedar Partners"), "the new firm's admin is signed in to it");
  await adminPage.goto(`${base}/admin/audit`);
  for (const action of ["console.password.set_by_link", "console.sign_in.first"]) {
    check((await adminPage.locator(`tr[data-action="${action}"]`).count()) > 0, `the firm's audit log shows ${action}`);
  }
  await signOut(adminPage);
  // The link worked once.
  const reused = await adminPage.goto(link);
  check(reused.status() === 404 && (await mainText(adminPage)).includes("expired or was already used"), `a used link is dead: ${reused.status()}`);
  await signIn(adminPage, "admin@cedar.example", "cedar admin's own password");
  check((await adminPage.locator("header").innerText()).includes("Cedar Partners"), "the admin signs in with the password they chose");
  await signOut(adminPage);
  await admin.close();
  step("operator creates a firm; its admin sets their own password through a one-time link");
  await context.close();
}

async function firmB(browser) {
  const a = world.a;
  const b = world.b;
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  await signIn(page, b.email, b.password);
  check(page.url().endsWith("/admin/advisors"), "firm B admin signed in");

  // Nothing of firm A shows on any of B's pages.
  const sections = ["advisors", "devices", "households", "audit", "settings"];
  if (world.archive) sections.push("archive");
  for (const section of sections) {
    await page.goto(`${base}/admin/${section}`);
    const html = await page.content();
    for (const id of [a.firm_id, a.household, a.revoke_device, a.keep_device, a.share_with, a.owner_id]) {
      check(!html.includes(id), `B's ${section} page shows firm A's ${id}`);
    }
  }

  // Editing URLs: A's household looks exactly like one that does not exist.
  const missing = await page.goto(`${base}/admin/households/2Zx9NoSuchHouseholdId`);
  const missingHtml = await page.content();
  check(missing.status() === 404, `unknown household: ${missing.status()}`);
  const foreign = await page.goto(`${base}/admin/households/${a.household}`);
  check(foreign.status() === 404, `A's household from B: ${foreign.status()}`);
  check((await page.content()) === missingHtml, "A's household page is byte-identical to a missing one");
  await shot(page, "not-found");

  // Editing ids in forms: every action on A's things is a 404 and changes nothing.
  await page.goto(`${base}/admin/advisors`);
  const csrf = await csrfOf(page);
  const attempts = [
    [`/admin/devices/${a.keep_device}/revoke`, {}],
    [`/admin/advisors/${a.owner_id}/disable`, {}],
    [`/admin/advisors/${a.owner_id}/reinvite`, {}],
    [`/admin/households/${a.household}/share`, { advisor: b.advisor }],
    [`/admin/households/${a.household}/share`, { advisor: a.share_with }],
    [`/admin/households/${a.household}/unshare`, { advisor: a.share_with }],
  ];
  if (world.archive) {
    attempts.push([`/admin/archive/holds`, { household: a.household, reason: "fishing" }]);
    attempts.push([`/admin/archive/holds/lift`, { household: a.household }]);
  }
  for (const [action, fields] of attempts) {
    await page.goto(`${base}/admin/advisors`);
    const response = await submitForm(page, action, { csrf, ...fields });
    check(response.status() === 404, `B posting ${action}: expected 404, got ${response.status()}`);
    check((await page.content()) === missingHtml, `B posting ${action}: the same page as a missing id`);
  }
  // And the operator's page does not exist for a firm admin.
  const op = await page.goto(`${base}/admin/operator`);
  check(op.status() === 404, `firm admin on the operator page: ${op.status()}`);
  step("firm B reaches nothing of firm A");
  await page.goto(`${base}/admin/advisors`);
  await signOut(page);
  await context.close();
}

async function main() {
  const browser = await chromium.launch({
    executablePath: world.chromium || "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
    ],
  });
  try {
    await firmA(browser);
    await firmB(browser);
    await operator(browser);
  } finally {
    await browser.close();
  }
}

main().then(
  () => {
    console.log(JSON.stringify({ ok: true, ...results }));
  },
  (error) => {
    console.log(JSON.stringify({ ok: false, error: String(error && error.stack ? error.stack : error), ...results }));
    process.exit(1);
  },
);
