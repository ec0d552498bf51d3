#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds and runs every test of lumen on a Debian bookworm machine. Steps
# (budgets and what goes where: docs/testing.md):
#   1. deps      the Debian packages (scripts/deps.sh)
#   2. native    gcc, warnings are errors: every test, suites unit + heavy
#   3. sanitize  clang, warnings are errors, ASan+UBSan (halt on the first
#                error) with the libFuzzer harnesses: every test but the
#                suite 'native' (numbers and real-time clients)
#   4. tsan      clang, ThreadSanitizer: the suite 'tsan' (the threaded
#                parts: pipeline, servers, the daemon with live changes);
#                any report fails the step
#   5. armhf, arm64, mipsel: cross builds; suite 'unit' under qemu-user
#   6. static-collect-armhf, -mipsel: lumen-collect linked statically
#   7. fuzz      each harness of step 3 for LUMEN_FUZZ_SECONDS (default 30)
#                from its corpus (fuzz/corpus/NAME) with its dictionary
#                (fuzz/NAME.dict), two at a time
# Test data is looked for in LUMEN_DATA (default ../shared/data); tests that
# need it skip with a message when it is absent.
# Prints each step's wall time and each suite's 10 slowest tests, and ends
# with the line "N passed, N failed"; exits non-zero on any failure.
set -u
cd "$(dirname "$0")/.."
root=$(pwd)
out=${LUMEN_TEST_OUT:-$root/build-test}
mkdir -p "$out"
: >"$out/steps.txt"
T_ALL=$(date +%s)

# step timing: step_begin NAME ... step_end; the table is printed at the end
step_begin() { STEP=$1; T_STEP=$(date +%s); echo "test: == $STEP =="; }
step_end() {
	dt=$(($(date +%s) - T_STEP))
	echo "test: step $STEP: ${dt} s"
	printf '%-22s %5d s\n' "$STEP" "$dt" >>"$out/steps.txt"
}

step_begin deps
sh scripts/deps.sh meson ninja-build pkg-config gcc clang libcmocka-dev \
	libturbojpeg0-dev libjpeg62-turbo-dev libpng-dev libtiff-dev \
	libyaml-dev libx264-dev libmicrohttpd-dev nettle-dev libclang-rt-14-dev \
	gcc-arm-linux-gnueabihf gcc-aarch64-linux-gnu gcc-mipsel-linux-gnu \
	libc6-dev-armhf-cross libc6-dev-arm64-cross libc6-dev-mipsel-cross \
	qemu-user dcraw curl chromium ffmpeg gstreamer1.0-tools \
	gstreamer1.0-plugins-base gstreamer1.0-plugins-good \
	gstreamer1.0-plugins-bad gstreamer1.0-libav netcat-openbsd python3 openssl \
	vlc-bin vlc-plugin-base \
	qemu-system-x86 linux-image-amd64 linux-headers-amd64 linux-source-6.1 \
	busybox-static cpio kmod make iproute2 ||
	{ echo "test: could not install build dependencies"; echo "0 passed, 1 failed"; exit 1; }
step_end

: "${LUMEN_DATA:=$root/../shared/data}"
export LUMEN_DATA
[ -d "$LUMEN_DATA" ] || echo "test: NOTE: no test data at $LUMEN_DATA; data tests will skip"

# The cross sysroots are downloads (Debian's archive), not CPU: fetched in
# the background while the native step builds and tests.
(
	for arch in armhf arm64 mipsel; do
		if scripts/cross-sysroot.sh "$arch" "$out/sysroot-$arch" \
			>"$out/cross-$arch.log" 2>&1; then
			echo ok >"$out/sysroot-$arch.status"
		else
			echo failed >"$out/sysroot-$arch.status"
		fi
	done
) &
sysroots=$!

passed=0
failed=0
failures=""

