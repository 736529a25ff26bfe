// First run: create the profile (keyring or passphrase), optionally connect to the firm's
// relay, then the transcription model step.
import { useState } from "react";
import { api, type ProfileInfo } from "../api";
import { toAppError, type AppError } from "../lib/errors";
import { Button, cx, ErrorBanner, Field, Input } from "../components/ui";
import { ModelCard } from "./Settings";

type Step = "profile" | "relay" | "model";

export function FirstRun({ onDone }: { onDone: (info: ProfileInfo) => void }) {
  const [step, setStep] = useState<Step>("profile");
  const [info, setInfo] = useState<ProfileInfo | null>(null);
  const [advisor, setAdvisor] = useState("");
  const [device, setDevice] = useState("Desktop");
  const [storage, setStorage] = useState<"keyring" | "passphrase">("keyring");
  const [passphrase, setPassphrase] = useState("");
  const [confirm, setConfirm] = useState("");
  const [relay, setRelay] = useState("");
  const [code, setCode] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);

  const mismatch = storage === "passphrase" && confirm.length > 0 && passphrase !== confirm;
  const canCreate = advisor.trim() && (storage === "keyring" || (passphrase.length >= 8 && passphrase === confirm));

  const create = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await api.createProfile(advisor, device, storage, storage === "passphrase" ? passphrase : null);
      setInfo(created);
      setStep("relay");
    } catch (err) {
      const appErr = toAppError(err);
      setError(appErr);
      if (appErr.kind === "keyring_unavailable") setStorage("passphrase");
    } finally {
      setBusy(false);
    }
  };

  const enroll = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.enroll(relay, code);
      setStep("model");
    } catch (err) {
      setError(toAppError(err));
    } finally {
      setBusy(false);
    }
  };

  const steps: [Step, string][] = [
    ["profile", "Your profile"],
    ["relay", "Firm relay"],
    ["model", "Transcription"],
  ];

  return (
    <div className="grid h-full place-items-center overflow-y-auto p-6" data-testid="first-run">
      <div className="w-full max-w-lg space-y-5">
        <div className="flex items-center gap-3">
          <img src="/hearth.svg" alt="" className="h-11 w-11" />
          <div>
            <h1 className="text-xl font-semibold">Welcome to Hearth</h1>
            <p className="text-sm text-muted">Client households on this computer, encrypted, working offline.</p>
          </div>
        </div>
        <ol className="flex gap-2 text-xs">
          {steps.map(([s, label], i) => (
            <li key={s} className={cx("flex-1 border-t-2 pt-2", s === step ? "border-accent font-semibold text-ink" : "border-line text-muted")}>
              {i + 1}. {label}
            </li>
          ))}
        </ol>
        <ErrorBanner error={error} onDismiss={() => setError(null)} />

        {step === "profile" && (
          <form onSubmit={create} className="space-y-4 rounded-xl border border-line bg-panel p-6">
            <Field label="Your name" hint="Shown on every change you make, in each household's history.">
              <Input data-testid="advisor-name" autoFocus value={advisor} onChange={(e) => setAdvisor(e.target.value)} placeholder="Avery Advisor" />
            </Field>
            <Field label="This computer">
              <Input data-testid="device-name" value={device} onChange={(e) => setDevice(e.target.value)} />
            </Field>
            <fieldset className="space-y-2">
              <legend className="text-xs font-medium text-muted">Protect the database key with</legend>
              {(
                [
                  ["keyring", "The OS keyring (recommended)", "Keychain, Credential Manager or Secret Service. Nothing to remember."],
                  ["passphrase", "A passphrase", "Asked each time Hearth starts. It cannot be recovered if lost."],
                ] as const
              ).map(([value, label, hint]) => (
                <label key={value} className={cx("flex cursor-pointer gap-3 rounded-md border p-3", storage === value ? "border-accent bg-accent/5" : "border-line")}>
                  <input type="radio" name="storage" data-testid={`storage-${value}`} checked={storage === value} onChange={() => setStorage(value)} className="mt-1 accent-[var(--accent)]" />
                  <span>
                    <span className="block text-sm font-medium">{label}</span>
                    <span className="block text-xs text-muted">{hint}</span>
                  </span>
                </label>
              ))}
            </fieldset>
            {storage === "passphrase" && (
              <div className="grid grid-cols-2 gap-3">
                <Field label="Passphrase" hint="At least 8 characters.">
                  <Input data-testid="passphrase" type="password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} autoComplete="new-password" />
                </Field>
                <Field label="Repeat it" hint={mismatch ? <span className="text-danger">The passphrases differ.</span> : undefined}>
                  <Input data-testid="passphrase-confirm" type="password" value={confirm} onChange={(e) => setConfirm(e.target.value)} autoComplete="new-password" />
                </Field>
              </div>
            )}
            <Button data-testid="create-profile" type="submit" variant="primary" busy={busy} disabled={!canCreate} className="w-full">
              Create profile
            </Button>
          </form>
        )}

        {step === "relay" && (
          <form onSubmit={enroll} className="space-y-4 rounded-xl border border-line bg-panel p-6">
            <p className="text-sm text-muted">
              Connect to your firm's relay to sync households with colleagues. Your firm admin gives you the address and a one-time code. You can do this later in Settings.
            </p>
            <Field label="Relay address">
              <Input data-testid="relay-url" value={relay} onChange={(e) => setRelay(e.target.value)} placeholder="https://relay.example-firm.com" />
            </Field>
            <Field label="Enrollment code">
              <Input data-testid="relay-code" value={code} onChange={(e) => setCode(e.target.value)} placeholder="K7QF-2MZD-9XTA-4PWE" className="font-mono" />
            </Field>
            <div className="flex gap-2">
              <Button data-testid="enroll" type="submit" variant="primary" busy={busy} disabled={!relay || !code} className="flex-1">
                Connect
              </Button>
              <Button data-testid="skip-enroll" type="button" onClick={() => setStep("model")}>
                Skip for now
              </Button>
            </div>
          </form>
        )}

        {step === "model" && info && (
          <div className="space-y-4 rounded-xl border border-line bg-panel p-6" data-testid="model-step">
            <h2 className="font-semibold">On-device transcription</h2>
            <p className="text-sm text-muted">
              Meetings are transcribed on this computer; audio never leaves it. Choose a speech model now or later in Settings (transcripts made elsewhere need none).
            </p>
            <ModelCard />
            <Button data-testid="finish-setup" variant="primary" className="w-full" onClick={() => onDone(info)}>
              Open Hearth
            </Button>
          </div>
        )}
      </div>
    </div>
  );
}
