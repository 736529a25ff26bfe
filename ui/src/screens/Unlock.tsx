import { useState } from "react";
import { api, type ProfileInfo } from "../api";
import { toAppError, type AppError } from "../lib/errors";
import { Button, ErrorBanner, Field, Input } from "../components/ui";

export function Unlock({ onUnlocked }: { onUnlocked: (info: ProfileInfo) => void }) {
  const [passphrase, setPassphrase] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onUnlocked(await api.unlockProfile(passphrase));
    } catch (err) {
      setError(toAppError(err));
      setPassphrase("");
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="grid h-full place-items-center p-6" data-testid="unlock-screen">
      <form onSubmit={submit} className="w-full max-w-sm space-y-4 rounded-xl border border-line bg-panel p-6 shadow-sm">
        <div className="flex items-center gap-3">
          <img src="/hearth.svg" alt="" className="h-10 w-10" />
          <div>
            <h1 className="text-lg font-semibold">Unlock Hearth</h1>
            <p className="text-sm text-muted">Your client data is encrypted on this computer.</p>
          </div>
        </div>
        <ErrorBanner error={error} />
        <Field label="Passphrase">
          <Input data-testid="unlock-passphrase" type="password" autoFocus value={passphrase} onChange={(e) => setPassphrase(e.target.value)} autoComplete="current-password" />
        </Field>
        <Button data-testid="unlock-submit" type="submit" variant="primary" busy={busy} className="w-full" disabled={!passphrase}>
          Unlock
        </Button>
      </form>
    </div>
  );
}
