#!/usr/bin/env bash
# Sets up a Debian machine, builds Hearth and runs its main flow headlessly: a demo advisor
# profile (real SQLCipher file) with households, members, accounts, notes and open loops,
# the household page, its history and an export — the same flows the desktop app drives.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

cargo build --release --locked -p hearth-cli
HEARTH="$CARGO_TARGET_DIR/release/hearth"

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

step "No plaintext on disk"
if grep -rqa "Johnson" "$HEARTH_PROFILE"; then echo "FOUND plaintext in the profile!"; exit 1; fi
echo "grep -r 'Johnson' $HEARTH_PROFILE: no match (the database is SQLCipher-encrypted)"
"$HEARTH" check

echo
echo "Demo profile left in $DEMO_DIR (passphrase: \$HEARTH_PASSPHRASE)."
