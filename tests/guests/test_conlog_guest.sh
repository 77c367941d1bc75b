#!/bin/sh
# A real guest floods its console through the logger (issue 12, defect 5):
# the demo guest under QEMU (TCG), with the console chardev labinit gives
# every guest (guests/qemu/qemu.c: a socket, logfile= the logger's FIFO),
# prints an early kernel report (a BUG: line through /dev/kmsg), then
# numbered lines without end, and waits on its console for a line. Checked
# while it floods: the files stay under the 64 KiB bound (7/16, 7/16, 1/8)
# and console.oops starts with the report; the logger killed and started
# again, the guest runs on and so does the log; then a line typed through
# console.sock (what `labctl console` does) reaches the guest, whose answer
# ends console.log, and QEMU exits by itself with 0.
# Skips (77) without qemu-system-x86_64 or when the demo guest cannot be
# built offline.
. "$(dirname "$0")/../lib/lib.sh"
cd "$T_REPO" || exit 2
QEMU=${QEMU:-qemu-system-x86_64}
D=lab/guests/demo
BOUND_KIB=64
FILE_MAX=$((BOUND_KIB * 1024 * 7 / 16)) OOPS_MAX=$((BOUND_KIB * 1024 / 8))
t_need "$QEMU" "Debian package qemu-system-x86"
t_need socat
t_tmpdir
RUN=$tmp/run
mkdir "$RUN"
if [ ! -s "$D/vmlinux" ] && ! make demo-guest > "$tmp/build.log" 2>&1; then
	cat "$tmp/build.log"
	grep -q 'cannot fetch' "$tmp/build.log" && t_skip "the demo guest cannot be built offline (packages not fetched)"
	t_fail "make demo-guest"
fi

"$LABINIT" conlog "$RUN" --size "$BOUND_KIB" 2> "$tmp/logger.err" &
lpid=$!
t_track "$lpid"
t_wait_for 10 test -p "$RUN/console.fifo" || t_fail "the logger made no FIFO: $(cat "$tmp/logger.err")"

token=stop-$$
# The report is put together in the guest: the kernel prints its command
# line, which must not hold the marker itself.
cmd="printf '<2>%sUG: conlog-test early report\\n' B > /dev/kmsg; (i=0; while :; do echo flood \$i padding-padding; i=\$((i+1)); done) & read -r l; kill \$!; echo; echo got-\$l"
"$QEMU" -accel tcg -m 256 -smp 1 -nodefaults -no-user-config -display none -no-reboot \
	-chardev "socket,id=con0,path=$RUN/console.sock,server=on,wait=off,logfile=$RUN/console.fifo,logappend=on" \
	-serial chardev:con0 -kernel "$D/vmlinux" -initrd "$D/initramfs.cpio.gz" \
	-append "console=ttyS0 lab.poweroff=1 lab.tag=none lab.run=\"$cmd\"" > "$tmp/qemu.out" 2>&1 &
qpid=$!
t_track "$qpid"

size() { stat -c %s "$RUN/$1" 2> /dev/null || echo 0; }
check_sizes() {
	l=$(size console.log) o=$(size console.log.1) x=$(size console.oops)
	[ "$l" -le "$FILE_MAX" ] && [ "$o" -le "$FILE_MAX" ] && [ "$x" -le "$OOPS_MAX" ] ||
		t_fail "over the bound: console.log $l, console.log.1 $o (each at most $FILE_MAX), console.oops $x (at most $OOPS_MAX)"
}
# the newest output: a rotation may have left console.log all but empty
log_text() { cat "$RUN/console.log.1" "$RUN/console.log" 2> /dev/null | tr -d '\r'; }
last_line() { log_text | tail -n 3 | sed -n 's/^flood \([0-9]*\) padding-padding$/\1/p' | tail -n 1; }

# Until the guest has printed 20 times the bound (~25 bytes a line).
want=$((BOUND_KIB * 1024 * 20 / 25)) n=0 t0=$(t_now_ms)
until [ "${n:-0}" -ge "$want" ]; do
	check_sizes
	t_pid_running "$qpid" || t_fail "QEMU ended: $(cat "$tmp/qemu.out"); console: $(tail -n 5 "$RUN/console.log")"
	[ $(($(t_now_ms) - t0)) -lt 150000 ] || t_fail "only ${n:-0} flood lines after 150 s: $(tail -n 3 "$RUN/console.log")"
	sleep 0.2
	n=$(last_line)
done
echo "the guest printed $n lines (about $((n * 25 / 1024)) KiB) in $(($(t_now_ms) - t0)) ms since QEMU started"
ls -l "$RUN"
check_sizes
head -n 1 "$RUN/console.oops" | grep -Eq '^\[ *[0-9]+\.[0-9]+\] BUG: conlog-test early report' ||
	t_fail "console.oops does not start with the guest's report: $(head -n 2 "$RUN/console.oops")"
grep -q 'BUG: conlog-test' "$RUN/console.log" "$RUN/console.log.1" &&
	t_fail "the report is still in the rotated log: the flood was too short to test anything"

# A logger that dies costs the log, not the guest: QEMU's log writes fail
# with EPIPE (it ignores SIGPIPE) and the guest runs on; a new logger
# reopens the same FIFO and the log goes on.
kill -KILL "$lpid"
wait "$lpid" 2> /dev/null
t_untrack "$lpid"
before=$(last_line)
before=${before:-0}
sleep 2
t_pid_running "$qpid" || t_fail "QEMU ended when its logger died: $(cat "$tmp/qemu.out")"
"$LABINIT" conlog "$RUN" --size "$BOUND_KIB" 2>> "$tmp/logger.err" &
lpid=$!
t_track "$lpid"
t_wait_for 30 sh -c "[ \"\$(tail -n 3 '$RUN/console.log' | tr -d '\r' | sed -n 's/^flood \([0-9]*\) padding-padding\$/\1/p' | tail -n 1)\" -gt $before ]" ||
	t_fail "the log did not go on after the logger's restart"
echo "logger killed at flood line $before; after its restart the log is at line $(last_line)"
check_sizes

# The console socket still carries input: the guest reads our line.
# Attached for 3 s: a second of the flood, then the line, then the answer.
{ sleep 1; printf '%s\r' "$token"; sleep 2; } | socat - "UNIX-CONNECT:$RUN/console.sock" > "$tmp/attached" 2>&1 ||
	t_fail "cannot attach to console.sock: $(cat "$tmp/attached")"
grep -aq '^flood [0-9]' "$tmp/attached" || t_error "the console socket carried no flood lines"
grep -aq "got-$token" "$tmp/attached" || t_error "the console socket did not carry the guest's answer"
t_wait_for 60 sh -c "cat '$RUN/console.log.1' '$RUN/console.log' | grep -aq 'got-$token'" || t_fail "the guest did not get the line typed on console.sock"
t_wait_for 60 sh -c "! kill -0 $qpid" || t_fail "QEMU did not power off"
wait "$qpid" || t_fail "QEMU exited with $?"
t_untrack "$qpid"
log_text | grep -aq 'labguest: exit 0' || t_error "no 'labguest: exit 0' at the end of console.log"
check_sizes
kill "$lpid"
wait "$lpid" || t_error "the logger exited with $?"
t_untrack "$lpid"
[ "$T_ERRORS" -eq 0 ] && echo "PASS: a flooding guest's console stays under $BOUND_KIB KiB, its first report kept, console input works"
t_exit
