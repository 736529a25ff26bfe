// Drives an unmodified automerge-repo client (Repo + WebSocketClientAdapter, the browser way:
// the API token in the `?token=` query parameter) against a running hearth-relay.
// Used by tests/tests/interop.rs; prints one JSON object on stdout and exits 0, or prints the
// reason on stderr and exits 1.
//
//   node interop.mjs edit   --url WS_URL --doc DOC_ID --note NOTE_ID --append TEXT --task-title T --owner NAME
//   node interop.mjs create --url WS_URL --name NAME --note-text TEXT
//   node interop.mjs read   --url WS_URL --doc DOC_ID --until-note-contains TEXT
//   node interop.mjs bulk   --url WS_URL --docs N --text-bytes BYTES [--hold-ms MS]
//
// WS_URL is e.g. ws://127.0.0.1:PORT/sync?token=hapi1_...
//
// Every wait is on an event or condition, bounded by --timeout-ms (default 20000).

import * as A from "@automerge/automerge";
import { Repo } from "@automerge/automerge-repo";
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";

function parseArgs(argv) {
  const [mode, ...rest] = argv;
  const opts = {};
  for (let i = 0; i < rest.length; i += 2) {
    const key = rest[i];
    if (!key.startsWith("--") || i + 1 >= rest.length) {
      throw new Error(`bad argument ${key}`);
    }
    opts[key.slice(2)] = rest[i + 1];
  }
  return { mode, opts };
}

function need(opts, key) {
  const v = opts[key];
  if (v === undefined) throw new Error(`missing --${key}`);
  return v;
}

function newRepo(url) {
  return new Repo({ network: [new WebSocketClientAdapter(url, 1000)] });
}

/** Resolves when `cond(handle.doc())` holds, checking on every change; rejects on timeout. */
function until(handle, cond, timeoutMs, what) {
  return new Promise((resolve, reject) => {
    const check = () => {
      try {
        const doc = handle.doc();
        if (doc !== undefined && cond(doc)) {
          cleanup();
          resolve(doc);
        }
      } catch (e) {
        cleanup();
        reject(e);
      }
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      handle.off("change", check);
      handle.off("heads-changed", check);
    };
    handle.on("change", check);
    handle.on("heads-changed", check);
    check();
  });
}

function withTimeout(promise, timeoutMs, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
        timeoutMs,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}

const sameHeads = (a, b) =>
  a.length === b.length && [...a].sort().every((h, i) => h === [...b].sort()[i]);

/**
 * Resolves when the relay (a peer that announced a storageId) has acknowledged exactly `heads`
 * of the handle's document: automerge-repo records the heads a storage peer reports in its
 * sync messages and emits "remote-heads" on the handle.
 */
function relayAcknowledged(repo, handle, heads, timeoutMs) {
  return new Promise((resolve, reject) => {
    const check = () => {
      for (const peer of repo.peers) {
        const storageId = repo.getStorageIdOfPeer(peer);
        const info = storageId && handle.getSyncInfo(storageId);
        if (info && sameHeads(info.lastHeads, heads)) {
          cleanup();
          resolve(storageId);
          return;
        }
      }
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for the relay to acknowledge heads ${heads.join(",")}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      handle.off("remote-heads", check);
    };
    handle.on("remote-heads", check);
    check();
  });
}

/**
 * Confirms that the relay serves `heads` of the document: a second, independent peer (its own
 * Repo and socket, nothing in common with the first but the relay) fetches the document and
 * must reach exactly those heads.
 */
async function confirmOnRelay(url, documentId, heads, timeoutMs) {
  const observer = newRepo(url);
  try {
    const handle = await withTimeout(
      observer.find(`automerge:${documentId}`),
      timeoutMs,
      "an independent peer to find the document on the relay",
    );
    await until(
      handle,
      () => sameHeads(handle.heads(), heads),
      timeoutMs,
      `the relay to hold heads ${heads.join(",")}`,
    );
    return handle.doc();
  } finally {
    await observer.shutdown().catch(() => {});
  }
}

function plain(doc) {
  // Automerge text/strings, counters, dates → JSON.
  return JSON.parse(
    JSON.stringify(doc, (_k, v) => (typeof v === "bigint" ? Number(v) : v)),
  );
}

