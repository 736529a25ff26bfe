// A meeting: choose the household, take consent with the firm's disclosure, bring in the
// words (a recording transcribed on this computer, a transcript file or pasted text), then
// analysis → review → accept, the follow-up draft to copy and the captions to save.
import { useCallback, useEffect, useRef, useState } from "react";
import { api, onImportProgress, type Analysis, type Capabilities, type FlagKind, type HouseholdSummary, type ImportProgress, type MeetingView } from "../api";
import { keys, useQuery } from "../lib/data";
import { dateTime, formatDay, today } from "../lib/dates";
import { toAppError, type AppError } from "../lib/errors";
import { acceptKeys, isFiled, consentFor, draftText, formatBytes, importLabel, importPercent, parseNames, speakerChoices, timestamp, type Attendee } from "../lib/meeting";
import { audioStatus } from "../lib/settings";
import { RecordPanel } from "./RecordPanel";
import { ModelMissingHelp, SavedFile } from "./Settings";
import { Badge, Button, Card, copyText, cx, ErrorBanner, Field, Input, ProgressBar, Select, Spinner, TextArea } from "../components/ui";

export function MeetingScreen({
  households,
  householdId,
  meetingId,
  caps,
  onOpenHousehold,
  onChanged,
}: {
  households: HouseholdSummary[];
  householdId?: string;
  meetingId?: string;
  caps: Capabilities;
  onOpenHousehold: (id: string) => void;
  onChanged: () => void;
}) {
  const [current, setCurrent] = useState<string | undefined>(meetingId);
  return (
    <div className="h-full overflow-y-auto p-6" data-testid="meeting-screen">
      <div className="mx-auto max-w-4xl space-y-4">
        {current ? (
          <Review meetingId={current} onOpenHousehold={onOpenHousehold} onChanged={onChanged} />
        ) : (
          <NewMeeting
            households={households}
            initialHousehold={householdId}
            caps={caps}
            onImported={(id) => {
              onChanged();
              setCurrent(id);
            }}
          />
        )}
      </div>
    </div>
  );
}

function Step({ n, title, done, disabled, children }: { n: number; title: string; done?: boolean; disabled?: boolean; children: React.ReactNode }) {
  return (
    <section className={cx("rounded-lg border border-line bg-panel", disabled && "opacity-50")} aria-disabled={disabled}>
      <header className="flex items-center gap-3 border-b border-line px-4 py-2.5">
        <span className={cx("grid h-6 w-6 place-items-center rounded-full text-xs font-bold", done ? "bg-ok text-white" : "bg-sunken text-muted")}>{done ? "✓" : n}</span>
        <h2 className="text-sm font-semibold">{title}</h2>
      </header>
      <fieldset disabled={disabled} className="p-4">
        {children}
      </fieldset>
    </section>
  );
}

