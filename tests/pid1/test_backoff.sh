#!/bin/bash
# Respawn throttling of labinit as PID 1:
#  - crash: exits 1 at once. It is restarted, 1 s, 2 s, 4 s apart (each gap
#    at least ~0.9 of its bound, growing); status shows restarts and
#    backoff/running.
#  - flaky: fails fast twice, then runs for 10.5 s before failing: a run that
#    long resets the streak, so the next delay is 1 s again, not 4 s.
#  - ghost: its binary does not exist. It is started exactly once (not
#    spun), status shows `failed` with the exec error, the console names the
#    path; `labctl start ghost` retries once.
. "$(dirname -- "$0")/../lib/pid1.sh" || { echo "cannot load tests/lib/pid1.sh" >&2; exit 2; }
t_init

EV=$T_DIR/events
t_service_script "$T_DIR/crash.sh" "echo \"crash \$(date +%s.%N)\" >>'$EV'
exit 1"
t_service_script "$T_DIR/flaky.sh" "echo \"flaky \$(date +%s.%N)\" >>'$EV'
n=\$(grep -c '^flaky ' '$EV')
[ \"\$n\" = 3 ] && sleep 10.5
exit 1"
: >"$EV"

cat >"$T_DIR/config" <<EOF
CONFIG_PROFILE_NAME="backoff"
CONFIG_HOSTNAME="labtest"
CONFIG_EXTRA_SERVICES="crash=$T_DIR/crash.sh; flaky=$T_DIR/flaky.sh; ghost=/nonexistent/prog --flag"
CONFIG_STOP_TIMEOUT=3
CONFIG_SHUTDOWN_TIMEOUT=10
EOF

t_start main "$T_DIR/config"

# gaps SERVICE — the intervals between consecutive starts, in ms.
gaps() {
	awk -v n="$1" '$1 == n { split($2, t, "."); ms = t[1] * 1000 + substr(t[2], 1, 3);
		if (prev) printf "%d ", ms - prev; prev = ms }' "$EV"
}

# crash: starts at 0, 1, 3, 7 s
t_wait_count '^crash ' 4 40 "$EV" ||
	t_fail "expected 4 starts of crash within 40 s (1 s, 2 s, 4 s apart), saw $(grep -c '^crash ' "$EV")"
read -r g1 g2 g3 _ <<<"$(gaps crash)"
t_log "crash: gaps between starts (ms): $g1 $g2 $g3"
# The lower bound is the backoff itself; the upper one leaves 2.5 s for a
# loaded host (exit, fork and the shell's start-up all land in the gap),
# less than the next step of the backoff, so a delay stuck at one value
# still fails, and so does a flaky service whose delay was not reset.
check_gap() { # NAME GAP BOUND_MS
	[ "$2" -ge $(($3 * 9 / 10)) ] || t_fail "$1: expected a respawn delay of about $3 ms (>= $(($3 * 9 / 10))), saw $2 ms (gaps: $(gaps "${1%% *}"))"
	[ "$2" -le $(($3 + 2500)) ] || t_fail "$1: expected a respawn delay of about $3 ms (<= $(($3 + 2500))), saw $2 ms (gaps: $(gaps "${1%% *}"))"
}
check_gap "crash gap 1" "$g1" 1000
check_gap "crash gap 2" "$g2" 2000
check_gap "crash gap 3" "$g3" 4000
[ $((g3 - g1)) -ge 2000 ] || t_fail "expected crash's respawn delay to grow (1 s, 2 s, 4 s), saw gaps $g1 $g2 $g3 ms"
for d in 1.0 2.0 4.0; do
	t_wait_console "service crash: restart in $d s" 1 || t_fail "expected 'service crash: restart in $d s' on the console"
done
t_wait_console 'warning: service crash: exited with status 1' 1 ||
	t_fail "expected 'warning: service crash: exited with status 1' on the console"