# meson test summary lines -> counters
count() { # name logfile
	ok=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' "$2" | tail -1)
	fl=$(sed -n 's/^Fail: *\([0-9]*\).*/\1/p' "$2" | tail -1)
	to=$(sed -n 's/^Timeout: *\([0-9]*\).*/\1/p' "$2" | tail -1)
	up=$(sed -n 's/^Unexpected Pass: *\([0-9]*\).*/\1/p' "$2" | tail -1)
	sk=$(sed -n 's/^Skipped: *\([0-9]*\).*/\1/p' "$2" | tail -1)
	ok=${ok:-0}; fl=${fl:-0}; to=${to:-0}; up=${up:-0}; sk=${sk:-0}
	if [ "$ok" -eq 0 ] && [ "$fl" -eq 0 ] && [ "$to" -eq 0 ]; then
		fl=1	# the suite did not even run
	fi
	passed=$((passed + ok))
	failed=$((failed + fl + to + up))
	echo "test: $1: $ok passed, $((fl + to + up)) failed, $sk skipped"
	[ $((fl + to + up)) -gt 0 ] && failures="$failures $1"
}

step_fail() { # name logfile
	echo "test: $1 FAILED; last lines of $2:"
	tail -n 40 "$2"
	failed=$((failed + 1))
	failures="$failures $1"
}

# The 10 slowest tests of a suite run, from meson's JSON test log.
slowest() { # builddir
	python3 - "$1/meson-logs/testlog.json" <<'EOF'
import json, sys
try:
    rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
except OSError:
    sys.exit(0)
rows.sort(key=lambda r: -r.get("duration", 0))
for r in rows[:10]:
    print("test:   %8.1f s  %-40s %s" % (r.get("duration", 0), r["name"], r.get("result", "")))
EOF
}

suite() { # name builddir [meson setup args...]
	name=$1 dir=$2
	shift 2
	log=$out/$name.log
	if ! { [ -f "$dir/build.ninja" ] || meson setup "$dir" "$@" >"$log" 2>&1; }; then
		step_fail "$name-setup" "$log"; return
	fi
	if ! ninja -C "$dir" >>"$log" 2>&1; then
		step_fail "$name-build" "$log"; return
	fi
	meson test -C "$dir" --no-rebuild --print-errorlogs $TEST_ARGS >>"$log" 2>&1
	grep -E "^ *[0-9]+/[0-9]+ " "$log" | grep -vE " (OK|SKIP) " || true
	count "$name" "$log"
	echo "test: $name: slowest tests"
	slowest "$dir"
}

step_begin native
TEST_ARGS=""
suite native "$out/native" -Dwerror=true
step_end

# clang with ASan+UBSan: the clang -Werror build, the sanitizer run and the
# fuzzers' build in one; -fno-sanitize-recover makes every UBSan report fatal
step_begin sanitize
TEST_ARGS="--no-suite native --timeout-multiplier 2"
CC=clang suite sanitize "$out/sanitize" -Dwerror=true \
	--buildtype=debugoptimized -Db_sanitize=address,undefined -Db_lundef=false \
	-Dc_args=-fno-sanitize-recover=all -Dfuzz=true
step_end

# ThreadSanitizer over the threaded code (suite 'tsan'). Reports go to
# files (log_path), so a race in a server that a shell test starts and
# stops fails the step too, not only one in a cmocka executable.
step_begin tsan
rm -rf "$out/tsan-reports" && mkdir -p "$out/tsan-reports"
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 log_path=$out/tsan-reports/report"
TEST_ARGS="--suite tsan --timeout-multiplier 2"
CC=clang suite tsan "$out/tsan" -Dwerror=true --buildtype=debugoptimized \
	-Db_sanitize=thread -Db_lundef=false
unset TSAN_OPTIONS
if ls "$out/tsan-reports"/report* >/dev/null 2>&1; then
	cat "$out/tsan-reports"/report* >"$out/tsan-reports.log"
	step_fail tsan-reports "$out/tsan-reports.log"
fi
step_end

