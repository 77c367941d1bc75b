#!/bin/sh
# A guest's console logger (issue 12, defect 5) on its FIFO, with a writer
# that prints without end (a guest in a printk loop): an oops line early,
# then numbered lines, far more than the bound (64 KiB here). While it
# floods, console.log, console.log.1 and console.oops stay under their
# bounds (7/16, 7/16 and 1/8 of it); the lines in console.log.1 +
# console.log follow each other; console.oops starts with the oops line;
# the last line written is the last line of console.log. A restarted
# logger keeps the kept report and the FIFO works on. A bad --size is
# refused. The rate the logger took is printed, never asserted.
. "$(dirname "$0")/../lib/lib.sh"
t_need awk
t_tmpdir
RUN=$tmp/run
BOUND_KIB=64
FILE_MAX=$((BOUND_KIB * 1024 * 7 / 16)) OOPS_MAX=$((BOUND_KIB * 1024 / 8))
mkdir "$RUN"

start_logger() {
	"$LABINIT" conlog "$RUN" --size "$BOUND_KIB" 2> "$tmp/logger.err" &
	lpid=$!
	t_track "$lpid"
	t_wait_for 10 test -p "$RUN/console.fifo" || t_fail "the logger made no FIFO: $(cat "$tmp/logger.err")"
}
stop_logger() {
	kill "$lpid"
	wait "$lpid" || t_error "the logger exited with $? on SIGTERM: $(cat "$tmp/logger.err")"
	t_untrack "$lpid"
}
size() { stat -c %s "$RUN/$1" 2> /dev/null || echo 0; }
# the number of the last complete flood line in console.log
# the newest output: a rotation may have left console.log all but empty
newest() { cat "$RUN/console.log.1" "$RUN/console.log" 2> /dev/null | tail -n "$1"; }
last_line() { newest 2 | sed -n 's/^flood \([0-9]*\) .*/\1/p' | tail -n 1; }
check_sizes() {
	l=$(size console.log) o=$(size console.log.1) x=$(size console.oops)
	[ "$l" -le "$FILE_MAX" ] && [ "$o" -le "$FILE_MAX" ] && [ "$x" -le "$OOPS_MAX" ] &&
		[ $((l + o + x)) -le $((BOUND_KIB * 1024)) ] ||
		t_fail "over the bound: console.log $l, console.log.1 $o (each at most $FILE_MAX), console.oops $x (at most $OOPS_MAX)"
}

# A size outside CONFIG_CONSOLE_LOG_SIZE's range, or an unknown option, is
# refused with the usage (status 2), not replaced by the default.
for args in "--size 63" "--size 1048577" "--size 64k" "--size -1" "--bound 64" "extra"; do
	rc=0
	"$LABINIT" conlog "$RUN" $args > /dev/null 2>&1 || rc=$?
	[ "$rc" = 2 ] || t_fail "labinit conlog RUN_DIR $args: status $rc, wanted 2 (usage)"
done

start_logger
# The writer: like a guest's console, it keeps the FIFO open and never ends.
awk 'BEGIN {
	for (i = 0; ; i++) {
		if (i == 50) print "[    0.123456] BUG: kernel NULL pointer dereference, address: 0000000000000008"
		if (i == 51) print "[    0.123457] Oops: 0002 [#1] PREEMPT SMP NOPTI"
		if (i == 200000) print "[    9.999999] Kernel panic - not syncing: a second report, not kept"
		printf "flood %d padding-padding-padding\n", i
	}
}' > "$RUN/console.fifo" &
wpid=$!
t_track "$wpid"
t0=$(t_now_ms)

# At least 400000 lines (~16 MB, 250 times the bound), sizes checked all along.
n=0
until [ "${n:-0}" -ge 400000 ]; do
	check_sizes
	t_pid_running "$lpid" || t_fail "the logger died: $(cat "$tmp/logger.err")"
	[ $(($(t_now_ms) - t0)) -lt 300000 ] || t_fail "only ${n:-0} lines logged after 300 s"
	sleep 0.05
	n=$(last_line)
done
t1=$(t_now_ms)
kill "$wpid"
wait "$wpid" 2> /dev/null
t_untrack "$wpid"
echo "logged $n lines (about $((n * 40 / 1024 / 1024)) MiB) in $((t1 - t0)) ms: $((n * 40 / 1024 * 1000 / (t1 - t0 + 1))) KiB/s"
check_sizes
ls -l "$RUN"

# The tail is current and whole: the last line written ends console.log,
# and the lines of console.log.1 + console.log follow each other (the
# rotation cuts a line in two, the concatenation joins it; the writer's
# last line, cut by its kill, is no flood line).
printf "\nfinal line %s\n" "$$" > "$RUN/console.fifo" # after the cut line
t_wait_for 10 sh -c "cat '$RUN/console.log.1' '$RUN/console.log' | tail -n 1 | grep -qx 'final line $$'" ||
	t_fail "the last line written does not end the log: $(newest 2)"
cat "$RUN/console.log.1" "$RUN/console.log" | awk '
	/^flood [0-9]+ padding-padding-padding$/ {
		if (prev != "" && $2 != prev + 1) { print "line " $2 " follows " prev; bad = 1 }
		prev = $2
	}
	END { exit bad }' || t_fail "console.log.1 + console.log miss lines"
newest=$(cat "$RUN/console.log.1" "$RUN/console.log" | sed -n 's/^flood \([0-9]*\) padding-padding-padding$/\1/p' | tail -n 1)
[ "${newest:-0}" -ge "$n" ] || t_fail "the newest flood line kept is ${newest:-none}, not at least $n"

# The first report is kept from its first line; the later one is not.
head -n 2 "$RUN/console.oops" | grep -q '^\[    0.123456\] BUG: kernel NULL pointer dereference' ||
	t_fail "console.oops does not start with the first report: $(head -n 2 "$RUN/console.oops")"
grep -q 'Oops: 0002' "$RUN/console.oops" || t_fail "console.oops lacks the report's second line"
grep -q 'a second report' "$RUN/console.oops" && t_fail "console.oops holds the second report"

# A restarted logger keeps the report, and the FIFO works on.
stop_logger
cp "$RUN/console.oops" "$tmp/oops.before"
start_logger
printf '[   10.0] WARNING: after the restart\nafter restart %s\n' "$$" > "$RUN/console.fifo"
t_wait_for 10 sh -c "cat '$RUN/console.log.1' '$RUN/console.log' | grep -q 'after restart $$'" || t_fail "a restarted logger logs nothing"
cmp -s "$RUN/console.oops" "$tmp/oops.before" || t_fail "a restarted logger changed console.oops"
check_sizes
stop_logger
echo "PASS: $n lines through a $BOUND_KIB KiB bound; the tail is current, the first report kept"
