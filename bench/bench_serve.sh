#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# `lumen serve` at its default config (imou-bullet3, virtual backend) for
# a window of DURATION seconds (60 by default) with one ffmpeg client on
# /ch0 and one on /ch1 (TCP, packets copied, no decoding), then prints:
#   - CPU of the daemon over the window: utime+stime from /proc/PID/stat,
#     as % of one core, in all and per thread name (one per stage)
#   - RSS: peak (VmHWM) and at the end (VmRSS); growth: the largest RSS
#     of the window's last tenth against its first tenth, and open fds
#     (an hour's run: bench_serve.sh LUMEN 3600)
#   - frames delivered per channel: what each client received / window,
#     and the daemon's own AU rate (lumen_rtsp_aus_total)
#   - glass-to-RTP latency per channel: capture time of a frame to the
#     first RTP packet of it leaving (lumen_rtsp_latency_seconds, the last
#     frame's), sampled every second: mean and max of the samples, and the
#     server's own max (lumen_rtsp_latency_max_seconds)
#   - a peer figure: ffmpeg's libx264 ultrafast/zerolatency encoding
#     testsrc at 2560x1440 and 640x360 at the daemon's delivered rate over
#     the same window length, its CPU % and the ratio
# Usage: bench_serve.sh LUMEN [DURATION [CONFIG]]   (meson: ninja -C build benchmark)
# CONFIG: a serve config file to compare settings (default: none, the
# daemon's defaults).
# Needs ffmpeg, curl, python3. The daemon's CPU includes the virtual
# sensor: rendering the scene and the CSI-2 link simulation, which a real
# camera does not spend.
set -u
lumen=$1
dur=${2:-60}
cfgopt=
[ -n "${3:-}" ] && cfgopt="--config $3"
for t in ffmpeg curl python3; do
	command -v $t >/dev/null 2>&1 || { echo "bench_serve: $t missing"; exit 77; }
