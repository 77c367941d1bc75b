#!/bin/sh
# The module loader's parallel path (`labinit modules --boot --jobs 3`),
# which the appliance takes on KVM or hardware but not under TCG, where
# the image tests run (it loads one at a time there): the appliance's
# kernel boots with a first process of this test's own (rdinit=) that runs
# the loader with three workers, then checks that every feature module
# that `labinit modules --order` lists for this CPU is in /sys/module (or
# built in), and that the loader warned of nothing. Devices' drivers
# (coldplug) load first, one at a time, as always.
. "$(dirname "$0")/../lib/image.sh"
image_build
mkdir -p "$T_WORK/root"
cat > "$T_WORK/root/check.sh" <<'SH'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkfifo /ready
/init modules --boot --jobs 3 3<> /ready 2> /loader.log &
read -r _ < /ready
# after the readiness byte it loads the rest (KVM, ext4...): wait for that
i=0
while ! grep -q 'modules: the rest: loaded' /loader.log && [ $i -lt 600 ]; do sleep 0.2; i=$((i + 1)); done
cat /loader.log
missing=""
for p in $(/init modules --order 2> /dev/null); do
	n=$(basename "$p" .ko | tr - _)
	case $n in kvm_intel) grep -qw vmx /proc/cpuinfo || continue ;; kvm_amd) grep -qw svm /proc/cpuinfo || continue ;; esac
	[ -d "/sys/module/$n" ] || missing="$missing $n"
done
echo "CHECK loaded=$(ls /sys/module | wc -l) missing=[${missing# }] warnings=$(grep -c 'modules: [a-z0-9_]*: ' /loader.log)"
poweroff -f
SH
chmod 0755 "$T_WORK/root/check.sh"
(cd "$T_WORK/root" && find . | cpio -o -H newc --quiet) > "$T_WORK/extra.cpio"
# The uncompressed archive first: the kernel finds no archive after a compressed one.
cat "$T_WORK/extra.cpio" "$OUT/initramfs.cpio.lz4" > "$T_WORK/initrd"
boot parallel -kernel "$OUT/vmlinuz" -initrd "$T_WORK/initrd" -no-reboot -cpu max \
	-append "console=ttyS0 quiet rdinit=/check.sh" -netdev user,id=up -device virtio-net-pci,netdev=up
expect 'modules: the rest: loaded [0-9]+ in' 120 "the loader with --jobs 3 finished"
expect '^CHECK ' 60 "the check ran"
line=$(console_lines < "$CONSOLE" | grep '^CHECK ' | head -n 1)
case $line in
*"missing=[]"*" warnings=0") echo "ok: every feature module loaded, no warning: $line" ;;
*) t_error "after a parallel load: $line" ;;
esac
grep -a 'modules:' "$CONSOLE" | tr -d '\r' | cut -c1-200
t_exit
