#!/bin/sh
# `make test-kernel`: one command for CI. Boots the appliance headless
# under QEMU with KERNEL as its one guest "test", runs CMD in that guest
# through the guest agent (`labctl run`, over the appliance's control
# channel), writes the results, powers the appliance off and exits with
# the run's code, as `labctl run` does (docs/AGENT.md):
#   0 passed, 1..255 the command's status, 123 panicked, 124 timed out,
#   125 lab error, 126 did not boot.
#
#   KERNEL=FILE   bzImage or ELF vmlinux (x86_64), Image (arm64, riscv64)
#   ARCH=x86_64|arm64|riscv64   read from KERNEL's header when not given
#   ROOTFS=FILE   initramfs (cpio, gzip or not) whose init starts
#                 `labinit agent`; default the demo guest's (x86_64)
#   CMD="..."     run with sh -c in the guest (default: uname -a)
#   TIMEOUT=S     the command's limit (600); BOOT_TIMEOUT=S the guest's
#                 boot to its agent (300; 900 with GUEST_ACCEL=tcg); APPEND="..." the guest's kernel
#                 command line; MEMORY=MiB the guest's RAM (256)
#   KEEP=1        leave the appliance up after the run, for `build/labctl
#                 --lab build/test-kernel/ARCH/lab.sock run test -- ...`
#                 and for the next make test-kernel: with the same kernel,
#                 rootfs and options it runs there without a boot (with
#                 others it powers that appliance off and boots anew)
#   GUEST_ACCEL=auto|tcg  auto: KVM in the appliance where its CPU offers
#                 it (under TCG: QEMU's emulated SVM); tcg: never
#   RESULTS=DIR   where the results go (out/results):
#     result.json  the outcome, status, exit code, times, accelerators and
#                  labctl run's own object (and crash reports, if any)
#     junit.xml    one testsuite, one testcase (labinit results)
#     stdout.txt stderr.txt   the command's outputs
#     console.log  the appliance's console (its boot, the guest's start)
#     crashes.json labctl crashes test --json, when the run filed reports
#
# The kernel and rootfs are not built into the appliance: they are copied
# into lab/.test-kernel/RUN/, which run.sh shares over 9p, and named on
# the appliance's command line (labinit.GUEST1_KERNEL=...). The image is
# built once per ARCH into build/test-kernel/ARCH/ and rebuilt only when
# what it is made from changes. QEMU's user network only: nothing here
# configures this machine's network.
set -eu
cd "$(dirname "$0")/.."
TOOL="test-kernel"
. image/lib.sh
t0=${TEST_KERNEL_T0:-$(date +%s%N)} # make test-kernel's start (Makefile)
ms() { echo $((($(date +%s%N) - t0) / 1000000)); }
secs() { awk -v m="$1" 'BEGIN { printf "%.1f", m / 1000 }'; }

KERNEL=${KERNEL:-}
CMD=${CMD:-uname -a}
TIMEOUT=${TIMEOUT:-600}
APPLIANCE_TIMEOUT=${APPLIANCE_TIMEOUT:-600}
MEMORY=${MEMORY:-256}
GUEST_ACCEL=${GUEST_ACCEL:-auto}
APPEND=${APPEND:-}
RESULTS=${RESULTS:-out/results}
for v in TIMEOUT APPLIANCE_TIMEOUT MEMORY; do
	eval "val=\$$v"
	case $val in '' | *[!0-9]*) die "$v=$val: want a number" ;; esac
done
# tcg: the appliance's kernel hides SVM and VMX from itself (clearcpuid=),
# so it loads no KVM module and its guests run under TCG: slower than KVM
# on QEMU's emulated SVM, which stalled a guest's early boot at times here.
case $GUEST_ACCEL in
auto) hide_kvm="" BOOT_TIMEOUT=${BOOT_TIMEOUT:-300} ;;
tcg) hide_kvm="clearcpuid=svm,vmx" BOOT_TIMEOUT=${BOOT_TIMEOUT:-900} ;; # 443 s here under load
*) die "GUEST_ACCEL=$GUEST_ACCEL: want auto or tcg" ;;
esac
case $BOOT_TIMEOUT in '' | *[!0-9]*) die "BOOT_TIMEOUT=$BOOT_TIMEOUT: want a number" ;; esac
case $APPEND in *'"'*) die "APPEND: the kernel command line has no escape for a double quote (use single quotes)" ;; esac
[ -n "$KERNEL" ] || die "KERNEL=FILE is required (bzImage, vmlinux or Image), e.g. make test-kernel KERNEL=lab/guests/demo/bzImage CMD=true"
[ -f "$KERNEL" ] || die "KERNEL=$KERNEL: no such file"

