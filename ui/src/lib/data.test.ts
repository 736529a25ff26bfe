import { describe, expect, it } from "vitest";
import { QueryCache } from "./data";

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("the data layer", () => {
  it("loads once however many screens read a key, and reloads only what is invalidated and shown", async () => {
    const cache = new QueryCache();
    let n = 0;
    const fetch = async () => ++n;
    const unwatchA = cache.watch("household:a");
    cache.watch("today");
    await Promise.all([cache.load("household:a", fetch), cache.load("household:a", fetch)]);
    await cache.load("today", async () => "today");
    expect(cache.snapshot("household:a").data).toBe(1);
    expect(cache.fetches.get("household:a")).toBe(1);

    // An edit answered with the fresh view: cached, no fetch.
    cache.setData("household:a", 42);
    expect(cache.snapshot("household:a").data).toBe(42);
    expect(cache.fetches.get("household:a")).toBe(1);

    // Only the invalidated keys reload; one nobody shows waits until someone does.
    await cache.load("history:a", async () => "h");
    cache.invalidate("today", "history:a", "household:b");
    await tick();
    expect(cache.fetches.get("today")).toBe(2);
    expect(cache.fetches.get("history:a")).toBe(1);
    expect(cache.fetches.get("household:a")).toBe(1);
    await cache.load("history:a");
    expect(cache.fetches.get("history:a")).toBe(2);

    // A prefix ("household:") invalidates every key under it.
    unwatchA();
    cache.invalidate("household:");
    await tick();
    expect(cache.fetches.get("household:a")).toBe(1);
  });

  it("loads again when invalidated while a load is in flight (it may have read the old data)", async () => {
    const cache = new QueryCache();
    let stored = "one-party";
    let release: () => void = () => {};
    const fetch = () =>
      new Promise<string>((resolve) => {
        const read = stored; // read before the save below lands
        release = () => resolve(read);
      });
    cache.watch("settings");
    const first = cache.load("settings", fetch);
    // A save lands and invalidates the key while the first load is still out.
    stored = "all-party";
    cache.invalidate("settings");
    release();
    await first;
    await tick();
    release();
    await tick();
    expect(cache.fetches.get("settings")).toBe(2);
    expect(cache.snapshot("settings").data).toBe("all-party");
  });

  it("keeps an error for the screen and clears it on the next good load", async () => {
    const cache = new QueryCache();
    cache.watch("k");
    let down = true;
    const fetch = async () => {
      if (down) throw new Error("relay down");
      return "ok";
    };
    await cache.load("k", fetch);
    expect(cache.snapshot("k").error).toBeInstanceOf(Error);
    down = false;
    cache.invalidate("k");
    await cache.load("k");
    expect(cache.snapshot("k")).toMatchObject({ data: "ok", error: undefined });
  });
});
