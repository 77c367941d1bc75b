#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # run.sh starts every bench with sh
# Benchmark, not a test: a clean guest for the next test, from `labctl
# reset` until the guest's agent answers a `labctl run -- true`, for the
# demo guest (192 MiB, TCG) under labinit as PID 1 in fresh namespaces
# (the fixture of tests/e2e/test_snapshot_reset.sh): vm1 with
# CONFIG_GUEST1_RESET=snapshot (QEMU's snapshot-load in the running QEMU,
# guests/qemu/qmp_snap.c) beside vm2 with reset=reboot (a restart: QEMU
# powered down and started again, the kernel booted, the agent waited
# for, which is what `labctl restart` until the agent answers costs).
# The two alternate, BENCH_RUNS times each. Also: the time the snapshot
# took (the first reset) and the state file's size (it lives in the run
# directory, on tmpfs: RAM). Prints numbers; asserts none.
#   BENCH_RUNS=N   resets of each kind (default 3)
set -u
source "$(dirname "$0")/../lib/pid1.sh" || exit 2
. "$T_REPO/tests/bench/lib.sh"
RUNS=${BENCH_RUNS:-3}
t_init
t_demo_lab bench_reset 192 'lab.tag=none lab.if=none'
cat >>"$CFG" <<EOC
CONFIG_GUEST1_RESET="snapshot"
CONFIG_GUEST2=y
CONFIG_GUEST2_KERNEL="guests/demo/vmlinux"
CONFIG_GUEST2_INITRD="guests/demo/initramfs.cpio.gz"
CONFIG_GUEST2_APPEND="lab.tag=none lab.if=none"
CONFIG_GUEST2_MEMORY=192
EOC
t_boot_with_uplink bench_reset "$CFG"
t_wait_console 'service vm2: started' 60 || t_fail "the guests were not started"

# ms GUEST: labctl reset GUEST then labctl run GUEST -- true, in ms
ms() {
	local t0=$(t_now_ms) t1
	t_labctl reset "$1" >/dev/null 2>"$T_DIR/err" || t_fail "reset of $1: $(cat "$T_DIR/err")"
	t1=$(t_now_ms)
	t_labctl run "$1" -- true 2>>"$T_DIR/err" || t_fail "run after the reset of $1: $(cat "$T_DIR/err")"
	echo "$1: reset $((t1 - t0)) ms, then run true $(($(t_now_ms) - t1)) ms" >&2
	echo $(($(t_now_ms) - t0))
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

t_labctl run vm2 --boot-timeout 300 -- true >/dev/null || t_fail "vm2 did not boot"
t0=$(t_now_ms)
t_labctl reset vm1 --boot-timeout 300 || t_fail "vm1's first reset (the snapshot)"
echo "first reset of vm1 (waits for its boot, takes the snapshot): $(($(t_now_ms) - t0)) ms"
echo "state file: $(nsenter -t "$LPID" -m du -k /run/labinit/guests/vm1/snapshot.qcow2 | cut -f1) KiB on tmpfs (guest memory 192 MiB)"
: >"$T_DIR/snap" && : >"$T_DIR/boot"
for i in $(seq "$RUNS"); do
	s=$(ms vm1) b=$(ms vm2)
	echo "run $i: snapshot reset $s ms, reboot $b ms"
	echo "$s" >>"$T_DIR/snap"
	echo "$b" >>"$T_DIR/boot"
done
snap=$(median <"$T_DIR/snap") boot=$(median <"$T_DIR/boot")
echo "median of $RUNS: snapshot reset $snap ms, reboot (restart) $boot ms"
summary_row "guest reset until the agent answers (demo guest, 192 MiB, TCG)" ms lower "$snap" \
	"reboot (labctl restart)" "$boot"
kill -TERM "$LPID"
t_wait_end 120 || t_fail "the namespace did not end after SIGTERM"
