#!/bin/sh
# `make run`'s script (image/run.sh) on an image that carries no guest
# files: the appliance mounts the project's lab/ from the 9p share "lab"
# and starts the kdebug_pair guests from it; a file written into lab/ here
# is read on the appliance's console; the guests' gdb stubs answer through
# the port forwards on 127.0.0.1; the control socket (RUN_CONTROL) answers
# `labctl --lab SOCK status`, `guests` and `run` (docs/CONTROL.md) from
# this side, stdout and stderr apart, with the command's exit status;
# `poweroff` ends QEMU with status 0.
# QEMU runs in a network namespace this test makes, so its forwards bind
# that namespace's loopback, not this machine's.
. "$(dirname "$0")/../lib/image.sh"
build_variant configs/kdebug_pair_defconfig <<'CFG'
# CONFIG_IMAGE_EMBED_GUESTS is not set
CONFIG_NAT_PORT_FORWARDS="tcp:2222:vm1:22"
CFG
out=$VOUT
image_files "$out/initramfs.cpio.lz4" | grep -q '^lab/guests' &&
	t_error "CONFIG_IMAGE_EMBED_GUESTS=n, yet the image carries guest files"

token=run-test-$$-$(date +%s)
T_LABFILE=lab/.$token
echo "$token" > "$T_LABFILE"
image_netns
rm -f "$T_WORK/in"
mkfifo "$T_WORK/in"
exec 3<> "$T_WORK/in"
CONSOLE=$T_WORK/run.log T_START=$(date +%s)
SOCK=$T_WORK/lab.sock
LABCTL=build/asan/labctl
[ -x "$LABCTL" ] || LABCTL=build/labctl
# lab ARGS...: labctl on the appliance, from here (a unix socket by path:
# no need to enter the namespace), stdin /dev/null: labctl --lab forwards its stdin to the
# command (an idle stdin left open kept a run from answering here)
lab() { timeout 300 "$LABCTL" --lab "$SOCK" "$@" < /dev/null; }
ip netns exec "$T_NETNS" env IMAGE_OUT="$out" RUN_ACCEL=tcg RUN_MEMORY=1536 RUN_CONTROL="$SOCK" sh image/run.sh < "$T_WORK/in" > "$CONSOLE" 2>&1 &
qpid=$!

expect 'forwarded from 127\.0\.0\.1: tcp/2222→vm1:22 tcp/1234→gdb:vm1 tcp/1235→gdb:vm2' 10 "run.sh names the forwards"
# labctl --lab console vm1 with stdin from a pipe: a line typed reaches
# the guest's shell (its answer, not the echo of the line, is looked for),
# then ctrl-] detaches and the client ends with status 0.
console_check() {
	local cpid i=0 code
	rm -f "$T_WORK/con.in"
	mkfifo "$T_WORK/con.in"
	timeout 300 "$LABCTL" --lab "$SOCK" console vm1 < "$T_WORK/con.in" > "$T_WORK/con.out" 2>&1 &
	cpid=$!
	exec 4> "$T_WORK/con.in"
	printf '\recho con-$((6 * 7))-ok\r' >&4
	while [ $i -lt 120 ] && ! grep -q 'con-42-ok' "$T_WORK/con.out"; do
		sleep 1
		i=$((i + 1))
	done
	printf '\035' >&4
	wait "$cpid"
	code=$?
	exec 4>&-
	if grep -q 'con-42-ok' "$T_WORK/con.out" && [ $code = 0 ] && grep -q 'detached from vm1' "$T_WORK/con.out"; then
		echo "ok: labctl --lab console vm1: a line reached the guest's shell, ctrl-] detached (${i} s)"
	else
		t_error "labctl --lab console vm1: exit $code; output: $(tr -d '\r' < "$T_WORK/con.out" | tail -c 600)"
	fi
}

