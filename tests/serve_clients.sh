#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The real daemon against real clients on loopback: `lumen serve
# --foreground` at its defaults (imou-bullet3 on the virtual backend) on
# free ports, with a temporary --config path so /api/v1/set can save, and
# credentials in it from `lumen passwd` (every client sends them: curl -u,
# rtsp://user:pass@, Chromium's http://user:pass@ top-level URL).
#   serve_clients.sh LUMEN HTTP_CHECK
# Checks (each failure says what and prints the daemon's log):
#   - ffprobe over TCP and UDP: h264 2560x1440 on /ch0, 640x360 on /ch1;
#     the aliases /stream=0, /stream0, /stream=1, /stream1 answer
#   - ffmpeg -t 10 over TCP: stderr empty, decodes >= 95 % of the expected
#     frames (see "expected" below)
#   - gst-launch rtspsrc ! rtph264depay ! h264parse ! avdec_h264 reaches EOS
#   - VLC plays it headless (skipped when this VLC has no RTSP client)
#   - 8 ffmpeg clients on /ch0 all get frames; with a 9th client that
#     plays and never reads, they still get >= 80 % of what they got
#     without it (both runs here, counts relative to the frames the server
#     produced in each run)
#   - /image.jpg (main size and 640x360, the custom size costing one frame
#     copy and none before), /mjpeg >= 5 parts, /metrics
#     strict Prometheus text, /api/v1/status JSON with the stages,
#     /api/v1/set (POST with X-Lumen-Request) saves the config file;
#     /image.jpg without credentials is 401
#   - headless Chromium draws the page: stages in the DOM, a screenshot
#   - malformed RTSP and HTTP requests get error statuses, then ffprobe
#     still works
#   - SIGTERM: exit 0 within 5 s
# Frame rates are never asserted: the ISP speed depends on the machine.
# Tools missing: the script skips (77) without ffmpeg/ffprobe/curl/python3;
# gst-launch, VLC and Chromium parts are skipped with a message.
set -u
lumen=$1
check=$2
for t in ffmpeg ffprobe curl python3 nc; do
	command -v $t >/dev/null 2>&1 || { echo "SKIP: $t not on PATH"; exit 77; }
done
dir=$(mktemp -d /tmp/lumen-serve-test.XXXXXX)
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
	echo "--- lumen serve stdout/stderr:"
	cat "$dir/srv.out" "$dir/srv.err" 2>/dev/null | tail -30
	exit 1
}
ok() { echo "ok: $*"; }
T0=$(date +%s)
elapsed() { echo $(($(date +%s) - T0)); }

