#!/bin/bash
# A broken profile at boot: labinit as PID 1 prints every error (file:line,
# and the CONFIG_ key where there is one), starts nothing from the profile,
# and runs a rescue shell on the console. The console here is a pseudo-
# terminal (fds 0-2, read-write, like /dev/console at boot): the rescue shell
# writes its output to the fd it reads from, so a read-only FIFO on stdin
# would swallow it. labctl reports the rescue state; SIGTERM ends it (129).
. "$(dirname -- "$0")/../lib/pid1.sh" || { echo "cannot load tests/lib/pid1.sh" >&2; exit 2; }
t_init

CFG=$T_DIR/broken.config
EV=$T_DIR/events
: >"$EV"
t_service_script "$T_DIR/svc.sh" "echo started >>'$EV'; exec sleep 100000"
cat >"$CFG" <<EOF
CONFIG_PROFILE_NAME="broken"
CONFIG_HOSTNAME="never-applied"
CONFIG_LAB_SUBNET="10.0.0.0/33"
CONFIG_NOPE=y
CONFIG_GUEST1=y
CONFIG_GUEST1_KERNEL="$T_DIR/missing-vmlinux"
this line is not a config assignment
CONFIG_EXTRA_SERVICES="svc=$T_DIR/svc.sh"
CONFIG_STOP_TIMEOUT=2
EOF

# The namespace's hostname before labinit starts: rescue must leave it.
t_start_pty main "$CFG" rescue-uts-name

t_wait_console 'error: rescue: the lab is not started; a shell runs on the console' 10 ||
	t_fail "expected the rescue line on the console"
want=(
	"error: profile $CFG: 4 errors:"
	"$CFG:3: CONFIG_LAB_SUBNET: \"10.0.0.0/33\" is not a subnet (e.g. 10.77.0.0/24)"
	"$CFG:4: CONFIG_NOPE: unknown key (not in labinit's Kconfig)"
	"$CFG:6: CONFIG_GUEST1_KERNEL: $T_DIR/missing-vmlinux: No such file or directory"
	"$CFG:7: expected CONFIG_NAME=value, found \"this line is not a config assignment\""
)
for w in "${want[@]}"; do
	# whole lines (or a log line's tail): a message must not run into the next
	t_console | awk -v w="$w" '$0 == w || substr($0, length($0) - length(w) - 1) == ": " w { f = 1 }
		END { exit !f }' || t_fail "expected this line on the console: $w"
done
t_wait_console 'service rescue: started' 5 || t_fail "expected 'service rescue: started' on the console"

# Type on the console. The command's text differs from its output, so the
# terminal's echo of the input cannot pass for the shell's answer.
printf '%s\n' 'printf "RESCUE-%s-ALIVE\n" SHELL; hostname; echo "stderr-$((6 * 7))" >&2' >&9
t_wait_console '^RESCUE-SHELL-ALIVE$' 10 || t_fail "expected the rescue shell's output 'RESCUE-SHELL-ALIVE' on the console"
t_wait_console '^rescue-uts-name$' 5 || t_fail "expected the shell's 'hostname' to print rescue-uts-name on the console"
t_wait_console '^stderr-42$' 5 || t_fail "expected the shell's stderr ('stderr-42') on the console"

ST=$(t_labctl status) || t_fail "labctl status failed in rescue: $ST"
grep -Eq '^state: +rescue' <<<"$ST" || t_fail "expected 'state: rescue ...' in labctl status, saw:
$ST"
grep -Eq '^profile: +broken$' <<<"$ST" || t_fail "expected 'profile: broken' in labctl status, saw:
$ST"
grep -Eq '^rescue +running +[0-9]+ ' <<<"$ST" || t_fail "expected a running 'rescue' service in labctl status, saw:
$ST"
grep -Eq '^svc ' <<<"$ST" && t_fail "the profile's services must not be supervised in rescue, saw:
$ST"
[ -s "$EV" ] && t_fail "a service of the broken profile was started: $(cat "$EV")"
h=$(nsenter -t "$LPID" -u hostname)
[ "$h" = rescue-uts-name ] || t_fail "expected the namespace's hostname to stay rescue-uts-name, saw '$h'"
t_console | grep -q 'lab "broken" ready' && t_fail "the lab claims to be ready in rescue"

t0=$(t_now_ms)
kill -TERM "$LPID"
t_wait_end 45 || t_fail "the namespace was still up 45 s after SIGTERM in rescue"
t_log "rescue: ended $((T_END_MS - t0)) ms after SIGTERM, unshare status $T_RC"
[ "$T_RC" = 129 ] || t_fail "expected unshare to exit 129 (reboot) after SIGTERM in rescue, got '$T_RC'"
# rescue has no valid profile: the shutdown bound is the built-in 30 s
[ $((T_END_MS - t0)) -le 35000 ] || t_fail "expected the end within 30 s + 5 s, it took $((T_END_MS - t0)) ms"
t_console | grep -q 'shutdown: reboot now' || t_fail "expected 'shutdown: reboot now' on the console"
t_pass
