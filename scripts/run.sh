#!/usr/bin/env bash
# Sets up a Debian machine, builds Hearth and runs its main flow headlessly: a demo advisor
# profile (real SQLCipher file) with households, members, accounts, notes and open loops,
# the household page, its history and an export — the same flows the desktop app drives.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

cargo build --release --locked -p hearth-cli -p hearth-relay
HEARTH="$CARGO_TARGET_DIR/release/hearth"
RELAY="$CARGO_TARGET_DIR/release/hearth-relay"

DEMO_DIR="${HEARTH_DEMO_DIR:-$(mktemp -d -t hearth-demo-XXXXXX)}"
export HEARTH_PROFILE="$DEMO_DIR/profile"
export HEARTH_PASSPHRASE="${HEARTH_PASSPHRASE:-demo passphrase}"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Create an advisor profile (encrypted with SQLCipher; key from the OS keyring, or the passphrase here)"
"$HEARTH" init --advisor "Avery Advisor" --device "demo-laptop"
"$HEARTH" info

step "Households"
JOHNSON=$("$HEARTH" household create --name "The Johnson Family" --status client)
NAKAMURA=$("$HEARTH" household create --name "Nakamura Household" --status prospect)
"$HEARTH" household set "$JOHNSON" --segment A --tag referral
"$HEARTH" member add "$JOHNSON" --name "Robert Johnson" --role Head --birth-year 1958 >/dev/null
"$HEARTH" member add "$JOHNSON" --name "Linda Johnson" --role Spouse --birth-year 1961 >/dev/null
"$HEARTH" member add "$JOHNSON" --name "Ava Johnson" --role Child --birth-year 2012 >/dev/null
"$HEARTH" account add "$JOHNSON" --type "Rollover IRA" --custodian Schwab --registration Individual --aum 1250000.00 --fee-rate 0.0085 >/dev/null
"$HEARTH" account add "$JOHNSON" --type "Joint Brokerage" --custodian Fidelity --registration JTWROS --aum 430512.37 --fee-rate 0.0085 >/dev/null
"$HEARTH" goal add "$JOHNSON" --title "Retire at 67" --date 2025-06-30 >/dev/null
"$HEARTH" goal add "$JOHNSON" --title "Fund Ava's college" --amount 180000 --date 2030-08-15 >/dev/null
NOTE=$("$HEARTH" note add "$JOHNSON" --category planning --text "Reviewed RMD schedule; Robert turns 73 in 2031.")
"$HEARTH" note edit "$JOHNSON" "$NOTE" --text "Reviewed RMD schedule; Robert turns 73 in 2031. Consider QCDs." >/dev/null
"$HEARTH" note add "$JOHNSON" --category client_updates --text "Linda retiring from teaching in June." >/dev/null
"$HEARTH" note add "$JOHNSON" --category compliance --text "Delivered Form ADV Part 2A." >/dev/null
TASK=$("$HEARTH" task add "$JOHNSON" --title "Send 529 enrollment forms" --due 2026-12-04)
"$HEARTH" task add "$JOHNSON" --title "Update beneficiary designations" --due 2027-01-15 >/dev/null
"$HEARTH" task done "$JOHNSON" "$TASK" >/dev/null
"$HEARTH" fact add "$JOHNSON" --key risk_tolerance --value moderate --source "annual review" --confidence 0.9 >/dev/null
"$HEARTH" template apply "$JOHNSON" wealth >/dev/null
"$HEARTH" template set "$JOHNSON" risk_tolerance '"moderate"' >/dev/null
"$HEARTH" member add "$NAKAMURA" --name "Kenji Nakamura" --role Head >/dev/null
"$HEARTH" household list

step "The household page"
"$HEARTH" household show "$JOHNSON"

step "Who changed what, straight from the Automerge history"
"$HEARTH" history "$JOHNSON"

step "Everything as JSON (you own your data), checked back into a fresh profile"
"$HEARTH" export "$DEMO_DIR/export.json"
"$HEARTH" --profile "$DEMO_DIR/restored" init --advisor "Avery Advisor" --device "new-laptop" --key-storage passphrase >/dev/null
"$HEARTH" --profile "$DEMO_DIR/restored" import "$DEMO_DIR/export.json"
"$HEARTH" --profile "$DEMO_DIR/restored" household list

