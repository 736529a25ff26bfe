// The one data-fetching layer: every screen reads through `useQuery(key, fetch)`; results are
// cached by key and shared. An edit answers with the fresh value of what it changed (the
// household's view), which `setData` puts in the cache; everything else that may have changed
// is `invalidate`d — refetched at once if a screen shows it, or when one next does. Sync says
// which households changed, so only those reload.

import { useEffect, useRef, useState, useSyncExternalStore } from "react";
import type { HouseholdView } from "../bindings";

type Entry = {
  data?: unknown;
  error?: unknown;
  /** The fetch in flight, if any. */
  pending?: Promise<void>;
  /** Invalidated while a fetch was in flight: that fetch may have read the data from before
   * the change, so another follows it. */
  refetch?: boolean;
  /** Set by `invalidate`: the cached data is stale. */
  stale: boolean;
  /** How to (re)load it: the last fetcher a screen gave for this key. */
  fetch?: () => Promise<unknown>;
  /** Screens showing it. */
  watchers: number;
  /** Bumped on every change, for useSyncExternalStore. */
  version: number;
};

export class QueryCache {
  private entries = new Map<string, Entry>();
  private listeners = new Set<() => void>();
  /** Fetches started, by key (tests read it to check that only what changed reloads). */
  readonly fetches = new Map<string, number>();

  private entry(key: string): Entry {
    let e = this.entries.get(key);
    if (!e) {
      e = { stale: true, watchers: 0, version: 0 };
      this.entries.set(key, e);
    }
    return e;
  }

  private changed(e: Entry) {
    e.version += 1;
    for (const l of this.listeners) l();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  snapshot(key: string): { data?: unknown; error?: unknown; loading: boolean; version: number } {
    const e = this.entry(key);
    return { data: e.data, error: e.error, loading: !!e.pending, version: e.version };
  }

  version(key: string): number {
    return this.entry(key).version;
  }

  /** Loads `key` if it is stale and not loading already. */
  load(key: string, fetch?: () => Promise<unknown>): Promise<void> {
    const e = this.entry(key);
    if (fetch) e.fetch = fetch;
    if (e.pending) return e.pending;
    if (!e.stale || !e.fetch) return Promise.resolve();
    this.fetches.set(key, (this.fetches.get(key) ?? 0) + 1);
    const run = e.fetch;
    e.pending = run().then(
      (data) => {
        e.data = data;
        e.error = undefined;
        e.stale = false;
      },
      (error) => {
        e.error = error;
        e.stale = false;
      },
    ).finally(() => {
      e.pending = undefined;
      this.changed(e);
      if (e.refetch) {
        e.refetch = false;
        e.stale = true;
        if (e.watchers > 0) void this.load(key);
      }
    });
    this.changed(e);
    return e.pending;
  }

  /** Puts a fresh value in the cache (what an edit answered). */
  setData(key: string, data: unknown) {
    const e = this.entry(key);
    e.data = data;
    e.error = undefined;
    e.stale = false;
    this.changed(e);
  }

  /** Marks every key equal to one of `keys`, or starting with `prefix:` for a key ending in
   * ":", as stale; those a screen shows reload now. */
  invalidate(...keys: string[]) {
    for (const [key, e] of this.entries) {
      if (!keys.some((k) => (k.endsWith(":") ? key.startsWith(k) : key === k))) continue;
      e.stale = true;
      if (e.pending) e.refetch = true;
      else if (e.watchers > 0) void this.load(key);
      else this.changed(e);
    }
  }

  watch(key: string): () => void {
    const e = this.entry(key);
    e.watchers += 1;
    return () => {
      e.watchers -= 1;
    };
  }

  clear() {
    this.entries.clear();
    this.fetches.clear();
  }
}

export const cache = new QueryCache();

/** Keys, in one place. */
export const keys = {
  households: "households",
  today: "today",
  household: (id: string) => `household:${id}`,
  history: (id: string) => `history:${id}`,
  brief: (id: string) => `brief:${id}`,
  settings: "settings",
  updates: "updates",
  templates: "templates",
};

/** What to reload when households changed (an edit here, or a sync). */
export function householdsChanged(ids: string[]) {
  cache.invalidate(keys.households, keys.today, ...ids.flatMap((id) => [keys.household(id), keys.history(id), keys.brief(id)]));
}

/** An edit of household `id` answered with its fresh view: cache it, and mark what else it may
 * have changed (the list row, Today, its history and brief) as stale. */
export async function applyEdit(id: string, edit: Promise<HouseholdView>): Promise<HouseholdView> {
  const view = await edit;
  cache.setData(keys.household(id), view);
  cache.invalidate(keys.households, keys.today, keys.history(id), keys.brief(id));
  return view;
}

export interface Query<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Reads `key` through the cache; `fetch` loads it. Re-renders when it changes. */
export function useQuery<T>(key: string | null, fetch: () => Promise<T>): Query<T> {
  const fetchRef = useRef(fetch);
  fetchRef.current = fetch;
  const version = useSyncExternalStore(
    (l) => cache.subscribe(l),
    () => (key ? cache.version(key) : 0),
  );
  useEffect(() => {
    if (!key) return;
    const unwatch = cache.watch(key);
    void cache.load(key, () => fetchRef.current());
    return unwatch;
  }, [key]);
  void version;
  const snap = key ? cache.snapshot(key) : { data: undefined, error: undefined, loading: false };
  return {
    data: snap.data as T | undefined,
    error: snap.error,
    loading: snap.loading,
    reload: () => {
      if (!key) return;
      cache.invalidate(key);
    },
  };
}

/** Runs an action and keeps its error (for a banner) until the next run. */
export function useAction<A extends unknown[], R>(run: (...args: A) => Promise<R>) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const act = async (...args: A): Promise<R | undefined> => {
    setBusy(true);
    try {
      const r = await run(...args);
      setError(null);
      return r;
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { act, error, busy, clearError: () => setError(null) };
}
