#!/bin/sh
# `make run`: boot the appliance that `make image` left in out/ under QEMU,
# the way a kernel developer runs it on a workstation:
#   - the console (ttyS0) on this terminal: labinit's boot lines, then a
#     shell (`labctl status`, `labctl guests`, `poweroff`); ctrl-a x ends
#     QEMU, ctrl-a c its monitor; ctrl-c goes to the appliance;
#   - the uplink on QEMU's user-mode network (NAT, DHCP 10.0.2.15);
#   - the project's lab/ directory as the 9p share "lab", which labinit
#     mounts on FILES_DIR: the guests' files come from there, and the debug
#     share (SHARE_DIR, /lab/share by default) is lab/share here;
#   - port forwards on 127.0.0.1 for what the profile exposes: each
#     NAT_PORT_FORWARDS entry and each guest's gdb stub, same port numbers;
#   - the appliance's control channel on the unix socket build/lab.sock
#     (RUN_CONTROL=PATH): a virtio-serial port org.labinit.control that
#     the appliance serves with `labinit agent --control`, for
#     `build/labctl --lab build/lab.sock COMMAND` here (docs/CONTROL.md).
# KVM when this machine can run guests with it (labinit's own probe),
# TCG otherwise.
#   RUN_MEMORY=MiB  RUN_CPUS=N  RUN_APPEND="labinit.LOG_LEVEL=7 ..."
#   RUN_ACCEL=kvm|tcg   override the probe
set -eu
cd "$(dirname "$0")/.."
TOOL="make run"
. image/lib.sh
out=${IMAGE_OUT:-out}
for f in vmlinuz initramfs.cpio.lz4 config; do
	[ -f "$out/$f" ] || { echo "make run: $out/$f is missing (make image)" >&2; exit 1; }
done
cfg() { config_value "$out/config" "$1"; }

# Port forwards, and the memory the guests need on top of the host's own.
fwd="" fwdtext="" mem=768 gdb_listen=""
for f in $(cfg NAT_PORT_FORWARDS); do
	proto=${f%%:*} rest=${f#*:}
	port=${rest%%:*}
	fwd="$fwd,hostfwd=$proto:127.0.0.1:$port-:$port"
	fwdtext="$fwdtext $proto/$port→${rest#*:}"
done
for n in $(config_guests "$out/config"); do
	mem=$((mem + $(cfg GUEST${n}_MEMORY)))
	port=$(cfg GUEST${n}_GDB_PORT)
	[ "${port:-0}" = 0 ] && continue
	fwd="$fwd,hostfwd=tcp:127.0.0.1:$port-:$port"
	fwdtext="$fwdtext tcp/$port→gdb:$(cfg GUEST${n}_NAME)"
	# The stubs answer on the bridge only unless told: here the uplink is
	# QEMU's user network, which only this workstation's 127.0.0.1 reaches.
	gdb_listen="labinit.GDB_LISTEN=both"
done

accel=${RUN_ACCEL:-$(build/labinit accel 2>/dev/null || echo tcg)}
case $accel in
kvm) cpu=host ;;
tcg) cpu=max ;;
*) echo "make run: RUN_ACCEL=$accel: want kvm or tcg" >&2; exit 1 ;;
esac
mkdir -p lab/share

# The control socket. Connecting to a unix socket needs write permission
# on it: with group and others' write taken out of the umask QEMU creates
# it for this user alone. One `make run` per socket: the lock is held by
# QEMU (fd 9 survives the exec), and only then is an old socket replaced
# (QEMU unlinks the path before it binds); anything else there is left.
ctl=${RUN_CONTROL:-build/lab.sock}
mkdir -p "$(dirname "$ctl")"
[ ! -e "$ctl" ] || [ -S "$ctl" ] || { echo "make run: $ctl exists and is not a socket; not replacing it" >&2; exit 1; }
if command -v flock > /dev/null; then
	exec 9> "$ctl.qemu-lock"
	flock -n 9 || { echo "make run: another make run serves $ctl (RUN_CONTROL=PATH for a second one)" >&2; exit 1; }
fi
rm -f "$ctl"
umask g-w,o-w

echo "make run: profile \"$(cfg PROFILE_NAME)\" under QEMU ($accel), lab/ shared as 9p \"lab\""
[ -z "$fwdtext" ] || echo "make run: forwarded from 127.0.0.1:$fwdtext"
echo "make run: ctrl-a x quits QEMU; \`poweroff\` on the appliance shuts it down"
echo "make run: from this machine: build/labctl --lab $ctl status (run, guests, console, ...)"
exec qemu-system-x86_64 -name labinit -nodefaults -no-user-config \
	-machine pc,accel=$accel -cpu $cpu -m "${RUN_MEMORY:-$mem}" -smp "${RUN_CPUS:-2}" \
	-display none -chardev stdio,id=con,mux=on,signal=off -serial chardev:con -mon chardev=con,mode=readline \
	-kernel "$out/vmlinuz" -initrd "$out/initramfs.cpio.lz4" \
	-append "console=ttyS0,115200n8 $gdb_listen ${RUN_APPEND:-}" \
	-netdev "user,id=up$fwd" -device virtio-net-pci,netdev=up \
	-chardev "socket,id=ctl,path=$(printf '%s' "$ctl" | sed 's/,/,,/g'),server=on,wait=off" \
	-device virtio-serial-pci,id=ctlbus -device virtserialport,bus=ctlbus.0,chardev=ctl,name=org.labinit.control \
	-virtfs "local,path=$(pwd | sed 's/,/,,/g')/lab,mount_tag=lab,security_model=none,id=lab"
