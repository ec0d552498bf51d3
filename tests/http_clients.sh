#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Real HTTP clients (curl, headless Chromium) against the HTTP server of
# `lumen serve`, run by tests/http_serve_test with fake callbacks:
#   http_clients.sh HTTP_SERVE_TEST HTTP_CHECK
# Skips (77) without curl; the screenshot part is skipped (with a message)
# without chromium. LUMEN_HTTP_NO_BROWSER=1 leaves the browser out.
set -u
serve=$1
check=$2
command -v curl >/dev/null 2>&1 || { echo "SKIP: curl not installed"; exit 77; }

tmp=$(mktemp -d /tmp/lumen-http-test.XXXXXX)
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fails=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# The server runs with credentials (admin:pw): every request but the ones
# testing refusal carries them. A state change is a POST with the header
# the web page sends (a cross-site form cannot).
A="-u admin:pw"
SET="-X POST -H X-Lumen-Request:1"
# status code of a request: code ARGS... (with credentials; a later -u wins)
code() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 $A "$@"; }
# the same without credentials
acode() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@"; }

"$serve" "$tmp/lumen.yaml" --user admin --password 'pw' >"$tmp/server.out" 2>"$tmp/server.err" &
pid=$!
port=""
for _ in $(seq 50); do
	port=$(sed -n 's/^port //p' "$tmp/server.out")
	[ -n "$port" ] && break
	sleep 0.1
done
[ -n "$port" ] || { echo "FAIL: server did not start"; cat "$tmp/server.err"; exit 1; }
base=http://127.0.0.1:$port
ubase=http://admin:pw@127.0.0.1:$port	# for the browser (top-level navigation)
echo "server on $base"
sleep 0.3	# a few frames

# snapshot: default size, a requested size, refused parameters
if curl $A -sf --max-time 10 "$base/image.jpg" -o "$tmp/a.jpg" &&
	"$check" jpeg "$tmp/a.jpg" 640 360; then ok "/image.jpg"; else bad "/image.jpg"; fi
if curl $A -sf --max-time 10 "$base/image.jpg?width=320&height=180&quality=40" -o "$tmp/b.jpg" &&
	"$check" jpeg "$tmp/b.jpg" 320 180; then ok "/image.jpg 320x180"; else bad "/image.jpg?width=320"; fi
c=$(code "$base/image.jpg?width=abc"); [ "$c" = 400 ] && ok "bad width -> 400" || bad "bad width -> $c"
c=$(code "$base/image.jpg?quality=101"); [ "$c" = 400 ] && ok "bad quality -> 400" || bad "bad quality -> $c"
c=$(code "$base/image.jpg?width=321&height=180"); [ "$c" = 400 ] && ok "odd width -> 400" || bad "odd width -> $c"
ctype=$(curl $A -s -o /dev/null -w '%{content_type}' "$base/image.jpg")
[ "$ctype" = image/jpeg ] && ok "image/jpeg" || bad "content type '$ctype'"

# MJPEG: 3 s at mjpeg.fps (5 by default) -> about 15 parts; curl ends it (28)
curl $A -s --max-time 3 "$base/mjpeg" -o "$tmp/m.bin"
if "$check" mjpeg "$tmp/m.bin" 5; then ok "/mjpeg"; else bad "/mjpeg"; fi
ctype=$(curl $A -s --max-time 1 -o /dev/null -w '%{content_type}' "$base/mjpeg")
case $ctype in multipart/x-mixed-replace\;boundary=*) ok "mjpeg type" ;; *) bad "mjpeg type '$ctype'" ;; esac

# metrics
if curl $A -sf --max-time 10 "$base/metrics" -o "$tmp/metrics.txt" &&
	"$check" metrics "$tmp/metrics.txt" lumen_stage_frames_out_total; then
	ok "/metrics"
else
	bad "/metrics"; cat "$tmp/metrics.txt"
fi
grep -q '^lumen_http_mjpeg_parts_total [1-9]' "$tmp/metrics.txt" && ok "mjpeg parts counted" ||
	bad "lumen_http_mjpeg_parts_total"

# status: JSON from the callback, its counters grow
s1=$(curl $A -sf "$base/api/v1/status")
sleep 0.2
s2=$(curl $A -sf "$base/api/v1/status")
case $s1 in '{"uptime_s":'*'"stages":[{"name":"sensor"'*) ok "/api/v1/status" ;; *) bad "status '$s1'" ;; esac
[ "$s1" != "$s2" ] && ok "status counters move" || bad "status did not change"

# config: JSON, HA1s masked
cfg=$(curl $A -sf "$base/api/v1/config")
case $cfg in *'"auth":{"user":"admin","ha1_md5":"set","ha1_sha256":"set","metrics_public":false}'*) ok "/api/v1/config" ;;
	*) bad "config '$cfg'" ;; esac
case $cfg in *'"pw"'*|*[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]*) bad "password or HA1 leaked" ;; esac

