// One WebDriver session with an installed Hearth binary: tauri-driver (over WebKitWebDriver)
// started on free ports, the app launched on `profile`, and the few actions the installed-app
// tests need. Used by installed.mjs and update.mjs.
import { spawn } from "node:child_process";
import { freePort, waitForPort } from "./ports.mjs";
import { remote } from "webdriverio";

const NATIVE = process.env.WEBKIT_WEBDRIVER || "/usr/bin/WebKitWebDriver";

/** Reads a required environment variable. */
export const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};

/** Launches `app` (a binary path) on `profile` under tauri-driver; `close()` ends both. */
export async function openApp({ driver, app, profile }) {
  const port = await freePort();
  const nativePort = await freePort();
  const child = spawn(driver, ["--port", String(port), "--native-port", String(nativePort), "--native-driver", NATIVE], {
    env: { ...process.env, HEARTH_PROFILE: profile, DBUS_SESSION_BUS_ADDRESS: "unix:path=/nonexistent" },
    stdio: ["ignore", "inherit", "inherit"],
  });
  let browser;
  try {
    await waitForPort(port, 20_000);
    browser = await remote({
      hostname: "127.0.0.1",
      port,
      logLevel: "warn",
      connectionRetryTimeout: 120_000,
      capabilities: { "tauri:options": { application: app }, "wdio:enforceWebDriverClassic": true },
    });
  } catch (e) {
    child.kill("SIGTERM");
    throw e;
  }
  const byId = (id) => browser.$(`[data-testid="${id}"]`);
  const shown = async (id, timeout = 30_000) => {
    const el = await byId(id);
    await el.waitForDisplayed({ timeout, timeoutMsg: `${id} not shown within ${timeout} ms` });
    return el;
  };
  const click = async (id) => {
    const el = await shown(id);
    await el.waitForEnabled({ timeout: 20_000, timeoutMsg: `${id} never enabled` });
    await el.click();
  };
  /** Types `text` into the field, replacing what it held. */
  const type = async (id, text) => {
    const el = await shown(id);
    await el.click();
    await browser.keys(["Control", "a"]);
    await el.addValue(text);
  };
  const close = async () => {
    try {
      await browser.deleteSession();
    } catch {
      /* the app may already be gone */
    }
    child.kill("SIGTERM");
    await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once("exit", resolve)));
  };
  return { browser, shown, click, type, close };
}

/** The first-run screens: a passphrase profile for `advisor`, no relay, on to Today. */
export async function createProfile(app, advisor, passphrase) {
  await app.shown("first-run", 60_000);
  await app.type("advisor-name", advisor);
  await app.click("storage-passphrase");
  await app.type("passphrase", passphrase);
  await app.type("passphrase-confirm", passphrase);
  await app.click("create-profile");
  await app.click("skip-enroll");
  await app.click("finish-setup");
  await app.shown("today-screen");
}
