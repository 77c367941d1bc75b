#!/bin/bash
# labctl against labinit as PID 1: status shows the profile and the services;
# stop/start/restart act on one service (seen in its own event log and in
# status); an unknown name is refused by name; the uts namespace carries
# CONFIG_HOSTNAME; a control client that never sends is dropped.
. "$(dirname -- "$0")/../lib/pid1.sh" || { echo "cannot load tests/lib/pid1.sh" >&2; exit 2; }
t_init

EV=$T_DIR/events
SVC=$T_DIR/svc.sh
t_service_script "$SVC" "echo \"start \$1 \$\$\" >>'$EV'
trap 'echo \"stop \$1 \$\$\" >>\"$EV\"; exit 0' TERM
while :; do sleep 1; done"

cat >"$T_DIR/config" <<EOF
CONFIG_PROFILE_NAME="ctltest"
CONFIG_HOSTNAME="labctl-host"
CONFIG_EXTRA_SERVICES="alpha=$SVC alpha; beta=$SVC beta"
CONFIG_STOP_TIMEOUT=3
CONFIG_SHUTDOWN_TIMEOUT=10
EOF
: >"$EV"

t_start main "$T_DIR/config"
t_wait_console '^start alpha ' 10 "$EV" || t_fail "alpha never logged its start"
t_wait_console '^start beta ' 10 "$EV" || t_fail "beta never logged its start"