done
dir=$(mktemp -d /tmp/lumen-bench-serve.XXXXXX)
pid=
bg=
cleanup() {
	for p in $bg; do kill "$p" 2>/dev/null; done
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
ports=$(python3 -c '
import socket
ss = [socket.socket() for _ in range(2)]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))')
rport=${ports% *}
hport=${ports#* }
"$lumen" serve --foreground $cfgopt --rtsp-port "$rport" --http-port "$hport" \
	>"$dir/srv.out" 2>"$dir/srv.err" &
pid=$!
for _ in $(seq 150); do
	grep -q '(web page)' "$dir/srv.out" && break
	sleep 0.2
done
grep -q '(web page)' "$dir/srv.out" || { echo "bench_serve: daemon did not start"; cat "$dir/srv.err"; exit 1; }
base=http://127.0.0.1:$hport
rtsp=rtsp://127.0.0.1:$rport
ticks=$(getconf CLK_TCK)

cpu() { # utime+stime of PID in ticks (fields 14, 15 after the comm)
	sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'
}
threads() { # "name ticks" per thread name of PID (threads are named for
	    # their stage: isp, isp-wN, sink-video0, sensor-virt, rtsp, ...)
	for t in /proc/"$1"/task/*; do
		printf '%s %s\n' "$(tr ' ' _ <"$t/comm")" \
			"$(sed 's/.*) //' "$t/stat" | awk '{print $12 + $13}')"
	done 2>/dev/null
}
# let the pipeline start and the clients join before the window opens
sleep 3
for ch in 0 1; do
	timeout -s INT $((dur + 8)) ffmpeg -nostdin -v error -rtsp_transport tcp \
		-fpsprobesize 0 -i "$rtsp/ch$ch" -c copy -f framecrc - \
		>"$dir/c$ch.crc" 2>"$dir/c$ch.err" &
	bg="$bg $!"
done
sleep 4
# the window: counters, CPU and latency samples
curl -s "$base/metrics" >"$dir/m0.txt"
c0=$(cpu "$pid")
threads "$pid" >"$dir/th0.txt"
n00=$(grep -vc '^#' "$dir/c0.crc")
n10=$(grep -vc '^#' "$dir/c1.crc")
t0=$(date +%s%N)
: >"$dir/lat.txt"
: >"$dir/rss.txt"
# one sample a second until the clock says the window is over (a pass
# takes a little over a second, so counting passes overran an hour's
# window by minutes, past the clients' own end)
end=$(( $(date +%s) + dur ))
while [ "$(date +%s)" -lt "$end" ]; do
	sleep 1
	curl -s "$base/metrics" | sed -n 's/^lumen_rtsp_latency_seconds{channel="\([01]\)"} /\1 /p' \
		>>"$dir/lat.txt"
	echo "$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$pid/status") $(ls "/proc/$pid/fd" | wc -l)" \
		>>"$dir/rss.txt"
done
t1=$(date +%s%N)
c1=$(cpu "$pid")
threads "$pid" >"$dir/th1.txt"
n01=$(grep -vc '^#' "$dir/c0.crc")
n11=$(grep -vc '^#' "$dir/c1.crc")
curl -s "$base/metrics" >"$dir/m1.txt"
hwm=$(sed -n "s/^VmHWM:[[:space:]]*//p" "/proc/$pid/status")
rss=$(sed -n "s/^VmRSS:[[:space:]]*//p" "/proc/$pid/status")
for p in $bg; do wait "$p" 2>/dev/null; done
bg=

python3 - "$dir" "$t0" "$t1" "$c0" "$c1" "$ticks" "$n00" "$n01" "$n10" "$n11" "$hwm" "$rss" \
	>"$dir/report.txt" <<'EOF'
import re, sys
d, t0, t1, c0, c1, tck, n00, n01, n10, n11 = sys.argv[1], *map(int, sys.argv[2:11])
hwm, rss = sys.argv[11], sys.argv[12]
win = (t1 - t0) / 1e9
def metrics(p):
    m = {}
    for l in open(p):
        r = re.match(r'^(\w+)(\{[^}]*\})? (\S+)$', l)
        if r:
            m[r.group(1) + (r.group(2) or '')] = float(r.group(3))
    return m
m0, m1 = metrics(d + '/m0.txt'), metrics(d + '/m1.txt')
cpu = (c1 - c0) / tck / win * 100
print("window          %.1f s" % win)
print("cpu             %.1f %% of one core (utime+stime)" % cpu)
def threads(p):
    t = {}
    for l in open(p):
        f = l.split()
        if len(f) == 2:
            t[f[0]] = t.get(f[0], 0) + int(f[1])
    return t
th0, th1 = threads(d + '/th0.txt'), threads(d + '/th1.txt')
# the frames each thread worked on in the window, for its CPU per frame
def frames(stage):
    k = 'lumen_stage_frames_out_total{stage="%s"}' % stage
    return m1.get(k, 0) - m0.get(k, 0)
work = {'sensor-virt': 'sensor', 'isp': 'isp', 'sink-video0': 'video0',
        'sink-video1': 'video1', 'sink-jpeg': 'jpeg'}
per_frame = 0.0
for name in sorted(th1, key=lambda k: -(th1[k] - th0.get(k, 0))):
    ticks = th1[name] - th0.get(name, 0)
    c = ticks / tck / win * 100
    stage = 'isp' if name.startswith('isp') else work.get(name)
    n = frames(stage) if stage else 0
    if c < 0.05:
        continue
    if n > 0:
        ms = ticks / tck * 1e3 / n
        if stage != 'jpeg':	# one a second, not one a frame
            per_frame += ms
        print("cpu %-11s %5.1f %% of one core, %6.2f ms CPU per %s frame"
              % (name, c, ms, stage))
    else:
        print("cpu %-11s %5.1f %% of one core" % (name, c))
print("cpu per frame   %.1f ms for sensor, ISP and both encoders: %.0f %% of "
      "one core at 30 fps" % (per_frame, per_frame * 30 / 10))
print("rss             peak %s, end %s" % (hwm, rss))
# growth: the largest RSS of the window's first and last tenth (a minute
# each in an hour's run), and open descriptors at both ends
smp = [tuple(map(int, l.split())) for l in open(d + '/rss.txt') if len(l.split()) == 2]
if len(smp) >= 2:
    k = max(1, len(smp) // 10)
    a, b = max(r for r, _ in smp[:k]), max(r for r, _ in smp[-k:])
    print("rss growth      %+d kB: first %d s max %d kB, last %d s max %d kB; "
          "fds %d -> %d" % (b - a, k, a, k, b, smp[0][1], smp[-1][1]))
lat = {0: [], 1: []}
for l in open(d + '/lat.txt'):
    ch, v = l.split()
    if float(v) > 0:
        lat[int(ch)].append(float(v) * 1e3)
for ch, (a, b) in ((0, (n00, n01)), (1, (n10, n11))):
    k = 'lumen_rtsp_aus_total{channel="%d"}' % ch
    aus = m1.get(k, 0) - m0.get(k, 0)
    l = lat[ch]
    print("ch%d delivered   %.2f fps to the client (%d frames), server %.2f fps"
          % (ch, (b - a) / win, b - a, aus / win))
    if l:
        print("ch%d latency     glass-to-RTP mean %.1f ms, max %.1f ms of %d samples; server max %.1f ms"
              % (ch, sum(l) / len(l), max(l), len(l),
                 m1.get('lumen_rtsp_latency_max_seconds{channel="%d"}' % ch, 0) * 1e3))
print("@fps %.3f" % ((n01 - n00) / win))
print("@cpu %.3f" % cpu)
EOF
grep -v "^@" "$dir/report.txt"
fps=$(sed -n "s/^@fps //p" "$dir/report.txt")
lcpu=$(sed -n "s/^@cpu //p" "$dir/report.txt")
kill -TERM "$pid"
wait "$pid"
pid=

# peer: libx264 ultrafast zerolatency at the same sizes and frame rate,
# from testsrc (generation included; it is cheap), for the same window
rate=$(python3 -c "print('%.3f' % max(0.5, $fps))")
frames=$(python3 -c "print(max(1, int($rate * $dur)))")
if ffmpeg -hide_banner -v error -f lavfi -i "testsrc=size=2560x1440:rate=$rate" -frames:v 1 \
	-c:v libx264 -f null - 2>/dev/null; then
	start=$(date +%s%N)
	/usr/bin/env time -f '%U %S' -o "$dir/peer.time" sh -c "
		ffmpeg -nostdin -v error -re -f lavfi -i testsrc=size=2560x1440:rate=$rate \
			-frames:v $frames -c:v libx264 -preset ultrafast -tune zerolatency \
			-b:v 4096k -g 50 -f null - &
		ffmpeg -nostdin -v error -re -f lavfi -i testsrc=size=640x360:rate=$rate \
			-frames:v $frames -c:v libx264 -preset ultrafast -tune zerolatency \
			-b:v 1024k -g 50 -f null - &
		wait" 2>/dev/null
	end=$(date +%s%N)
	python3 - "$dir/peer.time" "$start" "$end" "$lcpu" "$rate" <<'EOF'
import sys
u, s = map(float, open(sys.argv[1]).read().split()[-2:])
win = (int(sys.argv[3]) - int(sys.argv[2])) / 1e9
peer = (u + s) / win * 100
lcpu, rate = float(sys.argv[4]), float(sys.argv[5])
print("peer            ffmpeg libx264 ultrafast, 2560x1440 + 640x360 at %.2f fps from testsrc: "
      "%.1f %% of one core" % (rate, peer))
print("ratio           lumen serve / peer encode-only CPU: %.1fx "
      "(lumen also renders the sensor, simulates CSI-2, runs the ISP, JPEG, RTSP)"
      % (lcpu / peer if peer > 0 else float('nan')))
EOF
else
	echo "peer            skipped (ffmpeg without libx264)"
fi