# two free TCP ports (the kernel's pick; a small race with other tests)
ports=$(python3 -c '
import socket
ss = [socket.socket() for _ in range(2)]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))')
rport=${ports% *}
hport=${ports#* }
# with credentials, as a deployed camera runs: lumen passwd writes them
printf 'v1ewer-pw\n' | "$lumen" passwd --config "$dir/lumen.yaml" viewer >"$dir/passwd.out" 2>&1 ||
	fail "lumen passwd: $(cat "$dir/passwd.out")"
grep -q '^  ha1_sha256: "[0-9a-f]\{64\}"$' "$dir/lumen.yaml" && ! grep -q 'v1ewer' "$dir/lumen.yaml" ||
	fail "lumen passwd wrote: $(cat "$dir/lumen.yaml")"
A="-u viewer:v1ewer-pw"
"$lumen" serve --foreground --rtsp-port "$rport" --http-port "$hport" \
	--config "$dir/lumen.yaml" >"$dir/srv.out" 2>"$dir/srv.err" &
pid=$!
for _ in $(seq 150); do
	grep -q '^http://.*/  (web page)' "$dir/srv.out" && break
	kill -0 "$pid" 2>/dev/null || fail "lumen serve exited at start"
	sleep 0.2
done
grep -q "^rtsp://127.0.0.1:$rport/ch0  (2560x1440 H.264)" "$dir/srv.out" ||
	fail "no URL line for /ch0 on port $rport"
grep -q "^rtsp://127.0.0.1:$rport/ch1  (640x360 H.264)" "$dir/srv.out" ||
	fail "no URL line for /ch1"
base=http://127.0.0.1:$hport
ubase=http://viewer:v1ewer-pw@127.0.0.1:$hport	# the browser's top-level URL
# RTSP clients send the credentials too (until the RTSP server checks
# them it ignores them)
rtsp=rtsp://viewer:v1ewer-pw@127.0.0.1:$rport
ok "lumen serve up: $rtsp, $base ($(elapsed) s)"
c=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$base/image.jpg")
[ "$c" = 401 ] || fail "/image.jpg without credentials -> $c, want 401"

# a counter of the daemon: metric NAME LABELS -> value (integer part)
metric() {
	curl $A -s --max-time 10 "$base/metrics" |
		sed -n "s/^$1{$2} \([0-9]*\).*/\1/p"
}
aus() { metric lumen_rtsp_aus_total 'channel="0"'; }
# wait until the pipeline delivers (the first ISP frames take a while)
for _ in $(seq 120); do
	a=$(aus)
	[ "${a:-0}" -ge 2 ] && break
	sleep 0.5
done
[ "${a:-0}" -ge 2 ] || fail "no access unit on /ch0 after 60 s"

# --- ffprobe, TCP and UDP, and the aliases (all at once) -------------------
# Default probing (fps estimate over ~20 frames) takes long at a slow ISP:
# the eight probes run in parallel; the aliases only need the SDP and SPS.
probe() { # name transport path [options]
	n=$1; tr=$2; p=$3; shift 3
	timeout 120 ffprobe -v error "$@" -rtsp_transport "$tr" \
		-show_entries stream=codec_name,width,height -of csv=p=0 \
		"$rtsp/$p" >"$dir/probe.$n" 2>"$dir/probe.$n.err" &
	bg="$bg $!"
}
probe tcp0 tcp ch0
probe udp0 udp ch0
probe tcp1 tcp ch1
probe udp1 udp ch1
probe a0 tcp stream=0 -probesize 32
probe a1 tcp stream0 -probesize 32
probe a2 tcp stream=1 -probesize 32
probe a3 udp stream1 -probesize 32
for p in $bg; do wait "$p"; done
bg=
for n in tcp0 udp0 a0 a1; do
	[ "$(cat "$dir/probe.$n")" = "h264,2560,1440" ] ||
		fail "ffprobe $n: '$(cat "$dir/probe.$n")' $(head -3 "$dir/probe.$n.err")"
done
for n in tcp1 udp1 a2 a3; do
	[ "$(cat "$dir/probe.$n")" = "h264,640,360" ] ||
		fail "ffprobe $n: '$(cat "$dir/probe.$n")' $(head -3 "$dir/probe.$n.err")"
done
ok "ffprobe tcp/udp: /ch0 h264,2560,1440, /ch1 h264,640,360; aliases /stream=0 /stream0 /stream=1 /stream1 ($(elapsed) s)"

# --- ffmpeg decodes >= 95 % of the expected frames, stderr empty -----------
# Expected: the access units the server sent this client in the 10 s it
# decodes. The same ffmpeg writes a second output, the packets copied
# without decoding, over the same -t 10: that is what arrived. Nothing
# was lost before that when (a) the server counted no drop on /ch0
# (lumen_rtsp_client_drops_total: AUs it skipped for a slow client) and
# (b) ffmpeg's stderr is empty (it reports RTP sequence gaps there). As a
# cross-check against the server's own count, the AU counter
# (lumen_rtsp_aus_total) is sampled every 0.25 s; the AUs pushed in the
# last 10 s before ffmpeg exits are the same 10 s of capture (RTP time
# follows the capture clock) give or take latency changes, so decoded
# frames must be >= 80 % of that figure (loose: the ISP speed wanders).
drops() { metric lumen_rtsp_client_drops_total 'channel="0"'; }
( while :; do
	echo "$(date +%s%N) $(aus)"
	sleep 0.25
done ) >"$dir/aus.log" 2>/dev/null &
sampler=$!
bg=$sampler
d0=$(drops)
sleep 0.5
timeout 180 ffmpeg -nostdin -v error -rtsp_transport tcp -i "$rtsp/ch0" \
	-map 0 -t 10 -f framecrc "$dir/one.crc" \
	-map 0 -t 10 -c copy -f framecrc "$dir/one.pkt" 2>"$dir/one.err"
rc=$?
tend=$(date +%s%N)
# the sampler's curl may be slow on a loaded machine: wait for a sample
# taken after tend (up to 15 s) instead of a fixed time
for _ in $(seq 150); do
	awk -v t="$tend" 'NF == 2 && $1 > t { f = 1 } END { exit !f }' \
		"$dir/aus.log" && break
	sleep 0.1
done
kill "$sampler"
wait "$sampler" 2>/dev/null
bg=
d1=$(drops)
[ "$rc" = 0 ] || fail "ffmpeg -t 10 exited $rc: $(head -5 "$dir/one.err")"
[ -s "$dir/one.err" ] && fail "ffmpeg stderr not empty: $(head -5 "$dir/one.err")"
grep -q '^#dimensions 0: 2560x1440$' "$dir/one.crc" || fail "ffmpeg decoded another size"
[ "$d1" = "$d0" ] || fail "the server dropped $((d1 - d0)) packets for a client on /ch0"
n=$(grep -vc '^#' "$dir/one.crc")
got=$(grep -vc '^#' "$dir/one.pkt")
res=$(python3 - "$dir/aus.log" "$tend" "$n" <<'PYEOF'
import sys
pts = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if len(l.split()) == 2]
tend, n = int(sys.argv[2]), int(sys.argv[3])
def at(t):
    t = max(t, pts[0][0])
    for (t0, a0), (t1, a1) in zip(pts, pts[1:]):
        if t0 <= t <= t1:
            return a0 + (a1 - a0) * (t - t0) / max(1, t1 - t0)
    raise SystemExit("no AU sample around %d" % t)
exp = at(tend) - at(tend - 10 * 10**9)
print("%.1f %s" % (exp, "ok" if n >= 0.8 * exp else "low"))
PYEOF
) || fail "AU counter samples: $res"
echo "ffmpeg: decoded $n frames, received $got AUs; the server pushed ${res% *} AUs in the last 10 s"
[ "$n" -ge 2 ] || fail "ffmpeg decoded $n frames"
[ $((n * 100)) -ge $((got * 95)) ] || fail "ffmpeg decoded $n of $got received frames (< 95 %)"
[ "${res#* }" = ok ] || fail "ffmpeg decoded $n frames, the server pushed ${res% *} in 10 s (< 80 %)"
ok "ffmpeg tcp -t 10: decoded $n of $got frames sent, no server drop, stderr empty ($(elapsed) s)"

