// Drives the first screens of an *installed* Hearth (a .deb unpacked into a scratch root):
// the binary the package put in usr/bin, with the UI it embeds, under tauri-driver +
// WebKitWebDriver. Creates a passphrase profile, skips enrollment, and reaches Today.
// Run by tests/tests/package.rs under Xvfb; inputs from the environment:
//   HEARTH_DESKTOP_BIN  the installed binary     TAURI_DRIVER  the tauri-driver binary
//   PROFILE             an empty profile dir     SCREENSHOT    where the first screen's PNG goes
import { spawn } from "node:child_process";
import { freePort, waitForPort } from "./ports.mjs";
import { remote } from "webdriverio";

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const NATIVE = process.env.WEBKIT_WEBDRIVER || "/usr/bin/WebKitWebDriver";


const port = await freePort();
const nativePort = await freePort();
const driver = spawn(env("TAURI_DRIVER"), ["--port", String(port), "--native-port", String(nativePort), "--native-driver", NATIVE], {
  env: { ...process.env, HEARTH_PROFILE: env("PROFILE"), DBUS_SESSION_BUS_ADDRESS: "unix:path=/nonexistent" },
  stdio: ["ignore", "inherit", "inherit"],
});
let browser;
let failed = false;
try {
  await waitForPort(port, 20_000);
  browser = await remote({
    hostname: "127.0.0.1",
    port,
    logLevel: "warn",
    connectionRetryTimeout: 120_000,
    capabilities: { "tauri:options": { application: env("HEARTH_DESKTOP_BIN") }, "wdio:enforceWebDriverClassic": true },
  });
  const byId = (id) => browser.$(`[data-testid="${id}"]`);
  const shown = async (id, timeout = 30_000) => {
    const el = await byId(id);
    await el.waitForDisplayed({ timeout, timeoutMsg: `${id} not shown within ${timeout} ms` });
    return el;
  };
  const type = async (id, text) => {
    const el = await shown(id);
    await el.click();
    await el.addValue(text);
  };
  const click = async (id) => {
    const el = await shown(id);
    await el.waitForEnabled({ timeout: 20_000, timeoutMsg: `${id} never enabled` });
    await el.click();
  };
  await shown("first-run", 60_000);
  await browser.saveScreenshot(env("SCREENSHOT"));
  await type("advisor-name", "Ines Installed");
  await click("storage-passphrase");
  await type("passphrase", "installed passphrase");
  await type("passphrase-confirm", "installed passphrase");
  await click("create-profile");
  await click("skip-enroll");
  await click("finish-setup");
  await shown("today-screen");
  console.log("PASS");
} catch (e) {
  failed = true;
  console.error("[installed] FAILED:", e);
} finally {
  try {
    await browser?.deleteSession();
  } catch {
    /* the app may already be gone */
  }
  driver.kill("SIGTERM");
}
process.exit(failed ? 1 : 0);
