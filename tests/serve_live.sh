#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# `lumen serve` changed live while clients stream: the sink threads encode
# while HTTP threads change settings and read status, snapshots and
# metrics, and an RTSP client plays. CI runs it natively and under
# ThreadSanitizer (suite 'tsan'), where a race between those threads is a
# report that fails the step: this test's job is to make them meet.
#   serve_live.sh LUMEN
# Checks (each failure says what and prints the daemon's log):
#   - `lumen passwd` writes the credentials; without them the status is 401
#   - ffmpeg plays /ch0 and /ch1 over RTSP/TCP with them through all the
#     changes and exits 0 having decoded frames, nothing on stderr, with
#     strictly increasing dts in frame periods (RTP timestamps that never
#     fall in one frame period)
#   - 6 rounds of POST /api/v1/set (video0.bitrate_kbps,
#     video1.bitrate_kbps, jpeg.quality) each answer ok with restart false,
#     between reads of /image.jpg?quality=N, /api/v1/status and /metrics
#   - the encoders still encode after the last change: encoder0 and
#     encoder1 frames_out grow
#   - a password changed through the API applies at once to RTSP: the old
#     one gets 401, the new one plays; and to HTTP likewise
#   - SIGTERM: exit 0
# A small pipeline (t31-sc2336, small channels): the point is the threads,
# not the pixels. Skips (77) without curl, ffmpeg, ffprobe or python3.
set -u
lumen=$1
for t in curl ffmpeg ffprobe python3; do
	command -v $t >/dev/null 2>&1 || { echo "SKIP: $t not on PATH"; exit 77; }
done
dir=$(mktemp -d /tmp/lumen-live-test.XXXXXX)
pid=
bg=
cleanup() {
	for p in $bg; do kill "$p" 2>/dev/null; done
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*"
	echo "--- lumen serve stderr:"
	tail -30 "$dir/srv.err" 2>/dev/null
	exit 1
}
ok() { echo "ok: $*"; }

ports=$(python3 -c '
import socket
ss = [socket.socket() for _ in range(2)]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))')
rport=${ports% *}
hport=${ports#* }
cat >"$dir/cfg.yaml" <<EOF
board:
  name: "t31-sc2336"
video0:
  width: 640
  height: 360
  bitrate_kbps: 512
video1:
  width: 320
  height: 180
  bitrate_kbps: 256
jpeg:
  width: 320
  height: 180
EOF
printf 's3cret\n' | "$lumen" passwd --config "$dir/cfg.yaml" admin >"$dir/passwd.out" 2>&1 ||
	fail "lumen passwd: $(cat "$dir/passwd.out")"
grep -q s3cret "$dir/cfg.yaml" && fail "lumen passwd stored the password in plain text"

"$lumen" serve --foreground --config "$dir/cfg.yaml" --rtsp-port "$rport" \
	--http-port "$hport" >"$dir/srv.out" 2>"$dir/srv.err" &
pid=$!
# ready when it prints its URLs (or gone)
i=0
until grep -q "(web page)" "$dir/srv.out" 2>/dev/null; do
	kill -0 "$pid" 2>/dev/null || fail "lumen serve exited at start"
	i=$((i + 1))
	[ $i -gt 600 ] && fail "lumen serve did not print its URLs in 60 s"
	sleep 0.1
done
http="http://127.0.0.1:$hport"
rtsp="rtsp://127.0.0.1:$rport"
auth="admin:s3cret"

code=$(curl -s -o /dev/null -w '%{http_code}' "$http/api/v1/status")
[ "$code" = 401 ] || fail "status without credentials: $code, not 401"

# frames_out of a stage in the status JSON (-1 when absent)
frames_out() { # stage user:pass
	n=$(curl -s -u "$2" "$http/api/v1/status" |
		sed -n 's/.*"name":"'"$1"'","frames_in":[0-9]*,"frames_out":\([0-9]*\).*/\1/p')
	echo "${n:--1}"
}
# waits up to 60 s for a stage's frames_out to pass a value
wait_frames() { # stage above user:pass
	n=0
	while [ "$(frames_out "$1" "$3")" -le "$2" ]; do
		n=$((n + 1))
		[ $n -gt 300 ] && fail "$1 frames_out did not pass $2 in 60 s"
		sleep 0.2
	done
}
wait_frames encoder0 0 "$auth"

# an RTSP client on each channel playing through every change (they end
# by themselves). Passthrough timing: every decoded frame is written with
# its own timestamp in frame periods (the muxer's 1/fps time base), so two
# RTP timestamps within one period show as equal dts
for ch in 0 1; do
	ffmpeg -nostdin -v error -rtsp_transport tcp -i "rtsp://$auth@127.0.0.1:$rport/ch$ch" \
		-t 12 -fps_mode passthrough -f framecrc "$dir/ffmpeg$ch.crc" \
		2>"$dir/ffmpeg$ch.err" &
	eval ff$ch=$!
	bg="$bg $!"
done

set_keys() { # query user:pass -> prints the reply
	curl -s -X POST -H 'X-Lumen-Request: 1' -u "$2" "$http/api/v1/set?$1"
}
round=0
for rate in 300 1500 400 2000 500 1000; do
	round=$((round + 1))
	reply=$(set_keys "video0.bitrate_kbps=$rate&video1.bitrate_kbps=$((rate / 2))&jpeg.quality=$((60 + round * 5))" "$auth")
	case $reply in
	*'"ok":true'*'"restart":false'*) ;;
	*) fail "round $round: set answered: $reply" ;;
	esac
	code=$(curl -s -u "$auth" -o "$dir/q.jpg" -w '%{http_code}' "$http/image.jpg?quality=$((30 + round * 10))")
	[ "$code" = 200 ] || fail "round $round: /image.jpg?quality: $code"
	curl -s -u "$auth" -o /dev/null "$http/metrics" || fail "round $round: /metrics"
	before=$(frames_out encoder0 "$auth")
	wait_frames encoder0 "$before" "$auth"
