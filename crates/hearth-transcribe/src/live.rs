//! Live transcription while recording: an energy voice-activity detector cuts the incoming
//! 16 kHz audio into utterances and skips silence; while someone speaks, the utterance so far
//! is re-transcribed every [`LiveOptions::partial_every_ms`] (partial text), and when they
//! pause the whole utterance is transcribed once more (final text, which replaces the
//! partials). Runs on its own thread; cancellable; reports progress.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;

use crate::{Result, SAMPLE_RATE, Segment, TranscribeError, TranscribeOptions, Transcriber};

/// Voice-activity detection and chunking settings.
#[derive(Debug, Clone)]
pub struct LiveOptions {
    /// CPU threads for whisper.cpp.
    pub n_threads: usize,
    /// Spoken language.
    pub language: String,
    /// Analysis frame length.
    pub frame_ms: u64,
    /// Frames louder than this RMS (full scale 1.0) may be speech; the detector also adapts
    /// to the room: a frame is speech when it is `noise_ratio` times louder than the noise
    /// floor it has measured, and louder than this.
    pub min_speech_rms: f32,
    /// How much louder than the noise floor speech must be.
    pub noise_ratio: f32,
    /// Silence that ends an utterance (hangover).
    pub hangover_ms: u64,
    /// Audio kept from before the onset of speech, so first syllables are not clipped.
    pub preroll_ms: u64,
    /// Utterances with less speech than this are dropped (clicks, coughs).
    pub min_speech_ms: u64,
    /// Past this length an utterance ends at the next short pause (`short_pause_ms`).
    pub soft_max_ms: u64,
    /// Pause that ends a long utterance.
    pub short_pause_ms: u64,
    /// Hard cut for an utterance that never pauses.
    pub max_utterance_ms: u64,
    /// New speech between two partial transcriptions.
    pub partial_every_ms: u64,
}

impl Default for LiveOptions {
    fn default() -> Self {
        Self {
            n_threads: 2,
            language: "en".into(),
            frame_ms: 30,
            min_speech_rms: 0.01,
            noise_ratio: 3.0,
            hangover_ms: 600,
            preroll_ms: 240,
            min_speech_ms: 150,
            soft_max_ms: 12_000,
            short_pause_ms: 150,
            max_utterance_ms: 25_000,
            partial_every_ms: 1_000,
        }
    }
}

/// What the live transcriber reports.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveEvent {
    /// Provisional text of the utterance in progress; later partials and the final text of
    /// the same `utterance` replace it.
    Partial {
        /// Utterance number (0, 1, ...).
        utterance: u64,
        /// Start of the utterance, ms from the start of the audio.
        start_ms: u64,
        /// Audio covered so far, ms from the start of the audio.
        covered_to_ms: u64,
        /// Text so far.
        text: String,
    },
    /// Final text of an utterance, with times from the start of the audio.
    Final {
        /// Utterance number.
        utterance: u64,
        /// Segments (whisper's), times from the start of the audio.
        segments: Vec<Segment>,
    },
    /// Audio received and speech found so far.
    Progress {
        /// Audio received, ms.
        audio_ms: u64,
        /// Of which speech, ms.
        speech_ms: u64,
    },
}

/// A running live transcription. Feed 16 kHz mono samples through [`LiveTranscriber::sender`]
/// (or [`LiveTranscriber::push`]); read [`LiveTranscriber::events`]; call
/// [`LiveTranscriber::finish`] when the audio ends.
pub struct LiveTranscriber {
    input: Option<Sender<Vec<f32>>>,
    events: Receiver<LiveEvent>,
    cancel: Arc<AtomicBool>,
    join: Option<JoinHandle<Result<Vec<Segment>>>>,
}

impl std::fmt::Debug for LiveTranscriber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveTranscriber").finish_non_exhaustive()
    }
}

