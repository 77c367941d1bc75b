#!/bin/sh
# The agent protocol's version 2 and `labctl --lab` (docs/CONTROL.md) with
# real processes, no QEMU: socat joins a unix socket (QEMU's chardev) to a
# pty that `labinit agent --port` serves (the guest's virtio-serial port).
# With `labctl` found on the agent's PATH as a script here: stdin reaches
# the command through STDIN frames and ends with it; 1 MiB of it passes
# whole (flow control); a command that never reads its stdin still ends;
# the agent gone during poweroff is success, during status a lab error;
# stdout, stderr and the exit status come back apart; a version 1 host's
# command gets end of file at once. With --control the agent runs its own
# binary as labctl whatever PATH says, and refuses an EXEC of sh. The client's lab
# errors (125): no socket, a socket that never says hello, the lock held.
. "$(dirname "$0")/../lib/lib.sh"
t_need socat
t_need flock
t_tmpdir
LABCTL=$(dirname "$LABINIT")/labctl
mkdir "$tmp/bin"
SOCK=$tmp/lab.sock

# serve [--control]: one session's socket and agent
serve() {
	rm -f "$SOCK" "$tmp/port"
	socat PTY,link="$tmp/port",raw,echo=0 UNIX-LISTEN:"$SOCK" 2> "$tmp/socat.err" &
	spid=$!
	t_track "$spid"
	t_wait_for 10 test -S "$SOCK" || t_fail "socat made no socket: $(cat "$tmp/socat.err")"
	PATH=$tmp/bin:$PATH "$LABINIT" agent "$@" --port "$tmp/port" 2> "$tmp/agent.err" &
	apid=$!
	t_track "$apid"
}
# done_serving: the session ended (socat goes with its client); the agent
# then stops on the pty's hangup or is stopped here
done_serving() {
	kill "$apid" "$spid" 2> /dev/null
	wait "$apid" "$spid" 2> /dev/null
	t_untrack "$apid"
	t_untrack "$spid"
}
# fake SCRIPT: the `labctl` the agent finds on its PATH
fake() { printf '#!/bin/sh\n%s\n' "$1" > "$tmp/bin/labctl" && chmod +x "$tmp/bin/labctl"; }
# lab EXPECTED_CODE ARGS...: labctl --lab with stdin as given; out, err in $tmp
lab() {
	want=$1
	shift
	timeout 60 "$LABCTL" --lab "$SOCK" "$@" > "$tmp/out" 2> "$tmp/err"
	code=$?
	[ "$code" = "$want" ] || t_error "labctl --lab $*: exit $code, wanted $want; stderr: $(head -c 300 "$tmp/err")"
}

fake 'echo "args: $*"; tr a-z A-Z; echo err >&2; exit 3'
serve
printf 'hello\nworld\n' | lab 3 status --x
[ "$(cat "$tmp/out")" = "$(printf 'args: status --x\nHELLO\nWORLD')" ] && [ "$(cat "$tmp/err")" = err ] &&
	echo "ok: stdin to the command, its stdout, stderr and status back" ||
	t_error "stdin/stdout/stderr: out \"$(cat "$tmp/out")\" err \"$(cat "$tmp/err")\""
done_serving

fake 'exec wc -c'
serve
head -c 1048576 /dev/urandom | lab 0 x
[ "$(cat "$tmp/out")" = 1048576 ] && echo "ok: 1 MiB of stdin arrives whole" ||
	t_error "1 MiB of stdin: the command counted $(cat "$tmp/out")"
done_serving

fake 'echo not reading; exit 4'
serve
head -c 4194304 /dev/zero | lab 4 x
grep -qx 'not reading' "$tmp/out" && echo "ok: a command that does not read its stdin ends all the same" ||
	t_error "a command that does not read its stdin: out \"$(cat "$tmp/out")\""
done_serving

# QEMU ends while the command runs (socat here): at poweroff, as expected
serve
fake "echo going; sleep 1; kill $spid; sleep 5"
lab 0 poweroff < /dev/null
grep -qx going "$tmp/out" && grep -q 'went away (poweroff)' "$tmp/err" &&
	echo "ok: poweroff: the appliance going away is its success" || t_error "poweroff: $(cat "$tmp/out" "$tmp/err")"
done_serving
serve
fake "echo going; sleep 1; kill $spid; sleep 5"
lab 125 status < /dev/null
grep -q 'went away during "status"' "$tmp/err" && echo "ok: status: the appliance going away is a lab error" ||
	t_error "gone during status: $(cat "$tmp/err")"
done_serving

# A version 1 host (raw frames: HELLO v1, EXEC labctl): a v1 session,
# whose command reads /dev/null (cat ends at once)
HELLO1='LA\001\000\000\000\000\014\000\001\000\010labctl 1'
EXEC_LABCTL='LA\002\000\000\000\000\026\000\000\000\001\000\000\000\000\000\001\000\000\000\000\000\006labctl'
EXEC_SH='LA\002\000\000\000\000\022\000\000\000\001\000\000\000\000\000\001\000\000\000\000\000\002sh'
# raw FRAMES...: sends them, keeps the connection 3 s, the agent's bytes in $tmp/raw
raw() { { printf "$@"; sleep 3; } | timeout 20 socat - UNIX-CONNECT:"$SOCK" > "$tmp/raw"; }
fake 'cat; echo from-v1'
serve
raw "$HELLO1$EXEC_LABCTL"
grep -aq from-v1 "$tmp/raw" && grep -aq "$(printf 'LA\005')" "$tmp/raw" &&
	echo "ok: a version 1 host: its command ran with stdin at its end, EXIT came" ||
	t_error "version 1 host: $(od -c "$tmp/raw" | head -5)"
done_serving

serve --control
raw "$HELLO1$EXEC_SH"
grep -aq 'control port: only labctl runs here' "$tmp/raw" && ! grep -aq "$(printf 'LA\005')" "$tmp/raw" &&
	echo "ok: --control refuses an EXEC of sh: ERROR, nothing ran" ||
	t_error "--control and sh: $(od -c "$tmp/raw" | head -5)"
done_serving

serve --control
lab 2 help < /dev/null
grep -q '^usage: labctl' "$tmp/err" && ! grep -q args: "$tmp/out" &&
	echo "ok: --control runs the agent's own labctl, not one from PATH" ||
	t_error "--control help: out \"$(cat "$tmp/out")\" err \"$(head -c 300 "$tmp/err")\""
done_serving

lab 125 status < /dev/null
grep -q 'no appliance' "$tmp/err" && echo "ok: no socket: $(cat "$tmp/err")" || t_error "no socket: $(cat "$tmp/err")"

socat UNIX-LISTEN:"$SOCK" EXEC:'sleep 30' 2> /dev/null &
mute=$!
t_track "$mute"
t_wait_for 10 test -S "$SOCK" || t_fail "socat made no socket"
lab 125 --lab-timeout 1 status < /dev/null
grep -q 'no answer on .* within 1 s' "$tmp/err" && echo "ok: no hello: $(cat "$tmp/err")" || t_error "no hello: $(cat "$tmp/err")"
kill "$mute" 2> /dev/null

flock "$SOCK.lock" sleep 30 &
holder=$!
t_track "$holder"
t_wait_for 10 sh -c "! flock -n '$SOCK.lock' true" || t_fail "flock did not take the lock"
lab 125 --lab-wait 1 status < /dev/null
grep -q 'still holds' "$tmp/err" && echo "ok: the lock held: $(cat "$tmp/err")" || t_error "the lock held: $(cat "$tmp/err")"
kill "$holder" 2> /dev/null
t_exit