# `running` needs the exec report; poll status until both are running.
svc_state() { awk -v n="$1" '$1 == n { print $2 }' <<<"$2"; }
svc_pid() { awk -v n="$1" '$1 == n { print $3 }' <<<"$2"; }
wait_state() { # NAME STATE SECONDS
	local deadline=$(($(t_now_ms) + $3 * 1000))
	while :; do
		ST=$(t_labctl status 2>&1) || t_fail "labctl status failed: $ST"
		[ "$(svc_state "$1" "$ST")" = "$2" ] && return 0
		[ "$(t_now_ms)" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

wait_state alpha running 10 || t_fail "expected alpha 'running' in labctl status, saw:
$ST"
wait_state beta running 10 || t_fail "expected beta 'running' in labctl status, saw:
$ST"
grep -Eq '^profile: +ctltest$' <<<"$ST" || t_fail "expected 'profile: ctltest' in status, saw:
$ST"
grep -Eq '^state: +up$' <<<"$ST" || t_fail "expected 'state: up' in status, saw:
$ST"
grep -Eq '^SERVICE +STATE +PID +UPTIME +RESTARTS +LAST EXIT$' <<<"$ST" ||
	t_fail "expected the SERVICE STATE PID UPTIME RESTARTS LAST EXIT header, saw:
$ST"
apid=$(svc_pid alpha "$ST")
[[ $apid =~ ^[0-9]+$ ]] || t_fail "expected a pid for alpha in status, saw '$apid'"
# the pid in status is the one the script reports (namespace pids)
grep -q "^start alpha $apid\$" "$EV" || t_fail "status says alpha is pid $apid, its event log says: $(cat "$EV")"

# hostname in the namespace's uts namespace
h=$(nsenter -t "$LPID" -u hostname) || t_fail "nsenter -u hostname failed"
[ "$h" = labctl-host ] || t_fail "expected hostname 'labctl-host' in the namespace, saw '$h'"
[ "$(hostname)" != labctl-host ] || t_fail "the machine's own hostname was changed to labctl-host"

# stop
out=$(t_labctl stop alpha 2>&1) || t_fail "labctl stop alpha failed: $out"
t_wait_console "^stop alpha $apid\$" 10 "$EV" || t_fail "expected 'stop alpha $apid' in the event log after labctl stop, saw: $(cat "$EV")"
wait_state alpha down 10 || t_fail "expected alpha 'down' after labctl stop, saw:
$ST"
[ "$(svc_state beta "$ST")" = running ] || t_fail "labctl stop alpha touched beta:
$ST"
[ "$(svc_pid alpha "$ST")" = - ] || t_fail "expected no pid for a down service, saw:
$ST"
sleep 1.5 # a stopped service must stay down (no respawn after the backoff)
ST=$(t_labctl status)
[ "$(svc_state alpha "$ST")" = down ] || t_fail "alpha came back by itself after labctl stop:
$ST"
[ "$(grep -c '^start alpha ' "$EV")" = 1 ] || t_fail "alpha was started again without labctl start: $(cat "$EV")"

# start
out=$(t_labctl start alpha 2>&1) || t_fail "labctl start alpha failed: $out"
t_wait_count '^start alpha ' 2 10 "$EV" || t_fail "expected a second 'start alpha' after labctl start, saw: $(cat "$EV")"
wait_state alpha running 10 || t_fail "expected alpha 'running' after labctl start, saw:
$ST"
apid2=$(svc_pid alpha "$ST")
[ "$apid2" != "$apid" ] || t_fail "alpha kept pid $apid across stop/start"

# restart: stop then start, in that order
out=$(t_labctl restart alpha 2>&1) || t_fail "labctl restart alpha failed: $out"
t_wait_count '^start alpha ' 3 10 "$EV" || t_fail "expected a third 'start alpha' after labctl restart, saw: $(cat "$EV")"
seq=$(grep ' alpha ' "$EV" | awk '{print $1}' | tr '\n' ' ')
[ "$seq" = "start stop start stop start " ] || t_fail "expected alpha's events 'start stop start stop start', saw '$seq'"
grep -q "^stop alpha $apid2\$" "$EV" || t_fail "expected 'stop alpha $apid2' (the restarted instance), saw: $(cat "$EV")"
wait_state alpha running 10 || t_fail "expected alpha 'running' after labctl restart, saw:
$ST"
[ "$(svc_pid alpha "$ST")" != "$apid2" ] || t_fail "alpha kept pid $apid2 across restart"
[ "$(grep -c ' beta ' "$EV")" = 1 ] || t_fail "beta was touched: $(cat "$EV")"

# an unknown service
if out=$(t_labctl stop nosuch 2>&1); then
	t_fail "expected 'labctl stop nosuch' to fail, it succeeded with: $out"
fi
grep -q '"nosuch"' <<<"$out" || t_fail "expected the error to name \"nosuch\", saw: $out"
if out=$(t_labctl frobnicate 2>&1); then
	t_fail "expected 'labctl frobnicate' to fail, it succeeded with: $out"
fi
t_alive "after the labctl commands"

# A client that connects and never sends is dropped after 2 s: a root
# process must not hold PID 1's fds for ever. socat writes what sleep
# prints (nothing) to a SOCK_SEQPACKET connection to the control socket.
t_need socat "Debian package socat"
fds() { ls "/proc/$LPID/fd" | wc -l; }
base=$(fds)
nsenter -t "$LPID" -m socat -u EXEC:"sleep 15" UNIX-CONNECT:/run/labinit/control,type=5 &
idle=$!
t_track "$idle"
t_wait_for 5 sh -c "[ \$(ls /proc/$LPID/fd | wc -l) -gt $base ]" || t_fail "the idle client never connected"
t_labctl status >/dev/null || t_fail "labctl status failed while an idle client is connected"
t_wait_console 'control: a client sent no request within 2000 ms; dropped' 10 ||
	t_fail "the idle client was not dropped"
t_wait_for 5 sh -c "[ \$(ls /proc/$LPID/fd | wc -l) -le $base ]" || t_fail "PID 1 still holds the idle client's fd"
t_pid_running "$idle" || t_fail "the idle client ended by itself: the test proves nothing"

# and it still shuts down cleanly
kill -TERM "$LPID"
t_wait_end 20 || t_fail "namespace still up 20 s after SIGTERM"
[ "$T_RC" = 129 ] || t_fail "expected unshare to exit 129 (reboot), got $T_RC"
t_pass
