#!/bin/sh
# Benchmark, not a test: loading the appliance's kernel modules at boot,
# labinit's loader (`/init modules`: coldplug by modalias, then the lab's
# feature modules, finit_module in modules.dep order) beside busybox's
# modprobe given the very modules labinit loaded (`modprobe -a NAMES`,
# which resolves the same modules.dep). Each run boots out/ under QEMU (TCG)
# with a small extra archive whose /bench.sh is the first process
# (rdinit=): it mounts /proc, /sys and /dev, times one loader from
# /proc/uptime and powers off. The two alternate, BENCH_RUNS times each.
# labinit runs as at boot (`modules --boot`, timed to its readiness byte),
# twice: as it chooses (one module at a time: it sees TCG) and with the
# feature modules forced in parallel (--jobs 3, its choice on KVM or
# hardware with 2 CPUs); its resident memory as a hotplug listener (all, and anonymous: what is
# its own, not shared pages of the binary) is read then, beside that of
# busybox's hotplug daemon (`mdev -d`) started in the modprobe boots.
# Prints numbers; asserts none. Under TCG every figure is slower than on
# hardware; the ratio is the point.
#   BENCH_RUNS=N   boots of each loader (default 3)
set -eu
cd "$(dirname "$0")/../.."
. tests/bench/lib.sh
RUNS=${BENCH_RUNS:-3}
WORK=$(mktemp -d /tmp/labinit-bench-modules.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
make -s image > /dev/null

mkdir -p "$WORK/root"
cat > "$WORK/root/bench.sh" <<'EOF'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
up() { cut -d' ' -f1 /proc/uptime; }
# smaps_rollup walks the page tables; /proc/PID/status's VmRSS lags (its
# counters are per-thread caches the kernel folds in now and then).
rss() { awk '/^(Rss|Anonymous):/ { v = v $2 "/" } END { print v }' "/proc/$1/smaps_rollup"; }
mkfifo /ready
# labinit: the readiness byte comes once the boot's modules are in (tr); the
# rest load when PID 1 says the lab is ready (SIGUSR1), here at once: t1 is
# when its line says they are in too.
rest() {
	tr=$(up)
	kill -USR1 $pid # what PID 1 does once the lab is ready
	while ! grep -q 'modules: the rest: loaded' /bench.log; do sleep 0.02; done
	t1=$(up)
	echo "READY $t0 -> $tr"
}
case $(cat /proc/cmdline) in
*bench=labinit-parallel*)
	t0=$(up); /init modules --boot --jobs 3 3<> /ready 2> /bench.log & pid=$!
	read -r _ < /ready; rest; cat /bench.log ;;
*bench=modprobe*)
	t0=$(up); modprobe -a $(cat /bench.list); t1=$(up)
	mdev -d -f & pid=$!; sleep 1 ;;
*)
	t0=$(up); /init modules --boot 3<> /ready 2> /bench.log & pid=$!
	read -r _ < /ready; rest; cat /bench.log ;;
esac
echo "BENCH $(ls /sys/module | wc -l) modules in /sys/module, rss/anon $(rss $pid) kB, $t0 -> $t1"
poweroff -f
EOF
chmod 0755 "$WORK/root/bench.sh"

# boot LOADER: one boot; prints the seconds the loader took.
boot() {
	(cd "$WORK/root" && find . | cpio -o -H newc --quiet) > "$WORK/extra.cpio"
	# The uncompressed archive first: the kernel finds no archive after a compressed one.
	cat "$WORK/extra.cpio" out/initramfs.cpio.lz4 > "$WORK/initrd"
	timeout 120 qemu-system-x86_64 -nodefaults -no-user-config -machine pc,accel=tcg -cpu max -m 1024 -smp 2 \
		-display none -serial stdio -no-reboot -kernel out/vmlinuz -initrd "$WORK/initrd" \
		-append "console=ttyS0 quiet rdinit=/bench.sh bench=$1" \
		-netdev user,id=up -device virtio-net-pci,netdev=up < /dev/null > "$WORK/$1.log" 2>&1 || true
	line=$(grep -a '^BENCH' "$WORK/$1.log" | tr -d '\r')
	[ -n "$line" ] || { tail -n 20 "$WORK/$1.log"; echo "modules bench: no BENCH line ($1)" >&2; exit 1; }
	echo "$line" >&2
	grep -a '^READY' "$WORK/$1.log" | tr -d '\r' | awk '{ printf "%.3f\n", $4 - $2 }' >> "$WORK/$1.ready"
	echo "$line" | awk '{ printf "%.3f\n", $(NF) - $(NF - 2) }'
}

# The names labinit loads, for modprobe: from one labinit boot.
boot labinit > /dev/null
sed -n 's/.*modules: [a-z ]*: loaded [0-9]* in [0-9.]* ms: //p' "$WORK/labinit.log" | tr -d '\r' | tr '\n' ' ' > "$WORK/root/bench.list"
echo "modules: $(wc -w < "$WORK/root/bench.list") names: $(cat "$WORK/root/bench.list")"
: > "$WORK/labinit.ready"
: > "$WORK/labinit.s"
: > "$WORK/labinit-parallel.s"
: > "$WORK/modprobe.s"
for i in $(seq "$RUNS"); do
	boot labinit >> "$WORK/labinit.s"
	boot labinit-parallel >> "$WORK/labinit-parallel.s"
	boot modprobe >> "$WORK/modprobe.s"
done
rss() { grep -a '^BENCH' "$WORK/$1.log" | tr -d '\r' | sed 's,.*rss/anon \([0-9]*\)/\([0-9]*\)/ kB.*,\1 kB (\2 kB anonymous),'; }
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
l=$(median "$WORK/labinit.s") j=$(median "$WORK/labinit-parallel.s") m=$(median "$WORK/modprobe.s")
echo "module loading at boot under TCG (-smp 2), median of $RUNS boots each:"
echo "  labinit (coldplug + features, one at a time under TCG): $l s   $(tr '\n' ' ' < "$WORK/labinit.s")"
echo "  labinit --jobs 3 (features in parallel):               $j s   $(tr '\n' ' ' < "$WORK/labinit-parallel.s")"
echo "  busybox modprobe -a (same set): $m s   $(tr '\n' ' ' < "$WORK/modprobe.s")"
echo "of which the boot waits for (labinit's readiness byte: the drivers, the network's modules, 9p): $(median "$WORK/labinit.ready") s   $(tr '\n' ' ' < "$WORK/labinit.ready")"
echo "resident memory of the hotplug listener afterwards: labinit modules --boot $(rss labinit), busybox mdev -d $(rss modprobe)"
n=$(wc -w < "$WORK/root/bench.list")
summary_row "appliance boot: loading its $n modules, TCG" s lower "$l" "busybox modprobe -a, the same modules" "$m"
summary_row "appliance boot: loading its $n modules, TCG" s lower "$l" "labinit --jobs 3 (in parallel)" "$j"
