#!/bin/bash
# Shutdown of labinit as PID 1: services stop one at a time in reverse start
# order, the namespace ends within CONFIG_SHUTDOWN_TIMEOUT (plus slack), and
# the kernel reports reboot (SIGTERM, labctl reboot: unshare exits 129 =
# SIGHUP) or power off (SIGUSR2, labctl poweroff: 130 = SIGINT).
# Variants: a service that ignores SIGTERM is SIGKILLed after STOP_TIMEOUT;
# one that outlives SHUTDOWN_TIMEOUT is killed at that bound; a process that
# left its service's session and ignores SIGTERM is SIGKILLed at the end.
. "$(dirname -- "$0")/../lib/pid1.sh" || { echo "cannot load tests/lib/pid1.sh" >&2; exit 2; }
t_init

SLACK=5
SVC=$T_DIR/svc.sh
STUBBORN=$T_DIR/stubborn.sh
ESCAPER=$T_DIR/escaper.sh
# $1 = name, $2 = event file. The trap comes before the "start" line: the
# test signals as soon as it sees that line.
t_service_script "$SVC" 'trap '\''echo "stop $1" >>"$2"; exit 0'\'' TERM
echo "start $1" >>"$2"
while :; do sleep 1; done'
t_service_script "$STUBBORN" 'trap "" TERM
echo "start $1" >>"$2"
while :; do sleep 1; done'
# leaves a TERM-proof process in a session of its own, then behaves
t_service_script "$ESCAPER" 'setsid sh -c "trap \"\" TERM; echo \"stray \$\$\" >>\"$2\"; while :; do sleep 1; done" </dev/null >/dev/null 2>&1 &
trap '\''echo "stop $1" >>"$2"; exit 0'\'' TERM
echo "start $1" >>"$2"
while :; do sleep 1; done'

# start_variant NAME SERVICES STOP_TIMEOUT SHUTDOWN_TIMEOUT — SERVICES is a
# list of name:script; sets EV.
start_variant() {
	local name=$1 list=$2 svcs="" s
	EV=$T_DIR/$name.events
	: >"$EV"
	for s in $list; do
		svcs="$svcs${svcs:+; }${s%%:*}=${s#*:} ${s%%:*} $EV"
	done
	cat >"$T_DIR/$name.config" <<EOF
CONFIG_PROFILE_NAME="$name"
CONFIG_HOSTNAME="labtest"
CONFIG_EXTRA_SERVICES="$svcs"
CONFIG_STOP_TIMEOUT=$3
CONFIG_SHUTDOWN_TIMEOUT=$4
EOF
	BOUND_S=$4
	t_start "$name" "$T_DIR/$name.config"
	for s in $list; do
		t_wait_console "^start ${s%%:*}\$" 10 "$EV" || t_fail "$name: service ${s%%:*} never logged its start"
	done
}

# shut_down NAME EXPECTED_RC HOW... — sends the request, waits for the end.
shut_down() {
	local name=$1 want=$2 t0
	shift 2
	t0=$(t_now_ms)
	"$@" || t_fail "$name: '$*' failed"
	t_wait_end $((BOUND_S + SLACK + 5)) ||
		t_fail "$name: the namespace was still up $((BOUND_S + SLACK + 5)) s after '$*'"
	ELAPSED=$((T_END_MS - t0))
	t_log "$name: ended $ELAPSED ms after '$*', unshare status $T_RC"
	[ "$ELAPSED" -le $(((BOUND_S + SLACK) * 1000)) ] ||
		t_fail "$name: expected the namespace to end within SHUTDOWN_TIMEOUT ${BOUND_S} s + ${SLACK} s, it took $ELAPSED ms"
	[ "$T_RC" = "$want" ] || t_fail "$name: expected unshare to exit $want after '$*', got '$T_RC'"
}

# The stop events in order (the starts race each other: only their set counts).
events() { grep '^stop ' "$EV" | tr '\n' ','; }
starts() { grep '^start ' "$EV" | sort | tr '\n' ','; }

# 1. SIGTERM: c, b, a stopped in that order, reboot.
start_variant order "a:$SVC b:$SVC c:$SVC" 3 10
shut_down order 129 kill -TERM "$LPID"
[ "$(events)" = "stop c,stop b,stop a," ] ||
	t_fail "order: expected stop events 'stop c,stop b,stop a,', saw '$(events)'"
[ "$(starts)" = "start a,start b,start c," ] || t_fail "order: expected one start of each service, saw '$(starts)'"
seq=$(t_console | sed -n 's/.*shutdown: stopping \(.*\)$/\1/p' | tr '\n' ' ')
[ "$seq" = "c b a " ] || t_fail "order: expected the console to say 'stopping c', 'b', 'a' in order, saw '$seq'"
for l in 'shutdown: SIGTERM: reboot' 'shutdown: all services stopped' 'shutdown: reboot now'; do
	t_console | grep -q "$l" || t_fail "order: expected '$l' on the console"
done

# 2. A service that ignores SIGTERM: SIGKILL after STOP_TIMEOUT=2, then the
# ones before it are still stopped, in order.
start_variant stubborn "a:$SVC stub:$STUBBORN c:$SVC" 2 10
shut_down stubborn 129 kill -TERM "$LPID"
[ "$(events)" = "stop c,stop a," ] ||
	t_fail "stubborn: expected stop events 'stop c,stop a,' (stub is killed), saw '$(events)'"
