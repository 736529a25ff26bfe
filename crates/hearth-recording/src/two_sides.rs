//! Two streams, two speakers: the microphone is the advisor, the system audio is the other
//! side of the call. Each stream is transcribed on its own; [`merge`] orders the segments of
//! both by time into one transcript and labels them. Sans-I/O: segments in, segments out.

use hearth_transcribe::Segment;

/// Who each stream is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Speakers {
    /// The microphone's speaker: the advisor recording.
    pub advisor: String,
    /// The system audio's speaker: the one consented participant who is not the advisor,
    /// or "Client" when there are several or none.
    pub other_side: String,
}

impl Speakers {
    /// The advisor, and the other side named from the meeting's participants.
    pub fn for_meeting(advisor: &str, participants: &[String]) -> Self {
        let others: Vec<&String> = participants
            .iter()
            .filter(|p| !p.trim().eq_ignore_ascii_case(advisor.trim()))
            .collect();
        let other_side = match others.as_slice() {
            [one] => one.trim().to_string(),
            _ => "Client".to_string(),
        };
        Self {
            advisor: advisor.to_string(),
            other_side,
        }
    }
}

/// Analysis frame of the echo gate (30 ms at 16 kHz).
const GATE_FRAME: usize = 480;
/// The system side's level is taken as the loudest within this many frames either side
/// (±300 ms): the two streams are not aligned to the sample (each device has its own
/// latency).
const GATE_SPREAD: usize = 10;
/// Below this RMS the system side is quiet and the microphone is left alone.
const GATE_SYSTEM_SPEECH_RMS: f32 = 0.01;
/// A microphone frame quieter than this share of the system side's level is the speakers
/// heard through the air (an advisor speaking is louder at their own microphone).
const GATE_ECHO_RATIO: f32 = 0.5;

fn frame_rms(frame: &[f32]) -> f32 {
    if frame.is_empty() {
        return 0.0;
    }
    (frame.iter().map(|s| s * s).sum::<f32>() / frame.len() as f32).sqrt()
}

/// The microphone's audio with the speakers' echo silenced, for transcription only (the
/// sealed audio is untouched), and the seconds silenced. Without headphones the microphone
/// hears the other side from the speakers; where the system stream carries speech and the
/// microphone is much quieter than it, the microphone hears only that echo. Where both are
/// loud (the advisor talking over the client) the microphone is kept.
pub fn gate_echo(mic: &[f32], system: &[f32]) -> (Vec<f32>, f64) {
    let mut gate = EchoGate::default();
    gate.push_system(system);
    let mut gated = gate.push_mic(mic);
    gated.extend(gate.finish());
    (gated, gate.silenced_secs())
}

/// [`gate_echo`] for audio arriving in pieces while recording (the live transcript): both
/// streams on one timeline; gated microphone audio comes out once the system audio around
/// it (±300 ms) has arrived, whole 30 ms frames at a time.
#[derive(Debug, Default)]
pub struct EchoGate {
    /// RMS of every whole system frame so far.
    system_levels: Vec<f32>,
    /// System samples of the frame in progress.
    system_partial: Vec<f32>,
    /// Microphone samples not yet released.
    mic_pending: Vec<f32>,
    /// Microphone frames released so far.
    mic_frames_out: usize,
    silenced: usize,
    system_ended: bool,
}

impl EchoGate {
    /// Adds system audio; returns the microphone audio it releases.
    pub fn push_system(&mut self, samples: &[f32]) -> Vec<f32> {
        self.system_partial.extend_from_slice(samples);
        let whole = self.system_partial.len() / GATE_FRAME * GATE_FRAME;
        self.system_levels.extend(
            self.system_partial[..whole]
                .chunks(GATE_FRAME)
                .map(frame_rms),
        );
        self.system_partial.drain(..whole);
        self.release(false)
    }

    /// Adds microphone audio; returns the gated microphone audio that can be released.
    pub fn push_mic(&mut self, samples: &[f32]) -> Vec<f32> {
        self.mic_pending.extend_from_slice(samples);
        self.release(false)
    }

    /// The system stream ended (or stopped): releases all the microphone audio held back.
    pub fn finish(&mut self) -> Vec<f32> {
        if !self.system_partial.is_empty() {
            self.system_levels.push(frame_rms(&self.system_partial));
            self.system_partial.clear();
        }
        self.system_ended = true;
        self.release(true)
    }

    /// Seconds of microphone audio silenced so far.
    pub fn silenced_secs(&self) -> f64 {
        self.silenced as f64 / 16_000.0
    }

