# The image tests' fixtures (sourced by tests/image/test_*.sh; sources
# tests/lib/lib.sh): build the host image of the
# default profile once into build/test-image (`make image` is incremental;
# the developer's .config and out/ are left alone), boot it under QEMU
# (TCG) with its serial
# console in a log file and a FIFO to type into, wait for console lines,
# and check how QEMU ended. Nothing here touches this machine's network:
# the appliance's uplink is QEMU's user-mode network, inside QEMU.
# A check that fails (t_error) is reported and the test goes on, so that
# one boot shows everything that is wrong; each test ends with t_exit.
. "$(dirname "$0")/../lib/lib.sh"
cd "$T_REPO" || exit 2
QEMU=${QEMU:-qemu-system-x86_64}
OUT=build/test-image

t_need "$QEMU" "Debian package qemu-system-x86"

T_WORK=$(mktemp -d /tmp/labinit-image-test.XXXXXX) || exit 2
qpid="" T_NETNS=""
image_cleanup() {
	[ -z "$qpid" ] || kill "$qpid" 2>/dev/null
	exec 3>&- 2>/dev/null
	[ -z "${T_LABFILE:-}" ] || rm -f "$T_LABFILE"
	# image/mkimage.sh's staging for outputs under $T_WORK (named after them)
	rm -rf "build/image/$(printf '%s' "$T_WORK" | tr -c 'A-Za-z0-9._-' _)"*
	rm -rf "$T_WORK"
}
T_CLEANUP_HOOK=image_cleanup

# image_build: make image, or skip when Debian's packages cannot be fetched.
image_build() {
	if ! IMAGE_OUT=$OUT PROFILE=configs/default_defconfig make -s image > "$T_WORK/image.log" 2>&1; then
		cat "$T_WORK/image.log"
		grep -q 'cannot fetch' "$T_WORK/image.log" && t_skip "the image cannot be built offline (packages not fetched)"
		echo "FAIL: make image"
		exit 1
	fi
	cat "$T_WORK/image.log"
}

# build_variant BASE: an image of profile BASE plus the lines on stdin
# (IMAGE_EMBED_GUESTS off, say) in $VOUT, beside out/.
build_variant() {
	VOUT=$T_WORK/out
	cat "$1" - > "$T_WORK/variant.config"
	make -s all deps > /dev/null || exit 1
	[ -f lab/guests/demo/vmlinux ] || make -s demo-guest > /dev/null || t_skip "no demo guest (make demo-guest failed)"
	if ! IMAGE_OUT=$VOUT PROFILE=$T_WORK/variant.config sh image/mkimage.sh > "$T_WORK/image.log" 2>&1; then
		cat "$T_WORK/image.log"
		grep -q 'cannot fetch' "$T_WORK/image.log" && t_skip "the image cannot be built offline"
		echo "FAIL: image/mkimage.sh for $1 and:"
		cat "$T_WORK/variant.config"
		exit 1
	fi
}

# image_netns: a network namespace of this test's own with lo up
# ($T_NETNS), for QEMU whose port forwards must bind a loopback that is not
# this machine's. Removed on exit.
image_netns() {
	T_NETNS=$(t_netns_add labinit-img) || exit 1
}

# boot NAME QEMU-ARGS...: start the appliance; its console goes to
# $T_WORK/NAME.log ($CONSOLE), what `type` writes reaches its serial port.
boot() {
	CONSOLE=$T_WORK/$1.log
	shift
	rm -f "$T_WORK/in"
	mkfifo "$T_WORK/in"
	exec 3<> "$T_WORK/in"
	T_START=$(date +%s)
	# No SVM: the appliance's guests run under TCG. KVM on TCG's emulated
	# SVM has its own test (test_nested_guest, with -cpu max, which QEMU
	# takes as the last -cpu); elsewhere it only risks the rare stall of
	# the whole appliance seen once in CI, at the moment of its KVM probe.
	${T_NETNS:+ip netns exec "$T_NETNS"} "$QEMU" -nodefaults -no-user-config -machine pc,accel=tcg -cpu qemu64,-svm -m 1536 -smp 2 \
		-display none -serial stdio "$@" < "$T_WORK/in" > "$CONSOLE" 2>&1 &
	qpid=$!
}

