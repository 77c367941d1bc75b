#!/bin/bash
# End to end (issue 16, `labctl run`): labinit as PID 1 boots one demo
# guest (TCG) whose /init starts the guest agent (labinit agent, over the
# virtio-serial port org.labinit.agent), and a second guest whose KERNEL
# is garbage. Checked, each through `labctl run` in the namespace:
# `true` → 0 (the first run waits for the agent: its boot_wait_ms is the
# time from QEMU's start to the agent's hello); `sh -c 'exit 3'` → 3;
# stdout and stderr arrive separately; a command the guest lacks → 127;
# `--timeout 2 -- sleep 30` → 124 within a few seconds; the garbage guest
# → 126 (did not boot) within --boot-timeout; two runs at once queue;
# last, sysrq c → 123 (panicked) with the outcome in --json.
source "$(dirname "$0")/../lib/pid1.sh" || exit 2
t_init
t_demo_lab agent 192 'lab.tag=none lab.if=none'
head -c 65536 /dev/urandom >"$T_DIR/files/guests/garbage"
cat >>"$CFG" <<EOC
CONFIG_GUEST2=y
CONFIG_GUEST2_KERNEL="guests/garbage"
CONFIG_GUEST2_INITRD="guests/demo/initramfs.cpio.gz"
CONFIG_GUEST2_MEMORY=64
EOC
cfg=$CFG
t_boot_with_uplink agent "$cfg"
t_wait_console 'service vm1: started' 30 || t_fail "vm1 was not started"
console() { nsenter -t "$LPID" -m cat /run/labinit/guests/vm1/console.log 2>/dev/null | tr -d '\r'; }

# run EXPECTED_CODE ARGS...: labctl run's stdout, stderr, code and time in $T_DIR/run.*
run() {
	local want=$1 t0 code
	shift
	t0=$(t_now_ms)
	t_labctl run "$@" >"$T_DIR/run.out" 2>"$T_DIR/run.err"
	code=$?
	RUN_MS=$(($(t_now_ms) - t0))
	echo "labctl run $* -> $code in $RUN_MS ms; stdout: $(head -c 300 "$T_DIR/run.out"); stderr: $(head -c 300 "$T_DIR/run.err")"
	[ "$code" = "$want" ] || t_error "labctl run $*: exit $code, wanted $want"
}

run 0 vm1 --json -- true
grep -q '"outcome": "passed", "status": 0' "$T_DIR/run.out" || t_error "json of true: $(cat "$T_DIR/run.out")"
boot=$(sed -n 's/.*"boot_wait_ms": \([0-9]*\).*/\1/p' "$T_DIR/run.out")
echo "QEMU start to the agent's hello (TCG): about ${boot:-?} ms (labctl run started with the guest)"
[ -n "$boot" ] || t_fail "no agent hello: $(console | tail -n 20)"
run 3 vm1 -- sh -c 'exit 3'
run 3 vm1 --json -- sh -c 'exit 3'
grep -q '"outcome": "failed", "status": 3' "$T_DIR/run.out" || t_error "json of exit 3: $(cat "$T_DIR/run.out")"
run 0 vm1 -- sh -c 'echo out; echo err >&2'
[ "$(cat "$T_DIR/run.out")" = out ] && [ "$(cat "$T_DIR/run.err")" = err ] || t_error "streams not separated"
run 0 vm1 --cwd /proc -- sh -c 'pwd; seq 1 20000 | wc -l'
[ "$(cat "$T_DIR/run.out")" = "$(printf '/proc\n20000')" ] || t_error "--cwd or a longer output: $(cat "$T_DIR/run.out")"
run 0 vm1 -- sh -c 'seq 1 30000'
[ "$(wc -l <"$T_DIR/run.out")" = 30000 ] && [ "$(tail -n 1 "$T_DIR/run.out")" = 30000 ] || t_error "30000 lines streamed: $(wc -l <"$T_DIR/run.out")"
run 127 vm1 -- /no/such/command
grep -q 'cannot start the command in the guest: No such file or directory' "$T_DIR/run.err" || t_error "not found: $(cat "$T_DIR/run.err")"
run 137 vm1 -- sh -c 'kill -9 $$'
run 124 vm1 --json --timeout 2 -- sleep 30
[ "$RUN_MS" -lt 10000 ] || t_error "the timed-out run took $RUN_MS ms"
grep -q '"outcome": "timed_out", "status": 124' "$T_DIR/run.out" || t_error "json of the timeout: $(cat "$T_DIR/run.out")"
run 0 vm1 -- true  # the agent serves again after a timeout
# Two runs at once: they queue (one agent connection at a time), both succeed.
t0=$(t_now_ms)
t_labctl run vm1 -- sh -c 'sleep 1; echo a' >"$T_DIR/par1" 2>&1 &
p1=$!
t_labctl run vm1 -- sh -c 'sleep 1; echo b' >"$T_DIR/par2" 2>&1
c2=$?
wait $p1
c1=$?
echo "two runs at once: $c1 $c2 in $(($(t_now_ms) - t0)) ms: $(cat "$T_DIR/par1" "$T_DIR/par2" | xargs)"
[ "$c1 $c2" = "0 0" ] && [ "$(cat "$T_DIR/par1")" = a ] && [ "$(cat "$T_DIR/par2")" = b ] || t_error "parallel runs"
run 125 nosuch -- true
run 125 vm1 -- 
run 126 vm2 --json --boot-timeout 5 -- true
grep -q '"outcome": "did_not_boot", "status": 126' "$T_DIR/run.out" || t_error "json of vm2: $(cat "$T_DIR/run.out")"
[ "$RUN_MS" -lt 15000 ] || t_error "did-not-boot took $RUN_MS ms"

# Last: a panic (sysrq c); the guest is left panicked (or restarted by its policy).
run 123 vm1 --json --timeout 60 -- sh -c 'echo c > /proc/sysrq-trigger'
grep -q '"outcome": "panicked", "status": 123' "$T_DIR/run.out" || t_error "json of the panic: $(cat "$T_DIR/run.out")"
console | grep -q 'Kernel panic - not syncing' || t_error "no panic in the console"

kill -TERM "$LPID"
t_wait_end 120 || t_fail "the namespace did not end after SIGTERM"
t_exit
