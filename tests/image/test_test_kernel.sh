#!/bin/sh
# `make test-kernel` with the demo kernel (bzImage): the appliance boots
# headless under QEMU with it as its guest "test" and runs CMD through the
# guest agent, over the appliance's control channel. Twice, in one boot
# of the image cached under build/test-kernel (built if need be): the
# first run with KEEP=1 leaves the appliance up and the second reuses it
# (each boot costs a minute or more under TCG):
# First, what it refuses before booting (no KERNEL, an ARCH the kernel's
# header contradicts, arm64 without a ROOTFS that carries the agent).
#   - CMD=true: make exits 0; result.json says passed, exit_code 0; the
#     JUnit file validates (tests/data/junit.xsd) and has no failure;
#   - CMD='echo hi; exit 3': the script exits 3 (make reports "Error 3"
#     and exits 2, make's own code for any failed recipe); result.json says
#     failed, status 3; stdout.txt is "hi"; the JUnit file validates and
#     has one failure of type failed.
# The second run powers the appliance off through labctl (QEMU exits by
# itself); each prints the accelerators and the time to the command's exit. QEMU
# runs in a network namespace of this test's own (user networking only:
# make test-kernel configures no network either way).
. "$(dirname "$0")/../lib/image.sh"
t_need_root
t_need xmllint "Debian package libxml2-utils"
t_need jq
make -s all > /dev/null || t_fail "make all"
image_netns

# Refused before anything boots, naming what is wrong.
refused() { # WANT-TEXT VAR=VALUE...: the script exits 1 with WANT-TEXT on stderr
	want=$1
	shift
	if env "$@" sh image/test-kernel.sh > "$T_WORK/refused.log" 2>&1; then t_error "$* accepted"; fi
	grep -q "$want" "$T_WORK/refused.log" || t_error "$*: $(cat "$T_WORK/refused.log")"
}
refused 'KERNEL=FILE is required' KERNEL=
refused 'is a x86_64 kernel, not arm64' KERNEL=lab/guests/demo/bzImage ARCH=arm64
refused 'is a x86_64 kernel, not riscv64' KERNEL=lab/guests/demo/vmlinux ARCH=riscv
refused 'not a bzImage, vmlinux or Image I know' KERNEL=Makefile
refused "initramfs carries no guest agent" KERNEL=lab/guests/demo-arm64/Image
refused "is a riscv64 kernel, not x86_64" KERNEL=lab/guests/demo-riscv64/Image ARCH=x86
refused 'no escape for a double quote' KERNEL=lab/guests/demo/bzImage 'APPEND=a="b c"'

# tk NAME CMD [VAR=VALUE]: make test-kernel into $T_WORK/NAME (its output
# in NAME.log); $rc.
tk() {
	t0=$(date +%s)
	ip netns exec "$T_NETNS" make -s test-kernel KERNEL=lab/guests/demo/bzImage CMD="$2" \
		RESULTS="$T_WORK/$1" ${3:+"$3"} > "$T_WORK/$1.log" 2>&1
	rc=$?
	R=$T_WORK/$1
	echo "== make test-kernel CMD='$2': exit $rc after $(($(date +%s) - t0)) s"
	grep -a '^test-kernel:' "$T_WORK/$1.log"
	grep -q 'cannot fetch' "$T_WORK/$1.log" && t_skip "the image cannot be built offline (packages not fetched)"
	[ -s "$R/result.json" ] || { cat "$T_WORK/$1.log"; t_fail "no result.json"; }
	grep -q '^test-kernel: accelerator: .* for the appliance' "$T_WORK/$1.log" || t_error "no appliance accelerator line"
	grep -q '^test-kernel: accelerator: .* for the guest' "$T_WORK/$1.log" || t_error "no guest accelerator line"
	grep -q "^test-kernel: the command's exit: [0-9.]* s after" "$T_WORK/$1.log" || t_error "no time to the command's exit"
	xmllint --noout --schema tests/data/junit.xsd "$R/junit.xml" || t_error "$R/junit.xml does not validate"
	jq -c '{outcome, status, exit_code, time_to_exit_ms, accelerator, crash: .run.crash}' "$R/result.json"
}
failures() { xmllint --xpath 'count(//testcase/failure)' "$R/junit.xml"; }
errors() { xmllint --xpath 'count(//testcase/error)' "$R/junit.xml"; }

errors_before=$T_ERRORS
tk pass true KEEP=1
# KVM on the TCG appliance's emulated SVM stalls a guest's early boot at
# times here (README, Testing your kernel): that, and only that, once more.
if [ "$rc" != 0 ] && [ "$(jq -r '"\(.outcome) \(.accelerator.appliance) \(.accelerator.guest)"' "$R/result.json")" = "did_not_boot tcg kvm" ]; then
	echo "== the guest did not boot under nested KVM (the stall the README names): once more"
	T_ERRORS=$errors_before
	tk pass true KEEP=1
fi
[ "$rc" = 0 ] || t_error "make test-kernel CMD=true exited $rc"
grep -q '^test-kernel: the appliance stays up (KEEP=1)' "$T_WORK/pass.log" || t_error "KEEP=1: the appliance did not stay up"
[ "$(jq -r '"\(.outcome) \(.exit_code)"' "$R/result.json")" = "passed 0" ] || t_error "CMD=true: $(cat "$R/result.json")"
[ "$(failures) $(errors)" = "0 0" ] || t_error "CMD=true: the JUnit file has a failure or error"

tk fail 'echo hi; exit 3'
grep -q '^test-kernel: reusing the appliance a KEEP=1 run left up' "$T_WORK/fail.log" || t_error "the second run did not reuse the appliance"
grep -q '^test-kernel: powered off' "$T_WORK/fail.log" || t_error "the appliance did not power off by itself"
[ ! -e build/test-kernel/x86_64/session ] || t_error "the session outlived the poweroff"
[ "$rc" = 2 ] && grep -q 'test-kernel\] Error 3' "$T_WORK/fail.log" || t_error "make test-kernel CMD='exit 3': exit $rc, not make's \"Error 3\""
[ "$(jq -r '"\(.outcome) \(.status) \(.exit_code)"' "$R/result.json")" = "failed 3 3" ] ||
	t_error "CMD='echo hi; exit 3': $(cat "$R/result.json")"
[ "$(cat "$R/stdout.txt")" = hi ] || t_error "stdout.txt: $(head -c 200 "$R/stdout.txt")"
[ "$(failures) $(errors)" = "1 0" ] || t_error "the JUnit file: $(failures) failures, $(errors) errors, not 1 and 0"
[ "$(xmllint --xpath 'string(//testcase/failure/@type)' "$R/junit.xml")" = failed ] || t_error "failure type"
[ "$(xmllint --xpath 'string(//testcase/system-out)' "$R/junit.xml")" = hi ] || t_error "system-out"
if [ "$T_ERRORS" != 0 ]; then
	echo "== the last run's appliance console:"
	tail -n 40 "$R/console.log" | tr -d '\r'
fi
t_exit
