// Drives the first screens of an *installed* Hearth (a .deb unpacked into a scratch root):
// the binary the package put in usr/bin, with the UI it embeds, under tauri-driver +
// WebKitWebDriver. Creates a passphrase profile, skips enrollment, and reaches Today.
// Run by tests/tests/package.rs under Xvfb; inputs from the environment:
//   HEARTH_DESKTOP_BIN  the installed binary     TAURI_DRIVER  the tauri-driver binary
//   PROFILE             an empty profile dir     SCREENSHOT    where the first screen's PNG goes
import { createProfile, env, openApp } from "./session.mjs";

let app;
let failed = false;
try {
  app = await openApp({ driver: env("TAURI_DRIVER"), app: env("HEARTH_DESKTOP_BIN"), profile: env("PROFILE") });
  await app.shown("first-run", 60_000);
  await app.shown("advisor-name");
  // The screenshot once the screen is painted: its fonts loaded and two frames drawn (on a
  // loaded machine WebKit showed the element before painting it, and the PNG was blank).
  await app.browser.executeAsync((done) => {
    document.fonts.ready.then(() => requestAnimationFrame(() => requestAnimationFrame(() => done())));
  });
  await app.browser.saveScreenshot(env("SCREENSHOT"));
  await createProfile(app, "Ines Installed", "installed passphrase");
  console.log("PASS");
} catch (e) {
  failed = true;
  console.error("[installed] FAILED:", e);
} finally {
  await app?.close();
}
process.exit(failed ? 1 : 0);
