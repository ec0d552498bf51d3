#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds and runs every test of lumen on a Debian bookworm machine:
#   1. gcc build (warnings are errors) and the unit tests
#   2. clang build (warnings are errors)
#   3. ASan+UBSan debug build and the unit tests under it
#   4. cross builds for armhf, arm64 and mipsel; their unit tests under
#      qemu-user
#   5. the libFuzzer harnesses, briefly (LUMEN_FUZZ_SECONDS, default 20)
# Test data is looked for in LUMEN_DATA (default ../shared/data); tests that
# need it skip with a message when it is absent.
# Ends with the line "N passed, N failed"; exits non-zero on any failure.
set -u
cd "$(dirname "$0")/.."
root=$(pwd)
out=${LUMEN_TEST_OUT:-$root/build-test}
mkdir -p "$out"

sh scripts/deps.sh meson ninja-build pkg-config gcc clang libcmocka-dev \
	libturbojpeg0-dev libjpeg62-turbo-dev libpng-dev libtiff-dev \
	libyaml-dev libx264-dev libmicrohttpd-dev libclang-rt-14-dev \
	gcc-arm-linux-gnueabihf gcc-aarch64-linux-gnu gcc-mipsel-linux-gnu \
	qemu-user dcraw curl chromium ffmpeg gstreamer1.0-tools \
	gstreamer1.0-plugins-base gstreamer1.0-plugins-good \
	gstreamer1.0-plugins-bad gstreamer1.0-libav netcat-openbsd python3 \
	vlc-bin vlc-plugin-base ||
	{ echo "test: could not install build dependencies"; echo "0 passed, 1 failed"; exit 1; }

: "${LUMEN_DATA:=$root/../shared/data}"
export LUMEN_DATA
[ -d "$LUMEN_DATA" ] || echo "test: NOTE: no test data at $LUMEN_DATA; data tests will skip"

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

suite() { # name builddir [meson setup args...]
	name=$1 dir=$2
	shift 2
	log=$out/$name.log
	echo "test: == $name =="
	if ! { [ -f "$dir/build.ninja" ] || meson setup "$dir" "$@" >"$log" 2>&1; }; then
		step_fail "$name-setup" "$log"; return
	fi
	if ! ninja -C "$dir" >>"$log" 2>&1; then
		step_fail "$name-build" "$log"; return
	fi
	meson test -C "$dir" --print-errorlogs $TEST_ARGS >>"$log" 2>&1
	grep -E "^ *[0-9]+/[0-9]+ " "$log" | grep -vE " (OK|SKIP) " || true
	count "$name" "$log"
}

TEST_ARGS=""
suite native "$out/native" -Dwerror=true
CC=clang suite clang "$out/clang" -Dwerror=true -Dfuzz=true
LUMEN_TEST_SANITIZED=1 suite sanitize "$out/sanitize" --buildtype=debugoptimized -Db_sanitize=address,undefined \
	-Db_lundef=false
# under qemu-user: every unit test, not the full-size real-data ones
TEST_ARGS="--no-suite heavy --timeout-multiplier 3"
for arch in armhf arm64 mipsel; do
	log=$out/cross-$arch.log
	if scripts/cross-sysroot.sh "$arch" "$out/sysroot-$arch" >"$log" 2>&1; then
		suite "$arch" "$out/$arch" --cross-file "$out/sysroot-$arch/sysroot.ini" \
			--cross-file cross/$arch.txt -Dwerror=true
	else
		step_fail "$arch-sysroot" "$log"
	fi
done

# lumen-collect linked statically (-Dstatic_collect=true) for armhf and
# mipsel: only that target is built; tests/collect_static.sh checks it has
# no PT_INTERP/NEEDED and that the native doctor reads its bundle (qemu-user)
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

# fuzzers: each runs briefly from its seed corpus; a crash fails the step
secs=${LUMEN_FUZZ_SECONDS:-20}
for f in "$out"/clang/fuzz/fuzz_*; do
	[ -f "$f" ] && [ -x "$f" ] || continue
	n=$(basename "$f")
	corpus=$root/fuzz/corpus/${n#fuzz_}
	work=$out/fuzz-work/$n
	rm -rf "$work" && mkdir -p "$work"
	[ -d "$corpus" ] && cp -r "$corpus"/. "$work"/ 2>/dev/null
	if "$f" -max_total_time="$secs" -rss_limit_mb=1024 "$work" >"$out/$n.log" 2>&1; then
		passed=$((passed + 1))
		echo "test: $n: ran ${secs}s, no crash"
	else
		step_fail "$n" "$out/$n.log"
	fi
done

[ -n "$failures" ] && echo "test: failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