# kernel_arch FILE: x86_64, arm64 or riscv64, from the file's own header:
# an ELF's e_machine, a bzImage's "HdrS" at 0x202
# (Documentation/arch/x86/boot.rst), the arm64 and RISC-V Image magics at
# offset 56 (Documentation/arch/arm64/booting.rst, riscv/boot-image-header.rst).
kernel_arch() {
	case $(od -An -c -N 4 "$1" | tr -d ' ') in
	177ELF)
		case $(od -An -tx1 -j 18 -N 2 "$1" | tr -d ' ') in
		3e00) echo x86_64 ;; b700) echo arm64 ;; f300) echo riscv64 ;; *) return 1 ;;
		esac
		return ;;
	esac
	[ "$(od -An -c -j 514 -N 4 "$1" | tr -d ' ')" = HdrS ] && { echo x86_64; return; }
	case $(od -An -tx1 -j 56 -N 4 "$1" | tr -d ' ') in
	41524d64) echo arm64 ;; 52534305) echo riscv64 ;; *) return 1 ;;
	esac
}
guessed=$(kernel_arch "$KERNEL") || guessed=""
ARCH=${ARCH:-$guessed}
[ -n "$ARCH" ] || die "KERNEL=$KERNEL: not a bzImage, vmlinux or Image I know (say ARCH=x86_64|arm64|riscv64)"
case $ARCH in
x86_64 | x86) ARCH=x86_64 garch=x86_64 demo=demo ;; # x86, riscv: Kbuild's names
arm64 | aarch64) ARCH=arm64 garch=aarch64 demo=demo-arm64 ;;
riscv64 | riscv) ARCH=riscv64 garch=riscv64 demo=demo-riscv64 ;;
*) die "ARCH=$ARCH: want x86_64, arm64 or riscv64" ;;
esac
[ -z "$guessed" ] || [ "$guessed" = "$ARCH" ] || die "KERNEL=$KERNEL is a $guessed kernel, not $ARCH"
if [ "$ARCH" != x86_64 ] && [ "$(od -An -c -N 4 "$KERNEL" | tr -d ' ')" = 177ELF ]; then
	die "KERNEL=$KERNEL: an ELF vmlinux boots on x86_64 only; give arch/$ARCH/boot/Image"
fi

# The rootfs: the demo guest's by default, which carries the agent on
# x86_64 only (the agent is the lab host's own x86_64 binary; no cross
# toolchain builds it for the others yet).
ROOTFS=${ROOTFS:-}
if [ -z "$ROOTFS" ]; then
	[ "$ARCH" = x86_64 ] || die "ARCH=$ARCH: lab/guests/$demo's initramfs carries no guest agent (no $ARCH build of labinit yet): give ROOTFS= an initramfs whose init starts \`labinit agent\` built for $ARCH"
	sh image/demo-guest.sh > build/test-kernel.demo.log 2>&1 || { cat build/test-kernel.demo.log; die "the demo guest (make demo-guest) failed to build"; }
	ROOTFS=lab/guests/demo/initramfs.cpio.gz
fi
[ -f "$ROOTFS" ] || die "ROOTFS=$ROOTFS: no such file"

# The profile: one guest "test", its files named on the command line.
base=build/test-kernel/$ARCH
out=$base/out
mkdir -p "$base" "$RESULTS"
{
	echo 'CONFIG_PROFILE_NAME="test_kernel"'
	echo "CONFIG_PROFILE_DESCRIPTION=\"make test-kernel: one $ARCH guest, its kernel from the 9p share\""
	echo '# CONFIG_IMAGE_EMBED_GUESTS is not set'
	echo 'CONFIG_GUEST1=y'
	echo 'CONFIG_GUEST1_NAME="test"'
	echo "CONFIG_GUEST1_ARCH=\"$garch\""
	echo 'CONFIG_GUEST1_KERNEL=".test-kernel/none/kernel"'
	echo 'CONFIG_GUEST1_INITRD=".test-kernel/none/rootfs"'
	# A panicked or powered-off guest stays as it ended, for labctl crashes.
	echo 'CONFIG_GUEST1_RESTART="never"'
} > "$base/profile"