# --- GStreamer ---------------------------------------------------------------
if command -v gst-launch-1.0 >/dev/null 2>&1 && gst-inspect-1.0 rtspsrc >/dev/null 2>&1 &&
   gst-inspect-1.0 rtph264depay >/dev/null 2>&1 &&
   gst-inspect-1.0 h264parse >/dev/null 2>&1 && gst-inspect-1.0 avdec_h264 >/dev/null 2>&1; then
	timeout 120 gst-launch-1.0 -q rtspsrc location="$rtsp/ch0" protocols=tcp ! \
		rtph264depay ! h264parse ! avdec_h264 ! fakesink num-buffers=5 \
		>"$dir/gst.out" 2>&1 || fail "gst-launch: $(tail -5 "$dir/gst.out")"
	ok "gst-launch rtspsrc tcp: EOS after 5 decoded frames ($(elapsed) s)"
else
	echo "SKIP (part): gst-launch-1.0 or rtspsrc/rtph264depay/h264parse/avdec_h264 missing"
fi

# --- VLC, headless ------------------------------------------------------------
# VLC refuses to run as root: run it as nobody then. Debian builds VLC
# without live555, so its rtsp:// goes to the SAT>IP module (MPEG-TS
# only) and cannot play H.264 RTSP at all: that is reported as a skip.
if command -v vlc >/dev/null 2>&1; then
	chmod 711 "$dir" && mkdir -p "$dir/vlc" && chmod 777 "$dir/vlc"
	asuser=
	[ "$(id -u)" = 0 ] && asuser="setpriv --reuid=65534 --regid=65534 --clear-groups"
	if ! HOME=$dir/vlc timeout 60 $asuser vlc -I dummy --list 2>/dev/null |
	     grep -q ' live555 '; then
		echo "SKIP (part): this VLC has no RTSP client (built without live555; rtsp:// goes to SAT>IP)"
	elif HOME=$dir/vlc timeout 60 $asuser vlc -I dummy --play-and-exit --run-time 6 \
		--vout dummy --aout dummy --no-audio -vv "$rtsp/ch1" >"$dir/vlc.log" 2>&1 &&
	     grep -q 'avcodec codec (H264' "$dir/vlc.log" &&
	     grep -q 'using access_demux module "live555"' "$dir/vlc.log"; then
		ok "VLC played /ch1 with its H.264 decoder, exit 0"
	else
		fail "VLC did not play /ch1: $(grep -i error "$dir/vlc.log" | tail -5)"
	fi
