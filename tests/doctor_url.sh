#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Integration: `lumen doctor --url` on a running `lumen serve` (lumen
# issue 5 item 1). For each virtual-board fault that lets the daemon start,
# serve runs with the fault on free ports and the doctor, reading only the
# status API, must name the first broken stage and the top cause. Faults
# that stop the start must make serve exit 1 naming the stage; a URL with
# nothing behind it or without a stage table must give exit 1 and a
# one-line reason.
#   usage: doctor_url.sh LUMEN KB
set -u
lumen=$1 kb=$2
tmp=$(mktemp -d) || exit 1
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail=0

start_serve() { # fault...
	args=""
	for f in "$@"; do args="$args --fault $f"; done
	# emptied here: the redirection below happens in the child, after
	# the loop may already have read the previous run's URL
	: >"$tmp/serve.txt"
	# shellcheck disable=SC2086
	"$lumen" serve --foreground --rtsp-port 0 --http-port 0 $args \
		>"$tmp/serve.txt" 2>&1 &
	pid=$!
	url=
	for _ in $(seq 1 100); do
		url=$(sed -n 's|^\(http://127.0.0.1:[0-9]*\)/  (web page)$|\1|p' "$tmp/serve.txt")
		[ -n "$url" ] && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

stop_serve() {
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	pid=
}

# fault | first broken stage | top cause ("-": none expected)
while read -r fault stage cause; do
	[ -z "$fault" ] && continue
	if [ "$fault" = none ]; then set --; else set -- "$fault"; fi
	if ! start_serve "$@"; then
		echo "FAIL $fault: lumen serve did not start:"; cat "$tmp/serve.txt"
		fail=1; stop_serve; continue
	fi
	sleep 1	# past start-up: the doctor judges what flows now
	if ! "$lumen" doctor --kb "$kb" --json --interval 1.5 --url "$url" \
		>"$tmp/r.json" 2>"$tmp/err.txt"; then
		echo "FAIL $fault: lumen doctor --url failed: $(cat "$tmp/err.txt")"
		kill -0 "$pid" 2>/dev/null || echo "  lumen serve is gone; it printed:"
		sed 's/^/  | /' "$tmp/serve.txt"
		fail=1; stop_serve; continue
	fi
	stop_serve
	got_stage=$(sed -n 's/.*"first_broken_stage": "\{0,1\}\([a-z0-9]*\)"\{0,1\},.*/\1/p' "$tmp/r.json")
	got_cause=$(sed -n '/"causes": \[$/{n;s/.*{"id": "\([^"]*\)".*/\1/p;}' "$tmp/r.json")
	[ -z "$got_cause" ] && got_cause=-
	if [ "$fault" = few-buffers ] && [ "$got_stage" = null ]; then
		# one DMA buffer only shows when a frame arrives while the ISP
		# holds it; where rendering is as slow as the ISP none does
		echo "skip $fault: no frame arrived while the buffer was held (machine too slow)"
		continue
	fi
	if [ "$got_stage" = "$stage" ] && [ "$got_cause" = "$cause" ]; then
		echo "ok   $fault: $got_stage, $got_cause"
	else
		echo "FAIL $fault: got '$got_stage' '$got_cause', expected '$stage' '$cause'"
		fail=1
	fi
done <<'CASES'
none null -
lanes link lane-count-mismatch
pad link sensor-pad-mismatch
no-stream sensor sensor-never-streamed
link-noise link link-signal-integrity
receiver-unconfigured receiver receiver-not-configured
few-buffers dma too-few-buffers
stalled-consumer streamer consumer-stalled
CASES

# faults that stop the start: serve exits 1 and says at which stage
for fault in mclk i2c-addr; do
	"$lumen" serve --foreground --rtsp-port 0 --http-port 0 --fault "$fault" \
		>"$tmp/serve.txt" 2>&1
	rc=$?
	if [ $rc = 1 ] && grep -q "start failed at stage 'i2c'" "$tmp/serve.txt"; then
		echo "ok   $fault: serve exits 1 at stage i2c"
	else
		echo "FAIL $fault: serve exit $rc: $(cat "$tmp/serve.txt")"; fail=1
	fi
done

# a URL that is not a lumen status table, and one with nothing behind it
if start_serve; then
	"$lumen" doctor --kb "$kb" --interval 0.1 --url "$url/api/v1/config" \
		>/dev/null 2>"$tmp/err.txt"
	rc=$?
	if [ $rc = 1 ] && grep -q "no stage table" "$tmp/err.txt"; then
		echo "ok   not a status table: $(cat "$tmp/err.txt")"
	else
		echo "FAIL not a status table: exit $rc: $(cat "$tmp/err.txt")"; fail=1
	fi
	stop_serve
	"$lumen" doctor --kb "$kb" --interval 0.1 --url "$url" >/dev/null 2>"$tmp/err.txt"
	rc=$?
	if [ $rc = 1 ] && grep -q "connect: Connection refused" "$tmp/err.txt"; then
		echo "ok   closed port: $(cat "$tmp/err.txt")"
	else
		echo "FAIL closed port: exit $rc: $(cat "$tmp/err.txt")"; fail=1
	fi
else
	echo "FAIL lumen serve did not start"; fail=1
fi
"$lumen" doctor --url "https://example.com" >/dev/null 2>"$tmp/err.txt"
if [ $? = 1 ] && grep -q "only http://" "$tmp/err.txt"; then
	echo "ok   https refused: $(cat "$tmp/err.txt")"
else
	echo "FAIL https: $(cat "$tmp/err.txt")"; fail=1
fi
exit $fail
