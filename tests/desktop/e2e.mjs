// End-to-end test of the real Hearth desktop app: two app instances (two advisors, two
// profiles) driven through tauri-driver + WebKitWebDriver, syncing through a real relay.
// Run by tests/tests/desktop.rs under Xvfb; every input comes from the environment:
//   HEARTH_DESKTOP_BIN  the app binary            TAURI_DRIVER   the tauri-driver binary
//   PROFILE_A/B         profile directories       RELAY_URL      the relay
//   CODE_A/B            enrollment codes          SCREENSHOTS    where screenshots go
//   MODELS_DIR          the (empty) speech model store the apps use
//   TEST_MODEL          a ggml tiny.en-pypi model  AUDIO_WAV     espeak-ng speech, 16 kHz WAV
//   JUNK_MODEL          a file that is not a model DOC_TXT / DOC_BAD  a text document / an unsupported file
//   HEARTH_BIN          the `hearth` CLI (Bob's offline edit, made while his app is closed)
// The script serves TEST_MODEL as a firm model mirror (HEARTH_MODEL_BASE_URL) on 127.0.0.1.
import { execFileSync, spawn } from "node:child_process";
import { createReadStream, mkdirSync, readdirSync, statSync } from "node:fs";
import http from "node:http";
import { freePort, waitForPort } from "./ports.mjs";
import path from "node:path";
import { remote } from "webdriverio";

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const BIN = env("HEARTH_DESKTOP_BIN");
const DRIVER = env("TAURI_DRIVER");
const SHOTS = env("SCREENSHOTS");
const NATIVE = process.env.WEBKIT_WEBDRIVER || "/usr/bin/WebKitWebDriver";
const PASS_A = "correct horse battery";
const PASS_B = "staple paper clip";
mkdirSync(SHOTS, { recursive: true });

const log = (...args) => console.log(`[e2e ${new Date().toISOString().slice(11, 19)}]`, ...args);


/** A firm model mirror serving only `ggml-tiny.en-pypi.bin` (TEST_MODEL), paced so that the
 * download's progress bar is on screen for a moment; anything else is a 404. */
