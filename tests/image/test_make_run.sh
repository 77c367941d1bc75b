#!/bin/sh
# `make run`'s script (image/run.sh) on an image that carries no guest
# files: the appliance mounts the project's lab/ from the 9p share "lab"
# and starts the kdebug_pair guests from it; a file written into lab/ here
# is read on the appliance's console; the guests' gdb stubs answer through
# the port forwards on 127.0.0.1; `poweroff` ends QEMU with status 0.
# QEMU runs in a network namespace this test makes, so its forwards bind
# that namespace's loopback, not this machine's.
. "$(dirname "$0")/../lib/image.sh"
build_variant configs/kdebug_pair_defconfig <<'CFG'
# CONFIG_IMAGE_EMBED_GUESTS is not set
CONFIG_NAT_PORT_FORWARDS="tcp:2222:vm1:22"
CFG
out=$VOUT
image_files "$out/initramfs.cpio.zst" | grep -q '^lab/guests' &&
	t_error "CONFIG_IMAGE_EMBED_GUESTS=n, yet the image carries guest files"

token=run-test-$$-$(date +%s)
T_LABFILE=lab/.$token
echo "$token" > "$T_LABFILE"
image_netns
rm -f "$T_WORK/in"
mkfifo "$T_WORK/in"
exec 3<> "$T_WORK/in"
CONSOLE=$T_WORK/run.log T_START=$(date +%s)
ip netns exec "$T_NETNS" env IMAGE_OUT="$out" RUN_ACCEL=tcg RUN_MEMORY=1536 sh image/run.sh < "$T_WORK/in" > "$CONSOLE" 2>&1 &
qpid=$!

expect 'forwarded from 127\.0\.0\.1: tcp/2222→vm1:22 tcp/1234→gdb:vm1 tcp/1235→gdb:vm2' 10 "run.sh names the forwards"
if boot_checks; then
	expect 'lab files: 9p share "lab" on /lab' 5 "the project's lab/ mounted from the 9p share"
	expect 'guest vm1: x86_64 /lab/guests/demo/vmlinux' 10 "vm1 starts from the share's files"
	type_line "cat /lab/.$token"
	expect "^$token" 20 "a file written into lab/ here is read on the appliance"
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
