# t_uml_rerun MODULE...: runs this test again under Debian's User-Mode
# Linux kernel (/usr/bin/linux.uml, package user-mode-linux), for a kernel
# feature the host's kernel lacks but UML has as a module (sch_netem). The
# UML kernel mounts the host's / read-write through hostfs, as root; its
# /run, /tmp, /dev and /lib/modules are its own (tests/lib/uml-init.sh), so
# the namespaces the test makes there are UML's, never the host's. Exits
# with the test's status there; returns only when UML cannot run it (no
# linux.uml, no such module, or already inside UML). Sourced after
# tests/lib/lib.sh; needs $WORK.
T_UML=${T_UML:-/usr/bin/linux.uml}

t_uml_rerun() {
	[ -z "${T_IN_UML:-}" ] && [ -x "$T_UML" ] || return 0
	_u_mods=$(ls -d /usr/lib/uml/modules/*/ 2> /dev/null | head -n 1)
	for _u_m in "$@"; do
		find "$_u_mods" -name "$_u_m.ko*" 2> /dev/null | grep -q . || return 0
	done
	_u_dir=$WORK/uml
	mkdir -p "$_u_dir"
	t_log "re-running under $T_UML ($(basename "$_u_mods")) for $*"
	# umid and uml_dir: its mconsole socket stays in $WORK, not ~/.uml.
	timeout --kill-after=10 300 "$T_UML" mem=512M rootfstype=hostfs rootflags=/ rw \
		umid="labinit-test-$$" uml_dir="$_u_dir" con=null con0=null,fd:1 \
		init="$T_REPO/tests/lib/uml-init.sh" -- "$_u_dir" "$(cd "$(dirname "$0")" && pwd)/$(basename "$0")" "$@" \
		> "$_u_dir/console.log" 2>&1 < /dev/null &
	_u_pid=$!
	t_track "$_u_pid"
	wait "$_u_pid" || true
	t_untrack "$_u_pid"
	cat "$_u_dir/test.log" 2> /dev/null
	_u_rc=$(cat "$_u_dir/test.rc" 2> /dev/null) ||
		t_fail "the test did not finish under UML: $(tail -n 20 "$_u_dir/console.log")"
	exit "$_u_rc"
}