# with credentials configured, every path asks for them
for p in / /image.jpg /mjpeg /api/v1/status /api/v1/config /metrics; do
	c=$(acode "$base$p"); [ "$c" = 401 ] && ok "$p without auth -> 401" || bad "$p without auth -> $c"
done
c=$(code --digest "$base/api/v1/status"); [ "$c" = 200 ] && ok "GET with curl --digest" || bad "curl --digest -> $c"

# set: 401 without or with wrong credentials, 200 with Basic or Digest, persisted
c=$(acode $SET "$base/api/v1/set?video0.bitrate_kbps=2048")
[ "$c" = 401 ] && ok "set without auth -> 401" || bad "set without auth -> $c"
c=$(code $SET -u admin:wrong "$base/api/v1/set?video0.bitrate_kbps=2048")
[ "$c" = 401 ] && ok "set wrong password -> 401" || bad "set wrong password -> $c"
c=$(code $SET -u admin:wrong --digest "$base/api/v1/set?video0.bitrate_kbps=2048")
[ "$c" = 401 ] && ok "set wrong digest -> 401" || bad "set wrong digest -> $c"
c=$(code "$base/api/v1/set?video0.bitrate_kbps=2048")
[ "$c" = 405 ] && ok "GET set -> 405" || bad "GET set -> $c"
c=$(code -X POST "$base/api/v1/set?video0.bitrate_kbps=2048")
[ "$c" = 403 ] && ok "POST set without X-Lumen-Request -> 403" || bad "POST set unmarked -> $c"
c=$(code $SET -H "Origin: http://evil.example" "$base/api/v1/set?video0.bitrate_kbps=2048")
[ "$c" = 403 ] && ok "POST set from another Origin -> 403" || bad "cross-origin set -> $c"
[ -f "$tmp/lumen.yaml" ] && bad "config written by a refused set"
body=$(curl $A -s $SET "$base/api/v1/set?video0.bitrate_kbps=2048")
case $body in '{"ok":true,"restart":false,"keys":["video0.bitrate_kbps"]}') ok "set basic" ;; *) bad "set basic '$body'" ;; esac
grep -q '^  bitrate_kbps: 2048$' "$tmp/lumen.yaml" && ok "persisted" || bad "not persisted"
body=$(curl $A -s $SET --digest "$base/api/v1/set?rtsp.port=554&isp.ae.antiflicker=60")
case $body in *'"ok":true,"restart":true'*) ok "set digest, restart flagged" ;; *) bad "set digest '$body'" ;; esac
grep -q 'antiflicker: "60"' "$tmp/lumen.yaml" && ok "persisted 2" || bad "not persisted 2"
c=$(code $SET "$base/api/v1/set?video0.bitratee=1")
body=$(curl $A -s $SET "$base/api/v1/set?video0.bitratee=1")
[ "$c" = 400 ] && case $body in *"key 'video0.bitratee': unknown key"*) true ;; *) false ;; esac &&
	ok "unknown key -> 400 with message" || bad "unknown key -> $c '$body'"
c=$(code $SET "$base/api/v1/set?video0.fps=1000"); [ "$c" = 400 ] && ok "range -> 400" || bad "range -> $c"
c=$(code $SET "$base/api/v1/set"); [ "$c" = 400 ] && ok "empty set -> 400" || bad "empty set -> $c"
case $(curl $A -sf "$base/api/v1/config") in *'"bitrate_kbps":2048'*) ok "config shows the change" ;;
	*) bad "config not changed" ;; esac
case $(curl $A -sf "$base/api/v1/status") in *'"config_changes":{"live":1,"restart":1}'*) ok "callbacks told" ;;
	*) bad "config_changed callback" ;; esac

# jpeg.enabled=false turns the JPEG endpoints off, live
c=$(code $SET "$base/api/v1/set?jpeg.enabled=false")
c2=$(code "$base/image.jpg")
c3=$(code $SET "$base/api/v1/set?jpeg.enabled=true")
c4=$(code "$base/image.jpg")
[ "$c$c2$c3$c4" = 200503200200 ] && ok "jpeg.enabled off/on" || bad "jpeg.enabled: $c $c2 $c3 $c4"

# paths: traversal and unknown -> 404, wrong method -> 405
for p in /../../etc/passwd /%2e%2e/%2e%2e/etc/passwd /..%2f..%2fetc%2fpasswd /nope /image.jpg/ \
	/api/v1/status/../config //etc/passwd; do
	c=$(code --path-as-is "$base$p")
	[ "$c" = 404 ] && ok "$p -> 404" || bad "$p -> $c"
done
c=$(code -X DELETE "$base/api/v1/config"); [ "$c" = 405 ] && ok "DELETE -> 405" || bad "DELETE -> $c"
c=$(code -X POST "$base/metrics"); [ "$c" = 405 ] && ok "POST /metrics -> 405" || bad "POST /metrics -> $c"