step "A meeting: transcript with attested consent, offline analysis, accept into the household"
cat > "$DEMO_DIR/review.txt" <<'TRANSCRIPT'
Avery: Thanks for coming in, Linda and Robert. Let's start with the 529 for Ava.
Linda: We'd like to put in another ten thousand this year. Also, I'm retiring from teaching in June.
Avery: Congratulations! I'll send you the 529 contribution form by Friday.
Robert: My old 401(k) account number is 7730 0198 42, can we roll it over?
Avery: Yes. Please send me the latest statement by next Tuesday and I'll prepare the rollover paperwork.
TRANSCRIPT
MEETING=$("$HEARTH" meeting import-transcript "$JOHNSON" "$DEMO_DIR/review.txt" --consent-by "Linda Johnson,Robert Johnson" --title "Annual review")
"$HEARTH" meeting analyze "$MEETING"
"$HEARTH" meeting accept "$MEETING" action:0 notes
"$HEARTH" history "$JOHNSON" | tail -2

step "Two advisors sync through a local relay (real WebSockets, tenant-scoped, sealed at rest)"
export HEARTH_RELAY_MASTER_KEY="$("$RELAY" keys generate)"
RELAY_DB="sqlite://$DEMO_DIR/relay.db"
coproc RELAY_PROC { exec "$RELAY" --database "$RELAY_DB" serve --listen 127.0.0.1:0 --stop-on-stdin-eof 2>"$DEMO_DIR/relay.log"; }
read -r RELAY_LINE <&"${RELAY_PROC[0]}"
RELAY_URL="${RELAY_LINE##* }"
echo "$RELAY_LINE"
FIRM=$("$RELAY" --database "$RELAY_DB" firm create --name "Hearthstone Wealth")
CODE_A=$("$RELAY" --database "$RELAY_DB" advisor invite --firm "$FIRM" --name "Avery Advisor" --json | sed -n 's/.*"enrollment_code": "\([^"]*\)".*/\1/p')
CODE_B=$("$RELAY" --database "$RELAY_DB" advisor invite --firm "$FIRM" --name "Blake Advisor" --json | sed -n 's/.*"enrollment_code": "\([^"]*\)".*/\1/p')
"$HEARTH" enroll --relay "$RELAY_URL" --code "$CODE_A"
"$HEARTH" sync
BLAKE="$DEMO_DIR/blake"
"$HEARTH" --profile "$BLAKE" init --advisor "Blake Advisor" --device "blake-laptop" --key-storage passphrase >/dev/null
"$HEARTH" --profile "$BLAKE" enroll --relay "$RELAY_URL" --code "$CODE_B"
"$HEARTH" share "$JOHNSON" --with "Blake Advisor"
"$HEARTH" --profile "$BLAKE" sync
"$HEARTH" --profile "$BLAKE" note add "$JOHNSON" --category decisions --text "Blake: rollover approved by Robert." >/dev/null
"$HEARTH" --profile "$BLAKE" sync
"$HEARTH" sync
"$HEARTH" history "$JOHNSON" | tail -1

step "Search (tantivy, encrypted index): Blake's note, typed with a typo, after a plain sync"
"$HEARTH" search "rolover approved"
exec {RELAY_PROC[1]}>&-

step "No plaintext on disk"
if grep -rqa "Johnson" "$HEARTH_PROFILE"; then echo "FOUND plaintext in the profile!"; exit 1; fi
echo "grep -r 'Johnson' $HEARTH_PROFILE: no match (the database is SQLCipher-encrypted)"
"$HEARTH" check

echo
echo "Demo profile left in $DEMO_DIR (passphrase: \$HEARTH_PASSPHRASE)."

# With a display (and not in CI), open the same profile in the desktop app.
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${CI:-}" ]; then
  step "Desktop app on the demo profile (unlock with: $HEARTH_PASSPHRASE; close the window to finish)"
  npm --prefix ui ci --no-audit --no-fund --loglevel=error
  npm --prefix ui run build
  cargo build --release --locked -p hearth-desktop
  HEARTH_PROFILE="$HEARTH_PROFILE" "$CARGO_TARGET_DIR/release/hearth-desktop"
else
  echo "No display here: the desktop app (src-tauri/, ui/) is skipped; the flows above are the ones it drives."
fi