else
	echo "SKIP (part): vlc not installed (vlc-bin, vlc-plugin-base)"
fi

# --- 8 clients at once, without and with a 9th that never reads --------------
# Each client copies (no decoding: 8 decoders of 2560x1440 would measure
# the CPU, not the server) for a fixed 12 s of wall time. Its share is
# frames received / AUs the server produced in that run, so a slower or
# faster ISP between the two runs does not count against the server.
eight() { # tag
	a0=$(aus)
	cl=
	for i in 1 2 3 4 5 6 7 8; do
		timeout -s INT 12 ffmpeg -nostdin -v error -rtsp_transport tcp \
			-fpsprobesize 0 -i "$rtsp/ch0" -c copy -f framecrc - \
			>"$dir/$1.$i.crc" 2>"$dir/$1.$i.err" &
		cl="$cl $!"
	done
	for c in $cl; do wait "$c"; done
	a1=$(aus)
	tot=0
	for i in 1 2 3 4 5 6 7 8; do
		n=$(grep -vc '^#' "$dir/$1.$i.crc")
		[ "$n" -ge 1 ] || fail "$1: client $i got no frame: $(head -3 "$dir/$1.$i.err")"
		tot=$((tot + n))
		printf ' %d' "$n"
	done
	echo " frames ($1), server produced $((a1 - a0)) ($(elapsed) s)"
	eval "share_$1=\$(python3 -c 'print(\"%.3f\" % ($tot / 8 / max(1, $a1 - $a0)))')"
}
printf 'alone:'
eight alone
# the 9th: OPTIONS, DESCRIBE, SETUP interleaved, PLAY, then it never reads
# (receive buffer shrunk so the server sees it stall early); it answers the
# Digest challenge as ffmpeg does (MD5, qop=auth, nc counting up)
python3 - "$rport" viewer v1ewer-pw >"$dir/stuck.out" 2>&1 <<'EOF' &
import hashlib, re, socket, sys, time
port, user, pw = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(("127.0.0.1", port))
url = "rtsp://127.0.0.1:%d/ch0" % port
nonce, nc = None, 0
def md5(x):
    return hashlib.md5(x.encode()).hexdigest()
def authz(method, uri):
    global nc
    if nonce is None:
        return ""
    nc += 1
    ha1, ha2 = md5("%s:lumen:%s" % (user, pw)), md5("%s:%s" % (method, uri))
    resp = md5("%s:%s:%08x:c0ffee:auth:%s" % (ha1, nonce, nc, ha2))
    return ('Authorization: Digest username="%s", realm="lumen", nonce="%s", '
            'uri="%s", algorithm=MD5, response="%s", qop=auth, nc=%08x, '
            'cnonce="c0ffee"\r\n' % (user, nonce, uri, resp, nc))
def send(req, cseq, extra):
    s.sendall(("%s %s RTSP/1.0\r\nCSeq: %d\r\n%s%s\r\n"
               % (req, url, cseq, authz(req, url), extra)).encode())