t_console | grep -q 'warning: service stub: no exit 2000 ms after SIGTERM, sending SIGKILL' ||
	t_fail "stubborn: expected 'warning: service stub: no exit 2000 ms after SIGTERM, sending SIGKILL' on the console"
[ "$ELAPSED" -ge 1800 ] || t_fail "stubborn: ended after $ELAPSED ms, before the 2 s stop timeout could have passed"
seq=$(t_console | sed -n 's/.*shutdown: stopping \(.*\)$/\1/p' | tr '\n' ' ')
[ "$seq" = "c stub a " ] || t_fail "stubborn: expected 'stopping c', 'stub', 'a' in order, saw '$seq'"

# 3. The same service with STOP_TIMEOUT=30 > SHUTDOWN_TIMEOUT=3: the
# shutdown bound wins.
start_variant deadline "a:$SVC stub:$STUBBORN" 30 3
shut_down deadline 129 kill -TERM "$LPID"
t_console | grep -q 'warning: shutdown: services still up at the 3 s bound; killing them' ||
	t_fail "deadline: expected 'shutdown: services still up at the 3 s bound; killing them' on the console"
[ "$ELAPSED" -ge 2800 ] || t_fail "deadline: ended after $ELAPSED ms, before the 3 s bound"

# 4. A TERM-proof process outside any service's process group: SIGTERM, then
# SIGKILL to everything left.
start_variant stray "a:$SVC esc:$ESCAPER" 3 10
t_wait_console '^stray ' 5 "$EV" || t_fail "stray: the escaped process never started"
shut_down stray 129 kill -TERM "$LPID"
[ "$(grep -c '^stop ' "$EV")" = 2 ] || t_fail "stray: expected both services to log their stop, saw '$(events)'"
t_console | grep -q 'warning: shutdown: processes left after SIGTERM; sending SIGKILL' ||
	t_fail "stray: expected 'shutdown: processes left after SIGTERM; sending SIGKILL' on the console"

# 5. SIGUSR2: power off.
start_variant usr2 "a:$SVC b:$SVC" 3 10
shut_down usr2 130 kill -USR2 "$LPID"
[ "$(events)" = "stop b,stop a," ] || t_fail "usr2: expected 'stop b' then 'stop a', saw '$(events)'"
t_console | grep -q 'shutdown: SIGUSR2: power off' || t_fail "usr2: expected 'shutdown: SIGUSR2: power off' on the console"
t_console | grep -q 'shutdown: power off now' || t_fail "usr2: expected 'shutdown: power off now' on the console"

# 6. SIGINT (ctrl-alt-del) reboots, SIGPWR powers off; signals PID 1 has no
# use for (SIGHUP, SIGUSR1, SIGQUIT, SIGALRM) change nothing.
start_variant sigint "a:$SVC b:$SVC" 3 10
for sig in HUP USR1 QUIT ALRM; do
	kill -"$sig" "$LPID" || t_fail "sigint: kill -$sig failed"
done
sleep 0.5
t_alive "after SIGHUP, SIGUSR1, SIGQUIT and SIGALRM"
[ -z "$(events)" ] || t_fail "sigint: stray signals stopped services: '$(events)'"
t_console | grep -q 'shutdown:' && t_fail "sigint: stray signals started a shutdown"
shut_down sigint 129 kill -INT "$LPID"
[ "$(events)" = "stop b,stop a," ] || t_fail "sigint: expected 'stop b' then 'stop a', saw '$(events)'"
t_console | grep -q 'shutdown: ctrl-alt-del: reboot' || t_fail "sigint: expected 'shutdown: ctrl-alt-del: reboot' on the console"

start_variant sigpwr "a:$SVC" 3 10
shut_down sigpwr 130 kill -PWR "$LPID"
[ "$(events)" = "stop a," ] || t_fail "sigpwr: expected 'stop a,', saw '$(events)'"
t_console | grep -q 'shutdown: SIGPWR: power off' || t_fail "sigpwr: expected 'shutdown: SIGPWR: power off' on the console"

# 7. labctl poweroff and labctl reboot.
start_variant poweroff "a:$SVC b:$SVC" 3 10
out=$(t_labctl poweroff 2>&1) || t_fail "poweroff: labctl poweroff failed: $out"
[ "$out" = "powering off" ] || t_fail "poweroff: expected labctl to print 'powering off', saw '$out'"
shut_down poweroff 130 true
[ "$(events)" = "stop b,stop a," ] || t_fail "poweroff: expected 'stop b' then 'stop a', saw '$(events)'"
t_console | grep -q 'shutdown: labctl poweroff' || t_fail "poweroff: expected 'shutdown: labctl poweroff' on the console"

start_variant reboot "a:$SVC" 3 10
out=$(t_labctl reboot 2>&1) || t_fail "reboot: labctl reboot failed: $out"
shut_down reboot 129 true
[ "$(events)" = "stop a," ] || t_fail "reboot: expected 'stop a,', saw '$(events)'"

t_pass
