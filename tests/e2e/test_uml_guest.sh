#!/bin/bash
# End to end: a User-Mode Linux guest (CONFIG_GUEST1_KIND=uml: Debian's
# linux.uml with the demo initramfs) beside a QEMU demo guest on labinit's
# bridge, labinit being PID 1 in fresh namespaces. The UML guest gets its
# lease, the QEMU guest reaches it, its console is logged and attaches with
# `labctl console`, `labctl guests` shows its kernel's pid (for gdb -p),
# it runs as its slot's user, `labctl run` runs commands through its agent
# line, and `labctl stop` stops it through its mconsole (ctrl-alt-del: it
# exits by itself, no SIGTERM, no SIGKILL).
# Prints the UML guest's boot-to-lease time; asserts none.
source "$(dirname "$0")/../lib/pid1.sh" || exit 2
t_init
UML=/usr/bin/linux.uml
[ -x "$UML" ] || t_skip "needs $UML (Debian's user-mode-linux package)"
command -v qemu-system-x86_64 >/dev/null || t_skip "needs qemu-system-x86_64"
make -s -C "$T_REPO" demo-guest >"$T_DIR/demo-guest.log" 2>&1 || t_skip "the demo guest cannot be built: $(tail -n 3 "$T_DIR/demo-guest.log")"

mkdir -p "$T_DIR/files/guests"
cp -r "$T_REPO/lab/guests/demo" "$T_DIR/files/guests/" || t_fail "cannot copy the demo guest"
mkdir -p "$T_DIR/share"
t_outside

# The QEMU guest waits (up to ~4 min: TCG on a loaded host) for the UML
# guest to answer, then pings it; the marker is computed so that the echo
# of the command itself never matches.
run2='n=0; until ping -c 1 -W 1 10.77.0.11 > /dev/null 2>&1 || [ $n -ge 240 ]; do n=$((n + 1)); sleep 1; done; ping -c 3 -W 5 10.77.0.11 && echo UML-$((6 * 7))-REACHED'
cfg=$T_DIR/uml.config
t_static_uplink umlguest 172.30.0.1 >"$cfg"
cat >>"$cfg" <<EOC
CONFIG_FILES_DIR="$T_DIR/files"
CONFIG_SHARE_DIR="$T_DIR/share"
CONFIG_STOP_TIMEOUT=60
CONFIG_SHUTDOWN_TIMEOUT=120
CONFIG_GUEST1=y
CONFIG_GUEST1_NAME="um1"
CONFIG_GUEST1_KIND="uml"
CONFIG_GUEST1_KERNEL="$UML"
CONFIG_GUEST1_INITRD="guests/demo/initramfs.cpio.gz"
CONFIG_GUEST1_APPEND="lab.if=vec0 lab.tag=none printk.time=1"
CONFIG_GUEST1_IP="10.77.0.11"
CONFIG_GUEST1_MEMORY=128
CONFIG_GUEST2=y
CONFIG_GUEST2_NAME="vm2"
CONFIG_GUEST2_KERNEL="guests/demo/vmlinux"
CONFIG_GUEST2_INITRD="guests/demo/initramfs.cpio.gz"
CONFIG_GUEST2_APPEND="quiet lab.tag=none lab.run=\\"$run2\\""
CONFIG_GUEST2_IP="10.77.0.12"
CONFIG_GUEST2_MEMORY=192
EOC
"$LABINIT" check-config "$cfg" >"$T_DIR/check.log" 2>&1 || t_fail "check-config: $(cat "$T_DIR/check.log")"
t_boot_with_uplink uml "$cfg"
t_wait_console 'service um1: started' 30 || t_fail "um1 was not started"
started=$(t_console | sed -n 's/^.*\[ *\([0-9.]*\)\]: .*service um1: started.*$/\1/p' | head -n 1)
console() { nsenter -t "$LPID" -m cat "/run/labinit/guests/$1/console.log" 2>/dev/null | tr -d '\r'; }

# Boot to lease: PID 1's log time of the start (CLOCK_BOOTTIME, as
# /proc/uptime) to the moment the lease line is seen (polled every 0.2 s).
for _ in $(seq 900); do console um1 | grep -q 'labguest: vec0 10.77.0.11/24' && break; sleep 0.2; done
leased=$(cut -d' ' -f1 /proc/uptime)
console um1 | grep -q 'labguest: vec0 10.77.0.11/24 gw 10.77.0.1' ||
	t_fail "um1 got no lease: $(console um1 | tail -n 30)"
