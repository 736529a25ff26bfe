// Recording a meeting: the microphone (the advisor) and the other side of a video call (what
// this computer plays), each with its level meter, elapsed time and the live transcript of
// both sides, Stop → transcription progress → the meeting.

import { useEffect, useRef, useState } from "react";
import { api, onImportProgress, onRecordingLevel, onRecordingLive, type AudioDevice, type ImportProgress, type LiveLine } from "../api";
import { toAppError, type AppError } from "../lib/errors";
import { importLabel, importPercent, timestamp } from "../lib/meeting";
import { applyLive, hasSignal, levelPercent, METER_FLOOR_DBFS, speakerLabel, type Levels, type Source } from "../lib/recording";
import { Button, ErrorBanner, Field, ProgressBar, Select, Spinner, TextArea } from "../components/ui";
import { ModelMissingHelp } from "./Settings";

type Phase = "idle" | "starting" | "recording" | "transcribing";

export function RecordPanel({
  meeting,
  onRecorded,
  onClose,
}: {
  meeting: { householdId: string; title: string; date: string | null; consentedBy: string[]; participants: string[] };
  onRecorded: (meetingId: string) => void;
  onClose: () => void;
}) {
  const [devices, setDevices] = useState<AudioDevice[] | null>(null);
  const [device, setDevice] = useState("");
  const [otherSide, setOtherSide] = useState("auto");
  const [phase, setPhase] = useState<Phase>("idle");
  const [levels, setLevels] = useState<Levels>({ microphone: METER_FLOOR_DBFS, system: METER_FLOOR_DBFS });
  const [secs, setSecs] = useState(0);
  const [lines, setLines] = useState<LiveLine[]>([]);
  const [paused, setPaused] = useState(false);
  const [notes, setNotes] = useState("");
  const [progress, setProgress] = useState<ImportProgress | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const stopButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    api.audioDevices().then(
      (list) => {
        setDevices(list);
        setDevice(list.find((d) => d.kind === "microphone")?.id ?? "");
      },
      (e) => setError(toAppError(e)),
    );
    const unlisten = [
      onRecordingLevel((l) => {
        setLevels((prev) => ({ ...prev, [l.source as Source]: l.dbfs }));
        setSecs(l.secs);
      }),
      onRecordingLive((l) => setLines((prev) => applyLive(prev, l))),
      onImportProgress(setProgress),
    ];
    return () => {
      for (const u of unlisten) void u.then((f) => f());
    };
  }, []);

  useEffect(() => {
    if (phase === "recording") stopButton.current?.focus();
  }, [phase]);

  const start = async () => {
    setError(null);
    setLines([]);
    setSecs(0);
    setPaused(false);
    setLevels({ microphone: METER_FLOOR_DBFS, system: METER_FLOOR_DBFS });
    setPhase("starting");
    try {
      await api.startRecording({ ...meeting, device: device || null, otherSide });
      setPhase("recording");
    } catch (e) {
      setError(toAppError(e));
      setPhase("idle");
    }
  };

  const stop = async () => {
    setProgress(null);
    setPhase("transcribing");
    try {
      const view = await api.stopRecording(notes.trim() || null);
      onRecorded(view.meeting_id);
    } catch (e) {
      setError(toAppError(e));
      setPhase("idle");
    }
  };

  const togglePause = async () => {
    try {
      setPaused(await api.pauseRecording(!paused));
    } catch (e) {
      setError(toAppError(e));
    }
  };

  const discard = async () => {
    try {
      await api.cancelRecording();
    } catch (e) {
      setError(toAppError(e));
    }
    setPhase("idle");
  };

  const microphones = devices?.filter((d) => d.kind === "microphone") ?? null;
  const systemSources = devices?.filter((d) => d.kind === "system") ?? [];
  return (
    <div className="space-y-3 rounded-md border border-line bg-sunken/50 p-3" data-testid="record-panel">
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      {error?.kind === "model_missing" && (
        <ModelMissingHelp
          installedText="The speech model is installed: start the recording again."
          onRetry={() => {
            setError(null);
            void start();
          }}
          retryLabel="Start recording"
        />
      )}
      {phase === "idle" || phase === "starting" ? (
        <>
          <Field label="Microphone">
            {microphones ? (
              <Select data-testid="record-device" value={device} onChange={(e) => setDevice(e.target.value)} disabled={microphones.length === 0}>
                {microphones.length === 0 && <option value="">No microphone found</option>}
                {microphones.map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.name}
                    {d.isDefault ? " (default)" : ""}
                  </option>
                ))}
              </Select>
            ) : (
              <Spinner />
            )}
          </Field>
          <Field label="Other side of the call">
            <Select data-testid="record-other-side" value={otherSide} onChange={(e) => setOtherSide(e.target.value)}>
              <option value="auto">{systemSources.length > 0 ? "What this computer plays (video call)" : "What this computer plays, where it can"}</option>
              {systemSources
                .filter((d) => !d.isDefault)
                .map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.name}
                  </option>
                ))}
              <option value="off">Nothing — everyone is in the room</option>
            </Select>
          </Field>
          <p className="text-sm text-muted">
            Consent is recorded in the meeting before any audio is kept. On a call, the other side is recorded too, as its own speaker. The audio is encrypted on this computer and transcribed here.
          </p>
          <div className="flex justify-end gap-2">
            <Button variant="ghost" onClick={onClose}>
              Close
            </Button>
            <Button data-testid="record-start" variant="primary" busy={phase === "starting"} disabled={!microphones || microphones.length === 0} onClick={() => void start()}>
              ● Start recording
            </Button>
          </div>
        </>
      ) : (
        <>
          <div className="flex items-center gap-3">
            <span className="inline-flex items-center gap-1 text-sm font-medium text-red-600" aria-live="polite">
              <span className={phase === "recording" && !paused ? "h-2 w-2 animate-pulse rounded-full bg-red-600" : "h-2 w-2 rounded-full bg-muted"} />
              {phase !== "recording" ? "Stopped" : paused ? "Paused" : "Recording"}
            </span>
            <span className="font-mono text-sm tabular-nums" data-testid="record-elapsed">
              {timestamp(secs * 1000)}
            </span>
            <div className="flex flex-1 flex-col gap-1">
              <LevelMeter source="microphone" dbfs={levels.microphone} />
              {otherSide !== "off" && <LevelMeter source="system" dbfs={levels.system} />}
            </div>
          </div>
          <div className="grid gap-3 md:grid-cols-2">
          <div className="min-h-24 space-y-1 rounded-md border border-line bg-panel p-3 text-sm leading-relaxed" data-testid="record-live" aria-live="polite" aria-label="Live transcript" data-selectable>
              {lines.length === 0 ? (
                <span className="text-muted">Listening… the live transcript appears here.</span>
              ) : (
                lines.map((l) => (
                  <p key={`${l.source}-${l.utterance}`} className={l.isFinal ? "" : "text-muted italic"} data-final={l.isFinal ? "yes" : "no"} data-source={l.source}>
                    <span className="mr-1 text-xs font-medium text-muted">{speakerLabel(l.source)}:</span>
                    {l.text || "…"}
                  </p>
                ))
              )}
            </div>
            <Field label="Your notes (filed with the meeting)">
              <TextArea
                data-testid="record-notes"
                rows={6}
                value={notes}
                onChange={(e) => setNotes(e.target.value)}
                placeholder="Type while you talk: what you want to remember, in your words."
                disabled={phase === "transcribing"}
              />
            </Field>
          </div>
          {phase === "transcribing" ? (
            <ProgressBar testId="record-progress" label={progress ? importLabel(progress) : "Finishing the recording…"} detail={`${importPercent(progress)}%`} percent={importPercent(progress)} />
          ) : (
            <div className="flex justify-end gap-2">
              <Button data-testid="record-discard" variant="ghost" onClick={() => void discard()}>
                Discard
              </Button>
              <Button data-testid="record-pause" onClick={() => void togglePause()} title={paused ? "Resume recording" : "Pause: nothing is kept until you resume"}>
                {paused ? "▶ Resume" : "❚❚ Pause"}
              </Button>
              <Button ref={stopButton} data-testid="record-stop" variant="primary" onClick={() => void stop()}>
                ■ Stop and transcribe
              </Button>
            </div>
          )}
        </>
      )}
    </div>
  );
}

/** One stream's level: the advisor's microphone or the other side of the call. */
function LevelMeter({ source, dbfs }: { source: Source; dbfs: number }) {
  const signal = hasSignal(dbfs);
  return (
    <div className="flex items-center gap-2">
      <span className="w-20 text-xs text-muted">{source === "system" ? "Other side" : "Microphone"}</span>
      <div
        className="h-3 flex-1 overflow-hidden rounded-full bg-sunken"
        role="meter"
        aria-label={source === "system" ? "Other side level" : "Microphone level"}
        aria-valuemin={METER_FLOOR_DBFS}
        aria-valuemax={0}
        aria-valuenow={Math.round(dbfs)}
        data-testid={source === "system" ? "record-level-system" : "record-level"}
        data-signal={signal ? "yes" : "no"}
      >
        <div className={signal ? "h-full rounded-full bg-green-600 transition-[width] duration-100" : "h-full rounded-full bg-muted transition-[width] duration-100"} style={{ width: `${levelPercent(dbfs)}%` }} />
      </div>
    </div>
  );
}