ST=$(t_labctl status) || t_fail "labctl status failed"
row=$(awk '$1 == "crash"' <<<"$ST")
read -r _ state _ <<<"$row"
restarts=$(awk '$1 == "crash" { print $(NF - 2) }' <<<"$ST")
case $state in
backoff | running | starting) ;;
*) t_fail "expected crash in state backoff/running, saw:
$ST" ;;
esac
[ "${restarts:-0}" -ge 3 ] 2>/dev/null || t_fail "expected crash RESTARTS >= 3, saw '$restarts' in:
$ST"
grep -Eq 'exit 1$' <<<"$row" || t_fail "expected crash's LAST EXIT 'exit 1', saw: $row"

# ghost: failed once, not spun
grep -Eq '^ghost +failed +- +- +0 +exec: No such file or directory$' <<<"$ST" ||
	t_fail "expected 'ghost failed - - 0 exec: No such file or directory' in status, saw:
$ST"
t_wait_console 'error: service ghost: cannot run /nonexistent/prog: No such file or directory' 1 ||
	t_fail "expected the console to say 'error: service ghost: cannot run /nonexistent/prog: No such file or directory'"
n=$(t_console | grep -c 'service ghost: started')
[ "$n" = 1 ] || t_fail "expected ghost to be started exactly once in ~7 s, it was started $n times"

# flaky: 0, 1, 3 (runs 10.5 s), 13.5 + 1 = 14.5 — not 13.5 + 4
t_wait_count '^flaky ' 4 25 "$EV" ||
	t_fail "expected 4 starts of flaky within 25 s, saw $(grep -c '^flaky ' "$EV")"
read -r f1 f2 f3 _ <<<"$(gaps flaky)"
t_log "flaky: gaps between starts (ms): $f1 $f2 $f3"
check_gap "flaky gap 1" "$f1" 1000
check_gap "flaky gap 2" "$f2" 2000
check_gap "flaky gap 3 (10.5 s run + reset delay)" "$f3" 11500
t_wait_console 'service flaky: restart in 1.0 s' 1 || t_fail "no 'restart in 1.0 s' for flaky"
[ "$(t_console | grep -c 'service flaky: restart in 1.0 s')" -ge 2 ] ||
	t_fail "expected flaky's delay to be reset to 1.0 s after its 10.5 s run, the console says: $(t_console | grep 'service flaky: restart')"

# over the whole run (~15 s) ghost was still started once only
n=$(t_console | grep -c 'service ghost: started')
[ "$n" = 1 ] || t_fail "expected ghost to be started exactly once in ~15 s, it was started $n times"
# crash kept being restarted, the delay growing to 8 s: 0 1 3 7 15
[ "$(grep -c '^crash ' "$EV")" -le 6 ] || t_fail "crash was started more often than a 1/2/4/8 s backoff allows: $(grep -c '^crash ' "$EV") times"

# labctl start retries a failed service once
out=$(t_labctl start ghost 2>&1) || t_fail "labctl start ghost failed: $out"
t_wait_count 'service ghost: started' 2 5 "$CONSOLE" || t_fail "labctl start ghost did not start it again"
t_wait_count 'error: service ghost: cannot run /nonexistent/prog' 2 5 "$CONSOLE" ||
	t_fail "expected a second exec error for ghost after labctl start"
sleep 2
n=$(t_console | grep -c 'service ghost: started')
[ "$n" = 2 ] || t_fail "expected ghost started twice in all (boot + labctl start), saw $n"
ST=$(t_labctl status)
grep -Eq '^ghost +failed ' <<<"$ST" || t_fail "expected ghost failed again, saw:
$ST"

t_alive "at the end of the backoff checks"
kill -TERM "$LPID"
t_wait_end 20 || t_fail "namespace still up 20 s after SIGTERM"
[ "$T_RC" = 129 ] || t_fail "expected unshare to exit 129 (reboot), got $T_RC"
t_pass