done
ok "6 rounds of live changes while /ch0 played; encoder0 kept encoding"
b1=$(frames_out encoder1 "$auth")
wait_frames encoder1 "$b1" "$auth"
ok "encoder1 still encoding after the changes"

for ch in 0 1; do
	eval "wait \$ff$ch"
	rc=$?
	frames=$(grep -vc '^#' "$dir/ffmpeg$ch.crc" 2>/dev/null)
	[ "$rc" = 0 ] || fail "ffmpeg /ch$ch exited $rc: $(tail -3 "$dir/ffmpeg$ch.err")"
	[ "${frames:-0}" -gt 0 ] || fail "ffmpeg decoded no frame of /ch$ch"
	[ -s "$dir/ffmpeg$ch.err" ] && fail "ffmpeg /ch$ch: $(head -3 "$dir/ffmpeg$ch.err")"
	# RTP timestamps strictly increasing: no dts repeats or goes back.
	# From the second frame on: ffmpeg gives the first AU it reads no
	# pts and writes it at 0, where the second lands too
	bad=$(grep -v '^#' "$dir/ffmpeg$ch.crc" | awk -F, \
		'NR > 2 && $2 + 0 <= prev { print NR ": " prev " then " $2 + 0; exit } { prev = $2 + 0 }')
	[ -z "$bad" ] || fail "/ch$ch: dts not strictly increasing at frame $bad"
	ok "ffmpeg played /ch$ch with credentials through the changes: $frames frames, dts strictly increasing, exit 0"
done
bg=

# a new password through the API applies at once to both servers
reply=$(set_keys "auth.user=admin&auth.password=n3w" "$auth")
case $reply in
*'"ok":true'*) ;;
*) fail "changing the password through the API: $reply" ;;
esac
grep -q n3w "$dir/cfg.yaml" && fail "the new password was saved in plain text"
ffprobe -v error -rtsp_transport tcp -show_entries stream=codec_name -of csv=p=0 \
	"rtsp://$auth@127.0.0.1:$rport/ch0" >"$dir/old.out" 2>&1 &&
	fail "RTSP still plays with the old password after it changed"
grep -q 401 "$dir/old.out" || fail "RTSP with the old password: $(tail -2 "$dir/old.out")"
codec=$(ffprobe -v error -rtsp_transport tcp -show_entries stream=codec_name -of csv=p=0 \
	"rtsp://admin:n3w@127.0.0.1:$rport/ch0" 2>"$dir/new.err")
[ "$codec" = h264 ] || fail "RTSP with the new password: '$codec' $(tail -2 "$dir/new.err")"
code=$(curl -s -u "$auth" -o /dev/null -w '%{http_code}' "$http/api/v1/status")
[ "$code" = 401 ] || fail "HTTP with the old password: $code, not 401"
code=$(curl -s -u admin:n3w -o /dev/null -w '%{http_code}' "$http/api/v1/status")
[ "$code" = 200 ] || fail "HTTP with the new password: $code"
ok "a password changed through the API applies at once: RTSP and HTTP refuse the old one, take the new one"

kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
[ "$rc" = 0 ] || fail "lumen serve exited $rc on SIGTERM"
ok "SIGTERM: exit 0"