# malformed requests get a 4xx status and the server keeps serving
# a line without an HTTP version is an HTTP/0.9 request: libmicrohttpd
# closes it without an answer (a 0.9 answer would have no status line)
st=$(printf 'GARBAGE\r\n\r\n' | "$check" raw "$port" 2>/dev/null)
case $st in "HTTP/1."?" 4"*|"") ok "garbage -> ${st:-closed}" ;; *) bad "garbage -> '$st'" ;; esac
st=$(printf 'GET / XTTP/1.1\r\nHost: x\r\n\r\n' | "$check" raw "$port")
case $st in "HTTP/1."?" 400"*) ok "bad version -> $st" ;; *) bad "bad version -> '$st'" ;; esac
st=$(printf '\001\002\377 / HTTP/1.1\r\nHost: x\r\n\r\n' | "$check" raw "$port")
case $st in "HTTP/1."?" 4"*) ok "binary method -> $st" ;; *) bad "binary method -> '$st'" ;; esac
st=$(printf 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n' | "$check" raw "$port")
case $st in "HTTP/1."?" 400"*) ok "bad Content-Length -> $st" ;; *) bad "bad Content-Length -> '$st'" ;; esac
head -c 300000 /dev/urandom | "$check" raw "$port" >/dev/null 2>&1
head -c 200000 /dev/zero >"$tmp/body.bin"
c=$(code -H X-Lumen-Request:1 --data-binary @"$tmp/body.bin" "$base/api/v1/set?mjpeg.fps=3")
[ "$c" = 413 ] && ok "200 kB body -> 413" || bad "200 kB body -> $c"
st=$(printf 'GET / HTTP/1.1\r\nHost: x\r\nX-Big: %070000d\r\n\r\n' 0 | "$check" raw "$port")
case $st in "HTTP/1."?" 4"*) ok "oversized header -> $st" ;; *) bad "oversized header -> '$st'" ;; esac
st=$(printf 'GET / HTTP/1.1\r\nHost: x\r\nBad header line\r\n\r\n' | "$check" raw "$port")
case $st in "HTTP/1."?" 4"*) ok "bad header -> $st" ;; *) bad "bad header -> '$st'" ;; esac
st=$(printf 'GET /%05000d HTTP/1.1\r\nHost: x\r\n\r\n' 0 | "$check" raw "$port")
case $st in "HTTP/1."?" 4"*) ok "long path -> $st" ;; *) bad "long path -> '$st'" ;; esac
if curl $A -sf --max-time 10 "$base/" -o "$tmp/index.html" && grep -q '<title>lumen</title>' "$tmp/index.html"; then
	ok "still serving the page"
else
	bad "page after garbage"
fi

# headless Chromium renders the page with the live picture
browser=""
for b in chromium chromium-browser google-chrome; do
	command -v "$b" >/dev/null 2>&1 && { browser=$b; break; }
done
if [ -n "${LUMEN_HTTP_NO_BROWSER:-}" ]; then
	echo "note: browser test left out (LUMEN_HTTP_NO_BROWSER)"
elif [ -z "$browser" ]; then
	echo "SKIP (part): chromium not installed, no screenshot test"
else
	HOME=$tmp timeout 90 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--no-first-run --disable-dev-shm-usage --virtual-time-budget=4000 \
		--screenshot="$tmp/shot.png" --window-size=1280,800 "$ubase/" \
		>"$tmp/chromium.log" 2>&1
	# the DOM after the page's scripts ran: the pipeline drawn from the
	# status callback (8 stages), the stream URLs from the config
	HOME=$tmp timeout 90 "$browser" --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-dev-shm-usage --virtual-time-budget=4000 --dump-dom "$ubase/" \
		>"$tmp/dom.html" 2>>"$tmp/chromium.log"
	n=$(grep -o 'class="stage[ "]' "$tmp/dom.html" | wc -l)
	if [ "$n" -eq 8 ] && grep -q 'RTSP/HTTP' "$tmp/dom.html" &&
		grep -q "rtsp://127.0.0.1:554/ch0" "$tmp/dom.html"; then
		ok "page drew 8 stages and the stream URLs"
	else
		bad "page DOM: $n stages"
	fi
	if [ -f "$tmp/shot.png" ] && "$check" png "$tmp/shot.png" 40000; then
		ok "chromium screenshot shows the live picture"
		[ -n "${LUMEN_HTTP_SHOT:-}" ] && cp "$tmp/shot.png" "$LUMEN_HTTP_SHOT"
	else
		bad "chromium screenshot"; tail -5 "$tmp/chromium.log"
	fi
fi

# a clean stop with a stream open: the server ends it and exits 0 quickly
curl $A -s --max-time 20 "$base/mjpeg" -o "$tmp/m2.bin" &
cpid=$!
sleep 0.5
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=""
wait "$cpid"
stop=$(sed -n 's/^stopped in \([0-9]*\) ms/\1/p' "$tmp/server.out")
if [ "$rc" = 0 ] && [ -n "$stop" ] && [ "$stop" -lt 2000 ]; then
	ok "stopped in $stop ms with a stream open"
else
	bad "stop: exit $rc, '$stop' ms"; cat "$tmp/server.err"
fi

echo "$fails failed"
[ "$fails" -eq 0 ]
