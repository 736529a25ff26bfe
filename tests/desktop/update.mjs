// An installed Hearth updates itself, and refuses what it must: run by tests/tests/package.rs
// inside a throwaway system (update-env.sh: /usr, /var and /etc are overlays in a private mount
// namespace, the old .deb installed there with dpkg, the test CA in the system trust store).
//
// Serves an update feed over HTTPS (the test CA's certificate) with four releases:
//   wrongkey   — the new .deb, signed by a key that is not the build's release key
//   tampered   — the new .deb with one byte changed, with its genuine signature
//   relabelled — the new .deb and signature, announced as a later version than it was signed for
//   good       — the new .deb and its genuine signature
// and drives the installed app: the first three are refused with a message and dpkg still has
// the old version; the good one installs (dpkg has the new version, /usr/bin holds the new
// binary); the app started again is the new version and finds itself up to date.
// Inputs (environment): TAURI_DRIVER, PROFILE, BINARY (installed path), OLD_VERSION,
// NEW_VERSION, LATER_VERSION, NEW_DEB, GOOD_SIG, WRONG_SIG, NEW_BINARY_SHA256, TLS_CERT, TLS_KEY.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import https from "node:https";
import { createProfile, env, openApp } from "./session.mjs";

const PASSPHRASE = "update passphrase";
const newDeb = readFileSync(env("NEW_DEB"));
const tampered = Buffer.from(newDeb);
tampered[Math.floor(tampered.length / 2)] ^= 0x01;
const files = { "new.deb": newDeb, "tampered.deb": tampered };
const downloads = {};

let base;
const release = (version, file, signature) => ({
  version,
  notes: `Hearth ${version}: fixes and improvements.`,
  pub_date: "2026-12-01T09:00:00Z",
  platforms: { "linux-x86_64-deb": { url: `${base}/files/${file}`, signature } },
});
const feeds = () => ({
  wrongkey: release(env("NEW_VERSION"), "new.deb", env("WRONG_SIG")),
  tampered: release(env("NEW_VERSION"), "tampered.deb", env("GOOD_SIG")),
  relabelled: release(env("LATER_VERSION"), "new.deb", env("GOOD_SIG")),
  good: release(env("NEW_VERSION"), "new.deb", env("GOOD_SIG")),
});

const server = https.createServer({ cert: readFileSync(env("TLS_CERT")), key: readFileSync(env("TLS_KEY")) }, (req, res) => {
  const feed = req.url.match(/^\/([a-z]+)\/latest\.json$/);
  const file = req.url.match(/^\/files\/([a-z.]+)$/);
  if (feed && feeds()[feed[1]]) {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(feeds()[feed[1]]));
  } else if (file && files[file[1]]) {
    downloads[file[1]] = (downloads[file[1]] ?? 0) + 1;
    res.writeHead(200, { "content-type": "application/vnd.debian.binary-package", "content-length": files[file[1]].length });
    res.end(files[file[1]]);
  } else {
    res.writeHead(404).end();
  }
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
base = `https://127.0.0.1:${server.address().port}`;

const installedVersion = () => execFileSync("dpkg-query", ["-W", "-f=${Version}", "hearth"], { encoding: "utf8" }).trim();
const expect = (what, actual, wanted) => {
  if (actual !== wanted) throw new Error(`${what}: got ${JSON.stringify(actual)}, wanted ${JSON.stringify(wanted)}`);
};
const text = async (app, id) => (await (await app.shown(id)).getText()).trim();

async function useFeed(app, name) {
  await app.type("update-feed", `${base}/${name}/latest.json`);
  await app.click("save-update-feed");
  await (await app.shown("save-update-feed")).waitForEnabled({ reverse: true, timeout: 10_000 });
  await app.click("check-update");
}

let app;
let failed = false;
try {
  app = await openApp({ driver: env("TAURI_DRIVER"), app: env("BINARY"), profile: env("PROFILE") });
  await createProfile(app, "Una Update", PASSPHRASE);
  await app.click("nav-settings");
  expect("the running version", await text(app, "app-version"), env("OLD_VERSION"));

  for (const [feed, announced, why] of [
    ["wrongkey", env("NEW_VERSION"), "signature"],
    ["tampered", env("NEW_VERSION"), "signature"],
    ["relabelled", env("LATER_VERSION"), "different version"],
  ]) {
    await useFeed(app, feed);
    expect(`${feed}: the version offered`, await text(app, "update-version"), announced);
    await app.click("install-update");
    const error = await app.shown("error", 60_000);
    expect(`${feed}: the error kind`, await error.getAttribute("data-kind"), "update_rejected");
    const message = await error.getText();
    if (!message.includes(why) || !message.includes("Nothing was installed")) throw new Error(`${feed}: the refusal does not say why: ${message}`);
    expect(`${feed}: the installed package after the refusal`, installedVersion(), env("OLD_VERSION"));
    console.log(`[update] ${feed}: refused (${message.split("\n").pop()})`);
    await (await app.browser.$('[data-testid="error"] button[aria-label="Dismiss"]')).click();
  }
  if (!downloads["new.deb"] || !downloads["tampered.deb"]) throw new Error(`the refused updates were never downloaded: ${JSON.stringify(downloads)}`);

  await useFeed(app, "good");
  expect("the version offered", await text(app, "update-version"), env("NEW_VERSION"));
  await app.click("install-update");
  await app.shown("update-installed", 120_000);
  expect("the installed package", installedVersion(), env("NEW_VERSION"));
  const binary = createHash("sha256").update(readFileSync(env("BINARY"))).digest("hex");
  expect("the installed binary", binary, env("NEW_BINARY_SHA256"));
  console.log(`[update] good: installed ${installedVersion()}`);
  await app.close();

  // Started again, it is the new version, with the same profile, and up to date.
  app = await openApp({ driver: env("TAURI_DRIVER"), app: env("BINARY"), profile: env("PROFILE") });
  await app.type("unlock-passphrase", PASSPHRASE);
  await app.click("unlock-submit");
  await app.shown("today-screen");
  await app.click("nav-settings");
  expect("the running version after the update", await text(app, "app-version"), env("NEW_VERSION"));
  await app.click("check-update");
  await app.shown("update-none");
  console.log("PASS");
} catch (e) {
  failed = true;
  console.error("[update] FAILED:", e);
} finally {
  await app?.close();
  server.close();
}
process.exit(failed ? 1 : 0);