def ask(req, cseq, extra=""):
    global nonce
    for attempt in (0, 1):
        send(req, cseq + 100 * attempt, extra)
        data = b""
        while b"\r\n\r\n" not in data:
            data += s.recv(1)
        head = data.decode()
        n = 0
        for line in head.split("\r\n"):
            if line.lower().startswith("content-length:"):
                n = int(line.split(":")[1])
        while n > 0:
            n -= len(s.recv(n))
        if not head.startswith("RTSP/1.0 401"):
            return head
        md5ch = [l for l in head.split("\r\n")
                 if l.lower().startswith("www-authenticate:") and "algorithm=MD5" in l]
        nonce = re.search(r'nonce="([^"]+)"', md5ch[0]).group(1)
    raise SystemExit("401 twice: " + head)
ask("OPTIONS", 1)
ask("DESCRIBE", 2, "Accept: application/sdp\r\n")
url += "/trackID=0"
h = ask("SETUP", 3, "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n")
sess = [l.split(":", 1)[1].strip().split(";")[0] for l in h.split("\r\n")
        if l.lower().startswith("session:")][0]
url = url.rsplit("/", 1)[0]
send("PLAY", 4, "Session: %s\r\n" % sess)
print("playing, session", sess, flush=True)
time.sleep(40)
EOF
stuck=$!
bg=$stuck
for _ in $(seq 50); do
	grep -q '^playing' "$dir/stuck.out" && break
	sleep 0.2
done
grep -q '^playing' "$dir/stuck.out" || fail "the 9th client did not get to PLAY: $(cat "$dir/stuck.out")"
printf 'with a 9th that never reads:'
eight stuck
kill "$stuck" 2>/dev/null
wait "$stuck" 2>/dev/null
bg=
python3 -c "import sys; sys.exit(0 if $share_stuck >= 0.8 * $share_alone else 1)" ||
	fail "the 9th client lowered the others: share $share_stuck vs $share_alone alone"
ok "8 clients: share of the server's frames $share_alone alone, $share_stuck with a stuck 9th ($(elapsed) s)"
curl $A -s --max-time 10 "$base/metrics" | grep -E '^lumen_rtsp_client_drops_total|dropped_clients' || true

# --- HTTP ------------------------------------------------------------------
copies() {
	curl $A -s --max-time 10 "$base/metrics" |
		sed -n 's/^lumen_jpeg_frame_copies_total \([0-9]*\).*/\1/p'
}
curl $A -sf --max-time 20 "$base/image.jpg" -o "$dir/a.jpg" || fail "/image.jpg: curl failed"
"$check" jpeg "$dir/a.jpg" 2560 1440 || fail "/image.jpg is not a 2560x1440 JPEG"
# the JPEG output copies a frame only for a custom snapshot, one per ask
c0=$(copies)
[ "$c0" = 0 ] || fail "the JPEG output copied $c0 frames before any custom snapshot"
curl $A -sf --max-time 20 "$base/image.jpg?width=640&height=360" -o "$dir/b.jpg" ||
	fail "/image.jpg?width=640&height=360: curl failed"
"$check" jpeg "$dir/b.jpg" 640 360 || fail "/image.jpg?width=640&height=360 is not 640x360"
c1=$(copies)
[ "$c1" = 1 ] || fail "one custom snapshot: $c1 frame copies"
ok "/image.jpg 2560x1440 and 640x360; one frame copy for the custom one"
# /mjpeg: stop as soon as 5 whole parts are in (the ISP may be slow)
curl $A -s --max-time 90 "$base/mjpeg" -o "$dir/m.bin" &
mc=$!
bg=$mc
got=
for _ in $(seq 90); do
	sleep 1
	"$check" mjpeg "$dir/m.bin" 5 >/dev/null 2>&1 && { got=1; break; }
done
kill "$mc" 2>/dev/null
wait "$mc" 2>/dev/null
bg=
[ -n "$got" ] || { "$check" mjpeg "$dir/m.bin" 5; fail "/mjpeg: fewer than 5 valid JPEG parts in 90 s"; }
ok "/mjpeg: >= 5 valid JPEG parts"
curl $A -sf --max-time 10 "$base/metrics" -o "$dir/metrics.txt" || fail "/metrics: curl failed"
"$check" metrics "$dir/metrics.txt" lumen_rtsp_latency_seconds >/dev/null ||
	{ "$check" metrics "$dir/metrics.txt" lumen_rtsp_latency_seconds; fail "/metrics is not valid Prometheus text"; }
