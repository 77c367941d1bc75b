#!/bin/sh
# Benchmark, not a test: the appliance's boot, from the kernel's start to
# labinit's "ready" line, under QEMU (TCG, -smp 2, the default profile and
# the project's lab/ as the 9p share, as `make run` boots it). That line
# names the phases: the kernel until PID 1 (most of it unpacking the
# initramfs), the modules the boot waits for, and the boot itself (network,
# share, the KVM probe, the guests' start). Two ways, one boot after the
# other, BENCH_RUNS times each:
#  - labinit: the image as `make image` makes it: an lz4 archive, and only
#    the modules the boot needs before it starts (the rest after);
#  - "before": the same archive recompressed with zstd -9 and
#    labinit_modules=all (every module before the boot), which is how the
#    appliance booted until this change.
# QEMU runs in a network namespace of its own, with user networking only.
# Prints numbers; asserts none.
#   BENCH_RUNS=N   boots of each (default 3)
set -eu
cd "$(dirname "$0")/../.."
. tests/bench/lib.sh
RUNS=${BENCH_RUNS:-3}
[ "$(id -u)" = 0 ] || { echo "appliance_boot bench: needs root (a network namespace)" >&2; exit 1; }
WORK=$(mktemp -d /tmp/labinit-bench-boot.XXXXXX)
NS=lbb-$$
qpid=""
cleanup() {
	[ -z "$qpid" ] || kill "$qpid" 2> /dev/null || true
	ip netns del "$NS" 2> /dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
make -s image > /dev/null
ip netns add "$NS"
lz4 -dc out/initramfs.cpio.lz4 | zstd -q -T1 -9 -o "$WORK/initramfs.cpio.zst"

# boot NAME INITRD APPEND: one boot, until the ready line (120 s at most);
# appends "total kernel modules boot" (s) to $WORK/NAME.
boot() {
	log=$WORK/$1.log
	: > "$log"
	ip netns exec "$NS" qemu-system-x86_64 -nodefaults -no-user-config -machine pc,accel=tcg -cpu max \
		-m 2048 -smp 2 -display none -serial "file:$log" -no-reboot -kernel out/vmlinuz -initrd "$2" \
		-append "console=ttyS0,115200n8 $3" -netdev user,id=up -device virtio-net-pci,netdev=up \
		-virtfs "local,path=$PWD/lab,mount_tag=lab,security_model=none,id=lab" < /dev/null > /dev/null 2>&1 &
	qpid=$!
	i=0
	while ! grep -aq 'ready in' "$log" && [ $i -lt 1200 ] && kill -0 "$qpid" 2> /dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	kill "$qpid" 2> /dev/null || true
	wait "$qpid" 2> /dev/null || true
	qpid=""
	line=$(grep -a 'ready in' "$log" | tr -d '\r' | head -n 1)
	[ -n "$line" ] || { tail -n 20 "$log"; echo "appliance_boot bench: no ready line ($1)" >&2; exit 1; }
	echo "$1: $line" | sed 's/^.*lab "[^"]*" //' >&2
	# ... ready in 1.90 s (5.39 s since kernel start): kernel 3.49 s, modules 1.18 s, boot 0.72 s
	echo "$line" | sed 's/.*(\([0-9.]*\) s since kernel start): kernel \([0-9.]*\) s, modules \([0-9.]*\) s, boot \([0-9.]*\) s.*/\1 \2 \3 \4/' >> "$WORK/$1"
}

for i in $(seq "$RUNS"); do
	boot labinit out/initramfs.cpio.lz4 ""
	boot before "$WORK/initramfs.cpio.zst" "labinit_modules=all"
done
med() { awk -v c="$2" '{ print $c }' "$WORK/$1" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "kernel start -> \"ready\" under TCG, medians of $RUNS boots (s):"
printf '  %-58s %6s %6s %8s %6s\n' "" total kernel modules boot
for w in labinit before; do
	case $w in
	labinit) what="labinit (lz4, later modules after the boot starts)" ;;
	before) what="before (zstd, every module first)" ;;
	esac
	printf '  %-58s %6s %6s %8s %6s\n' "$what" "$(med $w 1)" "$(med $w 2)" "$(med $w 3)" "$(med $w 4)"
done
echo "initramfs: lz4 $(stat -c %s out/initramfs.cpio.lz4) bytes, zstd -9 $(stat -c %s "$WORK/initramfs.cpio.zst") bytes"
summary_row "appliance boot: kernel start to \"ready\", TCG, default profile" s lower "$(med labinit 1)" \
	"the same image as before this round (zstd archive, every module first)" "$(med before 1)"
summary_row "of that, the kernel until PID 1 (unpacking the archive)" s lower "$(med labinit 2)" "zstd -9 archive" "$(med before 2)"
summary_row "of that, PID 1 to \"ready\"" s lower \
	"$(awk '{ printf "%.2f\n", $1 - $2 }' "$WORK/labinit" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')" \
	"every module before the boot" \
	"$(awk '{ printf "%.2f\n", $1 - $2 }' "$WORK/before" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')"
