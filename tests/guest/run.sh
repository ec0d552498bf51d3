#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The V4L2 test guest (docs/v4l2.md): builds (or reuses) its artefacts with
# tests/guest/build.sh, boots Debian's kernel under qemu-system-x86_64 with
# TCG, and parses what tests/guest/init prints on the serial console:
# every GUEST-RESULT must be "pass" and GUEST-END must come. The console's
# GUEST lines are printed (the test log keeps them).
#   run.sh OUTDIR LUMEN_STATIC SOURCE_ROOT
# Exit: 0 all passed; 1 a test failed, the guest did not finish, or an
# artefact could not be built; 77 only when qemu cannot start at all.
out=$1
lumen=$2
src=$3
T0=$(date +%s)

qemu=$(command -v qemu-system-x86_64) ||
	{ echo "v4l2_guest: SKIP: no qemu-system-x86_64 (package qemu-system-x86)"; exit 77; }
# can it start at all? (an empty machine, told to quit on its monitor)
if ! echo quit | "$qemu" -accel tcg -M none -display none -monitor stdio \
	-no-user-config -nodefaults >/dev/null 2>&1; then
	echo "v4l2_guest: SKIP: qemu-system-x86_64 -accel tcg cannot start here"
	exit 77
fi

sh "$src/tests/guest/build.sh" "$out" "$lumen" "$src" || exit 1
T1=$(date +%s)

console=$out/console.txt
# The serve test's RTSP client is the host's ffprobe, through qemu's user
# network: a free host port forwarded to the guest's 8554. When the guest
# prints GUEST-SERVE-READY, ffprobe reads 30 packets and counts the frames
# it decodes; its verdict goes back to the guest on the serial console
# (qemu's stdin, a fifo here) as one line, HOST-FFPROBE pass|fail: WHY.
port=
for p in $(seq $((20000 + $$ % 20000)) $((20000 + $$ % 20000 + 20))); do
	ss -Hltn "sport = :$p" 2>/dev/null | grep -q . || { port=$p; break; }
done
[ -n "$port" ] || { echo "v4l2_guest: FAIL: no free TCP port for the forward"; exit 1; }
fifo=$out/serial.in
rm -f "$fifo"
mkfifo "$fifo" || exit 1
exec 3<>"$fifo"
# TCG, one vCPU; the guest powers itself off; 300 s is 5x its usual time
timeout 300 "$qemu" -accel tcg -m 512 -nographic -no-reboot \
	-no-user-config -nodefaults -serial stdio -display none \
	-netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$port-:8554" \
	-device e1000,netdev=n0 \
	-kernel "$out/vmlinuz" -initrd "$out/initramfs.cpio.gz" \
	-append "console=ttyS0 quiet panic=-1 oops=panic" <"$fifo" \
	>"$console.raw" 2>&1 &
qpid=$!
# wait for the guest's serve (or its end), then be its client
while kill -0 $qpid 2>/dev/null; do
	grep -aq '^GUEST-SERVE-READY\|^GUEST-END' "$console.raw" && break
	sleep 0.5
done
if grep -aq '^GUEST-SERVE-READY' "$console.raw" && kill -0 $qpid 2>/dev/null; then
	probe=$out/ffprobe.txt
	# and, as a second client at the same time (the server fans the one
	# stream out), the picture: ffmpeg decodes 10 frames (3A settled) and
	# the last one's 8 bars at mid-height must be vimc's 75% colour bars,
	# as in the guest's capture test (on 200..245, off below 25)
	rgb=$out/serve-frame.rgb
	timeout 120 ffmpeg -v error -rtsp_transport tcp -i "rtsp://127.0.0.1:$port/ch0" \
		-frames:v 10 -f rawvideo -pix_fmt rgb24 -y "$rgb.all" >"$probe.ff" 2>&1 &
	ffpid=$!
	timeout 120 ffprobe -v error -rtsp_transport tcp -select_streams v:0 \
		-count_frames -read_intervals '%+#30' \
		-show_entries stream=codec_name,width,height,nb_read_frames \
		-of default=nw=1 "rtsp://127.0.0.1:$port/ch0" >"$probe" 2>&1
	prc=$?
	wait $ffpid
	sed 's/^/HOST-OUT ffprobe: /' "$probe"
	frames=$(sed -n 's/^nb_read_frames=//p' "$probe")
	tail -c $((640 * 480 * 3)) "$rgb.all" >"$rgb" 2>/dev/null
	bars=
	if [ "$(wc -c <"$rgb")" = $((640 * 480 * 3)) ]; then
		for i in 0 1 2 3 4 5 6 7; do
			for c in $(od -An -tu1 -j $(((240 * 640 + 40 + 80 * i) * 3)) -N3 "$rgb"); do
				if [ "$c" -gt 200 ] && [ "$c" -lt 245 ]; then bars="${bars}1"
				elif [ "$c" -lt 25 ]; then bars="${bars}0"
				else bars="${bars}?"; fi
			done
			bars="$bars "
		done
	fi
	echo "HOST-OUT ffmpeg: bars RGB on/off: $bars(want 111 110 011 010 101 100 001 000 )"
	if [ $prc = 0 ] && grep -q '^codec_name=h264$' "$probe" &&
		grep -q '^width=640$' "$probe" && grep -q '^height=480$' "$probe" &&
		[ "${frames:-0}" -ge 20 ] &&
		[ "$bars" = "111 110 011 010 101 100 001 000 " ]; then
		echo "HOST-FFPROBE pass: h264 640x480, $frames frames decoded of 30 packets; vimc's colour bars in the picture" >&3
	else
		echo "HOST-FFPROBE fail: ffprobe exit $prc, $(tr '\n' ' ' <"$probe" | cut -c1-160); bars '$bars' $(head -c 100 "$probe.ff")" >&3
	fi
fi
wait $qpid
tr -d '\r' <"$console.raw" >"$console"
exec 3>&-
rm -f "$fifo"
T2=$(date +%s)

grep -a '^GUEST-' "$console"
fails=$(grep -a '^GUEST-RESULT ' "$console" | grep -vc '^GUEST-RESULT [^ ]* pass ')
passes=$(grep -a '^GUEST-RESULT ' "$console" | grep -c '^GUEST-RESULT [^ ]* pass ')
echo "v4l2_guest: build $((T1 - T0)) s, boot+tests $((T2 - T1)) s: $passes passed, $fails failed"
if ! grep -aq '^GUEST-END ' "$console"; then
	echo "v4l2_guest: FAIL: the guest did not finish; the console's last lines:"
	tail -30 "$console"
	exit 1
fi
[ "$passes" -gt 0 ] && [ "$fails" = 0 ] || { echo "v4l2_guest: FAIL"; exit 1; }
echo "v4l2_guest: ok"