ok "/metrics: Prometheus text with lumen_rtsp_latency_seconds"
curl $A -sf --max-time 10 "$base/api/v1/status" -o "$dir/status.json" || fail "/api/v1/status: curl failed"
python3 -m json.tool "$dir/status.json" >/dev/null || fail "/api/v1/status is not JSON"
python3 - "$dir/status.json" <<'EOF' || fail "/api/v1/status lacks stages or streams"
import json, sys
d = json.load(open(sys.argv[1]))
names = [s["name"] for s in d["stages"]]
for want in ("sensor", "isp", "encoder0", "encoder1", "streamer"):
    assert want in names, want
assert d["streams"][0]["width"] == 2560 and d["streams"][1]["height"] == 360
assert d["streams"][0]["aus"] > 0
print("status stages:", " ".join(names))
EOF
ok "/api/v1/status: JSON with the stages"
c=$(curl $A -s -o "$dir/set.json" -w '%{http_code}' --max-time 10 -X POST \
	-H X-Lumen-Request:1 "$base/api/v1/set?video0.bitrate_kbps=2048")
[ "$c" = 200 ] || fail "/api/v1/set -> $c: $(cat "$dir/set.json")"
grep -q '^  bitrate_kbps: 2048$' "$dir/lumen.yaml" 2>/dev/null ||
	fail "/api/v1/set did not write $dir/lumen.yaml"
ok "/api/v1/set?video0.bitrate_kbps=2048 -> 200, config saved"

# --- headless Chromium -----------------------------------------------------------
browser=
for b in chromium chromium-browser google-chrome; do
	command -v "$b" >/dev/null 2>&1 && { browser=$b; break; }
done
if [ -z "$browser" ]; then
	echo "SKIP (part): chromium not installed, no screenshot test"
else
	HOME=$dir timeout 120 "$browser" --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-dev-shm-usage --hide-scrollbars --virtual-time-budget=8000 \
		--window-size=1280,800 --screenshot="$dir/shot.png" "$ubase/" \
		>"$dir/chromium.log" 2>&1
	HOME=$dir timeout 120 "$browser" --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-dev-shm-usage --virtual-time-budget=8000 --dump-dom "$ubase/" \
		>"$dir/dom.html" 2>>"$dir/chromium.log"
	n=$(grep -o 'class="stage[ "]' "$dir/dom.html" | wc -l)
	[ "$n" -ge 8 ] && grep -q "rtsp://127.0.0.1:$rport/ch0" "$dir/dom.html" ||
		fail "page DOM: $n stages drawn, stream URL $(grep -c "$rport/ch0" "$dir/dom.html")"
	# the live view (an <img> at the top left at 1280x800) shows the
	# colour checker: bright, with a spread of luma; without the picture
	# the panel is a flat dark grey
	[ -f "$dir/shot.png" ] || fail "chromium wrote no screenshot: $(tail -3 "$dir/chromium.log")"
	"$check" png "$dir/shot.png" 0 >/dev/null || fail "chromium screenshot is blank"
	st=$(ffprobe -v error -f lavfi -i "movie=$dir/shot.png,crop=600:330:36:110,signalstats" \
		-show_entries frame_tags=lavfi.signalstats.YAVG,lavfi.signalstats.YLOW,lavfi.signalstats.YHIGH \
		-of default=nw=1:nk=0 | sed 's/^TAG:lavfi.signalstats.//' | tr '\n' ' ')
	python3 -c "
import sys
v = dict(kv.split('=') for kv in '$st'.split())
ok = float(v['YAVG']) > 70 and float(v['YHIGH']) - float(v['YLOW']) > 25
sys.exit(0 if ok else 1)" || fail "chromium screenshot: no live picture in the live view ($st)"
	[ -n "${LUMEN_SERVE_SHOT:-}" ] && cp "$dir/shot.png" "$LUMEN_SERVE_SHOT"
	ok "chromium: $n stages, stream URLs, the live picture in the screenshot ($st) ($(elapsed) s)"
