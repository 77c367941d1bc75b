# The PID-1 tests' fixtures (bash; sourced by tests/pid1/test_*.sh and
# tests/e2e/test_*.sh; sources tests/lib/lib.sh).
#
# Each instance runs build/labinit as PID 1 in fresh pid+mount+net+uts
# namespaces with a private tmpfs on /dev (the machine's devtmpfs is shared
# across mount namespaces and must never be touched). labinit mounts its own
# proc, sys, /run and /tmp there, so everything a test shares with the
# namespace lives under build/pid1-tests/TEST/, never /tmp or /run.
#
# After t_start: T_INST (the instance's dir), CONSOLE (what labinit writes on
# its console), UNSHARE_PID, LPID (labinit's host pid). Cleanup is by pid
# only, in lib.sh's EXIT trap (the instances through T_CLEANUP_HOOK), which
# also runs on failure; a failure shows the console's last lines.

T_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$T_REPO/tests/lib/lib.sh"
LABCTL=${LABCTL:-$(dirname "$LABINIT")/labctl}
# labinit mounts fresh tmpfs on /tmp and /run in its namespace: a checkout
# under either would vanish there, so the tests work under /var/tmp unless
# the repository is somewhere else, with the binary copied beside them.
case $T_REPO/ in
/tmp/* | /run/*) T_WORK=/var/tmp/labinit-tests ;;
*) T_WORK=$T_REPO/build/pid1-tests ;;
esac
T_DIR=$T_WORK/$T_NAME
# The guest slots' count, defined once (the uids after them depend on it).
T_GUEST_SLOTS=$(sed -n 's/^#define PROFILE_GUEST_SLOTS \([0-9][0-9]*\)$/\1/p' "$T_REPO/lib/profile/profile_keys.h")
T_INSTANCES=() # "bg_pid unshare_pid labinit_pid" of every instance not yet waited for
T_FIFO_FD=     # the writer kept open on a pty instance's input FIFO

# Only the processes this test started, by pid, never by name: labinit first
# (killing a pid namespace's PID 1 kills everything in it), then our own
# background child (the wrapper, or script(1)) is waited for.
t_cleanup_instances() {
	local inst bg up lp i

	for inst in "${T_INSTANCES[@]}"; do
		read -r bg up lp <<<"$inst"
		[ "${bg:-0}" != 0 ] || continue
		if [ "${lp:-0}" = 0 ] && [ "${up:-0}" != 0 ]; then
			# not identified yet: whatever unshare's child is now
			lp=$(cat "/proc/$up/task/$up/children" 2>/dev/null)
			lp=${lp%% *}
		fi
		[ -n "$lp" ] && [ "$lp" != 0 ] && kill -KILL "$lp" 2>/dev/null
		i=0
		while [ $i -lt 50 ] && t_pid_running "$bg"; do
			sleep 0.1
			i=$((i + 1))
		done
		t_pid_running "$bg" && kill -KILL "$bg" 2>/dev/null
		wait "$bg" 2>/dev/null
	done
	if [ -n "$T_FIFO_FD" ]; then
		eval "exec $T_FIFO_FD>&-"
	fi
}
T_CLEANUP_HOOK=t_cleanup_instances

# A failure is read with the tail of the current console.
t_console_tail() {
	if [ -n "${CONSOLE:-}" ] && [ -f "$CONSOLE" ]; then
		printf -- '--- last 40 console lines (%s) ---\n' "$CONSOLE"
		tr -d '\r' <"$CONSOLE" | tail -n 40
		printf -- '---\n'
	fi
}
T_FAIL_HOOK=t_console_tail

t_init() {
	[ "$(id -u)" = 0 ] || t_skip "needs root (namespaces, mount, mknod)"
	command -v unshare >/dev/null 2>&1 || t_skip "unshare is missing"
	command -v nsenter >/dev/null 2>&1 || t_fail "nsenter (util-linux) is missing"
	[ -x "$LABINIT" ] || t_fail "$LABINIT is missing: run 'make all' first"
	[ -e "$LABCTL" ] || t_fail "$LABCTL is missing: run 'make all' first"
	rm -rf "$T_DIR"
	mkdir -p "$T_DIR/bin" || t_fail "cannot create $T_DIR"
	cp "$LABINIT" "$T_DIR/bin/labinit" || t_fail "cannot copy $LABINIT"
	ln -sf labinit "$T_DIR/bin/labctl"
	LABINIT=$T_DIR/bin/labinit
	LABCTL=$T_DIR/bin/labctl
}

# t_service_script PATH BODY — an executable POSIX sh script for a service.
t_service_script() {
	printf '#!/bin/sh\n%s\n' "$2" >"$1" && chmod +x "$1"
}

# What unshare runs: a private tmpfs on /dev with /dev/null, then labinit as
# the namespace's PID 1. $1 = labinit, $2 = config, $3 = a hostname to set
# first, or empty (the rescue test uses it: rescue sets none).
# The nodes QEMU and the lab need: null, zero, urandom, net/tun, kvm (on a
# host without KVM, or whose KVM cannot run a guest, labinit's probe fails
# and the guests run under TCG).
T_NS_INIT='mount -t tmpfs -o mode=0755 tmpfs /dev && mknod -m 666 /dev/null c 1 3 &&
mknod -m 666 /dev/zero c 1 5 && mknod -m 666 /dev/urandom c 1 9 && mkdir /dev/net &&
mknod -m 666 /dev/net/tun c 10 200 && mknod -m 666 /dev/kvm c 10 232 &&
{ [ -z "$3" ] || hostname "$3"; } &&
{ [ -z "$4" ] || until ip link show "$4" >/dev/null 2>&1; do sleep 0.05; done; } && exec "$1" --config "$2"'

# A small sh wrapper runs unshare in the foreground and records its own pid
# and unshare's status: the test's shell never reports a job killed by a
# signal, and the pty mode (under script(1)) works the same way.
t_write_wrapper() { # CONFIG NS_HOSTNAME [LINK to wait for before labinit starts]
	{
		printf '#!/bin/sh\n'
		printf 'echo $$ >"%s/wrapper.pid"\n' "$T_INST"
		printf 'unshare --pid --fork --mount --net --uts --propagation private -- \\\n'
		printf "\tsh -c '%s' sh \"%s\" \"%s\" \"%s\" \"%s\"\n" "$T_NS_INIT" "$LABINIT" "$1" "$2" "${3:-}"
		printf 'echo $? >"%s/unshare.rc"\n' "$T_INST"
	} >"$T_INST/run.sh"
	chmod +x "$T_INST/run.sh"
}

# Finds unshare (the wrapper's child) and labinit's host pid (unshare's only
# child, once it has exec'd labinit; before that it is the sh mounting /dev).
t_find_pids() {
	local deadline=$(($(t_now_ms) + 30000)) w kid exe real last

	real=$(readlink -f "$LABINIT")
	last=$((${#T_INSTANCES[@]} - 1))
	UNSHARE_PID= LPID=
	while [ "$(t_now_ms)" -lt "$deadline" ]; do
		if [ -z "$UNSHARE_PID" ] && [ -s "$T_INST/wrapper.pid" ]; then
			w=$(cat "$T_INST/wrapper.pid")
			kid=$(cat "/proc/$w/task/$w/children" 2>/dev/null)
			UNSHARE_PID=${kid%% *}
			T_INSTANCES[$last]="$T_BG_PID ${UNSHARE_PID:-0} 0"
		fi
		if [ -n "$UNSHARE_PID" ]; then
			kid=$(cat "/proc/$UNSHARE_PID/task/$UNSHARE_PID/children" 2>/dev/null)
			kid=${kid%% *}
			exe=$(readlink "/proc/${kid:-0}/exe" 2>/dev/null)
			if [ -n "$kid" ] && [ "$exe" = "$real" ]; then
				LPID=$kid
				T_INSTANCES[$last]="$T_BG_PID $UNSHARE_PID $LPID"
				return 0
			fi
		fi
		t_pid_running "$T_BG_PID" || return 1
		sleep 0.05
	done
	return 1
}

t_new_instance() { # NAME
	T_INST=$T_DIR/$1
	rm -rf "$T_INST"
	mkdir -p "$T_INST"
	CONSOLE=$T_INST/console.log
	: >"$CONSOLE"
}

t_started() { # NAME
	t_find_pids || t_fail "$1: labinit did not start as the child of unshare"
	t_wait_console 'control socket /run/labinit/control: ok' 30 ||
		t_fail "$1: no 'control socket ... ok' line within 30 s"
}

# t_start NAME CONFIG [STDIN] — labinit as PID 1, stdout+stderr to $CONSOLE.
t_start() {
	t_new_instance "$1"
	t_write_wrapper "$2" ""
	"$T_INST/run.sh" <"${3:-/dev/null}" >"$CONSOLE" 2>&1 &
	T_BG_PID=$!
	T_INSTANCES+=("$T_BG_PID 0 0")
	t_started "$1"
}

# t_start_pty NAME CONFIG NS_HOSTNAME — labinit with a pseudo-terminal as its
# console (fds 0, 1 and 2 on one read-write tty, as /dev/console is at boot),
# through script(1). What the test writes to fd 9 (the FIFO $T_INST/input,
# kept open) is typed on that terminal; what the terminal shows lands in
# $CONSOLE.
t_start_pty() {
	command -v script >/dev/null 2>&1 || t_fail "script (bsdutils) is missing"
	t_new_instance "$1"
	t_write_wrapper "$2" "$3"
	mkfifo "$T_INST/input" || t_fail "mkfifo $T_INST/input"
	exec 9<>"$T_INST/input"
	T_FIFO_FD=9
	SHELL=/bin/sh script -q -f -e -c "$T_INST/run.sh" "$CONSOLE" <"$T_INST/input" >/dev/null 2>&1 &
	T_BG_PID=$!
	T_INSTANCES+=("$T_BG_PID 0 0")
	t_started "$1"
}

# The console without a terminal's carriage returns.
t_console() {
	tr -d '\r' <"$CONSOLE"
}

# labctl inside: the control socket is /run/labinit/control in labinit's
# mount namespace.
t_labctl() {
	nsenter -t "$LPID" -m -p "$LABCTL" "$@"
}

# Every process of the namespace as "PID PPID STATE COMM", with the
# namespace's own pids (labinit is 1), read from the namespace's /proc.
t_ns_procs() {
	nsenter -t "$LPID" -m -p sh -c 'cat /proc/[0-9]*/stat 2>/dev/null' |
		awk '{ s = $0; comm = s; sub(/^[0-9]+ \(/, "", comm); sub(/\) [A-Za-z] .*$/, "", comm);
		       sub(/^.*\) /, "", s); split(s, f, " "); print $1, f[2], f[1], comm }'
}

