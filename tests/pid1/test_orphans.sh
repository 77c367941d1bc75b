#!/bin/bash
# labinit as PID 1 reaps every orphan. A service double-forks 1000
# short-lived orphans (`( sleep 0.1 & )`), then 1000 orphans that block on a
# FIFO. The test checks that those 1000 were in fact reparented to PID 1,
# releases them all at once (1000 exits, their SIGCHLDs coalesced), and
# requires the namespace to hold no zombie ~20 s later at the most.
. "$(dirname -- "$0")/../lib/pid1.sh" || { echo "cannot load tests/lib/pid1.sh" >&2; exit 2; }
t_init

N=1000
EV=$T_DIR/events
FIFO=$T_DIR/hold
mkfifo "$FIFO" || t_fail "mkfifo $FIFO"
: >"$EV"
t_service_script "$T_DIR/orphans.sh" "i=0
while [ \$i -lt $N ]; do ( sleep 0.1 & ); i=\$((i + 1)); done
echo \"churned \$i\" >>'$EV'
i=0
while [ \$i -lt $N ]; do ( exec cat '$FIFO' >/dev/null & ); i=\$((i + 1)); done
echo \"holding \$i\" >>'$EV'
exec sleep 100000"

cat >"$T_DIR/config" <<EOF
CONFIG_PROFILE_NAME="orphans"
CONFIG_HOSTNAME="labtest"
CONFIG_EXTRA_SERVICES="orphans=$T_DIR/orphans.sh"
CONFIG_STOP_TIMEOUT=3
CONFIG_SHUTDOWN_TIMEOUT=10
EOF

t_start main "$T_DIR/config"

# zombies: the namespace's zombies as "PID PPID STATE COMM" lines
zombies() { t_ns_procs | awk '$3 == "Z"'; }
# wait_no_zombies SECONDS
wait_no_zombies() {
	local deadline=$(($(t_now_ms) + $1 * 1000))
	while :; do
		Z=$(zombies)
		[ -z "$Z" ] && return 0
		[ "$(t_now_ms)" -lt "$deadline" ] || return 1
		sleep 0.2
	done
}

# 1. 1000 short-lived orphans
t_wait_console "^churned $N\$" 180 "$EV" || t_fail "the service did not finish creating $N short-lived orphans within 180 s"
sleep 0.5
wait_no_zombies 20 || t_fail "$(wc -l <<<"$Z") zombies left in the namespace 20 s after $N short-lived orphans, e.g.:
$(head -5 <<<"$Z")"

# 2. 1000 orphans blocked in open() on the FIFO: all must be PID 1's
# children, asleep, before they are released.
t_wait_console "^holding $N\$" 180 "$EV" || t_fail "the service did not finish creating $N FIFO orphans within 180 s"
deadline=$(($(t_now_ms) + 20000))
while :; do
	P=$(t_ns_procs)
	held=$(awk '$4 == "cat" && $2 == 1' <<<"$P" | wc -l)
	asleep=$(awk '$4 == "cat" && $2 == 1 && $3 == "S"' <<<"$P" | wc -l)
	[ "$held" = "$N" ] && [ "$asleep" = "$N" ] && break
	[ "$(t_now_ms)" -lt "$deadline" ] ||
		t_fail "expected $N orphaned 'cat' processes with PPid 1 (labinit) asleep on the FIFO, saw $held with PPid 1 ($asleep asleep)"
	sleep 0.2
done
t_log "$held orphans reparented to PID 1 and blocked on the FIFO; releasing them"
t_alive "with $N orphans"

# Opening read-write never blocks and counts as a writer: every blocked
# reader's open() returns; closing it gives them all EOF at once.
exec 5<>"$FIFO"
sleep 0.2
exec 5>&-

deadline=$(($(t_now_ms) + 20000))
while :; do
	P=$(t_ns_procs)
	left=$(awk '$4 == "cat"' <<<"$P" | wc -l)
	Z=$(awk '$3 == "Z"' <<<"$P")
	[ "$left" = 0 ] && [ -z "$Z" ] && break
	[ "$(t_now_ms)" -lt "$deadline" ] ||
		t_fail "20 s after releasing $N orphans: $left 'cat' processes left, $(grep -c . <<<"$Z") zombies, e.g.:
$(head -5 <<<"$Z")"
	sleep 0.2
done

# labinit is fine afterwards: status answers, the service still runs.
t_alive "after reaping"
ST=$(t_labctl status) || t_fail "labctl status failed after the orphans"
grep -Eq '^orphans +running ' <<<"$ST" || t_fail "expected the orphans service running, saw:
$ST"
n=$(t_console | grep -c 'service orphans: started')
[ "$n" = 1 ] || t_fail "expected the service to run once, it was started $n times"

kill -TERM "$LPID"
t_wait_end 20 || t_fail "namespace still up 20 s after SIGTERM"
[ "$T_RC" = 129 ] || t_fail "expected unshare to exit 129 (reboot), got $T_RC"
t_pass