fi

# --- malformed requests ------------------------------------------------------------
ask() { # expected-status request-bytes (printf format)
	# nc quits -q seconds after sending unless the server closes first;
	# 2 s was too short once on a machine loaded by a second pipeline
	got=$(printf "$2" | timeout 15 nc -q 6 127.0.0.1 "$rport" | head -1 | tr -d '\r')
	case "$got" in "RTSP/1.0 $1 "*) ;;
		*) fail "RTSP: expected $1 for '$(printf '%.40s' "$2")', got '$got'";; esac
}
ask 400 'garbage\r\n\r\n'
ask 400 '\026\003\001\002\000\001\000\001\374\003\003'
ask 400 'OPTIONS * RTSP/1.0\r\nCSeq: abc\r\n\r\n'
ask 400 'DESCRIBE rtsp://127.0.0.1/ch0 RTSP/1.0\r\n\r\n'
# well-formed but without credentials: 401 before anything else is said
# (whether /ch7 exists, whether the Transport would do); the 404 and 461
# answers themselves are checked without credentials by rtsp_clients.sh and
# rtsp_parse
ask 401 'DESCRIBE rtsp://127.0.0.1/ch7 RTSP/1.0\r\nCSeq: 2\r\n\r\n'
ask 401 'SETUP rtsp://127.0.0.1/ch0/trackID=0 RTSP/1.0\r\nCSeq: 3\r\nTransport: bogus\r\n\r\n'
ask 401 'SETUP rtsp://127.0.0.1/ch0/trackID=0 RTSP/1.0\r\nCSeq: 4\r\nTransport: RTP/AVP;multicast\r\n\r\n'
big=$(head -c 9000 /dev/zero | tr '\0' a)
ask 413 "DESCRIBE rtsp://127.0.0.1/ch0 RTSP/1.0\r\nCSeq: 5\r\nX-Big: $big\r\n\r\n"
ok "RTSP: garbage, TLS bytes, bad CSeq, no CSeq, huge header -> 4xx; no credentials -> 401 first"
for p in /../../etc/passwd /%2e%2e/%2e%2e/etc/passwd /..%2f..%2fetc%2fpasswd //etc/passwd; do
	c=$(curl $A -s -o /dev/null -w '%{http_code}' --max-time 10 --path-as-is "$base$p")
	[ "$c" = 404 ] || fail "HTTP $p -> $c"
done
st=$(printf 'GET / XTTP/1.1\r\nHost: x\r\n\r\n' | "$check" raw "$hport")
case $st in "HTTP/1."?" 4"*) ;; *) fail "HTTP bad version -> '$st'";; esac
st=$(printf 'GET / HTTP/1.1\r\nHost: x\r\nX-Big: %070000d\r\n\r\n' 0 | "$check" raw "$hport")
case $st in "HTTP/1."?" 4"*) ;; *) fail "HTTP oversized header -> '$st'";; esac
ok "HTTP: traversal paths 404, bad version and oversized header 4xx"
out=$(timeout 60 ffprobe -v error -probesize 32 -rtsp_transport tcp \
	-show_entries stream=codec_name,width,height -of csv=p=0 "$rtsp/ch1")
[ "$out" = "h264,640,360" ] || fail "ffprobe after the malformed requests: '$out'"
curl $A -sf --max-time 20 "$base/image.jpg" -o "$dir/c.jpg" && "$check" jpeg "$dir/c.jpg" 2560 1440 >/dev/null ||
	fail "/image.jpg after the malformed requests"
ok "still serving RTSP and HTTP after the malformed requests"

# --- SIGTERM ------------------------------------------------------------------------
ts=$(date +%s%N)
kill -TERM "$pid"
for _ in $(seq 50); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$pid" 2>/dev/null && fail "still running 5 s after SIGTERM"
wait "$pid"
rc=$?
te=$(date +%s%N)
pid=
[ "$rc" = 0 ] || fail "exit status $rc after SIGTERM"
ok "SIGTERM: exit 0 in $(((te - ts) / 1000000)) ms"
echo "serve clients: all passed in $(elapsed) s"
