// Desktop benchmark: cold start to the first interactive screen and memory (RSS) of the real
// app with a 5,000-household profile. Prints numbers; asserts nothing about them.
//
//   xvfb-run -a -s "-screen 0 1440x900x24" node tests/desktop/bench.mjs
//
// Environment: HEARTH_DESKTOP_BIN, HEARTH_BIN (the CLI, to generate the profile), TAURI_DRIVER,
// optional BENCH_DIR (kept between runs; default a temp dir), RUNS (default 5).
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { remote } from "webdriverio";

const BIN = process.env.HEARTH_DESKTOP_BIN;
const CLI = process.env.HEARTH_BIN;
const DRIVER = process.env.TAURI_DRIVER;
if (!BIN || !CLI || !DRIVER) throw new Error("set HEARTH_DESKTOP_BIN, HEARTH_BIN and TAURI_DRIVER");
const RUNS = Number(process.env.RUNS || 5);
const HOUSEHOLDS = 5000;
const PASSPHRASE = "bench passphrase";
const dir = process.env.BENCH_DIR || mkdtempSync(path.join(os.tmpdir(), "hearth-desktop-bench-"));
const profile = path.join(dir, `profile-${HOUSEHOLDS}`);

if (!existsSync(path.join(profile, "profile.json"))) {
  const env = { ...process.env, HEARTH_PASSPHRASE: PASSPHRASE };
  execFileSync(CLI, ["--profile", profile, "init", "--advisor", "Bench Advisor", "--key-storage", "passphrase"], { env, stdio: "ignore" });
  const names = ["Smith", "Lee", "Garcia", "Johnson", "Nguyen"];
  const lines = Array.from({ length: HOUSEHOLDS }, (_, i) =>
    JSON.stringify({ op: "household.create", name: `Household ${String(i).padStart(4, "0")} ${names[i % 5]}`, status: i % 3 ? "client" : "prospect" }),
  );
  const edits = path.join(dir, "edits.jsonl");
  writeFileSync(edits, lines.join("\n") + "\n");
  const t = performance.now();
  execFileSync("sh", ["-c", `"${CLI}" --profile "${profile}" batch < "${edits}" > /dev/null`], { env });
  console.log(`generated ${HOUSEHOLDS} households in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

async function waitForPort(port) {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise((r) => {
      const s = net.connect(port, "127.0.0.1", () => (s.end(), r(true)));
      s.on("error", () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("tauri-driver did not start");
}

/** Every process descending from `root`, as [pid, command name]. */
function descendants(root) {
  const parent = new Map();
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parent.set(Number(pid), [ppid, stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"))]);
    } catch {
      /* gone */
    }
  }
  const out = [];
  for (const [pid, [, name]] of parent) {
    let p = pid;
    while (p > 1 && parent.has(p)) {
      p = parent.get(p)[0];
      if (p === root) {
        out.push([pid, name]);
        break;
      }
    }
  }
  return out;
}

// PSS splits shared pages (GTK, WebKit libraries) between the processes that map them.
const pssKb = (pid) => Number(/Pss:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"))?.[1] ?? 0);
const rssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);

/** The list's "shown of total" label, without digit grouping. */
const countText = async (browser) =>
  String(await (await browser.$('[data-testid="household-count"]')).getProperty("textContent")).replace(/[,.\u00a0\u202f]/g, "");

const results = [];
for (let run = 0; run < RUNS; run++) {
  const port = await freePort();
  const driver = spawn(DRIVER, ["--port", String(port), "--native-port", String(await freePort())], {
    env: { ...process.env, HEARTH_PROFILE: profile, DBUS_SESSION_BUS_ADDRESS: "unix:path=/nonexistent" },
    stdio: "ignore",
  });
  await waitForPort(port);
  const t0 = performance.now();
  const browser = await remote({
    hostname: "127.0.0.1",
    port,
    logLevel: "error",
    capabilities: { "tauri:options": { application: BIN }, "wdio:enforceWebDriverClassic": true },
  });
  const unlock = await browser.$('[data-testid="unlock-passphrase"]');
  await unlock.waitForDisplayed({ timeout: 30_000, interval: 10 });
  const t1 = performance.now();
  await unlock.setValue(PASSPHRASE);
  const t2 = performance.now();
  await (await browser.$('[data-testid="unlock-submit"]')).click();
  await browser.waitUntil(async () => (await countText(browser)).includes(`${HOUSEHOLDS} of ${HOUSEHOLDS}`), { timeout: 30_000, interval: 10 });
  await (await browser.$('[data-testid="household-row"]')).waitForDisplayed({ timeout: 30_000, interval: 10 });
  const t3 = performance.now();
  // Filter as you type across 5,000: time from the keystroke to the filtered count.
  const search = await browser.$('[data-testid="household-search"]');
  const t4 = performance.now();
  await search.setValue("4999");
  await browser.waitUntil(async () => (await countText(browser)).startsWith("1 of"), { timeout: 10_000, interval: 5 });
  const t5 = performance.now();
  await new Promise((r) => setTimeout(r, 1000)); // let the page settle before reading memory
  const procs = descendants(driver.pid).filter(([, name]) => name !== "WebKitWebDriver");
  const app = procs.filter(([, name]) => name.startsWith("hearth-desktop"));
  const appKb = app.reduce((s, [pid]) => s + rssKb(pid), 0);
  const totalKb = procs.reduce((s, [pid]) => s + rssKb(pid), 0);
  const totalPssKb = procs.reduce((s, [pid]) => s + pssKb(pid), 0);
  const appPssKb = app.reduce((s, [pid]) => s + pssKb(pid), 0);
  results.push({ launch: t1 - t0, unlock: t3 - t2, filter: t5 - t4, appMb: appKb / 1024, totalMb: totalKb / 1024, appPssMb: appPssKb / 1024, totalPssMb: totalPssKb / 1024, procs: procs.map(([pid, n]) => `${n} ${(rssKb(pid) / 1024).toFixed(0)} MB`).join(", ") });
  await browser.deleteSession().catch(() => undefined);
  driver.kill("SIGTERM");
  await new Promise((r) => driver.on("exit", r));
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const row = (label, key, unit, digits = 0) =>
  console.log(`${label.padEnd(58)} median ${median(results.map((r) => r[key])).toFixed(digits)} ${unit}  (runs: ${results.map((r) => r[key].toFixed(digits)).join(", ")})`);
console.log(`hearth-desktop, ${HOUSEHOLDS} households, ${RUNS} launches (${os.cpus().length} CPUs, Xvfb)`);
row("launch → unlock screen interactive", "launch", "ms");
row("unlock (Argon2id + open + list 5,000) → list shown", "unlock", "ms");
row("type a filter → 5,000 filtered and shown", "filter", "ms");
row("RSS, app process (Rust + UI thread)", "appMb", "MB", 1);
row("RSS, app + WebKit web and network processes", "totalMb", "MB", 1);
row("PSS, app process", "appPssMb", "MB", 1);
row("PSS, app + WebKit processes", "totalPssMb", "MB", 1);
console.log(`processes measured: ${results[0].procs}`);
