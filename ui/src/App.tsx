// The app: boot (first run / unlock), then the desk — sidebar, screens, command palette.
import { useCallback, useEffect, useState } from "react";
import { api, onHouseholdsChanged, onNavigate, onQuickCapture, onSyncStatus, type Capabilities, type ProfileInfo, type SyncStatus } from "./api";
import { cache, householdsChanged, keys, useQuery } from "./lib/data";
import { toAppError, type AppError } from "./lib/errors";
import { keysFor, matchShortcut, shortcutList } from "./lib/shortcuts";
import { describeSync } from "./lib/sync";
import { Button, cx, ErrorBanner, Kbd, Modal, Spinner } from "./components/ui";
import { Palette } from "./components/Palette";
import { QuickCapture, type CaptureKind } from "./components/QuickCapture";
import { FirstRun } from "./screens/FirstRun";
import { Unlock } from "./screens/Unlock";
import { Households } from "./screens/Households";
import { HouseholdPage } from "./screens/Household";
import { MeetingScreen } from "./screens/Meeting";
import { SettingsScreen } from "./screens/Settings";
import { TodayScreen } from "./screens/Today";
import { InterruptedRecordings } from "./components/InterruptedRecordings";
import { BriefScreen } from "./screens/Brief";

export type Route =
  | { screen: "today" }
  | { screen: "households" }
  | { screen: "household"; id: string; tab?: string }
  | { screen: "brief"; id: string }
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
  const [route, setRoute] = useState<Route>({ screen: "today" });
  const householdsQuery = useQuery(keys.households, () => api.listHouseholds());
  const households = householdsQuery.data ?? null;
  const listError = householdsQuery.error ? toAppError(householdsQuery.error) : null;
  const [sync, setSync] = useState<SyncStatus | null>(null);
  const [caps, setCaps] = useState<Capabilities>({ search: false, audio_import: false, recording: false, documents: false });
  const [paletteOpen, setPaletteOpen] = useState(false);
  const [capture, setCapture] = useState<CaptureKind | null>(null);
  const [helpOpen, setHelpOpen] = useState(false);
  const [creating, setCreating] = useState(false);

  useEffect(() => {
    void api.syncStatus().then(setSync).catch(() => undefined);
    void api.capabilities().then(setCaps).catch(() => undefined);
    const unlisten = [
      onSyncStatus(setSync),
      // Sync says which households changed: only those reload.
      onHouseholdsChanged((ids) => householdsChanged(ids)),
      onQuickCapture(() => setCapture("note")),
      onNavigate((screen) => {
        if (screen === "today") setRoute({ screen: "today" });
      }),
    ];
    return () => unlisten.forEach((p) => void p.then((f) => f()));
  }, []);

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
        case "capture":
          setCapture("note");
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
        case "today":
          setRoute({ screen: "today" });
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
  const openHousehold = (id: string, tab?: string) => setRoute({ screen: "household", id, tab });

  return (
    <div className="flex h-full">
      <aside className="flex w-56 shrink-0 flex-col border-r border-line bg-panel print:hidden">
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
          Search… <Kbd>{keysFor("palette")}</Kbd>
        </button>
        <nav className="space-y-0.5 px-2" aria-label="Main">
          {nav("Today", { screen: "today" }, route.screen === "today" || route.screen === "brief", "nav-today", keysFor("today"))}
          {nav("Households", { screen: "households" }, route.screen === "households" || route.screen === "household", "nav-households", keysFor("households"))}
          {nav("New meeting", { screen: "meeting" }, route.screen === "meeting", "nav-meeting", keysFor("newMeeting"))}
          {nav("Settings", { screen: "settings" }, route.screen === "settings", "nav-settings", keysFor("settings"))}
        </nav>
        <button onClick={() => setCapture("note")} className="mx-3 mt-3 rounded-md border border-dashed border-line px-3 py-1.5 text-left text-xs text-muted hover:text-ink" data-testid="open-capture">
          Quick capture <Kbd>{keysFor("capture")}</Kbd>
        </button>
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
        <InterruptedRecordings onOpenMeeting={(householdId, meetingId) => setRoute({ screen: "meeting", householdId, meetingId })} />
        {listError && (
          <div className="p-4">
            <ErrorBanner error={listError} onDismiss={() => cache.invalidate(keys.households)} />
          </div>
        )}
        {route.screen === "today" && (
          <TodayScreen
            onOpenHousehold={openHousehold}
            onBrief={(id) => setRoute({ screen: "brief", id })}
            empty={
              households && households.length === 0 ? (
                <div className="rounded-lg border border-accent/40 bg-accent/5 p-4 text-sm" data-testid="today-welcome">
                  <p className="font-semibold">Welcome to Hearth.</p>
                  <p className="mt-1 text-muted">Add your first household, or bring your book over from Wealthbox or Redtail.</p>
                  <div className="mt-3 flex gap-2">
                    <Button variant="primary" onClick={() => { setRoute({ screen: "households" }); setCreating(true); }}>
                      New household
                    </Button>
                    <Button onClick={() => setRoute({ screen: "households" })}>Import from Wealthbox or Redtail</Button>
                  </div>
                </div>
              ) : undefined
            }
          />
        )}
        {route.screen === "households" && (
          <Households
            households={households}
            creating={creating}
            setCreating={setCreating}
            onOpen={(id) => openHousehold(id)}
            onCreated={async (id) => {
              cache.invalidate(keys.households, keys.today);
              openHousehold(id);
            }}
          />
        )}
        {route.screen === "household" && (
          <HouseholdPage
            key={`${route.id}:${route.tab ?? ""}`}
            id={route.id}
            me={info.advisor}
            initialTab={route.tab}
            caps={caps}
            onBack={() => setRoute({ screen: "households" })}
            onMeeting={(meetingId) => setRoute({ screen: "meeting", householdId: route.id, meetingId })}
            onBrief={() => setRoute({ screen: "brief", id: route.id })}
          />
        )}
        {route.screen === "brief" && <BriefScreen id={route.id} onBack={() => setRoute({ screen: "today" })} onOpenHousehold={() => openHousehold(route.id)} />}
        {route.screen === "meeting" && (
          <MeetingScreen
            key={`${route.householdId ?? ""}:${route.meetingId ?? ""}`}
            households={households ?? []}
            householdId={route.householdId}
            meetingId={route.meetingId}
            caps={caps}
            onOpenHousehold={(id) => openHousehold(id)}
            // A meeting's transcript, analysis and filed items change its household.
            onChanged={() => cache.invalidate(keys.households, keys.today, "household:", "history:", "brief:")}
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
        onCapture={(kind) => {
          setPaletteOpen(false);
          setCapture(kind);
        }}
        me={info.advisor}
      />
      <QuickCapture
        open={capture !== null}
        onOpenChange={(o) => !o && setCapture(null)}
        kind={capture ?? "note"}
        households={households ?? []}
        onRecord={(householdId) => setRoute({ screen: "meeting", householdId })}
      />
      <Modal open={helpOpen} onOpenChange={setHelpOpen} title="Keyboard shortcuts">
        <ul className="space-y-2">
          {shortcutList().map((s) => (
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
