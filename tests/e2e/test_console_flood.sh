#!/bin/bash
# End to end (issue 12, defect 5): labinit as PID 1 boots a demo guest
# (TCG) whose command, once it has its lease, prints a kernel BUG: report
# and then floods its console without end, with CONFIG_CONSOLE_LOG_SIZE=64.
# Checked: the guest's console logger runs as the service vm1.log; while
# the guest prints 20 times the bound, its files in /run stay under it and
# console.oops keeps the report; a line typed on the console socket stops
# the flood, and the guest's later WARNING: and last line are what
# `labctl guests` shows, with the start of the first report; the lease
# file still holds the guest's lease.
source "$(dirname "$0")/../lib/pid1.sh" || exit 2
t_init
command -v qemu-system-x86_64 >/dev/null || t_skip "needs qemu-system-x86_64"
command -v socat >/dev/null || t_skip "needs socat"
make -s -C "$T_REPO" demo-guest >"$T_DIR/demo-guest.log" 2>&1 || t_skip "the demo guest cannot be built: $(tail -n 3 "$T_DIR/demo-guest.log")"
mkdir -p "$T_DIR/files/guests"
cp -r "$T_REPO/lab/guests/demo" "$T_DIR/files/guests/" || t_fail "cannot copy the demo guest"
t_outside

BOUND_KIB=64
FILE_MAX=$((BOUND_KIB * 1024 * 7 / 16)) OOPS_MAX=$((BOUND_KIB * 1024 / 8))
token=stop-$$
# The reports are put together in the guest: the kernel prints its command
# line, which must not hold the markers itself.
# No double quote inside (the kernel has no escape for one); \\n is the
# profile's escape for printf's \n. Both at level 3: "quiet" hides 4 and up.
run="printf '<2>%sUG: flood-test first report\\\\n' B > /dev/kmsg; (i=0; while :; do echo flood \$i padding-padding; i=\$((i+1)); done) & read -r l; kill \$!; printf '<3>%sARNING: flood-test later\\\\n' W > /dev/kmsg; sleep 1; echo; echo got-\$l"
cfg=$T_DIR/flood.config
t_static_uplink flood 172.30.0.1 >"$cfg"
cat >>"$cfg" <<EOC
CONFIG_FILES_DIR="$T_DIR/files"
CONFIG_SHARE_9P=n
CONFIG_CONSOLE_LOG_SIZE=$BOUND_KIB
CONFIG_STOP_TIMEOUT=30
CONFIG_SHUTDOWN_TIMEOUT=60
CONFIG_GUEST1=y
CONFIG_GUEST1_KERNEL="guests/demo/vmlinux"
CONFIG_GUEST1_INITRD="guests/demo/initramfs.cpio.gz"
CONFIG_GUEST1_APPEND="quiet lab.tag=none lab.run=\\"$run\\""
CONFIG_GUEST1_MEMORY=192
EOC
t_boot_with_uplink flood "$cfg"
t_wait_console 'service vm1: started' 30 || t_fail "vm1 was not started"
t_labctl status | grep -Eq '^vm1\.log +running' || t_fail "no console logger running: $(t_labctl status)"

G=/run/labinit/guests/vm1
size() { nsenter -t "$LPID" -m stat -c %s "$G/$1" 2>/dev/null || echo 0; }
in_ns() { nsenter -t "$LPID" -m "$@"; }
check_sizes() {
	l=$(size console.log) o=$(size console.log.1) x=$(size console.oops)
	[ "$l" -le "$FILE_MAX" ] && [ "$o" -le "$FILE_MAX" ] && [ "$x" -le "$OOPS_MAX" ] ||
		t_fail "over the bound: console.log $l, console.log.1 $o (each at most $FILE_MAX), console.oops $x (at most $OOPS_MAX)"
}
# the newest output: a rotation may have left console.log all but empty
log_text() { in_ns cat "$G/console.log.1" "$G/console.log" 2>/dev/null | tr -d '\r'; }
last_line() { log_text | tail -n 3 | sed -n 's/^flood \([0-9]*\) padding-padding$/\1/p' | tail -n 1; }

want=$((BOUND_KIB * 1024 * 20 / 25)) n=0 t0=$(t_now_ms)
until [ "${n:-0}" -ge "$want" ]; do
	check_sizes
	[ $(($(t_now_ms) - t0)) -lt 300000 ] || t_fail "only ${n:-0} flood lines after 300 s: $(in_ns tail -n 5 "$G/console.log")"
	sleep 0.2
	n=$(last_line)
done
echo "vm1 printed $n flood lines (about $((n * 25 / 1024)) KiB)"
in_ns ls -l "$G"
check_sizes
in_ns head -n 1 "$G/console.oops" | grep -Eq '^\[ *[0-9.]+\] BUG: flood-test first report' ||
	t_fail "console.oops does not start with the report: $(in_ns head -n 2 "$G/console.oops")"

# Stop the flood from the console socket (what labctl console uses).
{ sleep 1; printf '%s\r' "$token"; sleep 3; } | in_ns socat - "UNIX-CONNECT:$G/console.sock" >"$T_DIR/attached" 2>&1
grep -aq "got-$token" "$T_DIR/attached" || t_fail "the guest did not answer on its console socket: $(tail -c 300 "$T_DIR/attached")"
for _ in $(seq 100); do log_text | grep -aq "got-$token" && break; sleep 0.2; done
log_text | grep -aq "got-$token" || t_fail "the guest's answer is not in console.log"
G_OUT=$(t_labctl guests)
echo "$G_OUT"
echo "$G_OUT" | grep -q "console shows an oops" || t_error "labctl guests does not see the WARNING in the tail"
echo "$G_OUT" | grep -q "got-$token" || t_error "labctl guests' last lines are not the newest"
echo "$G_OUT" | grep -q "the first report ($G/console.oops) begins" || t_error "labctl guests does not show the kept report"
echo "$G_OUT" | grep -Eq '\] BUG: flood-test first report' || t_error "labctl guests lacks the first report's line"
t_labctl guests --json | grep -q '"trouble": true' || t_error "labctl guests --json: no trouble"
t_labctl leases | grep -q ' 10\.77\.0\.' || t_error "the lease file lost vm1's lease: $(t_labctl leases)"
check_sizes

kill -TERM "$LPID"
t_wait_end 120 || t_fail "the namespace did not end after SIGTERM"
t_exit
