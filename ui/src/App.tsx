// The app: boot (first run / unlock), then the desk — sidebar, screens, command palette.
import { useCallback, useEffect, useState } from "react";
import { api, onHouseholdsChanged, onSyncStatus, type Capabilities, type HouseholdSummary, type ProfileInfo, type SyncStatus } from "./api";
import { toAppError, type AppError } from "./lib/errors";
import { matchShortcut, SHORTCUTS } from "./lib/shortcuts";
import { describeSync } from "./lib/sync";
import { Button, cx, ErrorBanner, Kbd, Modal, Spinner } from "./components/ui";
import { Palette } from "./components/Palette";
import { FirstRun } from "./screens/FirstRun";
import { Unlock } from "./screens/Unlock";
import { Households } from "./screens/Households";
import { HouseholdPage } from "./screens/Household";
import { MeetingScreen } from "./screens/Meeting";
import { SettingsScreen } from "./screens/Settings";

export type Route =
  | { screen: "households" }
  | { screen: "household"; id: string; tab?: string }
  | { screen: "meeting"; householdId?: string; meetingId?: string }
  | { screen: "settings" };

type Boot = { phase: "loading" } | { phase: "failed"; error: AppError } | { phase: "first-run" } | { phase: "locked" } | { phase: "ready"; info: ProfileInfo };

export function App() {
  const [boot, setBoot] = useState<Boot>({ phase: "loading" });

  const start = useCallback(async () => {
    setBoot({ phase: "loading" });
    try {
      const status = await api.profileStatus();
      if (status.info) return setBoot({ phase: "ready", info: status.info });
      if (!status.exists) return setBoot({ phase: "first-run" });
      try {
        // Keyring profiles open without asking; passphrase profiles ask.
        const info = await api.unlockProfile(null);
        setBoot({ phase: "ready", info });
      } catch (e) {
        const err = toAppError(e);
        if (err.kind === "passphrase_required") setBoot({ phase: "locked" });
        else setBoot({ phase: "failed", error: err });
      }
    } catch (e) {
      setBoot({ phase: "failed", error: toAppError(e) });
    }
  }, []);

  useEffect(() => {
    void start();
  }, [start]);

  switch (boot.phase) {
    case "loading":
      return (
        <div className="grid h-full place-items-center text-muted" data-testid="booting">
          <Spinner />
        </div>
      );
    case "failed":
      return (
        <div className="mx-auto mt-24 max-w-lg space-y-4 p-6" data-testid="boot-failed">
          <h1 className="text-xl font-semibold">Hearth could not open your profile</h1>
          <ErrorBanner error={boot.error} />
          <Button variant="primary" onClick={() => void start()}>
            Try again
          </Button>
        </div>
      );
    case "first-run":
      return <FirstRun onDone={(info) => setBoot({ phase: "ready", info })} />;
    case "locked":
      return <Unlock onUnlocked={(info) => setBoot({ phase: "ready", info })} />;
    case "ready":
      return <Desk info={boot.info} />;
  }
}