impl LiveTranscriber {
    /// Starts the worker thread.
    pub fn start(model: Arc<Transcriber>, options: LiveOptions) -> Result<Self> {
        let (in_tx, in_rx) = mpsc::channel::<Vec<f32>>();
        let (ev_tx, ev_rx) = mpsc::channel();
        let cancel = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&cancel);
        let join = std::thread::Builder::new()
            .name("hearth-live-transcribe".into())
            .spawn(move || worker(&model, &options, &in_rx, &ev_tx, &flag))
            .map_err(|e| TranscribeError::Whisper(format!("cannot start a thread: {e}")))?;
        Ok(Self {
            input: Some(in_tx),
            events: ev_rx,
            cancel,
            join: Some(join),
        })
    }

    /// A sender for 16 kHz mono samples (e.g. for `hearth_audio::Recorder::with_live`).
    /// The worker finishes once every sender is dropped and [`Self::finish`] is called.
    pub fn sender(&self) -> Option<Sender<Vec<f32>>> {
        self.input.clone()
    }

    /// Pushes samples.
    pub fn push(&self, samples: Vec<f32>) {
        if let Some(tx) = &self.input {
            let _ = tx.send(samples);
        }
    }

    /// Events so far (non-blocking: use `try_iter`, or `recv` to wait).
    pub fn events(&self) -> &Receiver<LiveEvent> {
        &self.events
    }

    /// Stops at the next chance (between whisper windows); `finish` then returns
    /// [`TranscribeError::Cancelled`].
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::SeqCst);
    }

    /// Ends the input, transcribes the last utterance and returns every final segment.
    /// Events not yet read stay readable through the returned receiver.
    pub fn finish(mut self) -> (Result<Vec<Segment>>, Receiver<LiveEvent>) {
        self.input = None;
        let result = match self.join.take().map(JoinHandle::join) {
            Some(Ok(r)) => r,
            _ => Err(TranscribeError::Whisper(
                "the live transcription thread failed".into(),
            )),
        };
        let (_, dummy) = mpsc::channel();
        (result, std::mem::replace(&mut self.events, dummy))
    }
}

impl Drop for LiveTranscriber {
    fn drop(&mut self) {
        self.input = None;
        if let Some(j) = self.join.take() {
            self.cancel.store(true, Ordering::SeqCst);
            let _ = j.join();
        }
    }
}

/// Energy-based voice-activity detector with hangover and pre-roll.
struct Vad {
    opts: LiveOptions,
    frame: usize,
    carry: Vec<f32>,
    /// Samples consumed (frame-aligned).
    pos: u64,
    preroll: VecDeque<f32>,
    noise: f32,
    utt: Option<Utterance>,
    speech_samples: u64,
}

struct Utterance {
    start: u64,
    samples: Vec<f32>,
    silent_frames: u64,
    speech_frames: u64,
    partial_at: usize,
}

impl Vad {
    fn new(opts: &LiveOptions) -> Self {
        let frame = (SAMPLE_RATE as u64 * opts.frame_ms / 1000).max(1) as usize;
        Self {
            frame,
            carry: Vec::new(),
            pos: 0,
            preroll: VecDeque::new(),
            noise: opts.min_speech_rms / opts.noise_ratio.max(1.0),
            utt: None,
            speech_samples: 0,
            opts: opts.clone(),
        }
    }

    fn ms(&self, frames: u64) -> u64 {
        frames * self.opts.frame_ms
    }

    /// Consumes samples; returns utterances that ended (start sample, samples).
    fn push(&mut self, samples: &[f32]) -> Vec<(u64, Vec<f32>)> {
        let mut ended = Vec::new();
        self.carry.extend_from_slice(samples);
        let whole = self.carry.len() / self.frame * self.frame;
        let frames: Vec<f32> = self.carry.drain(..whole).collect();
        for frame in frames.chunks_exact(self.frame) {
            if let Some(u) = self.frame_in(frame) {
                ended.push(u);
            }
            self.pos += self.frame as u64;
        }
        ended
    }

    fn frame_in(&mut self, frame: &[f32]) -> Option<(u64, Vec<f32>)> {
        let rms = (frame.iter().map(|s| s * s).sum::<f32>() / frame.len() as f32).sqrt();
        let speech = rms
            > self
                .opts
                .min_speech_rms
                .max(self.noise * self.opts.noise_ratio);
        let preroll_max = (SAMPLE_RATE as u64 * self.opts.preroll_ms / 1000) as usize;
        match self.utt.as_mut() {
            None if !speech => {
                // Track the room's noise floor: fall fast, rise slowly.
                self.noise = if rms < self.noise {
                    rms.max(1e-5)
                } else {
                    self.noise * 0.995 + rms * 0.005
                };
                self.preroll.extend(frame);
                while self.preroll.len() > preroll_max {
                    self.preroll.pop_front();
                }
                None
            }
            None => {
                let mut samples: Vec<f32> = self.preroll.drain(..).collect();
                let start = self.pos - samples.len() as u64;
                samples.extend_from_slice(frame);
                self.utt = Some(Utterance {
                    start,
                    samples,
                    silent_frames: 0,
                    speech_frames: 1,
                    partial_at: 0,
                });
                self.speech_samples += frame.len() as u64;
                None
            }
            Some(u) => {
                u.samples.extend_from_slice(frame);
                if speech {
                    u.silent_frames = 0;
                    u.speech_frames += 1;
                    self.speech_samples += frame.len() as u64;
                } else {
                    u.silent_frames += 1;
                }
                let len_ms = u.samples.len() as u64 * 1000 / SAMPLE_RATE as u64;
                let silent_ms = u.silent_frames * self.opts.frame_ms;
                let done = silent_ms >= self.opts.hangover_ms
                    || (len_ms >= self.opts.soft_max_ms && silent_ms >= self.opts.short_pause_ms)
                    || len_ms >= self.opts.max_utterance_ms;
                if done { self.end() } else { None }
            }
        }
    }