init_at=$(console um1 | sed -n 's/^\[ *\([0-9.]*\)\] Run \/init.*/\1/p' | head -n 1)
t_log "UML boot to lease: $(awk -v a="$started" -v b="$leased" 'BEGIN { printf "%.1f s", b - a }') (its kernel ran /init at ${init_at:-?} s; load $(cut -d' ' -f1 /proc/loadavg))"
console um1 | grep -q 'mconsole (version 2) initialized' || t_error "no mconsole in um1's console log"

# The QEMU guest reaches the UML guest across the bridge.
for _ in $(seq 300); do console vm2 | grep -q 'UML-42-REACHED' && break; sleep 1; done
console vm2 | grep -q 'UML-42-REACHED' || t_fail "vm2 did not reach um1: $(console vm2 | tail -n 15)"

# labctl guests: the UML kernel's host pid, for gdb -p; that process is
# the UML kernel, running as the slot's user.
G_OUT=$(t_labctl guests)
t_log "$G_OUT"
upid=$(echo "$G_OUT" | sed -n 's/^um1 \+running \+10\.77\.0\.11 .* -p \([0-9]\+\)$/\1/p')
[ -n "$upid" ] || t_fail "labctl guests shows no pid for um1: $G_OUT"
t_labctl guests --json | grep -q "\"name\": \"um1\".*\"kind\": \"uml\", \"pid\": $upid" ||
	t_error "labctl guests --json: $(t_labctl guests --json)"
cmd=$(nsenter -t "$LPID" -m -p cat "/proc/$upid/cmdline" | tr '\0' ' ')
case $cmd in */linux.uml\ umid=um1\ *) ;; *) t_fail "pid $upid is not um1's UML kernel: $cmd" ;; esac
uid=$(nsenter -t "$LPID" -m -p awk '/^Uid:/ { print $2 }' "/proc/$upid/status")
[ "$uid" = 64601 ] || t_error "um1's kernel runs as uid $uid, not 64601"
luid=$(nsenter -t "$LPID" -m -p ps -eo uid=,args= | awk '/conlog \/run\/labinit\/guests\/um1/ { print $1; exit }')
[ "$luid" = 64601 ] || t_error "um1's console logger runs as uid '$luid'"

# gdb -p attaches to that pid (Debian's linux.uml has no symbols; a
# kernel of your own build does) and detaches; the guest runs on (the
# console below answers).
if command -v gdb >/dev/null; then
	nsenter -t "$LPID" -m -p timeout 120 gdb -p "$upid" -batch -nx \
		-ex 'handle SIGSEGV SIGUSR1 SIGALRM SIGIO SIGVTALRM SIGWINCH nostop noprint pass' \
		-ex 'info inferiors' >"$T_DIR/gdb.out" 2>&1
	grep -q "process $upid" "$T_DIR/gdb.out" || t_error "gdb -p $upid did not attach: $(tail -n 5 "$T_DIR/gdb.out")"
fi

# labctl console: type on the UML guest's shell, read the answer, detach.
for _ in $(seq 120); do console um1 | grep -q 'labguest: shell on the console' && break; sleep 0.5; done
sleep 1
(printf 'echo UMLCON-$((6 * 7))\n'
	for _ in $(seq 120); do grep -q 'UMLCON-42' "$T_DIR/console.out" 2>/dev/null && break; sleep 0.5; done
	printf '\035') | timeout 90 nsenter -t "$LPID" -m -p "$LABCTL" console um1 >"$T_DIR/console.out" 2>&1
out=$(cat "$T_DIR/console.out")
echo "$out" | grep -q 'UMLCON-42' || t_fail "labctl console: no answer from um1's shell: $out"
echo "$out" | grep -q 'detached from um1' || t_fail "labctl console did not detach on ctrl-]: $out"
console um1 | grep -q 'UMLCON-42' || t_error "what was typed on the console is not in its log"

