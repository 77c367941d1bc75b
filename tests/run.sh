#!/bin/sh
# The test runner behind `make check`: unit tests (C binaries under
# build/unit and scripts under tests/unit), short bounded fuzz runs, then the
# root-only integration layers (tests/pid1, net, guests, e2e) and the host
# image booted under QEMU (tests/image).
# A test passes with exit 0, is skipped with exit 77, fails otherwise; its
# output goes to build/test-logs/ and is shown when it fails. Test scripts
# are executables run through their #! line. The last line
# is "N passed, N failed".
#   TESTS=REGEX           run only tests whose name matches
#   FUZZ_CHECK_SECONDS=N  length of each fuzz run (default 15)
cd "$(dirname "$0")/.." || exit 2
LOGS=build/test-logs
mkdir -p "$LOGS"
passed=0 failed=0 skipped=0 failures="" reasons=""

run() { # NAME TIMEOUT CMD...
	name=$1 limit=$2
	shift 2
	if [ -n "${TESTS:-}" ] && ! printf '%s\n' "$name" | grep -Eq -- "$TESTS"; then
		return
	fi
	log="$LOGS/$(printf '%s' "$name" | tr '/' '_').log"
	start=$(date +%s%N)
	timeout --kill-after=10 "$limit" "$@" > "$log" 2>&1 < /dev/null
	rc=$?
	secs=$(awk -v a="$start" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
	case $rc in
	0) passed=$((passed + 1)); echo "PASS $name (${secs}s)" ;;
	77) skipped=$((skipped + 1)); echo "SKIP $name: $(tail -n 1 "$log")" ;;
	*)
		failed=$((failed + 1)); failures="$failures $name"
		[ $rc = 124 ] && echo "(timed out after $limit s)" >> "$log"
		# The reasons first: what CI shows of a long log may be cut short.
		why=$(grep -a -m 5 -E '^FAIL|CHECK failed|^==[0-9]+==ERROR' "$log" | cut -c1-300)
		echo "FAIL $name (exit $rc, ${secs}s)"
		[ -n "$why" ] && printf '%s\n' "$why" | sed 's/^/    ! /'
		echo "    last lines of $log:"
		tail -n 30 "$log" | sed 's/^/    | /'
		[ $rc = 124 ] && why="timed out after $limit s${why:+; }$why"
		reasons="$reasons
  $name: $(printf '%s\n' "${why:-exit $rc, see $log}" | head -n 1)"
		;;
	esac
}

# tests/unit/ mirrors the source folders; a test is named by its path there
# (unit/net/dhcp/test_codec).
for t in $(find build/unit -type f -name 'test_*' | LC_ALL=C sort); do
	[ -x "$t" ] && run "unit/${t#build/unit/}" 120 "$t"
done
for t in $(find tests/unit -name 'test_*.sh' | LC_ALL=C sort); do
	n=${t#tests/unit/}
	run "unit/${n%.sh}" 120 "$t"
done
for f in build/fuzz/fuzz_*; do
	[ -x "$f" ] || continue
	n=$(basename "$f")
	mkdir -p "build/corpus/$n"
	# -error_exitcode: libFuzzer reports a crash with 77 by default, which
	# this runner reads as a skip.
	run "fuzz/$n" 300 "$f" -error_exitcode=1 -max_total_time="${FUZZ_CHECK_SECONDS:-15}" -max_len=8192 \
		-artifact_prefix="$LOGS/$n-" "build/corpus/$n" "tests/fuzz/corpus/$n"
done
for layer in pid1 net guests e2e image; do
	limit=900
	[ "$layer" = image ] && limit=1500 # nested TCG boots take minutes
	for t in tests/$layer/test_*.sh; do
		[ -f "$t" ] && run "$layer/$(basename "$t" .sh)" "$limit" "$t"
	done
done

if [ -n "$failures" ]; then
	echo "failed:$failures"
	printf '%s\n' "$reasons" | sed 1d | cut -c1-300
fi
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