# console_lines: the console log with the kernel's messages taken out of
# the middle of labinit's lines. The kernel prints to the serial port
# directly, so "labinit[..]: guest demo: /lab/gu[    5.77] IPv6: ...\n
# ests/demo/vmlinux" happens; the two halves are joined again.
console_lines() {
	awk '{ sub(/\r$/, "") }
		pending != "" { $0 = pending $0; pending = "" }
		match($0, /\[ *[0-9]+\.[0-9]+\] /) && RSTART > 1 { pending = substr($0, 1, RSTART - 1); next }
		{ print }
		END { if (pending != "") print pending }' "$CONSOLE"
}

# t_wait_console (tests/lib/lib.sh) reads the console through
# console_lines, looks once a second, and stops waiting when QEMU is gone.
qemu_running() { [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; }
T_CONSOLE_READ=console_lines
T_ALIVE=qemu_running
T_POLL=1

# expect REGEX SECONDS WHAT: t_wait_console, or a failure naming WHAT.
expect() {
	if t_wait_console "$1" "$2"; then
		echo "ok: $3 ($(($(date +%s) - T_START)) s after QEMU started)"
	else
		t_error "$3: no console line matching /$1/ within $2 s"
		return 1
	fi
}

# boot_end: QEMU of the last boot gone (killed if poweroff_check failed).
boot_end() {
	[ -n "$qpid" ] && kill "$qpid" 2>/dev/null && wait "$qpid"
	qpid=""
}

# image_files ARCHIVE: the paths in an initramfs of image/mkimage.sh, whose
# first archive is the hand-made /dev/console one (364 bytes).
image_files() {
	lz4 -dc "$1" | tail -c +365 | cpio -it --quiet 2>/dev/null
}

# type LINE: a line typed on the appliance's console.
type_line() { printf '%s\n' "$1" >&3; }

# poweroff_check SECONDS: `poweroff` on the console; QEMU must end by
# itself with status 0 (the appliance powered off, it did not crash).
poweroff_check() {
	type_line poweroff
	i=0
	while kill -0 "$qpid" 2>/dev/null && [ "$i" -lt "$1" ]; do
		sleep 1
		i=$((i + 1))
	done
	if kill -0 "$qpid" 2>/dev/null; then
		t_error "QEMU still runs $1 s after poweroff"
		return
	fi
	wait "$qpid"
	rc=$?
	qpid=""
	if [ "$rc" = 0 ]; then echo "ok: powered off, QEMU exited with 0 after $i s"; else t_error "QEMU exited with $rc after poweroff"; fi
}

# show_console: the console log without the kernel's own lines, but for
# those that tell of trouble (a stall, an oops, a hung task).
show_console() {
	echo "== console ($CONSOLE), kernel lines left out but for trouble:"
	grep -avE '^\[ *[0-9]' "$CONSOLE" | tr -d '\r' | tail -n "${1:-80}"
	grep -aE '^\[ *[0-9].*(BUG|WARNING|Oops|panic|stall|lockup|blocked for more|Call Trace|kvm)' "$CONSOLE" |
		tr -d '\r' | head -n 20
}

# boot_checks: what every boot of the default profile must show: modules,
# the uplink's lease from QEMU's user network, the bridge and the ruleset,
# the ready line with the time since the kernel started.
boot_checks() {
	expect 'labinit [0-9.]+ starting as PID 1' 240 "labinit runs as PID 1" || return 1
	expect 'modules: for the boot: loaded [0-9]+' 300 "modules loaded" || return 1
	expect 'dhcpc eth0: 10\.0\.2\.15/24 via 10\.0\.2\.2' 60 "uplink lease from QEMU's user network" || return 1
	expect 'bridge virbr0 .*: ok \(' 10 "virbr0 up" || return 1
	expect 'nftables table inet labinit .*: ok \(' 10 "ruleset installed" || return 1
	expect 'lab "[a-z_0-9]+" ready in' 60 "the ready line" || return 1
	grep -a 'ready in' "$CONSOLE" | tr -d '\r'
}