function NewMeeting({ households, initialHousehold, caps, onImported }: { households: HouseholdSummary[]; initialHousehold?: string; caps: Capabilities; onImported: (id: string) => void }) {
  const [household, setHousehold] = useState(initialHousehold ?? "");
  const [householdQuery, setHouseholdQuery] = useState("");
  const [title, setTitle] = useState("Annual review");
  const [date, setDate] = useState(today());
  const [time, setTime] = useState("");
  // The meeting's start as the shell takes it: the day, and the time when one was given.
  const when = date ? (time ? `${date}T${time}` : date) : null;
  const [disclosure, setDisclosure] = useState<{ version: string; text: string } | null>(null);
  const [read, setRead] = useState(false);
  const [names, setNames] = useState("");
  const [transcript, setTranscript] = useState("");
  const [fileName, setFileName] = useState<string | null>(null);
  const [audio, setAudio] = useState<File | null>(null);
  const [progress, setProgress] = useState<ImportProgress | null>(null);
  const [importing, setImporting] = useState(false);
  const [audioError, setAudioError] = useState<AppError | null>(null);
  /** The import failed for want of a speech model: offer to download it here. */
  const [needModel, setNeedModel] = useState(false);
  const [modelDownloading, setModelDownloading] = useState(false);
  const [recordOpen, setRecordOpen] = useState(false);
  const audioBox = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (audio) audioBox.current?.scrollIntoView?.({ block: "nearest", behavior: "smooth" });
  }, [audio, importing]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);

  useEffect(() => {
    const unlisten = onImportProgress(setProgress);
    return () => {
      void unlisten.then((f) => f());
    };
  }, []);

  useEffect(() => {
    api.disclosure().then(setDisclosure, (e) => setError(toAppError(e)));
  }, []);
  // The firm's consent mode, for the consent step's wording (the shell checks it).
  const consentMode = useQuery(keys.settings, () => api.getSettings()).data?.consent_mode;

  // The household's members, each marked present and consenting (or not); guests typed in.
  const householdView = useQuery(household ? keys.household(household) : null, () => api.household(household));
  const [attendance, setAttendance] = useState<Record<string, { present: boolean; consented: boolean }>>({});
  const attendees: Attendee[] = Object.values(householdView.data?.data.members ?? {}).map((m) => ({
    name: m.name,
    present: attendance[m.name]?.present ?? false,
    consented: attendance[m.name]?.consented ?? false,
  }));
  const consent = consentFor(attendees, parseNames(names), consentMode === "all-party", read);
  const consented = consent.consented;
  const participants = consent.participants;
  const consentDone = consent.complete;
  const matches = households.filter((h) => !householdQuery || h.name.toLowerCase().includes(householdQuery.toLowerCase())).slice(0, 200);
  const chosen = households.find((h) => h.id === household);

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      onImported(await api.importTranscript(household, title, when, transcript, consented));
    } catch (e) {
      setError(toAppError(e));
    } finally {
      setBusy(false);
    }
  };

  const importAudio = async () => {
    if (!audio) return;
    setImporting(true);
    setProgress(null);
    setAudioError(null);
    setNeedModel(false);
    try {
      const view = await api.importMeetingAudio(audio, { householdId: household, title, date: when, consentedBy: consented, participants });
      onImported(view.meeting_id);
    } catch (e) {
      const err = toAppError(e);
      setAudioError(err);
      setNeedModel(err.kind === "model_missing");
    } finally {
      setImporting(false);
    }
  };

  return (
    <>
      <h1 className="text-xl font-semibold">New meeting</h1>
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      <Step n={1} title="Household and meeting" done={!!chosen}>
        <div className="grid grid-cols-2 gap-3">
          <Field label="Household">
            {chosen ? (
              <div className="flex items-center gap-2">
                <span className="flex-1 truncate font-medium" data-testid="meeting-household">
                  {chosen.name}
                </span>
                <Button variant="ghost" onClick={() => setHousehold("")}>
                  Change
                </Button>
              </div>
            ) : (
              <div className="space-y-1">
                <Input data-testid="meeting-household-search" placeholder="Type to find a household…" value={householdQuery} onChange={(e) => setHouseholdQuery(e.target.value)} />
                <Select data-testid="meeting-household-select" size={5} value={household} onChange={(e) => setHousehold(e.target.value)} aria-label="Household">
                  {matches.map((h) => (
                    <option key={h.id} value={h.id}>
                      {h.name}
                    </option>
                  ))}
                </Select>
              </div>
            )}
          </Field>
          <div className="space-y-3">
            <Field label="Title">
              <Input data-testid="meeting-title" value={title} onChange={(e) => setTitle(e.target.value)} />
            </Field>
            <Field label="Date" hint="Relative due dates (“by Friday”) resolve from it.">
              <Input data-testid="meeting-date" type="date" value={date} onChange={(e) => setDate(e.target.value)} />
            </Field>
            <Field label="Time" hint="Optional; without it, today's meeting starts now.">
              <Input data-testid="meeting-time" type="time" value={time} onChange={(e) => setTime(e.target.value)} />
            </Field>
          </div>
        </div>
      </Step>
      <Step n={2} title="Consent" done={consentDone} disabled={!chosen}>
        <div className="space-y-3">
          <p className="text-sm text-muted">
            Read the firm's disclosure to everyone in the meeting before recording or importing. On a video or phone call the other side is recorded too: read it to
            everyone on the call.
          </p>
          <blockquote className="rounded-md border-l-4 border-accent bg-sunken p-3 text-sm leading-relaxed" data-testid="disclosure" data-selectable>
            {disclosure ? disclosure.text : <Spinner />}
            {disclosure && <div className="mt-1 text-xs text-muted">Disclosure version {disclosure.version}</div>}
          </blockquote>
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" data-testid="disclosure-read" checked={read} onChange={(e) => setRead(e.target.checked)} />I read the disclosure aloud and everyone agreed.
          </label>
          {attendees.length > 0 && (
            <table className="w-full text-sm" data-testid="consent-members">
              <thead>
                <tr className="text-left text-xs text-muted">
                  <th className="font-normal">Household member</th>
                  <th className="font-normal">In the meeting</th>
                  <th className="font-normal">Consented</th>
                </tr>
              </thead>
              <tbody>
                {attendees.map((a) => (
                  <tr key={a.name}>
                    <td>{a.name}</td>
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`${a.name} is in the meeting`}
                        checked={a.present}
                        onChange={(e) => setAttendance((s) => ({ ...s, [a.name]: { present: e.target.checked, consented: e.target.checked && (s[a.name]?.consented ?? false) } }))}
                      />
                    </td>
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`${a.name} consented`}
                        disabled={!a.present}
                        checked={a.consented}
                        onChange={(e) => setAttendance((s) => ({ ...s, [a.name]: { present: true, consented: e.target.checked } }))}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <Field
            label={attendees.length > 0 ? "Others who consented (guests)" : "Who consented"}
            hint={
              consentMode === "all-party"
                ? "Comma-separated. Your firm records with all-party consent: every participant must agree before recording starts."
                : "Comma-separated. All-party (two-party) consent states need every participant."
            }
          >
            <Input data-testid="consent-names" value={names} onChange={(e) => setNames(e.target.value)} placeholder="Linda Johnson, Robert Johnson" />
          </Field>
          {consentMode === "all-party" && consent.missing.length > 0 && (
            <p className="text-sm text-warn" data-testid="consent-missing">
              Not yet consented: {consent.missing.join(", ")}. Everyone in the meeting must consent before recording.
            </p>
          )}
        </div>
      </Step>
      <Step n={3} title="What was said" disabled={!chosen || !consentDone}>
        <div className="space-y-3">
          <div className="grid grid-cols-3 gap-2">
            <label className="flex cursor-pointer flex-col items-center justify-center gap-1 rounded-md border border-line p-3 text-center text-sm hover:bg-sunken">
              <span className="font-medium">Import transcript</span>
              <span className="text-xs text-muted">{fileName ?? ".txt (Speaker: words) or Hearth .json"}</span>
              <input
                type="file"
                accept=".txt,.json,.vtt,text/plain,application/json"
                className="sr-only"
                data-testid="transcript-file"
                onChange={async (e) => {
                  const file = e.target.files?.[0];
                  if (!file) return;
                  setFileName(file.name);
                  setTranscript(await file.text());
                }}
              />
            </label>
            <label
              className={cx(
                "flex flex-col items-center justify-center gap-1 rounded-md border p-3 text-center text-sm",
                caps.audio_import ? "cursor-pointer border-line hover:bg-sunken" : "cursor-not-allowed border-line opacity-60",
                audio && "border-accent bg-accent/5",
              )}
            >
              <span className="font-medium">Import recording</span>
              <span className="text-xs text-muted" data-testid="audio-file-name">
                {audio ? `${audio.name} · ${formatBytes(audio.size)}` : caps.audio_import ? "WAV, MP3, M4A, FLAC, OGG" : "Not in this build yet"}
              </span>
              <input
                type="file"
                accept=".wav,.mp3,.m4a,.aac,.flac,.ogg,audio/*"
                className="sr-only"
                data-testid="audio-file"
                disabled={!caps.audio_import || importing}
                onChange={(e) => {
                  const file = e.target.files?.[0];
                  if (file) {
                    setAudio(file);
                    setAudioError(null);
                    setNeedModel(false);
                  }
                  e.target.value = "";
                }}
              />
            </label>
            <button
              type="button"
              data-testid="record-open"
              disabled={!caps.recording}
              aria-expanded={recordOpen}
              onClick={() => setRecordOpen(true)}
              className={cx(
                "flex flex-col items-center justify-center gap-1 rounded-md border p-3 text-sm disabled:cursor-not-allowed",
                recordOpen ? "border-accent bg-accent/5" : "border-line hover:bg-sunken disabled:opacity-60",
              )}
            >
              <span className="font-medium">● Record</span>
              <span className="text-xs text-muted">{caps.recording ? "Microphone and the call, live transcript" : "Not in this build yet"}</span>
            </button>
          </div>
          {recordOpen && (
            <RecordPanel
              meeting={{ householdId: household, title, date: when, consentedBy: consented, participants }}
              onRecorded={onImported}
              onClose={() => setRecordOpen(false)}
            />
          )}
          {audio && (
            <div ref={audioBox} className="space-y-2 rounded-md border border-line bg-sunken/50 p-3" data-testid="audio-import">
              <p className="text-sm">
                <span className="font-medium">{audio.name}</span> is transcribed on this computer. Its audio stays on this computer, encrypted, only as long as the retention policy says (Settings → Recording); the transcript is stored with numbers masked.
              </p>
              <ErrorBanner error={audioError} onDismiss={() => setAudioError(null)} />
              {needModel && !importing && <ModelMissingHelp onDownloading={setModelDownloading} onInstalled={() => setAudioError(null)} installedText="The speech model is installed: transcribe the recording again." />}
              {importing && (
                <ProgressBar testId="import-progress" labelTestId="import-stage" label={importLabel(progress)} detail={`${importPercent(progress)}%`} percent={importPercent(progress)} />
              )}
              <div className="flex justify-end gap-2">
                {importing ? (
                  <Button data-testid="cancel-import" onClick={() => void api.cancelImport()}>
                    Cancel
                  </Button>
                ) : (
                  <Button
                    variant="ghost"
                    disabled={modelDownloading}
                    onClick={() => {
                      setAudio(null);
                      setAudioError(null);
                      setNeedModel(false);
                    }}
                  >
                    Remove
                  </Button>
                )}
                <Button data-testid="import-audio" variant="primary" busy={importing} disabled={modelDownloading} onClick={() => void importAudio()}>
                  Transcribe recording
                </Button>
              </div>
            </div>
          )}
          <Field label="Transcript" hint="Or paste it here, one “Speaker: words” line per turn. SSNs, account and card numbers are masked before anything is stored.">
            <TextArea data-testid="transcript-text" rows={8} value={transcript} onChange={(e) => setTranscript(e.target.value)} className="font-mono text-xs" />
          </Field>
          <div className="flex justify-end">
            <Button data-testid="import-transcript" variant="primary" busy={busy} disabled={!transcript.trim()} onClick={() => void submit()}>
              Add meeting
            </Button>
          </div>
        </div>
      </Step>
    </>
  );
}

function Review({ meetingId, onOpenHousehold, onChanged }: { meetingId: string; onOpenHousehold: (id: string) => void; onChanged: () => void }) {
  const [view, setView] = useState<MeetingView | null>(null);
  const [analysis, setAnalysis] = useState<Analysis | null>(null);
  const [engineNote, setEngineNote] = useState<string | null>(null);
  const [actions, setActions] = useState<Set<number>>(new Set());
  const [facts, setFacts] = useState<Set<number>>(new Set());
  const [notes, setNotes] = useState<Set<number>>(new Set());
  const [busy, setBusy] = useState<"analyse" | "accept" | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [copied, setCopied] = useState(false);
  // The transcript segment a suggestion's source link points at, highlighted.
  const [shownSegment, setShownSegment] = useState<number | null>(null);
  const showSource = (segment: number) => {
    setShownSegment(segment);
    document.getElementById(`segment-${segment}`)?.scrollIntoView({ block: "center", behavior: "smooth" });
  };
  const [filedCount, setFiledCount] = useState<number | null>(null);
  const [exporting, setExporting] = useState(false);
  const [vttPath, setVttPath] = useState<string | null>(null);
  const [vttError, setVttError] = useState<AppError | null>(null);

  const load = useCallback(async () => {
    try {
      const v = await api.meeting(meetingId);
      setView(v);
      if (v.analysis) {
        setAnalysis(v.analysis);
        setActions(new Set(v.analysis.action_items.map((_, i) => i).filter((i) => !v.meeting.accepted.includes(`action:${i}`))));
        setFacts(new Set(v.analysis.facts.map((_, i) => i).filter((i) => !v.meeting.accepted.includes(`fact:${i}`))));
        setNotes(new Set(v.analysis.notes.map((_, i) => i).filter((i) => !isFiled(`note:${i}`, v.meeting.accepted))));
      }
    } catch (e) {
      setError(toAppError(e));
    }
  }, [meetingId]);

  useEffect(() => {
    void load();
  }, [load]);

  const analyse = async () => {
    setBusy("analyse");
    setError(null);
    try {
      const outcome = await api.analyzeMeeting(meetingId);
      setEngineNote(outcome.fallback_reason ? `Analysed offline: ${outcome.fallback_reason}` : outcome.engine === "llm" ? "Analysed with the firm's LLM (redacted text only)." : outcome.engine === "on_device" ? "Analysed by the language model on this computer; every item cites the transcript." : "Analysed offline on this computer.");
      await load();
      onChanged();
    } catch (e) {
      setError(toAppError(e));
    } finally {
      setBusy(null);
    }
  };

  const exportVtt = async () => {
    setExporting(true);
    setVttError(null);
    setVttPath(null);
    try {
      setVttPath(await api.exportVtt(meetingId));
    } catch (e) {
      setVttError(toAppError(e));
    } finally {
      setExporting(false);
    }
  };

  const accept = async () => {
    if (!view) return;
    const keys = acceptKeys({ actions, facts, notes }, view.meeting.accepted);
    setBusy("accept");
    setError(null);
    try {
      const filed = await api.acceptMeetingItems(meetingId, keys);
      setFiledCount(filed.created.length);
      await load();
      onChanged();
    } catch (e) {
      setError(toAppError(e));
    } finally {
      setBusy(null);
    }
  };

  if (!view) return error ? <ErrorBanner error={error} /> : <Spinner />;
  const m = view.meeting;
  const toggle = (set: Set<number>, i: number, update: (s: Set<number>) => void) => {
    const next = new Set(set);
    if (next.has(i)) next.delete(i);
    else next.add(i);
    update(next);
  };
  const pending = analysis ? acceptKeys({ actions, facts, notes }, m.accepted) : [];

  return (
    <div className="space-y-4" data-testid="meeting-review" data-meeting-id={meetingId}>
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold">{m.title}</h1>
        <span className="text-sm text-muted">{dateTime(m.started_at)}</span>
        <button className="text-sm text-accent hover:underline" onClick={() => onOpenHousehold(view.household_id)}>
          Open household →
        </button>
      </div>
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      {view.required_notes_missing && view.required_notes_missing.length > 0 && (
        <p className="rounded-md border border-warn/40 bg-warn/10 px-3 py-2 text-sm" data-testid="required-notes">
          Your firm's policy needs a note under {view.required_notes_missing.map((c) => c.replaceAll("_", " ")).join(", ")} for this meeting.
        </p>
      )}
      {m.consent && (
        <p className="text-xs text-muted" data-testid="meeting-consent">
          Consent from {m.consent.consented_by.join(", ")} · {CONSENT_METHOD[m.consent.method] ?? m.consent.method.replaceAll("_", " ")} by {m.consent.recorded_by} on {dateTime(m.consent.recorded_at)} · disclosure version {m.consent.disclosure_version}
          {audioStatus(m.audio) && <> · {audioStatus(m.audio)}</>}
        </p>
      )}
      {m.audio_notice && (
        <p className="rounded-md border border-warn/40 bg-warn/10 px-3 py-2 text-sm" data-testid="audio-notice" role="status">
          {m.audio_notice}
        </p>
      )}
      <div className="grid gap-4 lg:grid-cols-5">
        <Card
          title="Transcript"
          className="lg:col-span-2"
          testId="transcript"
          actions={
            m.transcript.length > 0 && (
              <Button data-testid="export-vtt" busy={exporting} onClick={() => void exportVtt()} title="Save the transcript as WebVTT captions in your Downloads folder">
                Export captions (.vtt)
              </Button>
            )
          }
        >
          {(vttPath || vttError) && (
            <div className="mb-3 space-y-2 border-b border-line pb-3">
              <ErrorBanner error={vttError} onDismiss={() => setVttError(null)} />
              {vttPath && <SavedFile path={vttPath} testId="vtt-saved" />}
            </div>
          )}
          {m.transcript.length === 0 && <p className="text-sm text-muted">No transcript yet.</p>}
          <ol className="max-h-[28rem] space-y-2 overflow-y-auto pr-2 text-sm" data-selectable>
            {m.transcript.map((s, i) => (
              <li key={i} id={`segment-${i}`} data-testid="transcript-line" data-shown={shownSegment === i ? "yes" : "no"} className={cx("rounded px-1", shownSegment === i && "bg-warn/15")}>
                <span className="mr-2 font-mono text-[11px] text-muted">{timestamp(s.start_ms)}</span>
                <SpeakerLabel
                  speaker={s.speaker}
                  choices={speakerChoices(m.participants, m.transcript)}
                  onRename={async (name, onlyThis) => {
                    await api.relabelSpeaker(meetingId, s.speaker ?? "?", name, onlyThis ? i : null, onlyThis ? i : null);
                    await load();
                    onChanged();
                  }}
                />
                <span data-testid="transcript-segment">{s.text}</span>
              </li>
            ))}
          </ol>
        </Card>
        <div className="space-y-4 lg:col-span-3">
          {!analysis ? (
            <Card title="Analysis">
              <p className="mb-3 text-sm text-muted">Suggest notes in the five categories, action items with due dates, client facts, compliance flags and a follow-up e-mail. Nothing is filed until you accept it.</p>
              <Button data-testid="analyze" variant="primary" busy={busy === "analyse"} onClick={() => void analyse()}>
                Analyse meeting
              </Button>
            </Card>
          ) : (
            <>
              {engineNote && <p className="text-xs text-muted">{engineNote}</p>}
              {analysis.flags.length > 0 && (
                <Card title={<span className="text-warn">Compliance flags · {analysis.flags.length}</span>} testId="flags">
                  <ul className="space-y-2 text-sm">
                    {analysis.flags.map((f, i) => (
                      <li key={i} className="flex gap-2">
                        <Badge tone="warn">{FLAG_LABEL[f.kind] ?? f.kind.replaceAll("_", " ")}</Badge>
                        <span className="text-muted" data-selectable>
                          {f.excerpt}
                        </span>
                      </li>
                    ))}
                  </ul>
                </Card>
              )}
              <Card title="Suggestions" testId="suggestions">
                <div className="space-y-4 text-sm">
                  <section>
                    <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-muted">Action items</h3>
                    {analysis.action_items.length === 0 && <p className="text-muted">None found.</p>}
                    {analysis.action_items.map((a, i) => {
                      const filed = m.accepted.includes(`action:${i}`);
                      return (
                        <div key={i} className="py-1" data-testid="action-row">
                          <label className="flex items-start gap-2">
                            <input type="checkbox" data-testid="suggest-action" disabled={filed} checked={filed || actions.has(i)} onChange={() => toggle(actions, i, setActions)} className="mt-1" />
                            <span className="flex-1">
                              {a.what} <span className="text-xs text-muted">· {a.owner === "client" ? "for the client" : "for you"}</span>{" "}
                              <SourceLinks segments={[a.span.segment]} transcript={m.transcript} onShow={showSource} />
                              {a.owner_guessed && (
                                <span className="ml-1 text-xs text-warn" data-testid="owner-guessed" title="Nobody is named as the speaker here, so who does it is a guess: correct the speaker in the transcript, or edit the item.">
                                  (a guess)
                                </span>
                              )}
                            </span>
                            {a.due && (
                              <Badge tone="warn">
                                <span title={a.due_phrase ? `“${a.due_phrase}”` : undefined}>due {formatDay(a.due)}</span>
                              </Badge>
                            )}
                            {filed && <Badge tone="ok">filed</Badge>}
                          </label>
                          {!filed && (
                            <ActionEditor
                              what={a.what}
                              owner={a.owner}
                              due={a.due}
                              onSave={async (edit) => {
                                await api.reviseSuggestion(meetingId, `action:${i}`, edit);
                                await load();
                              }}
                            />
                          )}
                        </div>
                      );
                    })}
                  </section>
                  <section>
                    <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-muted">Client facts</h3>
                    {analysis.facts.length === 0 && <p className="text-muted">None found.</p>}
                    {analysis.facts.map((f, i) => {
                      const filed = m.accepted.includes(`fact:${i}`);
                      return (
                        <label key={i} className="flex items-start gap-2 py-1">
                          <input type="checkbox" data-testid="suggest-fact" disabled={filed} checked={filed || facts.has(i)} onChange={() => toggle(facts, i, setFacts)} className="mt-1" />
                          <span className="flex-1">
                            <span className="font-medium">{f.key.replaceAll("_", " ")}</span>: {f.value} <SourceLinks segments={[f.span.segment]} transcript={m.transcript} onShow={showSource} />
                          </span>
                          <span className="text-xs text-muted">{Math.round(f.confidence * 100)}%</span>
                          {filed && <Badge tone="ok">filed</Badge>}
                        </label>
                      );
                    })}
                  </section>
                  <section>
                    <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-muted">Notes</h3>
                    <p className="mb-1 text-xs text-muted">Tick the notes you certify as accurate; edit any first. Each is filed as a note of the household.</p>
                    {analysis.notes.map((n, i) => {
                      const filed = isFiled(`note:${i}`, m.accepted);
                      return (
                        <div key={i} className="py-1" data-testid="note-row">
                          <label className="flex items-start gap-2">
                            <input type="checkbox" data-testid="suggest-note" disabled={filed} checked={filed || notes.has(i)} onChange={() => toggle(notes, i, setNotes)} className="mt-1" />
                            <span className="flex-1" data-selectable>
                              <Badge>{n.category.replaceAll("_", " ")}</Badge> {n.text} <SourceLinks segments={n.spans.map((sp) => sp.segment)} transcript={m.transcript} onShow={showSource} />
                            </span>
                            {filed && <Badge tone="ok">filed</Badge>}
                          </label>
                          {!filed && (
                            <TextEditor
                              label="note"
                              text={n.text}
                              onSave={async (text) => {
                                await api.reviseSuggestion(meetingId, `note:${i}`, { text });
                                await load();
                              }}
                            />
                          )}
                        </div>
                      );
                    })}
                  </section>
                  <div className="flex items-center justify-end gap-3 border-t border-line pt-3">
                    {filedCount !== null && (
                      <span className="text-sm text-ok" data-testid="filed">
                        Filed {filedCount} item{filedCount === 1 ? "" : "s"} into the household.
                      </span>
                    )}
                    <Button data-testid="accept" variant="primary" busy={busy === "accept"} disabled={pending.length === 0} onClick={() => void accept()}>
                      Accept {pending.length} selected
                    </Button>
                  </div>
                </div>
              </Card>
              <Card
                title="Follow-up e-mail draft"
                testId="follow-up"
                actions={
                  <Button
                    data-testid="copy-draft"
                    onClick={async () => {
                      await copyText(draftText(analysis.email));
                      setCopied(true);
                      setTimeout(() => setCopied(false), 2000);
                    }}
                  >
                    {copied ? "Copied ✓" : "Copy"}
                  </Button>
                }
              >
                <p className="mb-2 text-sm font-medium" data-selectable data-testid="draft-subject">
                  {analysis.email.subject}
                </p>
                <pre className="whitespace-pre-wrap font-sans text-sm leading-relaxed text-ink" data-selectable data-testid="draft-body">
                  {analysis.email.body}
                </pre>
                <TextEditor
                  label="e-mail"
                  text={analysis.email.body}
                  subject={analysis.email.subject}
                  onSave={async (text, subject) => {
                    await api.reviseSuggestion(meetingId, "email", { text, subject });
                    await load();
                  }}
                />
                <p className="mt-3 text-xs text-muted">Hearth never sends e-mail: review it and send it from your own mail client.</p>
              </Card>
            </>
          )}
        </div>
      </div>
    </div>
  );
}

/** How consent was taken, in words. */
const CONSENT_METHOD: Record<string, string> = {
  in_app: "recorded in the app",
  attested: "attested",
};

/** What a compliance flag is about, in words. */
const FLAG_LABEL: Record<FlagKind, string> = {
  guarantee: "guarantee",
  performance_claim: "performance claim",
  unsuitable: "suitability",
  complaint: "complaint",
  pii_ssn: "Social Security number",
  pii_account: "account number",
  pii_card: "card number",
};

/**
 * Who said a segment, and a way to correct it: the name opens a small form to rename this
 * speaker everywhere in the transcript or in this segment only (the analysis follows).
 */
function SpeakerLabel({ speaker, choices, onRename }: { speaker: string | null; choices: string[]; onRename: (name: string, onlyThis: boolean) => Promise<void> }) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(speaker ?? "");
  const [onlyThis, setOnlyThis] = useState(false);
  const { busy, error, setError, run } = useSave(() => setEditing(false));
  const label = speaker ?? "Unknown speaker";
  if (!editing) {
    return (
      <button
        type="button"
        className={cx("mr-1 font-semibold hover:underline", !speaker && "font-normal text-muted")}
        data-testid="segment-speaker"
        title="Correct who said this"
        onClick={() => {
          setName(speaker ?? "");
          setEditing(true);
        }}
      >
        {speaker ? `${speaker}:` : "?"}
      </button>
    );
  }
  const save = () => run(() => onRename(name.trim(), onlyThis));
  return (
    <span className="my-1 flex flex-wrap items-center gap-2 rounded-md border border-line bg-sunken/50 p-2 text-xs" data-testid="speaker-editor">
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      <span>Who said this?</span>
      <Input data-testid="speaker-name" list="speaker-choices" value={name} onChange={(e) => setName(e.target.value)} autoFocus className="w-40" aria-label={`New name for ${label}`} />
      <datalist id="speaker-choices">
        {choices.map((c) => (
          <option key={c} value={c} />
        ))}
      </datalist>
      <label className="flex items-center gap-1">
        <input type="checkbox" data-testid="speaker-only-this" checked={onlyThis} onChange={(e) => setOnlyThis(e.target.checked)} />
        this segment only
      </label>
      <Button data-testid="speaker-save" variant="primary" busy={busy} disabled={!name.trim() || name.trim() === speaker} onClick={() => void save()}>
        {onlyThis ? "Rename" : `Rename every “${label}”`}
      </Button>
      <Button variant="ghost" onClick={() => setEditing(false)}>
        Cancel
      </Button>
    </span>
  );
}

/** "Edit" under an action item: its wording, who does it and when it is due, saved with the meeting before filing. */
function ActionEditor({ what, owner, due, onSave }: { what: string; owner: string; due: string | null; onSave: (edit: { text: string; owner: string; due: string }) => Promise<void> }) {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState(what);
  const [who, setWho] = useState(owner);
  const [when, setWhen] = useState(due ?? "");
  const { busy, error, setError, run } = useSave(() => setOpen(false));
  if (!open) {
    return (
      <EditLink
        testId="edit-action"
        label="Edit"
        onOpen={() => {
          setText(what);
          setWho(owner);
          setWhen(due ?? "");
          setOpen(true);
        }}
      />
    );
  }
  const save = () => run(() => onSave({ text, owner: who, due: when || "none" }));
  return (
    <div className="ml-6 mt-1 space-y-2 rounded-md border border-line bg-sunken/50 p-2 text-xs" data-testid="action-editor">
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      <Input data-testid="action-what" value={text} onChange={(e) => setText(e.target.value)} aria-label="What has to be done" />
      <div className="flex flex-wrap items-center gap-2">
        <Select data-testid="action-owner" value={who} onChange={(e) => setWho(e.target.value)} aria-label="Who does it">
          <option value="advisor">You</option>
          <option value="client">The client</option>
        </Select>
        <Input data-testid="action-due" type="date" value={when} onChange={(e) => setWhen(e.target.value)} aria-label="Due" className="w-40" />
        <Button data-testid="action-save" variant="primary" busy={busy} disabled={!text.trim()} onClick={() => void save()}>
          Save
        </Button>
        <Button variant="ghost" onClick={() => setOpen(false)}>
          Cancel
        </Button>
      </div>
    </div>
  );
}

/** "Edit" under a note or the e-mail draft: its text (and the e-mail's subject), saved with the meeting. */
function TextEditor({ label, text, subject, onSave }: { label: string; text: string; subject?: string; onSave: (text: string, subject?: string) => Promise<void> }) {
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState(text);
  const [subj, setSubj] = useState(subject ?? "");
  const { busy, error, setError, run } = useSave(() => setOpen(false));
  // Test ids: edit-note / note-editor / …, edit-draft / draft-editor / … for the e-mail.
  const id = label === "note" ? "note" : "draft";
  if (!open) {
    return (
      <EditLink
        testId={`edit-${id}`}
        label={`Edit ${label}`}
        onOpen={() => {
          setValue(text);
          setSubj(subject ?? "");
          setOpen(true);
        }}
      />
    );
  }
  const save = () => run(() => onSave(value, subject === undefined ? undefined : subj));
  return (
    <div className="ml-6 mt-1 space-y-2 rounded-md border border-line bg-sunken/50 p-2 text-xs" data-testid={`${id}-editor`}>
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      {subject !== undefined && <Input data-testid="draft-subject-input" value={subj} onChange={(e) => setSubj(e.target.value)} aria-label="Subject" />}
      <TextArea data-testid={`${id}-text-input`} rows={label === "note" ? 3 : 10} value={value} onChange={(e) => setValue(e.target.value)} aria-label={`The ${label}`} />
      <div className="flex justify-end gap-2">
        <Button variant="ghost" onClick={() => setOpen(false)}>
          Cancel
        </Button>
        <Button data-testid={`${id}-save`} variant="primary" busy={busy} disabled={!value.trim()} onClick={() => void save()}>
          Save
        </Button>
      </div>
    </div>
  );
}

/** Where in the transcript a suggestion came from: one link per segment, at its time; a click shows that segment. */
function SourceLinks({ segments, transcript, onShow }: { segments: number[]; transcript: { start_ms: number }[]; onShow: (segment: number) => void }) {
  const unique = [...new Set(segments)].filter((i) => i >= 0 && i < transcript.length).sort((a, b) => a - b);
  if (unique.length === 0) return null;
  return (
    <span className="whitespace-nowrap text-xs text-muted">
      {unique.map((i) => (
        <button
          key={i}
          type="button"
          className="ml-1 font-mono text-accent hover:underline"
          data-testid="source-link"
          title="Show where this was said"
          onClick={(e) => {
            e.preventDefault();
            onShow(i);
          }}
        >
          {timestamp(transcript[i].start_ms)}
        </button>
      ))}
    </span>
  );
}

/** A small form's save: busy while it runs, its error if it fails, `done` once it succeeded. */
function useSave(done: () => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
      done();
    } catch (e) {
      setError(toAppError(e));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}

/** The small "Edit …" link under a suggestion that opens its editor. */
function EditLink({ testId, label, onOpen }: { testId: string; label: string; onOpen: () => void }) {
  return (
    <button type="button" className="ml-6 text-xs text-accent hover:underline" data-testid={testId} onClick={onOpen}>
      {label}
    </button>
  );
}