# True while unshare has not ended.
t_unshare_alive() {
	t_pid_running "$UNSHARE_PID"
}

# The instance must still be running.
t_alive() {
	t_unshare_alive || t_fail "labinit ended unexpectedly ($1)"
}

# t_wait_end SECONDS — waits for the namespace to end; sets T_RC (unshare's
# status as sh reports it: 128+signal) and T_END_MS. Returns 1 on timeout
# (the instance is then left to the cleanup).
t_wait_end() {
	local deadline=$(($(t_now_ms) + $1 * 1000)) last

	while t_unshare_alive; do
		[ "$(t_now_ms)" -lt "$deadline" ] || return 1
		sleep 0.05
	done
	T_END_MS=$(t_now_ms)
	wait "$T_BG_PID" 2>/dev/null
	T_RC=$(cat "$T_INST/unshare.rc" 2>/dev/null)
	last=$((${#T_INSTANCES[@]} - 1))
	T_INSTANCES[$last]="0 0 0"
	return 0
}

# --- Network fixtures for PID-1 tests -----------------------------------
# t_outside: an "outside" namespace T_OUT with eth0 172.30.0.1/24 whose
# veth peer "up$$" waits there to become labinit's uplink.
t_outside() {
	T_OUT=$(t_netns_add pid1out) || exit 1
	ip link add "up$$" netns "$T_OUT" type veth peer name "out$$" netns "$T_OUT"
	ip -n "$T_OUT" link set "out$$" name eth0
	ip -n "$T_OUT" addr add 172.30.0.1/24 dev eth0
	ip -n "$T_OUT" link set eth0 up
}

# t_static_uplink NAME [GATEWAY]: the head of a profile named NAME whose
# uplink is eth0 172.30.0.2/24 on t_outside's network.
t_static_uplink() {
	printf 'CONFIG_PROFILE_NAME="%s"\n# CONFIG_UPLINK_DHCP is not set\nCONFIG_UPLINK_STATIC=y\n' "$1"
	printf 'CONFIG_UPLINK_ADDRESS="172.30.0.2/24"\n'
	[ -z "${2:-}" ] || printf 'CONFIG_UPLINK_GATEWAY="%s"\n' "$2"
}

# t_boot_with_uplink NAME CONFIG: labinit as PID 1 whose namespace first
# waits for eth0; the outside's "up$$" is moved in and renamed eth0.
t_boot_with_uplink() {
	local w u k
	t_new_instance "$1"
	t_write_wrapper "$2" "" eth0
	"$T_INST/run.sh" </dev/null >"$CONSOLE" 2>&1 &
	T_BG_PID=$!
	T_INSTANCES+=("$T_BG_PID 0 0")
	for _ in $(seq 600); do # 30 s
		w=$(cat "$T_INST/wrapper.pid" 2>/dev/null) && u=$(cat "/proc/$w/task/$w/children" 2>/dev/null) &&
			[ -n "$u" ] && k=$(cat "/proc/${u%% *}/task/${u%% *}/children" 2>/dev/null) && [ -n "$k" ] && break
		sleep 0.05
	done
	[ -n "${k:-}" ] || t_fail "the namespace did not start"
	ip -n "$T_OUT" link set "up$$" netns "${k%% *}" || t_fail "could not move the uplink in"
	nsenter -t "${k%% *}" -n ip link set "up$$" name eth0 || t_fail "could not rename the uplink"
	t_started "$1"
}

# t_demo_lab NAME MEMORY APPEND: the lab most guest tests start from: the
# demo guest (built if need be) copied under $T_DIR/files, the share in
# $T_DIR/share, t_outside, and a profile in CFG=$T_DIR/NAME.config with
# the static uplink and one demo guest vm1 (vmlinux, MEMORY MiB, APPEND).
# A test appends its own keys to $CFG, then calls t_boot_with_uplink.
t_demo_lab() {
	command -v qemu-system-x86_64 >/dev/null || t_skip "needs qemu-system-x86_64"
	make -s -C "$T_REPO" demo-guest >"$T_DIR/demo-guest.log" 2>&1 ||
		t_skip "the demo guest cannot be built: $(tail -n 3 "$T_DIR/demo-guest.log")"
	mkdir -p "$T_DIR/files/guests" "$T_DIR/share"
	cp -r "$T_REPO/lab/guests/demo" "$T_DIR/files/guests/" || t_fail "cannot copy the demo guest"
	t_outside
	CFG=$T_DIR/$1.config
	t_static_uplink "$1" 172.30.0.1 >"$CFG"
	cat >>"$CFG" <<EOC
CONFIG_FILES_DIR="$T_DIR/files"
CONFIG_SHARE_DIR="$T_DIR/share"
CONFIG_STOP_TIMEOUT=5
CONFIG_SHUTDOWN_TIMEOUT=30
CONFIG_GUEST1=y
CONFIG_GUEST1_KERNEL="guests/demo/vmlinux"
CONFIG_GUEST1_INITRD="guests/demo/initramfs.cpio.gz"
CONFIG_GUEST1_APPEND="$3"
CONFIG_GUEST1_MEMORY=$2
EOC
}

# t_guest_ns NAME: a namespace on labinit's virbr0 through a veth pair,
# named in T_GUEST.
t_guest_ns() {
	local n

	n=$(t_netns_add "pid1$1") || exit 1
	ip link add "g$1$$" netns "$n" type veth peer name eth0 netns "$n"
	ip -n "$n" link set eth0 up
	ip -n "$n" link set "g$1$$" netns "$LPID"
	nsenter -t "$LPID" -n ip link set "g$1$$" master virbr0 up || t_fail "could not attach $n to virbr0"
	T_GUEST=$n
}
