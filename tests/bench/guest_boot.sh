#!/bin/sh
# Benchmark, not a test: a direct-kernel x86_64 guest's boot on QEMU's
# microvm machine (CONFIG_GUESTn_MACHINE=auto's choice for it) beside the
# pc machine (MACHINE=pc, what every guest ran on before), under TCG: from
# QEMU's start to the demo guest's "labguest: ready" line on its serial
# console (after its DHCP lease, its 9p share and its agent's start). The
# devices are those labinit gives a guest (guests/qemu/qemu.c): a
# virtio-net NIC (here on QEMU's user network, whose DHCP answers it), the
# agent's virtio-serial port, the 9p share; on microvm their virtio-mmio
# forms, ACPI for the power button, no option ROMs, and tsc_early_khz= (the
# host's TSC rate; read here from /proc/cpuinfo, which on a VM host is its
# TSC's). The same vmlinux (PVH) on both machines, and with
# BENCH_KERNELS the same bzImage too; they alternate, BENCH_RUNS times
# each. Prints numbers; asserts none.
#   BENCH_RUNS=N                     boots of each (default 3)
#   BENCH_KERNELS="vmlinux bzImage"  the kernels (default vmlinux: make
#                                    bench stays within its time)
set -eu
cd "$(dirname "$0")/../.."
. tests/bench/lib.sh
RUNS=${BENCH_RUNS:-3}
KERNELS=${BENCH_KERNELS:-vmlinux}
WORK=$(mktemp -d /tmp/labinit-bench-guest-boot.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
make -s demo-guest > /dev/null
D=lab/guests/demo
mkdir -p "$WORK/share"
khz=$(awk -F': ' '/^cpu MHz/ { printf "%d", $2 * 1000; exit }' /proc/cpuinfo)

# boot MACHINE KERNEL: one boot; prints the milliseconds from QEMU's start
# to the ready line, or "fail".
boot() {
	if [ "$1" = microvm ]; then
		m=microvm,acpi=on,x-option-roms=off dev=device tsc=" tsc_early_khz=$khz"
		share="-fsdev local,path=$WORK/share,security_model=none,id=share0 -device virtio-9p-device,fsdev=share0,mount_tag=debug"
	else
		m=pc dev=pci tsc=""
		share="-virtfs local,path=$WORK/share,mount_tag=debug,security_model=none,id=share0"
	fi
	rm -f "$WORK/t1" "$WORK/agent.sock"
	t0=$(date +%s%N)
	# shellcheck disable=SC2086
	{ timeout 120 qemu-system-x86_64 -nodefaults -no-user-config -no-reboot -display none \
		-machine "$m,accel=tcg" -cpu max -m 192 -smp 1 \
		-kernel "$D/$2" -initrd "$D/initramfs.cpio.gz" \
		-append "console=ttyS0$tsc quiet lab.run=true lab.poweroff=1" \
		-netdev user,id=n0 -device "virtio-net-$dev,netdev=n0" \
		-chardev "socket,id=agent0,path=$WORK/agent.sock,server=on,wait=off" \
		-device "virtio-serial-$dev,id=agentbus0" \
		-device virtserialport,bus=agentbus0.0,chardev=agent0,name=org.labinit.agent \
		$share -serial stdio 2> "$WORK/qemu.err" || :; } |
		{ grep -a -m 1 -q 'labguest: ready' && date +%s%N > "$WORK/t1"; cat > /dev/null; }
	if [ -s "$WORK/t1" ]; then
		echo $((($(cat "$WORK/t1") - t0) / 1000000))
	else
		echo fail
	fi
}

median() { tr ' ' '\n' | grep -v '^$' | grep -v fail | sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "fail" }'; }

echo "QEMU start -> the demo guest's ready line, TCG, $RUNS boots each, alternating (ms):"
v=$(qemu-system-x86_64 --version | awk 'NR == 1 { print $4 }')
for k in $KERNELS; do
	pc="" mvm=""
	for r in $(seq "$RUNS"); do
		a=$(boot pc "$k"); b=$(boot microvm "$k")
		echo "$k run $r: pc $a, microvm $b"
		pc="$pc $a" mvm="$mvm $b"
	done
	a=$(echo "$pc" | median) b=$(echo "$mvm" | median)
	echo "$k medians: pc $a, microvm $b"
	summary_row "guest boot to ready, $k, microvm (TCG)" ms lower "$b" "QEMU $v pc machine" "$a"
done