    /// Ends the current utterance; drops it when it held too little speech.
    fn end(&mut self) -> Option<(u64, Vec<f32>)> {
        let u = self.utt.take()?;
        if self.ms(u.speech_frames) < self.opts.min_speech_ms {
            return None;
        }
        Some((u.start, u.samples))
    }

    fn flush(&mut self) -> Option<(u64, Vec<f32>)> {
        if let Some(u) = self.utt.as_mut() {
            u.samples.append(&mut self.carry);
        }
        self.end()
    }
}

fn ms_of(samples: u64) -> u64 {
    samples * 1000 / SAMPLE_RATE as u64
}

fn worker(
    model: &Transcriber,
    options: &LiveOptions,
    input: &Receiver<Vec<f32>>,
    events: &Sender<LiveEvent>,
    cancel: &Arc<AtomicBool>,
) -> Result<Vec<Segment>> {
    let mut opts = TranscribeOptions {
        n_threads: options.n_threads,
        language: options.language.clone(),
        cancel: Arc::clone(cancel),
        progress: None,
        initial_prompt: None,
    };
    let mut vad = Vad::new(options);
    let mut finals = Vec::new();
    let mut utterance = 0u64;
    let partial_every = (SAMPLE_RATE as u64 * options.partial_every_ms / 1000) as usize;
    let mut received = 0u64;
    let finalize = |start: u64,
                    samples: Vec<f32>,
                    finals: &mut Vec<Segment>,
                    utterance: &mut u64,
                    opts: &mut TranscribeOptions|
     -> Result<()> {
        // whisper may time text into the padding: keep it inside the utterance.
        let len_ms = ms_of(samples.len() as u64);
        let segments = transcribe_padded(model, &samples, opts, Pass::Final)?
            .into_iter()
            .map(|s| Segment {
                start_ms: s.start_ms.min(len_ms) + ms_of(start),
                end_ms: s.end_ms.min(len_ms) + ms_of(start),
                text: s.text,
            })
            .collect::<Vec<_>>();
        finals.extend(segments.iter().cloned());
        // The next utterance continues this one: give whisper the recent words as context.
        let recent: String = finals
            .iter()
            .rev()
            .take(3)
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join(" ");
        opts.initial_prompt = Some(recent);
        let _ = events.send(LiveEvent::Final {
            utterance: *utterance,
            segments,
        });
        *utterance += 1;
        Ok(())
    };
    // A buffer taken off the channel while checking whether the worker has caught up; it is
    // the first one processed next round (dropping it lost audio whenever the worker lagged,
    // which made live text depend on timing).
    let mut held: Option<Vec<f32>> = None;
    loop {
        if cancel.load(Ordering::SeqCst) {
            return Err(TranscribeError::Cancelled);
        }
        let first = match held.take() {
            Some(buf) => buf,
            None => match input.recv() {
                Ok(buf) => buf,
                Err(_) => break,
            },
        };
        // Take everything already queued: when behind, skip partials and catch up.
        let mut pending = vec![first];
        pending.extend(input.try_iter());
        for buf in pending {
            received += buf.len() as u64;
            for (start, samples) in vad.push(&buf) {
                finalize(start, samples, &mut finals, &mut utterance, &mut opts)?;
            }
        }
        let _ = events.send(LiveEvent::Progress {
            audio_ms: ms_of(received),
            speech_ms: ms_of(vad.speech_samples),
        });
        let caught_up = match input.try_recv() {
            Ok(buf) => {
                held = Some(buf);
                false
            }
            Err(mpsc::TryRecvError::Empty) => true,
            // The input has ended: the final transcription follows at once.
            Err(mpsc::TryRecvError::Disconnected) => false,
        };
        if let Some(u) = vad.utt.as_mut()
            && caught_up
            && u.samples.len() >= u.partial_at + partial_every
        {
            u.partial_at = u.samples.len();
            let (start, covered) = (u.start, u.start + u.samples.len() as u64);
            let text = transcribe_padded(model, &u.samples, &opts, Pass::Draft)?
                .into_iter()
                .map(|s| s.text)
                .collect::<Vec<_>>()
                .join(" ");
            let _ = events.send(LiveEvent::Partial {
                utterance,
                start_ms: ms_of(start),
                covered_to_ms: ms_of(covered),
                text,
            });
        }
    }
    if let Some((start, samples)) = vad.flush() {
        finalize(start, samples, &mut finals, &mut utterance, &mut opts)?;
    }
    Ok(finals)
}