function Desk({ info }: { info: ProfileInfo }) {
  const [route, setRoute] = useState<Route>({ screen: "households" });
  const [households, setHouseholds] = useState<HouseholdSummary[] | null>(null);
  const [listError, setListError] = useState<AppError | null>(null);
  const [sync, setSync] = useState<SyncStatus | null>(null);
  const [caps, setCaps] = useState<Capabilities>({ search: false, audio_import: false, recording: false, documents: false });
  const [paletteOpen, setPaletteOpen] = useState(false);
  const [helpOpen, setHelpOpen] = useState(false);
  const [creating, setCreating] = useState(false);
  const [revision, setRevision] = useState(0);

  const reload = useCallback(async () => {
    try {
      setHouseholds(await api.listHouseholds());
      setListError(null);
      setRevision((r) => r + 1);
    } catch (e) {
      setListError(toAppError(e));
    }
  }, []);

  useEffect(() => {
    void reload();
    void api.syncStatus().then(setSync).catch(() => undefined);
    void api.capabilities().then(setCaps).catch(() => undefined);
    const unlisten = [onSyncStatus(setSync), onHouseholdsChanged(() => void reload())];
    return () => unlisten.forEach((p) => void p.then((f) => f()));
  }, [reload]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      const inField = !!t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
      const action = matchShortcut({ key: e.key, ctrlKey: e.ctrlKey, metaKey: e.metaKey, altKey: e.altKey, shiftKey: e.shiftKey, inField });
      if (!action) return;
      e.preventDefault();
      switch (action) {
        case "palette":
          setPaletteOpen((o) => !o);
          break;
        case "newHousehold":
          setRoute({ screen: "households" });
          setCreating(true);
          break;
        case "newMeeting":
          setRoute({ screen: "meeting", householdId: route.screen === "household" ? route.id : undefined });
          break;
        case "settings":
          setRoute({ screen: "settings" });
          break;
        case "households":
          setRoute({ screen: "households" });
          break;
        case "focusSearch":
          document.querySelector<HTMLInputElement>("[data-list-search]")?.focus();
          break;
        case "help":
          setHelpOpen(true);
          break;
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [route]);

  const nav = (label: string, target: Route, active: boolean, testId: string, key: string) => (
    <button
      data-testid={testId}
      onClick={() => setRoute(target)}
      className={cx(
        "flex w-full items-center justify-between rounded-md px-3 py-2 text-left text-sm",
        active ? "bg-accent/12 font-semibold text-accent" : "text-ink hover:bg-sunken",
      )}
      aria-current={active ? "page" : undefined}
    >
      {label}
      <span className="text-[11px] text-muted">{key}</span>
    </button>
  );

  const syncText = sync ? describeSync(sync) : { label: "…", tone: "off" as const };

  return (
    <div className="flex h-full">
      <aside className="flex w-56 shrink-0 flex-col border-r border-line bg-panel">
        <div className="flex items-center gap-2 px-4 py-4">
          <img src="/hearth.svg" alt="" className="h-7 w-7" />
          <div>
            <div className="text-sm font-bold tracking-tight">Hearth</div>
            <div className="max-w-36 truncate text-xs text-muted" title={info.advisor}>
              {info.advisor}
            </div>
          </div>
        </div>
        <button
          onClick={() => setPaletteOpen(true)}
          className="mx-3 mb-3 flex items-center justify-between rounded-md border border-line bg-sunken px-3 py-1.5 text-xs text-muted hover:text-ink"
          data-testid="open-palette"
        >
          Search… <Kbd>Ctrl K</Kbd>
        </button>
        <nav className="space-y-0.5 px-2" aria-label="Main">
          {nav("Households", { screen: "households" }, route.screen === "households" || route.screen === "household", "nav-households", "⌃1")}
          {nav("New meeting", { screen: "meeting" }, route.screen === "meeting", "nav-meeting", "⌃M")}
          {nav("Settings", { screen: "settings" }, route.screen === "settings", "nav-settings", "⌃,")}
        </nav>
        <div className="mt-auto border-t border-line p-3">
          <button
            data-testid="sync-status"
            data-state={sync?.state ?? "unknown"}
            onClick={() => (sync?.state === "not_enrolled" ? setRoute({ screen: "settings" }) : void api.syncNow())}
            title={sync?.message ?? (sync?.relay ? `Relay: ${sync.relay}` : "Not connected to a relay")}
            className="flex w-full items-center gap-2 rounded-md px-2 py-1.5 text-left text-xs hover:bg-sunken"
          >
            <span
              className={cx(
                "h-2 w-2 shrink-0 rounded-full",
                syncText.tone === "ok" && "bg-ok",
                syncText.tone === "busy" && "animate-pulse bg-accent",
                syncText.tone === "warn" && "bg-warn",
                syncText.tone === "off" && "bg-muted/50",
              )}
            />
            <span className="flex-1 truncate">{syncText.label}</span>
          </button>
          {sync?.message && sync.state !== "online" && <p className="px-2 pt-1 text-[11px] leading-snug text-warn">{sync.message}</p>}
        </div>
      </aside>
      <main className="min-w-0 flex-1 overflow-hidden">
        {listError && (
          <div className="p-4">
            <ErrorBanner error={listError} onDismiss={() => setListError(null)} />
          </div>
        )}
        {route.screen === "households" && (
          <Households
            households={households}
            creating={creating}
            setCreating={setCreating}
            onOpen={(id) => setRoute({ screen: "household", id })}
            onCreated={async (id) => {
              await reload();
              setRoute({ screen: "household", id });
            }}
          />
        )}
        {route.screen === "household" && (
          <HouseholdPage
            key={`${route.id}:${route.tab ?? ""}`}
            id={route.id}
            initialTab={route.tab}
            revision={revision}
            caps={caps}
            onBack={() => setRoute({ screen: "households" })}
            onChanged={() => void reload()}
            onMeeting={(meetingId) => setRoute({ screen: "meeting", householdId: route.id, meetingId })}
          />
        )}
        {route.screen === "meeting" && (
          <MeetingScreen
            key={`${route.householdId ?? ""}:${route.meetingId ?? ""}`}
            households={households ?? []}
            householdId={route.householdId}
            meetingId={route.meetingId}
            caps={caps}
            onOpenHousehold={(id) => setRoute({ screen: "household", id })}
            onChanged={() => void reload()}
          />
        )}
        {route.screen === "settings" && <SettingsScreen sync={sync} />}
      </main>
      <Palette
        open={paletteOpen}
        onOpenChange={setPaletteOpen}
        households={households ?? []}
        caps={caps}
        onGo={(r) => {
          setPaletteOpen(false);
          setRoute(r);
        }}
        onNewHousehold={() => {
          setPaletteOpen(false);
          setRoute({ screen: "households" });
          setCreating(true);
        }}
      />
      <Modal open={helpOpen} onOpenChange={setHelpOpen} title="Keyboard shortcuts">
        <ul className="space-y-2">
          {SHORTCUTS.map((s) => (
            <li key={s.action} className="flex justify-between text-sm">
              <span>{s.label}</span>
              <Kbd>{s.keys}</Kbd>
            </li>
          ))}
        </ul>
      </Modal>
    </div>
  );
}
