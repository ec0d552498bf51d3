#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Real RTSP clients against lumen's server on loopback, serving a generated
# H.264 file (640x360, 25 fps, GOP 25) through tests/rtsp_serve_file:
#   - ffprobe over TCP and UDP reports h264 640x360
#   - ffmpeg over TCP decodes >= 95 % of 5 s of frames, nothing on stderr
#   - gst-launch rtspsrc ! rtph264depay ! h264parse ! avdec_h264 reaches EOS
#   - 8 ffmpeg clients at once all get >= 95 % of their frames while a 9th
#     client set up over TCP and playing never reads its socket
#   - garbage, a huge header, bad CSeq, bad Transport, unknown path get
#     error statuses; the server still serves afterwards
#   - credentials set while serving (rtsp_serve_file's stdin): a client
#     without them gets 401; ffprobe, ffmpeg and gst-launch with
#     rtsp://user:pass@ authenticate (Digest) and play
# Usage: rtsp_clients.sh path/to/rtsp_serve_file
set -u
serve=$1
for t in ffmpeg ffprobe nc bash; do
	command -v $t >/dev/null 2>&1 || { echo "SKIP: $t not on PATH"; exit 77; }
done
dir=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; cat "$dir/srv.txt" "$dir/srv.err" 2>/dev/null; exit 1; }

ffmpeg -v error -y -f lavfi -i testsrc=size=640x360:rate=25 -t 4 -c:v libx264 \
	-tune zerolatency -bf 0 -g 25 "$dir/out.h264" ||
	{ echo "SKIP: ffmpeg cannot make the H.264 fixture (libx264?)"; exit 77; }

# the server reads credential commands from a FIFO (see rtsp_serve_file.c)
mkfifo "$dir/ctl"
"$serve" "$dir/out.h264" --fps 25 --size 640x360 --stall-ms 2000 <"$dir/ctl" \
	>"$dir/srv.txt" 2>"$dir/srv.err" &
pid=$!
exec 3>"$dir/ctl"
port=
for i in 1 2 3 4 5 6 7 8 9 10; do
	port=$(sed -n 's/^port //p' "$dir/srv.txt")
	[ -n "$port" ] && break
	sleep 0.2
done
[ -n "$port" ] || fail "server did not start: $(cat "$dir/srv.err")"
url=rtsp://127.0.0.1:$port/ch0
echo "serving on $url"

# --- ffprobe, TCP and UDP -------------------------------------------------
for tr in tcp udp; do
	out=$(timeout 30 ffprobe -v error -rtsp_transport $tr \
		-show_entries stream=codec_name,width,height -of csv=p=0 "$url")
	[ "$out" = "h264,640,360" ] || fail "ffprobe over $tr: '$out'"
	echo "ffprobe $tr: $out"
done
out=$(timeout 30 ffprobe -v error -rtsp_transport tcp -show_entries \
	stream=codec_name -of csv=p=0 "rtsp://127.0.0.1:$port/stream=0")
[ "$out" = "h264" ] || fail "ffprobe on the alias /stream=0: '$out'"

# --- ffmpeg decodes >= 95 % of frames with nothing on stderr ---------------
# 5 s at 25 fps = 125 frames; framecrc writes one line per decoded frame
frames() { grep -vc '^#' "$1"; }
timeout 60 ffmpeg -v error -rtsp_transport tcp -i "$url" -t 5 -f framecrc - \
	>"$dir/one.crc" 2>"$dir/one.err"
[ -s "$dir/one.err" ] && fail "ffmpeg stderr: $(head -5 "$dir/one.err")"
n=$(frames "$dir/one.crc")
[ "$n" -ge 119 ] || fail "ffmpeg decoded $n of 125 frames"
echo "ffmpeg tcp: $n frames, stderr empty"
timeout 60 ffmpeg -v error -rtsp_transport udp -i "$url" -t 5 -f framecrc - \
	>"$dir/udp.crc" 2>"$dir/udp.err"
n=$(frames "$dir/udp.crc")
[ "$n" -ge 119 ] || fail "ffmpeg over UDP decoded $n of 125 frames: $(head -3 "$dir/udp.err")"
echo "ffmpeg udp: $n frames"

# --- GStreamer ---------------------------------------------------------------
if command -v gst-launch-1.0 >/dev/null 2>&1 && gst-inspect-1.0 rtspsrc >/dev/null 2>&1 &&
   gst-inspect-1.0 h264parse >/dev/null 2>&1 && gst-inspect-1.0 avdec_h264 >/dev/null 2>&1; then
	for proto in tcp udp; do
		timeout 60 gst-launch-1.0 -q rtspsrc location="$url" protocols=$proto ! \
			rtph264depay ! h264parse ! avdec_h264 ! fakesink num-buffers=50 \
			>"$dir/gst.out" 2>&1 || fail "gst-launch ($proto): $(tail -5 "$dir/gst.out")"
		echo "gst-launch $proto: EOS after 50 decoded frames"
	done
else
	echo "NOTE: gst-launch-1.0 with rtspsrc/h264parse/avdec_h264 missing; GStreamer part skipped"
fi

