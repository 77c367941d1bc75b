#!/bin/bash
# End to end (issue 17, snapshot reset): labinit as PID 1 runs the demo
# guest vm1 with CONFIG_GUEST1_RESET=snapshot and vm2 with the default
# (reboot). Checked through labctl in the namespace: `labctl reset vm1`
# before any snapshot waits for the agent and takes it; a marker written
# in the guest's /tmp and a changed hostname are gone after a reset, the
# agent answers, the guest was not restarted (same QEMU, no restart
# counted); twice in a row; after `labctl restart vm1` (a new QEMU) the
# next reset takes a fresh snapshot; `labctl reset vm2` restarts vm2 and
# returns once its agent answers, its marker gone too.
source "$(dirname "$0")/../lib/pid1.sh" || exit 2
t_init
t_demo_lab snap 192 'lab.tag=none lab.if=none'
cat >>"$CFG" <<EOC
CONFIG_GUEST1_RESET="snapshot"
CONFIG_GUEST2=y
CONFIG_GUEST2_KERNEL="guests/demo/vmlinux"
CONFIG_GUEST2_INITRD="guests/demo/initramfs.cpio.gz"
CONFIG_GUEST2_APPEND="lab.tag=none lab.if=none"
CONFIG_GUEST2_MEMORY=128
EOC
t_boot_with_uplink snap "$CFG"
t_wait_console 'service vm1: started' 30 || t_fail "vm1 was not started"

# grun GUEST CMD: labctl run's stdout, failing the test on a nonzero exit
grun() {
	local g=$1 out
	shift
	out=$(t_labctl run "$g" --timeout 60 -- sh -c "$*" 2>"$T_DIR/run.err") ||
		t_error "labctl run $g -- $*: exit $?: $(cat "$T_DIR/run.err")"
	printf '%s' "$out"
}
reset() {
	local t0=$(t_now_ms) code
	t_labctl reset "$@" >"$T_DIR/reset.out" 2>"$T_DIR/reset.err"
	code=$?
	echo "labctl reset $* -> $code in $(($(t_now_ms) - t0)) ms: $(cat "$T_DIR/reset.out" "$T_DIR/reset.err" | xargs)"
	return $code
}
# the QEMU pid PID 1 reports for a running guest (0 otherwise)
qpid() { t_labctl lab | awk -F'\t' -v g="$1" '$1 == "guest" && $2 == g { print $10 }'; }
restarts() { t_labctl guests --json | tr -d '\n' | sed -n "s/.*\"name\": \"$1\"[^}]*\"restarts\": \([0-9]*\).*/\1/p"; }
run_dir=/run/labinit/guests/vm1

# No snapshot yet: reset waits for the agent and takes it.
reset vm1 || t_fail "the first reset of vm1"
grep -q 'first ready now; snapshot taken' "$T_DIR/reset.out" || t_error "first reset: $(cat "$T_DIR/reset.out")"
nsenter -t "$LPID" -m test -s $run_dir/snapshot.qcow2 || t_error "no snapshot.qcow2 in vm1's run directory"
host0=$(grun vm1 hostname)
[ -n "$host0" ] || t_fail "no hostname from vm1"
r0=$(restarts vm1)

for i in 1 2; do
	grun vm1 "echo $i > /tmp/marker && hostname dirty$i && cat /tmp/marker" | grep -qx "$i" || t_error "marker $i not written"
	[ "$(grun vm1 hostname)" = "dirty$i" ] || t_error "hostname not changed ($i)"
	reset vm1 || t_error "reset $i of vm1"
	grep -q 'snapshot loaded' "$T_DIR/reset.out" || t_error "reset $i did not load the snapshot"
	state=$(grun vm1 'test -e /tmp/marker && echo marker; hostname')
	[ "$state" = "$host0" ] || t_error "after reset $i: '$state', wanted only the hostname $host0"
	echo "after reset $i: guest clock $(grun vm1 'date +%s'), host $(date +%s)"
done
[ "$(restarts vm1)" = "$r0" ] || t_error "vm1 restarted during resets: restarts $r0 -> $(restarts vm1)"

# A new QEMU has no snapshot: the next reset takes one again. While the
# old one powers down, a reset is refused or still loads the old snapshot;
# once the new one runs it takes a fresh snapshot.
p1=$(qpid vm1)
t_labctl restart vm1 >/dev/null || t_error "labctl restart vm1"
new_qemu() { local p=$(qpid vm1); [ -n "$p" ] && [ "$p" != 0 ] && [ "$p" != "$p1" ]; }
t_wait_for 120 new_qemu ||
	t_fail "vm1 did not come back after labctl restart"
reset vm1 || t_error "the reset after a restart"
grep -q 'first ready now; snapshot taken' "$T_DIR/reset.out" || t_error "after restart: $(cat "$T_DIR/reset.out")"
grun vm1 'touch /tmp/marker'
reset vm1 && grun vm1 'test ! -e /tmp/marker' || t_error "the new snapshot does not reset"

# vm2 (reset reboot): restarted, and labctl returns once its agent answers.
grun vm2 'touch /tmp/marker'
p2=$(qpid vm2)
reset vm2 || t_error "reset of vm2 (reboot)"
grep -q 'vm2: restarted' "$T_DIR/reset.out" || t_error "vm2: $(cat "$T_DIR/reset.out")"
grun vm2 'test ! -e /tmp/marker' || t_error "vm2's marker survived its reboot"
[ "$(qpid vm2)" != "$p2" ] || t_error "vm2 runs the same QEMU (pid $p2) after its reset"
reset nosuch && t_error "a reset of a guest that does not exist succeeded"
grep -q 'no guest named "nosuch"' "$T_DIR/reset.err" || t_error "nosuch: $(cat "$T_DIR/reset.err")"
kill -TERM "$LPID"
t_wait_end 120 || t_fail "the namespace did not end after SIGTERM"
t_exit
