# The one shell library of labinit's tests (POSIX sh; bash sources it too):
# how a test passes, fails, skips, waits, and cleans up after itself. The
# layers' fixtures build on it: tests/lib/net.sh (network namespaces),
# tests/lib/dhcpd.sh (DHCP clients), tests/lib/pid1.sh (labinit as PID 1 in
# fresh namespaces), tests/lib/image.sh (the appliance under QEMU).
#
# A test exits 0 (passed), 77 (skipped) or anything else (failed); the
# runner, tests/run.sh, shows the lines starting with "FAIL" first.
#
# Cleanup is one EXIT trap, installed here, that runs in this order:
#   1. the test's own hook T_CLEANUP_HOOK (a function name), if set;
#   2. every pid given to t_track, killed by pid (never by name);
#   3. every command given to t_defer, the last one first;
#   4. every network namespace made by t_netns_add: the processes still in
#      it, by pid, then the namespace itself.
# It keeps the test's exit status, which the hook and the deferred commands
# find in T_EXIT_STATUS. Nothing here touches the machine's own
# network namespace.

T_REPO=${T_REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
T_NAME=${T_NAME:-$(basename "$0" .sh)}
LABINIT=${LABINIT:-$T_REPO/build/labinit}
T_TRACKED=""
T_DEFERRED=""
T_NETNS_LIST=""
T_ERRORS=0

t_log() { printf '%s: %s\n' "$T_NAME" "$*" >&2; }

# t_fail MSG: the test fails now. T_FAIL_HOOK (a function name) may print
# what helps to read the failure (a console tail).
t_fail() {
	printf 'FAIL: %s: %s\n' "$T_NAME" "$*" >&2
	[ -z "${T_FAIL_HOOK:-}" ] || "$T_FAIL_HOOK" >&2
	exit 1
}

# t_error MSG: a failure recorded while the test goes on (to see what else
# holds); t_exit ends the test with 1 if there was any.
t_error() {
	printf 'FAIL: %s: %s\n' "$T_NAME" "$*" >&2
	T_ERRORS=$((T_ERRORS + 1))
}

t_exit() { [ "$T_ERRORS" = 0 ]; exit $?; }

t_skip() {
	printf 'SKIP: %s: %s\n' "$T_NAME" "$*" >&2
	exit 77
}

t_pass() {
	printf 'PASS: %s\n' "$T_NAME"
	exit 0
}

t_need_root() { [ "$(id -u)" = 0 ] || t_skip "needs root (namespaces)"; }

# t_need CMD [WHY]: skip unless CMD is installed.
t_need() { command -v "$1" > /dev/null 2>&1 || t_skip "needs $1${2:+ ($2)}"; }

t_now_ms() {
	if [ -n "${EPOCHREALTIME:-}" ]; then
		set -- "$(printf '%s' "$EPOCHREALTIME" | tr -d '.,')"
		echo $(($1 / 1000))
	else
		date +%s%3N
	fi
}

# t_pid_running PID: it exists and is not a zombie.
t_pid_running() {
	set -- "$(cat "/proc/$1/stat" 2> /dev/null)" || return 1
	[ -n "$1" ] || return 1
	set -- "${1##*) }"
	[ "${1%% *}" != Z ]
}

# t_wait_for SECONDS CMD...: polls every 0.1 s until CMD succeeds; 1 when
# SECONDS pass first.
t_wait_for() {
	_t_end=$(($(t_now_ms) + $1 * 1000))
	shift
	until "$@" > /dev/null 2>&1; do
		[ "$(t_now_ms)" -lt "$_t_end" ] || return 1
		sleep 0.1
	done
}

# t_wait_count ERE N SECONDS [FILE]: 0 once at least N lines match, of FILE
# or else of the console: what T_CONSOLE_READ (a function name) prints, by
# default the file $CONSOLE, without carriage returns. T_ALIVE (a function
# name), if set, says whether waiting on the console still makes sense
# (QEMU still running); T_POLL is the pause between two looks (0.1 s).
t_console_text() {
	if [ -n "${1:-}" ]; then
		tr -d '\r' < "$1"
	elif [ -n "${T_CONSOLE_READ:-}" ]; then
		"$T_CONSOLE_READ"
	else
		tr -d '\r' < "$CONSOLE"
	fi
}

t_wait_count() {
	_t_end=$(($(t_now_ms) + $3 * 1000))
	while [ "$(t_console_text "${4:-}" | grep -aEc -- "$1")" -lt "$2" ]; do
		[ "$(t_now_ms)" -lt "$_t_end" ] || return 1
		if [ -z "${4:-}" ] && [ -n "${T_ALIVE:-}" ] && ! "$T_ALIVE"; then
			[ "$(t_console_text | grep -aEc -- "$1")" -ge "$2" ]
			return
		fi
		sleep "${T_POLL:-0.1}"
	done
}

# t_wait_console ERE SECONDS [FILE]: 0 once a line matches.
t_wait_console() { t_wait_count "$1" 1 "$2" "${3:-}"; }

# t_tmpdir: a scratch directory in $tmp, removed on exit.
t_tmpdir() {
	tmp=$(mktemp -d) || t_fail "mktemp -d failed"
	t_defer "rm -rf '$tmp'"
}

# t_track PID: killed on exit (by pid) if still running.
t_track() { T_TRACKED="$T_TRACKED $1"; }

# t_untrack PID: no longer this test's to kill (it was waited for).
t_untrack() { T_TRACKED=$(printf ' %s ' $T_TRACKED | sed "s/ $1 / /g"); }

# t_defer CMD: run on exit, the last deferred first.
t_defer() {
	T_DEFERRED="$1
$T_DEFERRED"
}

# t_netns_add NAME: a new network namespace NAME-$$ (lo up), removed on
# exit with whatever still runs in it. Prints its name; works in $(...)
# because the list lives in a file.
t_netns_add() {
	set -- "$1-$$"
	ip netns add "$1" || t_fail "ip netns add $1"
	echo "$1" >> "$T_NETNS_FILE"
	ip -n "$1" link set lo up
	echo "$1"
}

t_cleanup_all() {
	_t_rc=$?
	T_EXIT_STATUS=$_t_rc
	trap - EXIT
	set +e # every step runs, whatever the one before did
	[ -z "${T_CLEANUP_HOOK:-}" ] || "$T_CLEANUP_HOOK"
	for _t_p in $T_TRACKED; do kill "$_t_p" 2> /dev/null; done
	printf '%s\n' "$T_DEFERRED" | while IFS= read -r _t_c; do
		[ -z "$_t_c" ] || eval "$_t_c"
	done
	for _t_n in $(cat "$T_NETNS_FILE" 2> /dev/null); do
		for _t_p in $(ip netns pids "$_t_n" 2> /dev/null); do kill "$_t_p" 2> /dev/null; done
	done
	for _t_n in $(cat "$T_NETNS_FILE" 2> /dev/null); do ip netns del "$_t_n" 2> /dev/null; done
	rm -f "$T_NETNS_FILE"
	exit "$_t_rc"
}

T_NETNS_FILE=$(mktemp "${TMPDIR:-/tmp}/labinit-netns.XXXXXX") || exit 2
trap t_cleanup_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# a test killed by SIGPIPE (a write to a reader that went away) left its
# appliance's QEMU and namespace behind: it too goes through the cleanup
trap 'exit 141' PIPE