# --- 8 clients at once + one that never reads --------------------------------
# The 9th sets up TCP interleaved, plays, then holds its socket unread.
bash -c '
	exec 3<>/dev/tcp/127.0.0.1/'"$port"' || exit 1
	printf "SETUP rtsp://127.0.0.1:'"$port"'/ch0/trackID=0 RTSP/1.0\r\nCSeq: 1\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n" >&3
	sess=
	while IFS= read -r line <&3; do
		case "$line" in Session:*) sess=${line#Session: }; sess=${sess%%;*};; esac
		[ "$line" = "$(printf "\r")" ] && break
	done
	printf "PLAY rtsp://127.0.0.1:'"$port"'/ch0 RTSP/1.0\r\nCSeq: 2\r\nSession: %s\r\n\r\n" "$sess" >&3
	sleep 9
' &
stuck=$!
sleep 0.5
i=0
clients=
while [ $i -lt 8 ]; do
	timeout 60 ffmpeg -v error -rtsp_transport tcp -i "$url" -t 5 -f framecrc - \
		>"$dir/c$i.crc" 2>"$dir/c$i.err" &
	clients="$clients $!"
	i=$((i + 1))
done
for c in $clients; do wait "$c"; done
i=0
while [ $i -lt 8 ]; do
	n=$(frames "$dir/c$i.crc")
	[ "$n" -ge 119 ] || fail "client $i of 8 decoded $n of 125 frames: $(head -3 "$dir/c$i.err")"
	printf 'client %d: %d frames\n' $i "$n"
	i=$((i + 1))
done
wait $stuck 2>/dev/null

# --- malformed requests -------------------------------------------------------
ask() { # expected-status request-bytes (printf format)
	got=$(printf "$2" | timeout 10 nc -q 2 127.0.0.1 "$port" | head -1 | tr -d '\r')
	case "$got" in "RTSP/1.0 $1 "*) echo "answered: $got";;
		*) fail "expected $1 for $(printf '%.40s' "$2"), got '$got'";; esac
}
ask 400 'garbage\r\n\r\n'
ask 400 '\026\003\001\002\000\001\000\001\374\003\003'
ask 400 'OPTIONS * RTSP/1.0\r\nCSeq: abc\r\n\r\n'
ask 400 'DESCRIBE rtsp://127.0.0.1/ch0 RTSP/1.0\r\n\r\n'
ask 404 'DESCRIBE rtsp://127.0.0.1/nope RTSP/1.0\r\nCSeq: 2\r\n\r\n'
ask 461 'SETUP rtsp://127.0.0.1/ch0/trackID=0 RTSP/1.0\r\nCSeq: 3\r\nTransport: RTP/AVP;multicast\r\n\r\n'
ask 461 'SETUP rtsp://127.0.0.1/ch0/trackID=0 RTSP/1.0\r\nCSeq: 4\r\nTransport: bogus\r\n\r\n'
ask 454 'PLAY rtsp://127.0.0.1/ch0 RTSP/1.0\r\nCSeq: 5\r\nSession: 42\r\n\r\n'
ask 501 'FROB rtsp://127.0.0.1/ch0 RTSP/1.0\r\nCSeq: 6\r\n\r\n'
big=$(head -c 9000 /dev/zero | tr '\0' a)
ask 413 "DESCRIBE rtsp://127.0.0.1/ch0 RTSP/1.0\r\nCSeq: 7\r\nX-Big: $big\r\n\r\n"
out=$(timeout 30 ffprobe -v error -rtsp_transport tcp \
	-show_entries stream=codec_name,width,height -of csv=p=0 "$url")
[ "$out" = "h264,640,360" ] || fail "ffprobe after the malformed requests: '$out'"
echo "still serving after malformed requests"

# --- Digest: credentials set while serving --------------------------------
echo "creds viewer pa55-word" >&3
for i in 1 2 3 4 5 6 7 8 9 10; do
	grep -q '^creds ok' "$dir/srv.txt" && break
	sleep 0.2
done
grep -q '^creds ok' "$dir/srv.txt" || fail "the server did not take the credentials"
out=$(timeout 30 ffprobe -v error -rtsp_transport tcp -show_entries stream=codec_name \
	-of csv=p=0 "$url" 2>&1)
case "$out" in *401*) echo "ffprobe without credentials: 401";;
	*) fail "ffprobe without credentials: '$out'";; esac
aurl=rtsp://viewer:pa55-word@127.0.0.1:$port/ch0
out=$(timeout 30 ffprobe -v error -rtsp_transport tcp \
	-show_entries stream=codec_name,width,height -of csv=p=0 "$aurl")
[ "$out" = "h264,640,360" ] || fail "ffprobe with credentials: '$out'"
echo "ffprobe with credentials: $out"
timeout 60 ffmpeg -v error -rtsp_transport udp -i "$aurl" -t 2 -f framecrc - \
	>"$dir/auth.crc" 2>"$dir/auth.err"
n=$(frames "$dir/auth.crc")
[ "$n" -ge 45 ] || fail "ffmpeg with credentials decoded $n of 50 frames: $(head -3 "$dir/auth.err")"
echo "ffmpeg udp with credentials: $n frames"
if command -v gst-launch-1.0 >/dev/null 2>&1 && gst-inspect-1.0 rtspsrc >/dev/null 2>&1 &&
   gst-inspect-1.0 h264parse >/dev/null 2>&1 && gst-inspect-1.0 avdec_h264 >/dev/null 2>&1; then
	timeout 60 gst-launch-1.0 -q rtspsrc location="$aurl" protocols=tcp ! \
		rtph264depay ! h264parse ! avdec_h264 ! fakesink num-buffers=25 \
		>"$dir/gst.out" 2>&1 || fail "gst-launch with credentials: $(tail -5 "$dir/gst.out")"
	echo "gst-launch with credentials: EOS after 25 decoded frames"
fi
exec 3>&-

kill -TERM "$pid"
wait "$pid" || { rc=$?; pid=; fail "server exited with status $rc"; }
pid=
cat "$dir/srv.txt"
grep -q '^status_400 ' "$dir/srv.txt" || fail "no 400 counted"
grep -q '^status_401 ' "$dir/srv.txt" || fail "no 401 counted"
echo "rtsp clients: all passed"