# labctl run over the UML agent line (ssl1, relayed on agent.sock by
# um1.agent): a command's output and status, stdout and stderr apart, the
# JSON outcome, and a pass. The demo /init starts the agent; it finds
# /dev/ttyS1 by the kernel command line's hint.
run_um1() { # EXPECTED_CODE ARGS...
	local want=$1 t0 code
	shift
	t0=$(t_now_ms)
	timeout 400 nsenter -t "$LPID" -m -p "$LABCTL" run "$@" >"$T_DIR/run.out" 2>"$T_DIR/run.err"
	code=$?
	t_log "labctl run $* -> $code in $(($(t_now_ms) - t0)) ms; stdout: $(head -c 200 "$T_DIR/run.out"); stderr: $(head -c 200 "$T_DIR/run.err")"
	[ "$code" = "$want" ] || t_error "labctl run $*: exit $code, wanted $want"
}
run_um1 3 um1 -- sh -c 'echo UMLRUN-$((6 * 7)); echo to-stderr >&2; exit 3'
grep -qx UMLRUN-42 "$T_DIR/run.out" || t_error "labctl run um1: no command output: $(cat "$T_DIR/run.out")"
grep -qx to-stderr "$T_DIR/run.err" || t_error "labctl run um1: stderr not apart: $(cat "$T_DIR/run.err")"
run_um1 0 um1 --json -- cat /proc/cmdline
grep -q '"outcome": "passed", "status": 0' "$T_DIR/run.out" || t_error "labctl run --json: $(tail -n 1 "$T_DIR/run.out")"
grep -q 'labinit_agent.port=/dev/ttyS1' "$T_DIR/run.out" || t_error "um1's command line has no agent hint: $(head -n 1 "$T_DIR/run.out")"
# A run killed mid-command leaves nothing behind for the next: the next
# run's probe ends the old command and its output never shows.
nsenter -t "$LPID" -m -p sh -c '"$0" run um1 -- sh -c "while :; do echo STALE; sleep 0.1; done" > /dev/null 2>&1 &
	p=$!; sleep 5; kill $p; wait $p' "$LABCTL"
run_um1 0 um1 -- echo FRESH
[ "$(cat "$T_DIR/run.out")" = FRESH ] || t_error "the run after a killed one read: $(head -c 200 "$T_DIR/run.out")"
nsenter -t "$LPID" -m -p ps -eo args= | grep -q 'agent-relay /run/labinit/guests/um1$' || t_error "no agent relay for um1"

# labctl stop: ctrl-alt-del over the mconsole; the kernel exits by itself.
t_labctl stop um1 >/dev/null || t_fail "labctl stop um1 failed"
t_wait_console 'service um1: stopped \(exit 0\)' 60 || t_fail "um1 did not stop: $(console um1 | tail -n 5)"
console um1 | grep -q 'reboot: Restarting system' || t_error "um1 did not see ctrl-alt-del: $(console um1 | tail -n 5)"
t_console | grep -Eq 'guest um1: (mconsole|still running)' && t_error "um1 needed SIGTERM: $(t_console | grep 'guest um1')"
t_console | grep -q 'service um1: no exit' && t_error "um1 needed SIGKILL"
nsenter -t "$LPID" -m test -e /run/labinit/guests/um1/um1 && t_error "UML left its umid directory behind"
# and starts again on the same tap and console
t_labctl start um1 >/dev/null || t_fail "labctl start um1 failed"
for _ in $(seq 300); do [ "$(console um1 | grep -c 'labguest: vec0 10.77.0.11/24')" -ge 2 ] && break; sleep 0.5; done
[ "$(console um1 | grep -c 'labguest: vec0 10.77.0.11/24')" -ge 2 ] || t_error "um1 got no lease after its restart"
# The agent again after the restart, on the relay that kept running.
run_um1 0 um1 -- true

# Killed outright, it is restarted by its policy (on-failure), and none of
# the old kernel's helper processes is left behind.
upid=$(t_labctl guests | sed -n 's/^um1 \+running .* -p \([0-9]\+\)$/\1/p')
[ -n "$upid" ] || t_fail "um1 is not running: $(t_labctl guests)"
nsenter -t "$LPID" -p kill -KILL "$upid"
t_wait_console 'service um1: killed by signal 9' 30 || t_fail "um1's death was not noticed"
t_wait_count 'service um1: started' 3 60 "$CONSOLE" || t_fail "um1 was not restarted"
# A run asked for while the kernel boots: the relay's probes wait in the
# line until the agent has opened it and made it raw.
run_um1 0 um1 -- echo BOOTED
[ "$(cat "$T_DIR/run.out")" = BOOTED ] || t_error "the run during the boot read: $(head -c 200 "$T_DIR/run.out")"
for _ in $(seq 300); do [ "$(console um1 | grep -c 'labguest: vec0 10.77.0.11/24')" -ge 3 ] && break; sleep 0.5; done
[ "$(console um1 | grep -c 'labguest: vec0 10.77.0.11/24')" -ge 3 ] || t_error "um1 got no lease after SIGKILL"
left=$(nsenter -t "$LPID" -m -p ps -eo ppid=,args= | awk '$1 == 1 && $2 ~ /linux\.uml$/' | wc -l)
[ "$left" = 1 ] || t_error "$left UML processes are PID 1's children, wanted only the new kernel: $(nsenter -t "$LPID" -m -p ps -eo pid,ppid,stat,args | grep linux.uml | cut -c1-80)"

kill -TERM "$LPID"
t_wait_end 150 || t_fail "the namespace did not end after SIGTERM"
t_console | grep -q 'service um1: stopped (exit 0)' || t_error "um1 was not stopped at shutdown"
t_exit
