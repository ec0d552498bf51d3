#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Integration: every fault the virtual board injects (lumen issue 3 item 7),
# run with `lumen run`, then diagnosed by `lumen doctor` from the run's
# output alone. Checks the first broken stage and the top cause.
#   usage: doctor_virtual.sh LUMEN KB [SAVE_DIR]
# With SAVE_DIR, also writes each run's output there (the fixtures
# tests/doctor/virtual-*.txt are made this way).
set -u
lumen=$1 kb=$2 save=${3:-}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0

# fault | first broken stage | top cause (or "-": any of the listed)
while read -r fault stage cause also; do
	[ -z "$fault" ] && continue
	if [ "$fault" = none ]; then args=""; else args="--fault $fault"; fi
	# shellcheck disable=SC2086
	"$lumen" run --board imou-bullet3 -o "$tmp/out" --frames 20 --timeout 3 $args \
		>"$tmp/run.txt" 2>&1
	[ -n "$save" ] && cp "$tmp/run.txt" "$save/run-$fault.txt"
	if ! "$lumen" doctor --kb "$kb" --json "$tmp/run.txt" >"$tmp/r.json"; then
		echo "FAIL $fault: lumen doctor failed"; fail=1; continue
	fi
	got_stage=$(sed -n 's/.*"first_broken_stage": "\{0,1\}\([a-z0-9]*\)"\{0,1\},.*/\1/p' "$tmp/r.json")
	got_cause=$(grep -m1 -o '"causes": \[$' "$tmp/r.json" >/dev/null &&
		sed -n '/"causes": \[$/{n;s/.*{"id": "\([^"]*\)".*/\1/p;}' "$tmp/r.json")
	ok=1
	[ "$got_stage" = "$stage" ] || ok=0
	if [ "$cause" != "-" ] && [ "$got_cause" != "$cause" ]; then ok=0; fi
	for c in $also; do
		grep -q "{\"id\": \"$c\"" "$tmp/r.json" || ok=0
	done
	if [ $ok = 1 ]; then
		echo "ok   $fault: $got_stage, $got_cause"
	else
		echo "FAIL $fault: got '$got_stage' '$got_cause', expected '$stage' '$cause' $also"
		fail=1
	fi
done <<'CASES'
none null -
lanes link lane-count-mismatch
pad link sensor-pad-mismatch
mclk i2c no-power-or-mclk wrong-i2c-address
i2c-addr i2c - wrong-i2c-address no-power-or-mclk
no-stream sensor sensor-never-streamed
link-noise link link-signal-integrity
receiver-unconfigured receiver receiver-not-configured
few-buffers dma too-few-buffers
stalled-consumer streamer consumer-stalled
CASES
exit $fail