    fn release(&mut self, everything: bool) -> Vec<f32> {
        let mut out = Vec::new();
        loop {
            let i = self.mic_frames_out;
            let frame_len = GATE_FRAME.min(self.mic_pending.len());
            let whole = frame_len == GATE_FRAME;
            let known = self.system_ended || self.system_levels.len() > i + GATE_SPREAD;
            if frame_len == 0 || !(whole || everything) || !known {
                break;
            }
            let mut frame: Vec<f32> = self.mic_pending.drain(..frame_len).collect();
            let near =
                &self.system_levels[i.saturating_sub(GATE_SPREAD).min(self.system_levels.len())
                    ..(i + GATE_SPREAD + 1).min(self.system_levels.len())];
            let system_level = near.iter().copied().fold(0.0f32, f32::max);
            if system_level >= GATE_SYSTEM_SPEECH_RMS
                && frame_rms(&frame) < system_level * GATE_ECHO_RATIO
            {
                frame.fill(0.0);
                self.silenced += frame.len();
            }
            out.extend(frame);
            self.mic_frames_out += 1;
        }
        out
    }
}

/// A microphone segment within this long of a system segment may be its echo.
pub const ECHO_WINDOW_MS: u64 = 1_500;

/// Share of a microphone segment's words found in the system segments around it that makes
/// it an echo of them.
const ECHO_SHARE: f64 = 0.6;

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Whether `mic` repeats what the system side said around the same time: without
/// headphones the microphone hears the speakers, and whisper transcribes the call twice.
fn is_echo(mic: &Segment, system: &[Segment]) -> bool {
    let mine = words(&mic.text);
    if mine.is_empty() {
        return true;
    }
    let near: Vec<String> = system
        .iter()
        .filter(|s| {
            s.start_ms <= mic.end_ms + ECHO_WINDOW_MS && mic.start_ms <= s.end_ms + ECHO_WINDOW_MS
        })
        .flat_map(|s| words(&s.text))
        .collect();
    if near.is_empty() {
        return false;
    }
    let heard = mine.iter().filter(|w| near.contains(w)).count();
    heard as f64 / mine.len() as f64 >= ECHO_SHARE
}