async function edit(opts, timeoutMs) {
  const url = need(opts, "url");
  const docId = need(opts, "doc");
  const noteId = need(opts, "note");
  const append = need(opts, "append");
  const repo = newRepo(url);
  const handle = await withTimeout(
    repo.find(`automerge:${docId}`),
    timeoutMs,
    "the household document",
  );
  const before = handle.doc();
  if (!before.notes || !before.notes[noteId]) {
    throw new Error(`note ${noteId} not in the document: ${JSON.stringify(plain(before))}`);
  }
  const taskId = `js-task-${Math.random().toString(16).slice(2, 10)}`;
  handle.change((d) => {
    const body = d.notes[noteId].body;
    // Character-wise edit of the note's Automerge text.
    A.splice(d, ["notes", noteId, "body"], body.length, 0, append);
    d.tasks[taskId] = {
      title: need(opts, "task-title"),
      owner: need(opts, "owner"),
      due: "2027-01-15",
      status: "open",
      created_at: 1767225600000,
    };
  });
  const heads = handle.heads();
  await relayAcknowledged(repo, handle, heads, timeoutMs);
  const seen = await confirmOnRelay(url, docId, heads, timeoutMs);
  await repo.shutdown().catch(() => {});
  return {
    documentId: docId,
    heads,
    taskId,
    body: handle.doc().notes[noteId].body,
    relayBody: seen.notes[noteId].body,
  };
}

async function create(opts, timeoutMs) {
  const url = need(opts, "url");
  const repo = newRepo(url);
  const noteId = `js-note-${Math.random().toString(16).slice(2, 10)}`;
  const handle = repo.create();
  const documentId = handle.documentId;
  // The layout hearth writes (crates/hearth-core/src/model.rs, HouseholdData).
  handle.change((d) => {
    d.schema = new A.Uint(1);
    d.id = documentId;
    d.name = need(opts, "name");
    d.status = "prospect";
    d.segment = null;
    d.tags = [];
    d.address = null;
    d.created_at = 1767225600000;
    d.members = {};
    d.accounts = {};
    d.goals = {};
    d.notes = {
      [noteId]: {
        category: "discussion",
        body: need(opts, "note-text"),
        author: "js-interop",
        created_at: 1767225600000,
      },
    };
    d.tasks = {};
    d.documents = {};
    d.meetings = {};
    d.facts = {};
    d.template = null;
    d.custom = {};
    d.actors = {};
  });
  const heads = handle.heads();
  await relayAcknowledged(repo, handle, heads, timeoutMs);
  await confirmOnRelay(url, documentId, heads, timeoutMs);
  await repo.shutdown().catch(() => {});
  return { documentId, noteId, heads };
}

async function read(opts, timeoutMs) {
  const url = need(opts, "url");
  const docId = need(opts, "doc");
  const wanted = need(opts, "until-note-contains");
  const repo = newRepo(url);
  const handle = await withTimeout(
    repo.find(`automerge:${docId}`),
    timeoutMs,
    "the household document",
  );
  const doc = await until(
    handle,
    (d) => Object.values(d.notes ?? {}).some((n) => String(n.body).includes(wanted)),
    timeoutMs,
    `a note containing ${JSON.stringify(wanted)}`,
  );
  const out = { documentId: docId, heads: handle.heads(), doc: plain(doc) };
  await repo.shutdown().catch(() => {});
  return out;
}

/**
 * Writes `--docs` documents, each holding a note of `--text-bytes` characters, waits until the
 * relay acknowledged every one, prints a JSON line, then keeps the connection (and every
 * document) open for `--hold-ms` — the shape of a desk that opened big households and went
 * idle (bench/relay/memory.sh measures the relay meanwhile).
 */
async function bulk(opts, timeoutMs) {
  const url = need(opts, "url");
  const docs = Number(need(opts, "docs"));
  const textBytes = Number(need(opts, "text-bytes"));
  const holdMs = Number(opts["hold-ms"] ?? 0);
  const line = "The client will send the signed beneficiary form before the trip. ";
  const text = line.repeat(Math.ceil(textBytes / line.length)).slice(0, textBytes);
  const repo = newRepo(url);
  const started = Date.now();
  const ids = [];
  for (let i = 0; i < docs; i++) {
    const handle = repo.create();
    handle.change((d) => {
      d.note = text;
    });
    await relayAcknowledged(repo, handle, handle.heads(), timeoutMs);
    ids.push(handle.documentId);
  }
  process.stdout.write(
    JSON.stringify({ written: ids.length, seconds: (Date.now() - started) / 1000 }) + "\n",
  );
  await new Promise((resolve) => setTimeout(resolve, holdMs));
  await repo.shutdown().catch(() => {});
  return { documents: ids };
}

async function main() {
  const { mode, opts } = parseArgs(process.argv.slice(2));
  const timeoutMs = Number(opts["timeout-ms"] ?? 20000);
  const run = { edit, create, read, bulk }[mode];
  if (!run) throw new Error(`unknown mode ${mode}`);
  const result = await run(opts, timeoutMs);
  process.stdout.write(JSON.stringify(result) + "\n");
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`interop: ${e && e.stack ? e.stack : e}\n`);
    process.exit(1);
  },
);