# under qemu-user: the suite 'unit' (docs/testing.md)
wait "$sysroots"
TEST_ARGS="--suite unit --timeout-multiplier 3"
for arch in armhf arm64 mipsel; do
	step_begin "$arch"
	if [ "$(cat "$out/sysroot-$arch.status" 2>/dev/null)" = ok ]; then
		suite "$arch" "$out/$arch" --cross-file "$out/sysroot-$arch/sysroot.ini" \
			--cross-file cross/$arch.txt -Dwerror=true
	else
		step_fail "$arch-sysroot" "$out/cross-$arch.log"
	fi
	step_end
done

# lumen-collect linked statically (-Dstatic_collect=true) for armhf and
# mipsel: only that target is built; tests/collect_static.sh checks it has
# no PT_INTERP/NEEDED and that the native doctor reads its bundle (qemu-user)
step_begin static-collect
for arch in armhf mipsel; do
	log=$out/static-collect-$arch.log
	dir=$out/static-collect-$arch
	if { [ -f "$dir/build.ninja" ] || meson setup "$dir" --cross-file "$out/sysroot-$arch/sysroot.ini" \
		--cross-file cross/$arch.txt -Dwerror=true -Dtests=disabled -Dstatic_collect=true >"$log" 2>&1; } &&
		ninja -C "$dir" lumen-collect >>"$log" 2>&1 &&
		sh tests/collect_static.sh "$arch" "$dir/lumen-collect" "$out/native/lumen" "$root" >>"$log" 2>&1; then
		passed=$((passed + 1))
		echo "test: static-collect-$arch: $(tail -1 "$log")"
	else
		step_fail "static-collect-$arch" "$log"
	fi
done
step_end

# fuzzers (ASan+UBSan, from the sanitize step): each runs from a copy of its
# seed corpus, plus the doctor's test cases for fuzz_doctor, with its
# dictionary; a crash, leak or sanitizer report fails it. Two at a time.
step_begin fuzz
secs=${LUMEN_FUZZ_SECONDS:-30}
fuzz_one() { # harness
	n=$(basename "$1")
	work=$out/fuzz-work/$n
	rm -rf "$work" && mkdir -p "$work"
	corpus=$root/fuzz/corpus/${n#fuzz_}
	[ -d "$corpus" ] && cp -r "$corpus"/. "$work"/ 2>/dev/null
	set -- "$1" -max_total_time="$secs" -rss_limit_mb=2048 -print_final_stats=1
	[ -f "$root/fuzz/${n#fuzz_}.dict" ] && set -- "$@" -dict="$root/fuzz/${n#fuzz_}.dict"
	set -- "$@" "$work"
	[ "$n" = fuzz_doctor ] && set -- "$@" "$root/tests/doctor"
	"$@" >"$out/$n.log" 2>&1
	echo $? >"$out/$n.rc"
}
harnesses=""
for f in "$out"/sanitize/fuzz/fuzz_*; do
	[ -f "$f" ] && [ -x "$f" ] && harnesses="$harnesses $f"
done
set -- $harnesses
while [ $# -gt 0 ]; do
	fuzz_one "$1" &
	shift
	if [ $# -gt 0 ]; then
		fuzz_one "$1" &
		shift
	fi
	wait
done
for f in $harnesses; do
	n=$(basename "$f")
	if [ "$(cat "$out/$n.rc" 2>/dev/null)" = 0 ]; then
		passed=$((passed + 1))
		echo "test: $n: ran ${secs}s, no crash ($(grep -o 'cov: [0-9]*' "$out/$n.log" | tail -1))"
	else
		step_fail "$n" "$out/$n.log"
	fi
done
[ -n "$harnesses" ] || step_fail "fuzz-build" "$out/sanitize.log"
step_end

echo "test: step times"
cat "$out/steps.txt"
printf '%-22s %5d s\n' total $(($(date +%s) - T_ALL))
[ -n "$failures" ] && echo "test: failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