async function modelMirror() {
  const server = http.createServer((req, res) => {
    if (req.url !== "/ggml-tiny.en-pypi.bin") {
      res.writeHead(404, { "Content-Length": 0 });
      res.end();
      return;
    }
    const file = env("TEST_MODEL");
    res.writeHead(200, { "Content-Length": statSync(file).size });
    const stream = createReadStream(file, { highWaterMark: 1 << 20 });
    stream.on("data", (chunk) => {
      stream.pause();
      res.write(chunk, () => setTimeout(() => stream.resume(), 25));
    });
    stream.on("end", () => res.end());
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  server.unref();
  return `http://127.0.0.1:${server.address().port}`;
}
const MIRROR = await modelMirror();

const drivers = [];
const sessions = [];

/** Starts the app on `profile` behind its own tauri-driver and returns a WebDriver session. */
async function launch(profile) {
  const port = await freePort();
  const nativePort = await freePort();
  const driver = spawn(DRIVER, ["--port", String(port), "--native-port", String(nativePort), "--native-driver", NATIVE], {
    env: {
      ...process.env,
      HEARTH_PROFILE: profile,
      HEARTH_SYNC_INTERVAL_SECS: "1",
      HEARTH_MODELS_DIR: env("MODELS_DIR"),
      HEARTH_MODEL_BASE_URL: MIRROR,
      // whisper.cpp's OpenMP threads otherwise spin on this 2-core machine.
      OMP_WAIT_POLICY: "PASSIVE",
      // No Secret Service in this session: keyring profiles must fail readably.
      DBUS_SESSION_BUS_ADDRESS: "unix:path=/nonexistent",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  drivers.push(driver);
  await waitForPort(port, 20_000);
  const browser = await remote({
    hostname: "127.0.0.1",
    port,
    logLevel: "warn",
    connectionRetryTimeout: 120_000,
    // Classic WebDriver: WebKitWebDriver has no WebDriver BiDi.
    capabilities: { "tauri:options": { application: BIN }, "wdio:enforceWebDriverClassic": true },
  });
  browser.driverProcess = driver;
  sessions.push(browser);
  return browser;
}

async function close(browser) {
  try {
    await browser.deleteSession();
  } catch {
    /* the app may already be gone */
  }
  browser.driverProcess.kill("SIGTERM");
}

const byId = (browser, id) => browser.$(`[data-testid="${id}"]`);

async function shown(browser, id, timeout = 20_000) {
  const el = await byId(browser, id);
  await el.waitForDisplayed({ timeout, timeoutMsg: `${id} not shown within ${timeout} ms` });
  return el;
}

async function type(browser, id, text) {
  const el = await shown(browser, id);
  // Select what is there (a default like "Annual review") so the keys replace it: WebDriver's
  // clear does not always reach a React-controlled input, and the words were appended.
  await el.click();
  await browser.keys([process.platform === "darwin" ? "Meta" : "Control", "a"]);
  await el.addValue(text);
  await browser.waitUntil(async () => (await el.getValue()) === text, {
    timeout: 5_000,
    timeoutMsg: `${id} holds "${await el.getValue()}", not "${text}"`,
  });
}

/** Sets a multi-line text field the way a paste would (WebDriver key input drops newlines). */
async function paste(browser, id, text) {
  await shown(browser, id);
  await browser.execute(
    (testId, value) => {
      const el = document.querySelector(`[data-testid="${testId}"]`);
      const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(el), "value").set;
      setter.call(el, value);
      el.dispatchEvent(new Event("input", { bubbles: true }));
    },
    id,
    text,
  );
}

async function click(browser, id) {
  const el = await shown(browser, id);
  await el.waitForEnabled({ timeout: 20_000, timeoutMsg: `${id} never enabled` });
  await el.click();
}

/** Scrolls an element to the middle of the window (for a screenshot of it). */
async function reveal(browser, id) {
  await browser.execute((testId) => document.querySelector(`[data-testid="${testId}"]`)?.scrollIntoView({ block: "center" }), id);
}

async function shot(browser, name) {
  const file = path.join(SHOTS, `desktop-${name}.png`);
  await browser.saveScreenshot(file);
  log("screenshot", file);
}

async function expectText(browser, selector, needle, timeout = 30_000) {
  await browser.waitUntil(
    async () => {
      const els = await browser.$$(selector);
      // textContent, not getText: WebKitWebDriver's getText drops text in truncated
      // (overflow: hidden) elements.
      for (const el of els) if (String(await el.getProperty("textContent")).includes(needle)) return true;
      return false;
    },
    { timeout, timeoutMsg: `"${needle}" did not appear in ${selector} within ${timeout} ms` },
  );
}

async function errorKind(browser, timeout = 20_000) {
  const el = await shown(browser, "error", timeout);
  return el.getAttribute("data-kind");
}

/** Chooses `file` in a file input, as a person does in the file dialog (WebDriver Send Keys
 * on `<input type=file>`; addValue, since setValue would clear the input first). */
async function chooseFile(browser, id, file) {
  const el = await byId(browser, id);
  await el.waitForExist({ timeout: 20_000, timeoutMsg: `${id} does not exist` });
  await el.addValue(file);
}

/** Starts a meeting for the open household up to the point where the words come in. */
async function meetingWithConsent(browser, title = "Phone review (recording)") {
  await click(browser, "household-new-meeting");
  await shown(browser, "meeting-screen");
  await type(browser, "meeting-title", title);
  await click(browser, "disclosure-read");
  await type(browser, "consent-names", "Linda Johnson");
}

const SPOKEN = ["retirement", "college", "daughter"];

async function firstRun(browser, name, passphrase, code, who) {
  await shown(browser, "first-run", 60_000);
  await type(browser, "advisor-name", name);
  await type(browser, "device-name", `${name.split(" ")[0]}'s laptop`);
  if (who === "a") {
    // The keyring is not reachable here: the error must be readable, and the form switches
    // to a passphrase.
    await click(browser, "create-profile");
    const kind = await errorKind(browser);
    if (kind !== "keyring_unavailable") throw new Error(`expected keyring_unavailable, got ${kind}`);
    await shot(browser, "first-run-keyring-error");
  } else {
    await click(browser, "storage-passphrase");
  }
  await type(browser, "passphrase", passphrase);
  await type(browser, "passphrase-confirm", passphrase);
  if (who === "a") await shot(browser, "first-run");
  await click(browser, "create-profile");
  await shown(browser, "relay-url", 60_000);
  if (who === "b") {
    // A relay that is down: a readable error, and nothing lost.
    await type(browser, "relay-url", "http://127.0.0.1:9");
    await type(browser, "relay-code", code);
    await click(browser, "enroll");
    const kind = await errorKind(browser);
    if (kind !== "relay_unreachable") throw new Error(`expected relay_unreachable, got ${kind}`);
    await shot(browser, "enroll-relay-down");
    await (await byId(browser, "relay-url")).clearValue();
  } else {
    await shot(browser, "first-run-relay");
  }
  await type(browser, "relay-url", env("RELAY_URL"));
  await (await byId(browser, "relay-code")).clearValue();
  await type(browser, "relay-code", code);
  await click(browser, "enroll");
  await shown(browser, "model-step", 30_000);
  // The model card has loaded (the step's layout is final) before "Open Hearth" is clicked.
  await shown(browser, "model-state", 30_000);
  if (who === "a") await shot(browser, "first-run-model");
  await click(browser, "finish-setup");
  // Today is the home screen.
  await shown(browser, "today-screen");
}

/** The local calendar day `n` days from now, YYYY-MM-DD (what a date input holds). */
function dayFromNow(n) {
  const d = new Date(Date.now() + n * 86_400_000);
  const p = (v) => String(v).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** Sets a date input the way the date picker does. */
async function setDate(browser, id, day) {
  await paste(browser, id, day);
}

/** Updates the balance of the account row whose text includes `kind`. */
async function updateBalance(browser, kind, amount, asOf) {
  const row = await browser.$(`//*[@data-testid="account-row"][contains(., "${kind}")]`);
  await row.waitForDisplayed({ timeout: 20_000, timeoutMsg: `no account row for ${kind}` });
  await (await row.$('[data-testid="account-aum"]')).click();
  await type(browser, "aum-amount", amount);
  await setDate(browser, "aum-as-of", asOf);
  await click(browser, "aum-save");
}

/** The environment without HEARTH_PROFILE (the command names its profile itself). */
function withoutProfile(environment) {
  const { HEARTH_PROFILE: _unused, ...rest } = environment;
  return rest;
}

/** Opens the household's page from the Households list. */
async function openHousehold(browser) {
  await click(browser, "nav-households");
  await click(browser, "household-row");
  await shown(browser, "household-page");
}

// The advisor speaks as "Ada" (the profile's Ada Advisor): her commitments are hers.
const TRANSCRIPT = [
  "Ada: Thanks for coming in, Linda and Robert. Let's review the plan.",
  "Linda: Robert is retiring in June, so we want to be more conservative with our investments.",
  "Ada: I will send you the 529 forms by Friday.",
  "Robert: My Social Security number is 078-05-1120 if you need it for the forms.",
  "Ada: Great. We will meet again in three months to review.",
].join("\n");

async function main() {
  const a = await launch(env("PROFILE_A"));
  log("app A started");
  await firstRun(a, "Ada Advisor", PASS_A, env("CODE_A"), "a");
  await shown(a, "today-welcome");
  await shot(a, "today-empty");

  // Create a household.
  await (await a.$("body")).click();
  await a.keys(["Control", "n"]);
  await shown(a, "new-household-dialog");
  await type(a, "new-household-name", "The Johnson Family");
  await type(a, "new-household-segment", "A");
  await shot(a, "new-household");
  await click(a, "create-household");
  await shown(a, "household-page");
  await expectText(a, '[data-testid="household-name"]', "The Johnson Family");

  // Accounts with an AUM total, exact.
  await (await a.$("button=+ Add account")).click();
  await (await a.$('input[placeholder="Rollover IRA"]')).setValue("Rollover IRA");
  await (await a.$('input[placeholder="1250000.00"]')).setValue("1250000.10");
  await (await a.$("button=Add")).click();
  await expectText(a, '[data-testid="aum-total"]', "$1,250,000.10");
  await (await a.$("button=+ Add account")).click();
  await (await a.$('input[placeholder="Rollover IRA"]')).setValue("Joint brokerage");
  await (await a.$('input[placeholder="1250000.00"]')).setValue("0.20");
  await (await a.$("button=Add")).click();
  await expectText(a, '[data-testid="aum-total"]', "$1,250,000.30");
  await (await a.$("button=+ Add member")).click();
  await (await a.$('input[placeholder="Linda Johnson"]')).setValue("Linda Johnson");
  await (await a.$("button=Add")).click();
  await expectText(a, '[data-testid="members-card"]', "Linda Johnson");
  await shot(a, "household-overview");

  // A note.
  await click(a, "tab-notes");
  await click(a, "note-category-planning");
  await type(a, "note-text", "Reviewed the RMD schedule with Linda.");
  await click(a, "save-note");
  await expectText(a, '[data-testid="note-body"]', "Reviewed the RMD schedule with Linda.");
  await shot(a, "household-notes");

  // An open loop with a due date.
  await click(a, "tab-loops");
  await type(a, "task-title", "Call the custodian");
  await click(a, "add-task");
  await expectText(a, '[data-testid="task"]', "Call the custodian");

  // A meeting: consent, transcript, analysis, review, accept, follow-up draft.
  await click(a, "household-new-meeting");
  await shown(a, "meeting-screen");
  await expectText(a, '[data-testid="meeting-household"]', "The Johnson Family");
  await expectText(a, '[data-testid="disclosure"]', "consent");
  await click(a, "disclosure-read");
  await type(a, "consent-names", "Linda Johnson, Robert Johnson");
  await paste(a, "transcript-text", TRANSCRIPT);
  await shot(a, "meeting-consent");
  await click(a, "import-transcript");
  await shown(a, "meeting-review");
  const transcriptText = String(await (await byId(a, "transcript")).getProperty("textContent"));
  if (transcriptText.includes("078-05-1120")) throw new Error("the SSN was shown unmasked");
  await click(a, "analyze");
  await shown(a, "suggestions", 60_000);
  const actions = await a.$$('[data-testid="suggest-action"]');
  if (actions.length === 0) throw new Error("the analysis suggested no action items");
  await expectText(a, '[data-testid="follow-up"]', "Hi Linda");
  // "I will send you the 529 forms", said by the advisor, is the advisor's to do.
  await expectText(a, '[data-testid="suggestions"]', "for you");
  const segments = await a.$$('[data-testid="transcript-segment"]');
  if (segments.length !== 5) throw new Error(`expected 5 transcript segments, got ${segments.length}`);
  await shot(a, "meeting-review");
  // Correct who spoke: "Linda" becomes her full name in every segment, and the analysis runs again.
  await (await a.$$('[data-testid="segment-speaker"]'))[1].click();
  await type(a, "speaker-name", "Linda Johnson");
  await click(a, "speaker-save");
  await expectText(a, '[data-testid="transcript"]', "Linda Johnson:");
  await shown(a, "suggestions", 60_000);
  // Every suggestion links to where it was said: the link shows that transcript segment.
  await (await a.$$('[data-testid="source-link"]'))[0].click();
  await a.waitUntil(async () => (await a.$$('[data-testid="transcript-line"][data-shown="yes"]')).length === 1, {
    timeout: 5_000,
    timeoutMsg: "a source link did not show its transcript segment",
  });
  // Edit before filing: the first action item reworded, the e-mail's subject changed.
  await click(a, "edit-action");
  await type(a, "action-what", "Send the 529 plan forms to Linda");
  await click(a, "action-save");
  await expectText(a, '[data-testid="suggestions"]', "Send the 529 plan forms to Linda");
  await click(a, "edit-draft");
  await type(a, "draft-subject-input", "Next steps from today");
  await click(a, "draft-save");
  await expectText(a, '[data-testid="draft-subject"]', "Next steps from today");
  await click(a, "accept");
  await shown(a, "filed");
  await click(a, "copy-draft");
  await expectText(a, '[data-testid="copy-draft"]', "Copied");

  // The filed action item is an open loop of the household now; history shows who did what.
  await (await a.$("button=Open household →")).click();
  await click(a, "tab-loops");
  await expectText(a, '[data-testid="task"]', "Send the 529 plan forms to Linda");
  await shot(a, "household-loops");
  await click(a, "tab-history");
  await expectText(a, '[data-testid="history-entry"]', "Ada Advisor");
  await shot(a, "household-history");

  // A recording: with no speech model installed, a readable error that says what to do.
  await click(a, "tab-overview");
  await meetingWithConsent(a);
  await chooseFile(a, "audio-file", env("AUDIO_WAV"));
  await expectText(a, '[data-testid="audio-file-name"]', "speech.wav");
  await click(a, "import-audio");
  let kind = await errorKind(a, 60_000);
  if (kind !== "model_missing") throw new Error(`expected model_missing, got ${kind}`);
  await expectText(a, '[data-testid="error"]', "Settings");
  await expectText(a, '[data-testid="error"]', "hearth models fetch tiny.en");
  await reveal(a, "audio-import");
  await shot(a, "meeting-model-missing");

  // Settings shows the model state. A download the mirror cannot serve fails readably; a file
  // that is not the model is refused; the model downloads with a progress bar.
  await click(a, "nav-settings");
  await expectText(a, '[data-testid="model-state"]', "No model installed");
  await click(a, "model-download-tiny.en");
  kind = await errorKind(a, 60_000);
  if (kind !== "model_download_failed") throw new Error(`expected model_download_failed, got ${kind}`);
  await expectText(a, '[data-testid="error"]', "Install from file");
  await reveal(a, "model-card");
  await shot(a, "settings-model-download-failed");
  await (await a.$('[data-testid="model-card"] [aria-label="Dismiss"]')).click();
  await (await byId(a, "model-install-name")).selectByAttribute("value", "tiny.en-pypi");
  await chooseFile(a, "model-file", env("JUNK_MODEL"));
  kind = await errorKind(a, 60_000);
  if (kind !== "invalid") throw new Error(`expected invalid for a junk model, got ${kind}`);
  await expectText(a, '[data-testid="error"]', "sha256 mismatch");
  await (await a.$('[data-testid="model-card"] [aria-label="Dismiss"]')).click();
  await click(a, "model-download-tiny.en-pypi");
  await expectText(a, '[data-testid="model-progress"]', " of ", 60_000);
  await reveal(a, "model-card");
  await shot(a, "settings-model-download");
  await expectText(a, '[data-testid="model-state"]', "In use", 300_000);
  await shot(a, "settings-model");
  if (!readdirSync(env("MODELS_DIR")).includes("ggml-tiny.en-pypi.bin")) throw new Error("the model was not installed in the store");

  // Now the recording imports: progress, then its transcript, then the usual review.
  await click(a, "nav-households");
  await click(a, "household-row");
  await meetingWithConsent(a);
  await chooseFile(a, "audio-file", env("AUDIO_WAV"));
  await click(a, "import-audio");
  await shown(a, "import-progress");
  await reveal(a, "audio-import");
  await shot(a, "meeting-import-progress");
  await shown(a, "meeting-review", 300_000);
  await a.waitUntil(
    async () => {
      const text = String(await (await byId(a, "transcript")).getProperty("textContent")).toLowerCase();
      return SPOKEN.every((w) => text.includes(w));
    },
    { timeout: 20_000, timeoutMsg: `the transcript lacks one of ${SPOKEN.join(", ")}` },
  );
  await expectText(a, '[data-testid="meeting-review"]', "attested");
  await shot(a, "meeting-audio-transcript");
  await click(a, "analyze");
  await shown(a, "suggestions", 60_000);

  // Recording from the microphone (an ALSA file device speaking the same words): the level
  // meter moves and the live transcript follows the speech; Stop transcribes it in full.
  // The firm records with all-party consent from here on: everyone in the meeting must
  // consent before the recorder opens.
  await click(a, "nav-settings");
  await (await byId(a, "policy-consent-mode")).selectByAttribute("value", "all-party");
  await expectText(a, '[data-testid="policy-consent-sentence"]', "Everyone in the meeting must agree");
  await click(a, "policy-save");
  let card = "";
  await a.waitUntil(
    async () => {
      card = String(await (await byId(a, "recording-card")).getProperty("textContent"));
      const saveDisabled = await (await byId(a, "policy-save")).getAttribute("disabled");
      return card.includes("Saved.") || saveDisabled !== null;
    },
    { timeout: 20_000, interval: 100 },
  ).catch(() => {
    throw new Error(`the recording policy was not saved: ${card}`);
  });
  await click(a, "nav-households");
  await click(a, "household-row");
  await click(a, "household-new-meeting");
  await shown(a, "meeting-screen");
  await type(a, "meeting-title", "Live review (microphone)");
  await click(a, "disclosure-read");
  // Linda is in the room but has not said yes yet; her son joins as a guest who has.
  await (await a.$('[aria-label="Linda Johnson is in the meeting"]')).click();
  await type(a, "consent-names", "Robert Johnson");
  await expectText(a, '[data-testid="consent-missing"]', "Linda Johnson");
  if (await (await byId(a, "record-open")).isEnabled()) throw new Error("the recorder opened before everyone consented");
  await shot(a, "meeting-consent-all-party");
  await (await a.$('[aria-label="Linda Johnson consented"]')).click();
  await a.waitUntil(async () => (await a.$$('[data-testid="consent-missing"]')).length === 0, {
    timeout: 20_000,
    timeoutMsg: "Linda's consent did not complete the consent step",
  });
  await click(a, "record-open");
  await shown(a, "record-panel");
  await a.waitUntil(async () => (await a.$$('[data-testid="record-device"] option[value="hearth_speech"]')).length > 0, {
    timeout: 20_000,
    timeoutMsg: "the file-backed microphone is not listed",
  });
  await (await byId(a, "record-device")).selectByAttribute("value", "hearth_speech");
  // A meeting in the room: the microphone only (a call's other side is tests/tests/system_audio.rs).
  await (await byId(a, "record-other-side")).selectByAttribute("value", "off");
  await click(a, "record-start");
  await shown(a, "record-level", 60_000);
  // The advisor's own notes, typed while the meeting goes on, are filed with it.
  await type(a, "record-notes", "Wants the rollover done before March.");
  // Paced by the audio itself: poll until the meter has shown sound and the live transcript
  // has caught up with the speech.
  let signalSeen = false;
  let shotTaken = false;
  await a.waitUntil(
    async () => {
      const signal = (await (await byId(a, "record-level")).getAttribute("data-signal")) === "yes";
      signalSeen ||= signal;
      const live = String(await (await byId(a, "record-live")).getProperty("textContent")).toLowerCase();
      // The screenshot shows the meter moving and some live text.
      if (signal && live.includes(SPOKEN[0]) && !shotTaken) {
        await reveal(a, "record-panel");
        await shot(a, "meeting-recording");
        shotTaken = true;
      }
      return signalSeen && SPOKEN.every((w) => live.includes(w));
    },
    { timeout: 120_000, interval: 250, timeoutMsg: `the live transcript never showed ${SPOKEN.join(", ")} (or the meter never moved)` },
  );
  if (!shotTaken) await shot(a, "meeting-recording");
  const elapsed = String(await (await byId(a, "record-elapsed")).getProperty("textContent"));
  if (elapsed === "0:00") throw new Error("the elapsed time did not advance");
  // Pause and resume once the speech is in (a pause keeps nothing the microphone hears).
  await click(a, "record-pause");
  await expectText(a, '[data-testid="record-panel"]', "Paused");
  await click(a, "record-pause");
  await expectText(a, '[data-testid="record-panel"]', "Recording");
  await a.execute(() => document.querySelector('[data-testid="record-stop"]').focus());
  // Keyboard: the Stop button has the focus while recording; Enter stops and transcribes.
  await a.keys(["Enter"]);
  await shown(a, "meeting-review", 300_000);
  await a.waitUntil(
    async () => {
      const text = String(await (await byId(a, "transcript")).getProperty("textContent")).toLowerCase();
      return SPOKEN.every((w) => text.includes(w));
    },
    { timeout: 20_000, timeoutMsg: `the recorded transcript lacks one of ${SPOKEN.join(", ")}` },
  );
  await expectText(a, '[data-testid="meeting-review"]', "recorded in the app by");
  await shot(a, "meeting-recorded");


  // The notes typed during the meeting are a discussion note of the household.
  await (await a.$("button=Open household →")).click();
  await click(a, "tab-notes");
  await expectText(a, '[data-testid="note"]', "Wants the rollover done before March.");
  // Documents: attach a text file; an unsupported file is refused readably.
  await click(a, "tab-documents");
  await chooseFile(a, "document-file", env("DOC_BAD"));
  kind = await errorKind(a, 60_000);
  if (kind !== "invalid") throw new Error(`expected invalid for an unsupported document, got ${kind}`);
  await expectText(a, '[data-testid="error"]', "not a supported document type");
  await shot(a, "household-document-refused");
  await chooseFile(a, "document-file", env("DOC_TXT"));
  await expectText(a, '[data-testid="document"]', "beneficiary-letter.txt", 60_000);
  await shot(a, "household-documents");

  // Ctrl-K palette.
  await a.keys(["Control", "k"]);
  await shown(a, "palette");
  await type(a, "palette-input", "johnson");
  await expectText(a, '[data-testid="palette-item"]', "The Johnson Family");
  // Full-text search finds words inside notes and meeting transcripts, with snippets.
  await paste(a, "palette-input", "conservative");
  await expectText(a, '[data-testid="palette-snippet"]', "conservative");
  await shot(a, "palette");
  await paste(a, "palette-input", "RMD schedule");
  await expectText(a, '[data-testid="palette-snippet"]', "RMD");
  // ...the transcript of the recording, and the attached document's text.
  await paste(a, "palette-input", "daughter");
  await expectText(a, '[data-testid="palette-snippet"]', "daughter");
  await paste(a, "palette-input", "Quillfeather");
  await expectText(a, '[data-testid="palette-snippet"]', "Quillfeather");
  await shot(a, "palette-document");
  await a.keys(["Escape"]);

  // Settings, dark theme.
  await click(a, "nav-settings");
  await shown(a, "relay-card");
  await expectText(a, '[data-testid="relay-status"]', "Synced", 30_000);
  await shot(a, "settings");
  await click(a, "theme-dark");
  await click(a, "nav-households");
  await expectText(a, '[data-testid="household-row"]', "The Johnson Family");
  await shot(a, "households-dark");
  await click(a, "nav-settings");
  await click(a, "theme-light");

  // Share the household with Bob through the relay.
  await click(a, "nav-households");
  await click(a, "household-row");
  await click(a, "share");
  await shown(a, "share-dialog");
  await click(a, "share-toggle-Bob Colleague");
  await expectText(a, '[data-testid="share-toggle-Bob Colleague"]', "Stop sharing");
  await shot(a, "share");
  await a.keys(["Escape"]);

  // Advisor B on a second profile sees A's household through the relay.
  const b = await launch(env("PROFILE_B"));
  log("app B started");
  await firstRun(b, "Bob Colleague", PASS_B, env("CODE_B"), "b");
  await click(b, "nav-households");
  await expectText(b, '[data-testid="household-row"]', "The Johnson Family", 60_000);
  await (await b.$('[data-testid="household-row"]')).click();
  await click(b, "tab-notes");
  await expectText(b, '[data-testid="note-body"]', "Reviewed the RMD schedule with Linda.");
  await type(b, "note-text", "Bob: Linda called about the beneficiary forms.");
  await click(b, "save-note");
  await shot(b, "second-advisor-notes");

  // ...and A sees B's note arrive while the household is open.
  await click(a, "nav-households");
  await (await a.$('[data-testid="household-row"]')).click();
  await click(a, "tab-notes");
  await expectText(a, '[data-testid="note-body"]', "Linda called about the beneficiary forms.", 60_000);
  await shot(a, "synced-note");

  // Today: Bob's note is under "since you last looked"; a loop is completed in place.
  await click(a, "nav-today");
  await expectText(a, '[data-testid="since-line"]', "Bob Colleague", 60_000);
  await expectText(a, '[data-testid="today-loop"]', "Call the custodian");
  await shot(a, "today");
  const loop = await a.$('//*[@data-testid="today-loop"][contains(., "Call the custodian")]');
  await (await loop.$('[data-testid="today-done"]')).click();
  await a.waitUntil(async () => !(await (await a.$('[data-testid="today-loops"]')).getProperty("textContent")).includes("Call the custodian"), {
    timeout: 20_000,
    timeoutMsg: "the completed loop is still on Today",
  });
  await click(a, "mark-seen");
  await a.waitUntil(async () => (await a.$$('[data-testid="since-line"]')).length === 0, { timeout: 20_000, timeoutMsg: "marked as seen, the lines stayed" });

  // A new balance for the IRA (dated tomorrow, after the meeting): the total, the history
  // and the brief (the change since the last meeting) all show it.
  await openHousehold(a);
  const householdId = await (await byId(a, "household-page")).getAttribute("data-household-id");
  await updateBalance(a, "Rollover IRA", "1300000.10", dayFromNow(1));
  await expectText(a, '[data-testid="aum-total"]', "$1,300,000.30");
  await click(a, "tab-history");
  await expectText(a, '[data-testid="history-entry"]', "Updated AUM of Rollover IRA to 1,300,000.10");
  await expectText(a, '[data-testid="history-entry"]', "Completed task Call the custodian");
  await click(a, "tab-overview");
  await click(a, "open-brief");
  await shown(a, "brief");
  await expectText(a, '[data-testid="brief-account"]', "$1,300,000.10");
  await expectText(a, '[data-testid="brief-aum-change"]', "+$50,000.00");
  await expectText(a, '[data-testid="brief-agenda"]', "Form ADV");
  await shot(a, "brief");

  // Custom fields: the wealth template's form, validated, saved field by field.
  await openHousehold(a);
  await (await byId(a, "template-apply")).waitForDisplayed({ timeout: 20_000 });
  await (await a.$('[data-testid="template-apply"] select, select[data-testid="template-apply"]')).selectByAttribute("value", "wealth");
  await (await a.$('//*[@data-testid="template-apply"]//button | //button[@data-testid="template-apply"]')).click();
  await shown(a, "custom-field-annual_review_month");
  await type(a, "custom-field-annual_review_month", "13");
  await click(a, "custom-save");
  await expectText(a, '[data-testid="household-page"]', "annual review month must be at most 12");
  await type(a, "custom-field-annual_review_month", "12");
  await click(a, "custom-save");
  await reveal(a, "custom-field-annual_review_month");
  await shot(a, "template-form");
  await close(b);

  // Bob changes the IRA's balance while his app is closed (offline, with the CLI), and Ada
  // changes it too: when Bob's app syncs, both desks hold both values — a conflict, until
  // someone picks one.
  const accountId = await (await a.$('//*[@data-testid="account-row"][contains(., "Rollover IRA")]')).getAttribute("data-account-id");
  execFileSync(env("HEARTH_BIN"), ["--profile", env("PROFILE_B"), "account", "edit", householdId, accountId, "--aum", "1310000.00", "--as-of", dayFromNow(1)], {
    env: { ...withoutProfile(process.env), HEARTH_PASSPHRASE: PASS_B },
    stdio: ["ignore", "inherit", "inherit"],
  });
  await updateBalance(a, "Rollover IRA", "1305000.00", dayFromNow(1));
  await expectText(a, '[data-testid="aum-total"]', "$1,305,000.20");
  const b2 = await launch(env("PROFILE_B"));
  await shown(b2, "unlock-screen", 60_000);
  await type(b2, "unlock-passphrase", PASS_B);
  await click(b2, "unlock-submit");
  await shown(b2, "today-screen", 60_000);
  await expectText(a, '[data-testid="conflict"]', "Bob Colleague set 1,310,000.00 at the same time as you", 90_000);
  await reveal(a, "conflicts");
  await shot(a, "conflict");
  await (await a.$('[data-testid="conflict-keep"][data-value="1,310,000.00"]')).click();
  await a.waitUntil(async () => (await a.$$('[data-testid="conflict"]')).length === 0, { timeout: 20_000, timeoutMsg: "the conflict stayed after picking a value" });
  await expectText(a, '[data-testid="aum-total"]', "$1,310,000.20");
  await close(b2);

  // Restart A: the passphrase is asked; a wrong one is refused readably.
  await close(a);
  const a2 = await launch(env("PROFILE_A"));
  await shown(a2, "unlock-screen", 60_000);
  await type(a2, "unlock-passphrase", "not the passphrase");
  await click(a2, "unlock-submit");
  kind = await errorKind(a2);
  if (kind !== "wrong_passphrase") throw new Error(`expected wrong_passphrase, got ${kind}`);
  await shot(a2, "unlock-wrong-passphrase");
  await type(a2, "unlock-passphrase", PASS_A);
  await click(a2, "unlock-submit");
  await shown(a2, "today-screen", 60_000);
  await click(a2, "nav-households");
  await expectText(a2, '[data-testid="household-row"]', "The Johnson Family");
  await close(a2);
  log("PASS");
}

try {
  await main();
} catch (e) {
  console.error("[e2e] FAILED:", e);
  process.exitCode = 1;
  // What the failing screens showed, for the log.
  for (const [i, browser] of sessions.entries()) {
    try {
      await browser.saveScreenshot(path.join(SHOTS, `failure-${i}.png`));
      console.error(`[e2e] session ${i} showed:`, await (await browser.$("body")).getText());
    } catch {
      /* the session is gone */
    }
  }
} finally {
  for (const d of drivers) d.kill("SIGTERM");
}
