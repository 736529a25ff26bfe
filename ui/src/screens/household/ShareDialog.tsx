// Sharing a household with colleagues on the relay (each syncs it to their own laptop).
import { useCallback, useEffect, useState } from "react";
import { api, type Sharing } from "../../api";
import { toAppError, type AppError } from "../../lib/errors";
import { Badge, Button, Empty, ErrorBanner, Modal, Spinner } from "../../components/ui";

export function ShareDialog({ id, open, onOpenChange }: { id: string; open: boolean; onOpenChange: (o: boolean) => void }) {
  const [sharing, setSharing] = useState<Sharing | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setSharing(await api.householdSharing(id));
      setError(null);
    } catch (e) {
      setError(toAppError(e));
    }
  }, [id]);

  useEffect(() => {
    if (open) {
      setSharing(null);
      void load();
    }
  }, [open, load]);

  const colleagues = sharing?.advisors.filter((a) => a.id !== sharing.me) ?? [];
  return (
    <Modal open={open} onOpenChange={onOpenChange} title="Share with colleagues" description="Colleagues you share with sync this household to their own laptops. Firm admins can always see it in the console." testId="share-dialog">
      <div className="space-y-3">
        <ErrorBanner error={error} />
        {!sharing && !error && <Spinner />}
        {sharing && !sharing.on_relay && <p className="text-sm text-warn">This household has not reached the relay yet. Wait for the next sync (or use Sync now), then share it.</p>}
        {sharing && sharing.on_relay && colleagues.length === 0 && <Empty>No one else in your firm yet.</Empty>}
        {sharing && sharing.on_relay && (
          <ul className="divide-y divide-line">
            {colleagues.map((a) => {
              const shared = sharing.shared_with.includes(a.id);
              return (
                <li key={a.id} className="flex items-center gap-3 py-2 text-sm">
                  <span className="flex-1">
                    {a.name} {a.is_admin && <Badge>admin</Badge>}
                  </span>
                  {a.id === sharing.owner_id ? (
                    <Badge tone="accent">owner</Badge>
                  ) : (
                    <Button
                      data-testid={`share-toggle-${a.name}`}
                      variant={shared ? "secondary" : "primary"}
                      busy={busy === a.id}
                      onClick={async () => {
                        setBusy(a.id);
                        try {
                          await api.setShare(id, a.id, !shared);
                          await load();
                        } catch (e) {
                          setError(toAppError(e));
                        } finally {
                          setBusy(null);
                        }
                      }}
                    >
                      {shared ? "Stop sharing" : "Share"}
                    </Button>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </div>
    </Modal>
  );
}
