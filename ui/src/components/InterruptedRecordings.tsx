// The prompt after a start that finds recordings interrupted by a crash, a kill or a dead
// battery: transcribe what was sealed up to the last second, or leave it for later.
import { useEffect, useState } from "react";
import { api, onImportProgress } from "../api";
import type { InterruptedRecording } from "../bindings";
import { toAppError, type AppError } from "../lib/errors";
import { interruptedLabel } from "../lib/recording";
import { Button, Card, ErrorBanner } from "./ui";

export function InterruptedRecordings({ onOpenMeeting }: { onOpenMeeting: (householdId: string, meetingId: string) => void }) {
  const [found, setFound] = useState<InterruptedRecording[]>([]);
  const [busy, setBusy] = useState<string | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<AppError | null>(null);

  useEffect(() => {
    api.interruptedRecordings().then(setFound, (e) => setError(toAppError(e)));
  }, []);

  useEffect(() => {
    if (!busy) return;
    const unlisten = onImportProgress((p) => setProgress(p.percent ?? null));
    return () => void unlisten.then((f) => f());
  }, [busy]);

  if (found.length === 0 && !error) return null;

  const recover = async (r: InterruptedRecording) => {
    setBusy(r.meeting_id);
    setError(null);
    try {
      await api.recoverRecording(r.meeting_id);
      setFound((list) => list.filter((x) => x.meeting_id !== r.meeting_id));
      onOpenMeeting(r.household_id, r.meeting_id);
    } catch (e) {
      setError(toAppError(e));
    } finally {
      setBusy(null);
      setProgress(null);
    }
  };

  return (
    <div className="p-4 pb-0" data-testid="interrupted-recordings">
      <Card title="A recording was interrupted">
        <p className="mb-2 text-sm text-muted">
          Hearth stopped while recording. The audio is saved up to the last second before it stopped, with the consent record.
        </p>
        <ul className="space-y-2">
          {found.map((r) => (
            <li key={r.meeting_id} className="flex items-center gap-3 text-sm">
              <span className="flex-1">{interruptedLabel(r)}</span>
              <Button variant="primary" busy={busy === r.meeting_id} disabled={busy !== null} onClick={() => void recover(r)} data-testid="recover-recording">
                {busy === r.meeting_id && progress !== null ? `Transcribing ${progress}%` : "Transcribe what was saved"}
              </Button>
              <Button variant="ghost" disabled={busy !== null} onClick={() => setFound((list) => list.filter((x) => x.meeting_id !== r.meeting_id))}>
                Later
              </Button>
            </li>
          ))}
        </ul>
        {error && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
      </Card>
    </div>
  );
}