# The control channel, checked after the appliance is up.
control_checks() {
	local code t0
	[ -S "$SOCK" ] || t_error "no control socket $SOCK"
	case $(stat -c %a "$SOCK") in *[2367]? | *[2367]) t_error "$SOCK is writable by others: $(stat -c %a "$SOCK")" ;; esac
	lab --lab-timeout 60 status > "$T_WORK/status" 2>&1
	code=$?
	if [ $code = 0 ] && grep -Eq '^control-agent +running' "$T_WORK/status" && grep -Eq '^vm1 +running' "$T_WORK/status"; then
		echo "ok: labctl --lab status answers from here (control-agent and vm1 running)"
	else
		t_error "labctl --lab status: exit $code: $(cat "$T_WORK/status")"
		console_lines | grep -a 'control\|agent\|virtio_console' | tail -5
	fi
	lab guests > "$T_WORK/guests" 2>&1
	grep -q '^vm1 ' "$T_WORK/guests" && echo "ok: labctl --lab guests lists vm1" ||
		t_error "labctl --lab guests: $(cat "$T_WORK/guests")"
	# The guests run under KVM on QEMU's emulated SVM: slow on a busy
	# machine. The run waits for vm1's lease (its agent starts before its
	# network): a run that connected while vm1 was still booting inside the
	# appliance got no hello (three times in a row on the merged tree, not
	# understood yet; labctl run on a host and labctl --lab to a booted
	# guest answer).
	expect 'dhcpd: .*ACK 10\.77\.0\.11 vm1' 300 "vm1 booted (its lease) before labctl --lab run"
	t0=$(date +%s)
	lab run vm1 --boot-timeout 120 -- sh -c 'echo out; echo err >&2; exit 3' > "$T_WORK/run.out" 2> "$T_WORK/run.err"
	code=$?
	echo "labctl --lab run vm1: exit $code in $(($(date +%s) - t0)) s (the guest's boot included); stdout: $(head -c 300 "$T_WORK/run.out"); stderr: $(head -c 300 "$T_WORK/run.err")"
	[ $code = 3 ] && [ "$(cat "$T_WORK/run.out")" = out ] && grep -qx err "$T_WORK/run.err" &&
		echo "ok: labctl --lab run: the guest command's status, stdout and stderr apart" ||
		t_error "labctl --lab run vm1: wanted exit 3, \"out\" on stdout, \"err\" on stderr"
	console_check
	lab help > /dev/null 2> "$T_WORK/help"
	code=$?
	[ $code = 2 ] && grep -q '^usage: labctl' "$T_WORK/help" && echo "ok: labctl --lab help: the appliance's usage, status 2" ||
		t_error "labctl --lab help: exit $code, wanted labctl's usage and status 2: $(head -3 "$T_WORK/help")"
}

if boot_checks; then
	expect 'lab files: 9p share "lab" on /lab' 5 "the project's lab/ mounted from the 9p share"
	expect 'guest vm1: x86_64 /lab/guests/demo/vmlinux' 10 "vm1 starts from the share's files"
	type_line "cat /lab/.$token"
	expect "^$token" 20 "a file written into lab/ here is read on the appliance"
	# before the gdb probe below: a gdb client's connection stops vm1
	control_checks
	# QEMU in the appliance opens its gdb stub a few seconds after "ready".
	i=0 reply=""
	while [ "$i" -lt 30 ]; do
		reply=$(printf '+$?#3f' | ip netns exec "$T_NETNS" timeout 20 busybox nc -w 5 127.0.0.1 1234 2>&1 | head -c 200)
		case $reply in *'$S'[0-9a-f][0-9a-f]* | *'$T'[0-9a-f][0-9a-f]*) break ;; esac
		sleep 2
		i=$((i + 1))
	done
	case $reply in
	*'$S'[0-9a-f][0-9a-f]* | *'$T'[0-9a-f][0-9a-f]*) echo "ok: vm1's gdb stub answers through 127.0.0.1:1234 ($reply)" ;;
	*) t_error "no gdb reply through the forward 127.0.0.1:1234 within a minute: \"$reply\"" ;;
	esac
	poweroff_check 90
fi
show_console 40
t_exit