# image_stamp: what the appliance is made from; the image is rebuilt when
# it changes (rm -rf build/test-kernel forces it, e.g. for a newer Debian kernel).
image_stamp() {
	{
		cat "$base/profile" build/labinit image/mkimage.sh image/lib.sh image/lists/*
		find image/rootfs | sort | while read -r f; do echo "$f"; [ -f "$f" ] && cat "$f"; done
	} | cksum
}
# One build at a time per ARCH: a second make test-kernel waits for it.
exec 8> "$base/lock"
command -v flock > /dev/null && flock 8
stamp=$(image_stamp)
if [ -f "$out/initramfs.cpio.lz4" ] && [ "$(cat "$base/stamp" 2>/dev/null)" = "$stamp" ]; then
	say "appliance image $out is up to date"
else
	say "building the appliance image into $out (once per ARCH and change)"
	rm -f "$base/stamp"
	IMAGE_OUT=$out PROFILE=$base/profile sh image/mkimage.sh > "$base/image.log" 2>&1 ||
		{ cat "$base/image.log"; die "the appliance image failed to build (above)"; }
	echo "$stamp" > "$base/stamp"
fi
exec 8>&-
say "image ready after $(secs "$(ms)") s"

# An appliance that a KEEP=1 run left up ($base/session) serves this run
# when it booted the same image with the same kernel, rootfs and options;
# any other is powered off first.
session=$base/session
key="$stamp $garch $GUEST_ACCEL $MEMORY $APPEND"
sget() { sed -n "s/^$1=//p" "$session" 2> /dev/null; }
qpid="" reused="" kept="" run="" ctl="" console=""
accel=${RUN_ACCEL:-$(build/labinit accel 2>/dev/null || echo tcg)}
if [ -f "$session" ]; then
	qpid=$(sget pid) ctl=$(sget ctl) run=$(sget run) console=$(sget console)
	case $run in .test-kernel/[0-9]*) ;; *) run="" ;; esac # what forget() removes stays ours
	case $ctl$console in "$base"/*"$base"/*) ;; *) ctl="" console="" ;; esac
	if [ -n "$qpid" ] && kill -0 "$qpid" 2> /dev/null && [ "$(sget key)" = "$key" ] &&
		cmp -s "$KERNEL" "lab/$run/kernel" && cmp -s "$ROOTFS" "lab/$run/rootfs"; then
		reused=1 accel=$(sget accel)
	fi
fi

# poweroff: through the control channel; QEMU ends by itself, or is killed
# after a bound. Then the run's files go.
poweroff() {
	[ -n "$qpid" ] || return 0
	timeout 30 build/labctl --lab "$ctl" poweroff < /dev/null > /dev/null 2>&1 || true
	i=0
	while kill -0 "$qpid" 2>/dev/null && [ "$i" -lt 120 ]; do
		sleep 1
		i=$((i + 1))
	done
	if kill -0 "$qpid" 2>/dev/null; then
		say "QEMU still runs 120 s after poweroff: killing it (pid $qpid)"
		kill "$qpid" 2>/dev/null || true
	else
		say "powered off ($i s)"
	fi
	wait "$qpid" 2>/dev/null || true
	qpid=""
	forget
}
# forget: the files of the run and of its appliance (run, ctl and console
# may be empty: then there are none).
forget() {
	[ -z "$run" ] || rm -rf "lab/$run"
	[ -z "$ctl" ] || rm -f "$ctl" "$ctl".*
	rm -f "$session"
	rmdir lab/.test-kernel 2> /dev/null || true
}
if [ -f "$session" ] && [ -z "$reused" ]; then
	if [ -n "$qpid" ] && kill -0 "$qpid" 2> /dev/null; then
		say "powering off the appliance an earlier KEEP=1 run left up (another kernel, rootfs or options)"
		poweroff
	fi
	qpid="" forget
	[ -z "$console" ] || rm -f "$console"
	run="" ctl="" console=""
fi

cleanup() {
	[ -z "$kept" ] || return 0
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then kill "$qpid" 2>/dev/null; fi
	forget
	[ -z "$console" ] || rm -f "$console"
}
trap cleanup EXIT
trap 'exit 125' INT TERM HUP
for f in result.json junit.xml stdout.txt stderr.txt console.log crashes.json run.json; do
	rm -f "$RESULTS/$f"
done

case $accel in
kvm) say "accelerator: kvm for the appliance" ;;
*) say "accelerator: tcg (no KVM here) for the appliance" ;;
esac
if [ -n "$reused" ]; then
	say "reusing the appliance a KEEP=1 run left up (QEMU pid $qpid, $ctl)"
else
	# The run's own files, in the share; a hard link where it can be one:
	# kernels are tens of MB.
	run=.test-kernel/$$
	ctl=$base/lab.$$.sock console=$base/console.$$.log
	[ "${KEEP:-0}" != 1 ] || ctl=$base/lab.sock
	mkdir -p "lab/$run"
	ln -f "$KERNEL" "lab/$run/kernel" 2>/dev/null || cp "$KERNEL" "lab/$run/kernel"
	ln -f "$ROOTFS" "lab/$run/rootfs" 2>/dev/null || cp "$ROOTFS" "lab/$run/rootfs"
	say "booting the appliance (QEMU, headless; console into $RESULTS/console.log)"
	IMAGE_OUT=$out RUN_ACCEL=$accel RUN_CONTROL=$ctl RUN_MEMORY=$((768 + MEMORY)) \
		RUN_APPEND="labinit.GUEST1_KERNEL=$run/kernel labinit.GUEST1_INITRD=$run/rootfs labinit.GUEST1_MEMORY=$MEMORY \"labinit.GUEST1_APPEND=$APPEND\" $hide_kvm ${RUN_APPEND:-}" \
		sh image/run.sh < /dev/null > "$console" 2>&1 &
	qpid=$!
fi

# labctl LABCTL-ARGS...: labctl in the appliance, over the control channel
# (our stdin would go to the command: none).
labctl() { build/labctl --lab "$ctl" "$@" < /dev/null; }

# up: the appliance answers on its control channel and lists the guest
# (its control agent starts before the boot has made the guests).
up() {
	[ -S "$ctl" ] && timeout 30 build/labctl --lab "$ctl" guests < /dev/null 2> /dev/null | grep -q '^test '
}
i=0
until up; do
	kill -0 "$qpid" 2>/dev/null || break
	[ "$i" -lt "$APPLIANCE_TIMEOUT" ] || break
	sleep 1
	i=$((i + 1))
done

# finish CODE: result.json and junit.xml from $RESULTS/run.json; the
# appliance powered off, or left up with KEEP=1; then exit.
finish() {
	code=$1
	if [ "${KEEP:-0}" = 1 ] && [ -n "$qpid" ] && kill -0 "$qpid" 2> /dev/null; then
		printf 'pid=%s\nctl=%s\nrun=%s\nconsole=%s\naccel=%s\nkey=%s\n' \
			"$qpid" "$ctl" "$run" "$console" "$accel" "$key" > "$session"
		kept=1
	else
		poweroff
	fi
	[ "$console" = "$RESULTS/console.log" ] || cp "$console" "$RESULTS/console.log"
	gaccel=$(tr -d '\r' < "$console" | sed -n 's/.*guests: accelerator \([a-z]*\).*/\1/p' | head -n 1)
	if [ -n "$gaccel" ]; then
		[ "$gaccel" = kvm ] && [ "$accel" = tcg ] && how=" (KVM on the TCG appliance's emulated SVM)" || how=""
		[ "$gaccel" = tcg ] && how=" (no KVM in the appliance)"
		say "accelerator: $gaccel for the guest$how"
	fi
	crashes=null
	if [ -s "$RESULTS/crashes.json" ]; then crashes=$RESULTS/crashes.json; fi
	jq -n --slurpfile run "$RESULTS/run.json" --arg cmd "$CMD" --arg kernel "$KERNEL" --arg arch "$ARCH" \
		--arg rootfs "$ROOTFS" --arg accel "$accel" --arg gaccel "${gaccel:-unknown}" \
		--argjson code "$code" --argjson total "${exit_ms:-$(ms)}" --arg dir "$RESULTS" \
		--argjson reused "$([ -n "$reused" ] && echo true || echo false)" \
		--argjson crashes "$( [ "$crashes" = null ] && echo null || cat "$crashes")" '
		{ outcome: $run[0].outcome, status: $run[0].status, exit_code: $code, command: $cmd,
		  kernel: $kernel, arch: $arch, rootfs: $rootfs,
		  accelerator: { appliance: $accel, guest: $gaccel }, appliance_reused: $reused,
		  time_to_exit_ms: $total, run: $run[0],
		  files: { stdout: ($dir + "/stdout.txt"), stderr: ($dir + "/stderr.txt"),
		           console: ($dir + "/console.log"), junit: ($dir + "/junit.xml") } }
		+ (if $crashes == null then {} else { crashes: $crashes } end)' > "$RESULTS/result.json.tmp" &&
		mv "$RESULTS/result.json.tmp" "$RESULTS/result.json" || die "cannot write $RESULTS/result.json"
	build/labinit results --out "$RESULTS/junit.xml" --suite "test-kernel.$ARCH" \
		--property "kernel=$KERNEL" --property "arch=$ARCH" --property "rootfs=$ROOTFS" \
		--property "accelerator.appliance=$accel" --property "accelerator.guest=${gaccel:-unknown}" \
		--run "$RESULTS/run.json" --name "$CMD" --stdout "$RESULTS/stdout.txt" --stderr "$RESULTS/stderr.txt" ||
		die "cannot write $RESULTS/junit.xml"
	say "results: $RESULTS/result.json, $RESULTS/junit.xml ($(jq -r .outcome "$RESULTS/result.json"), exit $code)"
	[ -z "$kept" ] || say "the appliance stays up (KEEP=1): build/labctl --lab $ctl run test -- CMD (crashes test, console test, poweroff); the next make test-kernel with this kernel reuses it"
	exit "$code"
}

# lab_error TEXT: the run could not happen; 125, with the reason in the results.
lab_error() {
	say "$1"
	echo "== the appliance's console (last lines):" >&2
	tail -n 30 "$console" | tr -d '\r' >&2
	[ -f "$RESULTS/stdout.txt" ] || : > "$RESULTS/stdout.txt"
	printf 'test-kernel: %s\n' "$1" >> "$RESULTS/stderr.txt"
	jq -n --arg e "$1" '{outcome: "lab_error", status: 125, duration_ms: 0, guest: "test", boot_wait_ms: 0, error: $e}' \
		> "$RESULTS/run.json"
	KEEP=0 finish 125
}

kill -0 "$qpid" 2>/dev/null || lab_error "QEMU ended before the appliance answered (see $RESULTS/console.log)"
up || lab_error "the appliance did not answer on its control channel within $APPLIANCE_TIMEOUT s"
say "appliance up after $(secs "$(ms)") s; running in guest test: $CMD"

# The command's stdout and stderr, echoed as they come and kept; the JSON
# object labctl prints last on stdout is split off afterwards.
mkfifo "$base/o.$$" "$base/e.$$"
tee "$RESULTS/stdout.raw" < "$base/o.$$" &
tpid1=$!
tee "$RESULTS/stderr.txt" < "$base/e.$$" >&2 &
tpid2=$!
set +e
labctl run test --json --timeout "$TIMEOUT" --boot-timeout "$BOOT_TIMEOUT" -- sh -c "$CMD" > "$base/o.$$" 2> "$base/e.$$"
code=$?
set -e
exit_ms=$(ms)
wait "$tpid1" "$tpid2"
rm -f "$base/o.$$" "$base/e.$$"
say "the command's exit: $(secs "$exit_ms") s after make test-kernel started (code $code)"
# The last '{"outcome": "' starts labctl's object: a string inside it has its quotes escaped.
off=$(grep -abo '{"outcome": "' "$RESULTS/stdout.raw" | tail -n 1 | cut -d: -f1)
if [ -n "$off" ]; then
	head -c "$off" "$RESULTS/stdout.raw" > "$RESULTS/stdout.txt"
	tail -c +$((off + 1)) "$RESULTS/stdout.raw" > "$RESULTS/run.json"
	rm -f "$RESULTS/stdout.raw"
else
	mv "$RESULTS/stdout.raw" "$RESULTS/stdout.txt"
	lab_error "labctl run ended with $code and printed no result object"
fi
if [ "$(jq -r '.crash.new_reports // 0' "$RESULTS/run.json")" != 0 ]; then
	labctl crashes test --json > "$RESULTS/crashes.json" 2> /dev/null || rm -f "$RESULTS/crashes.json"
fi
finish "$code"