/// whisper.cpp wants at least a second of audio; pad short utterances with silence.
fn transcribe_padded(
    model: &Transcriber,
    samples: &[f32],
    opts: &TranscribeOptions,
    pass: Pass,
) -> Result<Vec<Segment>> {
    let min = SAMPLE_RATE as usize + SAMPLE_RATE as usize / 10;
    let padded;
    let audio = if samples.len() >= min {
        samples
    } else {
        padded = [samples, &vec![0.0; min - samples.len()]].concat();
        &padded
    };
    match pass {
        Pass::Draft => model.transcribe_draft(audio, opts),
        Pass::Final => model.transcribe_window(audio, opts),
    }
}

/// Partials are drafts (fast, reduced encoder context); finals get whisper's full window.
#[derive(Clone, Copy)]
enum Pass {
    Draft,
    Final,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noise_burst(n: usize, amp: f32) -> Vec<f32> {
        // Deterministic pseudo-noise.
        let mut x = 12345u32;
        (0..n)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                ((x >> 16) as f32 / 32768.0 - 1.0) * amp
            })
            .collect()
    }

    #[test]
    fn vad_cuts_on_pauses_skips_silence_and_drops_clicks() {
        let opts = LiveOptions::default();
        let mut vad = Vad::new(&opts);
        let mut audio = vec![0.0; 16_000]; // 1 s silence
        audio.extend(noise_burst(32_000, 0.3)); // 2 s "speech" from 1.0 s
        audio.extend(vec![0.0; 16_000]); // 1 s pause: ends it
        audio.extend(noise_burst(480, 0.3)); // a 30 ms click: dropped
        audio.extend(vec![0.0; 16_000]);
        audio.extend(noise_burst(16_000, 0.3)); // speech to the end
        let mut ended = Vec::new();
        for piece in audio.chunks(777) {
            ended.extend(vad.push(piece));
        }
        ended.extend(vad.flush());
        assert_eq!(
            ended.len(),
            2,
            "{:?}",
            ended.iter().map(|u| u.0).collect::<Vec<_>>()
        );
        let (start, samples) = &ended[0];
        // Speech starts inside the 30 ms frame at 15 840; 240 ms of pre-roll come before it.
        assert_eq!(*start, 15_840 - 3_840, "starts with the 240 ms pre-roll");
        let len_ms = samples.len() as u64 * 1000 / 16_000;
        assert!(
            (2_800..=2_900).contains(&len_ms),
            "{len_ms} ms: speech + pre-roll + hangover"
        );
        assert!(
            ended[1].0 > 16_000 * 47 / 10,
            "second utterance: after the click and pause"
        );
        assert_eq!(
            ms_of(vad.speech_samples) / 100,
            30,
            "3 s of speech (+ the click)"
        );
    }

    #[test]
    fn long_speech_is_cut_at_a_short_pause_after_the_soft_maximum() {
        let opts = LiveOptions::default();
        let mut vad = Vad::new(&opts);
        let mut ended = Vec::new();
        // 8 s speech, 200 ms pause, 8 s speech, 200 ms pause, 8 s speech.
        for _ in 0..3 {
            ended.extend(vad.push(&noise_burst(128_000, 0.3)));
            ended.extend(vad.push(&vec![0.0; 3_200]));
        }
        ended.extend(vad.flush());
        assert_eq!(ended.len(), 2);
        let first_ms = ended[0].1.len() as u64 * 1000 / 16_000;
        assert!((16_000..16_500).contains(&first_ms), "{first_ms}");
    }
}