/// One transcript from both streams, ordered by start time (the microphone first on a tie):
/// microphone segments are the advisor's, system segments the other side's; a microphone
/// segment that echoes the system side ([`ECHO_WINDOW_MS`], most of its words) is kept once,
/// on the system side. Returns the transcript and how many echoes were dropped.
pub fn merge(
    mic: &[Segment],
    system: &[Segment],
    speakers: &Speakers,
) -> (Vec<hearth_intel::Segment>, usize) {
    let label = |s: &Segment, who: &str| hearth_intel::Segment {
        start_ms: s.start_ms,
        end_ms: s.end_ms,
        speaker: Some(who.to_string()),
        text: s.text.clone(),
    };
    let kept: Vec<&Segment> = mic.iter().filter(|s| !is_echo(s, system)).collect();
    let echoes = mic.len() - kept.len();
    let mut out: Vec<(u8, hearth_intel::Segment)> = kept
        .into_iter()
        .map(|s| (0, label(s, &speakers.advisor)))
        .chain(system.iter().map(|s| (1, label(s, &speakers.other_side))))
        .collect();
    out.sort_by_key(|(side, s)| (s.start_ms, *side));
    (out.into_iter().map(|(_, s)| s).collect(), echoes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(start_ms: u64, end_ms: u64, text: &str) -> Segment {
        Segment {
            start_ms,
            end_ms,
            text: text.to_string(),
        }
    }

    fn speakers() -> Speakers {
        Speakers::for_meeting(
            "Dana Advisor",
            &["Dana Advisor".to_string(), "Ada Okafor".to_string()],
        )
    }

    #[test]
    fn the_other_side_is_named_from_the_one_other_participant() {
        assert_eq!(speakers().other_side, "Ada Okafor");
        let couple = Speakers::for_meeting(
            "Dana Advisor",
            &["Ada Okafor".to_string(), "Ben Okafor".to_string()],
        );
        assert_eq!(couple.other_side, "Client");
        assert_eq!(
            Speakers::for_meeting("Dana Advisor", &[]).other_side,
            "Client"
        );
    }

    #[test]
    fn segments_of_both_streams_interleave_by_time_with_their_speakers() {
        let mic = vec![
            seg(0, 2_000, "Good morning, Ada."),
            seg(6_000, 8_000, "I will send the transfer form."),
        ];
        let system = vec![seg(2_500, 5_500, "Morning. Can we talk about the IRA?")];
        let (merged, echoes) = merge(&mic, &system, &speakers());
        assert_eq!(echoes, 0);
        let said: Vec<(&str, &str)> = merged
            .iter()
            .map(|s| (s.speaker.as_deref().unwrap(), s.text.as_str()))
            .collect();
        assert_eq!(
            said,
            vec![
                ("Dana Advisor", "Good morning, Ada."),
                ("Ada Okafor", "Morning. Can we talk about the IRA?"),
                ("Dana Advisor", "I will send the transfer form."),
            ]
        );
    }

    #[test]
    fn what_the_microphone_hears_from_the_speakers_is_kept_once_on_the_system_side() {
        let system = vec![seg(
            3_000,
            6_000,
            "I'll sign the beneficiary form this week.",
        )];
        let mic = vec![
            seg(0, 2_000, "What would you like to do?"),
            // The echo, a little later and slightly misheard.
            seg(3_100, 6_200, "I'll sign the beneficiary forms this week"),
            // The same words long after are someone saying them again, not an echo.
            seg(20_000, 23_000, "I'll sign the beneficiary form this week."),
        ];
        let (merged, echoes) = merge(&mic, &system, &speakers());
        assert_eq!(echoes, 1);
        let said: Vec<(&str, u64)> = merged
            .iter()
            .map(|s| (s.speaker.as_deref().unwrap(), s.start_ms))
            .collect();
        assert_eq!(
            said,
            vec![
                ("Dana Advisor", 0),
                ("Ada Okafor", 3_000),
                ("Dana Advisor", 20_000)
            ]
        );
    }

    fn tone(secs: f32, amplitude: f32) -> Vec<f32> {
        (0..(secs * 16_000.0) as usize)
            .map(|i| amplitude * (i as f32 * 0.07).sin())
            .collect()
    }

    #[test]
    fn the_speakers_heard_by_the_microphone_are_silenced_and_the_advisor_kept() {
        // System: 1 s quiet, 2 s of the client (0.3), 2 s quiet. Microphone: the advisor
        // (0.3) in the first second, the client's echo (0.3 × 0.25, 60 ms late) while the
        // client talks, the advisor again over the last two seconds.
        let mut system = tone(1.0, 0.0);
        system.extend(tone(2.0, 0.3));
        system.extend(tone(2.0, 0.0));
        let mut mic = tone(1.0, 0.3);
        mic.extend(tone(0.06, 0.0));
        mic.extend(tone(2.0, 0.075));
        mic.extend(tone(1.94, 0.3));
        let (gated, silenced) = gate_echo(&mic, &system);
        assert_eq!(gated.len(), mic.len());
        let level = |from: f32, to: f32| {
            frame_rms(&gated[(from * 16_000.0) as usize..(to * 16_000.0) as usize])
        };
        assert!(level(0.0, 0.8) > 0.2, "the advisor before is kept");
        assert_eq!(level(1.2, 2.9), 0.0, "the echo is silenced");
        assert!(level(3.4, 5.0) > 0.2, "the advisor after is kept");
        assert!((1.9..2.4).contains(&silenced), "{silenced}");
        // The advisor talking over the client, as loud as the system side: kept.
        let (over, silenced) = gate_echo(&tone(2.0, 0.3), &tone(2.0, 0.3));
        assert_eq!(silenced, 0.0);
        assert!(frame_rms(&over) > 0.2);
    }

    #[test]
    fn the_live_gate_in_pieces_gives_what_the_whole_gate_gives() {
        let mut system = tone(1.0, 0.0);
        system.extend(tone(2.0, 0.3));
        system.extend(tone(2.0, 0.0));
        let mut mic = tone(1.0, 0.3);
        mic.extend(tone(2.0, 0.075));
        mic.extend(tone(2.0, 0.3));
        let (whole, silenced) = gate_echo(&mic, &system);
        // Pieces of odd sizes, the system side running behind the microphone.
        let mut gate = EchoGate::default();
        let mut live = Vec::new();
        for (m, s) in mic.chunks(1_000).zip(system.chunks(1_000)) {
            live.extend(gate.push_mic(m));
            assert!(
                live.len() + GATE_FRAME * (GATE_SPREAD + 2)
                    >= gate.system_levels.len() * GATE_FRAME
            );
            live.extend(gate.push_system(s));
        }
        live.extend(gate.finish());
        assert_eq!(live, whole);
        assert_eq!(gate.silenced_secs(), silenced);
    }

    #[test]
    fn an_advisor_talking_over_the_client_is_not_an_echo() {
        let system = vec![seg(1_000, 4_000, "We sold the rental property in March.")];
        let mic = vec![seg(1_500, 3_500, "Right, and the capital gains on that.")];
        let (merged, echoes) = merge(&mic, &system, &speakers());
        assert_eq!(echoes, 0);
        assert_eq!(merged.len(), 2);
    }
}
