// Documents: each can be saved to Downloads (then opened); new ones are attached here.
import { useState } from "react";
import { api, type DocumentRef } from "../../api";
import { householdsChanged } from "../../lib/data";
import { dateTime } from "../../lib/dates";
import { toAppError, type AppError } from "../../lib/errors";
import { formatBytes } from "../../lib/meeting";
import { Button, Card, cx, ErrorBanner, Spinner } from "../../components/ui";
import { RowButton, useHousehold } from "./shared";

export function Documents({ attachable }: { attachable: boolean }) {
  const { id, view, readOnly } = useHousehold();
  const docs = Object.entries(view.data.documents).sort(([, a], [, b]) => b.added_at - a.added_at);
  return (
    <Card title="Documents" testId="documents-card">
      {docs.length > 0 && (
        <ul className="mb-3 divide-y divide-line">
          {docs.map(([did, doc]) => (
            <DocumentRow key={did} householdId={id} documentId={did} doc={doc} />
          ))}
        </ul>
      )}
      {attachable && !readOnly ? (
        <AttachDocument householdId={id} />
      ) : (
        <p className="rounded-md border border-dashed border-line p-3 text-sm text-muted">
          {readOnly ? "Archived: unarchive the household to attach documents." : "Attaching documents is not in this build yet; documents attached elsewhere (the CLI, a colleague) appear here."}
        </p>
      )}
    </Card>
  );
}

function DocumentRow({ householdId, documentId, doc }: { householdId: string; documentId: string; doc: DocumentRef }) {
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const attempt = async (work: () => Promise<void>) => {
    setBusy(true);
    try {
      await work();
      setError(null);
    } catch (e) {
      setError(toAppError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <li className="py-2 text-sm" data-testid="document" data-document-id={documentId}>
      <div className="flex items-center gap-3">
        <span className="min-w-0 flex-1 truncate" title={doc.name}>
          {doc.name}
        </span>
        <span className="text-xs text-muted">
          {doc.media_type} · {formatBytes(doc.size)} · {dateTime(doc.added_at)}
          {doc.text_layer === "no_text_layer" && " · scanned, not searchable"}
        </span>
        <RowButton data-testid="document-save" busy={busy && !saved} onClick={() => void attempt(async () => setSaved(await api.saveDocument(householdId, documentId)))}>
          Save to Downloads
        </RowButton>
      </div>
      {saved && (
        <div className="mt-1 flex items-center gap-2 text-xs text-ok" data-testid="document-saved">
          <span className="min-w-0 flex-1 truncate" data-selectable title={saved}>
            Saved to {saved}
          </span>
          <Button className="px-2 py-0.5 text-xs" data-testid="document-open" onClick={() => void attempt(() => api.openSaved(saved))}>
            Open
          </Button>
        </div>
      )}
      {error && (
        <div className="mt-2">
          <ErrorBanner error={error} onDismiss={() => setError(null)} />
        </div>
      )}
    </li>
  );
}

/** "Attach file": the profile checks size and type, extracts the text for search and stores
 * the file encrypted; a refused file shows the profile's reason. */
function AttachDocument({ householdId }: { householdId: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  return (
    <div className="space-y-2">
      <div className="flex items-center gap-3">
        <label className={cx("inline-flex cursor-pointer items-center gap-2 rounded-md border border-line px-3 py-1.5 text-sm font-medium hover:bg-sunken", busy && "opacity-50")}>
          {busy && <Spinner />}
          Attach file…
          <input
            type="file"
            className="sr-only"
            data-testid="document-file"
            disabled={busy}
            onChange={async (e) => {
              const file = e.target.files?.[0];
              e.target.value = "";
              if (!file) return;
              setBusy(true);
              try {
                await api.attachDocument(householdId, file);
                setError(null);
                // The attach answers with the document, not the household: reload what shows it.
                householdsChanged([householdId]);
              } catch (err) {
                setError(toAppError(err));
              } finally {
                setBusy(false);
              }
            }}
          />
        </label>
        <span className="text-xs text-muted">PDF, Word (.docx), text, CSV or images; stored encrypted, searchable with Ctrl-K.</span>
      </div>
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
    </div>
  );
}
