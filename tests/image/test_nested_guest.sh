#!/bin/sh
# Nested: the appliance (under TCG) boots the default profile's demo guest
# with its own QEMU from the files embedded in the initramfs, and the guest
# gets its DHCP lease from labinit's DHCP server on virbr0. Twice:
#   - QEMU's "max" CPU model offers SVM, so the appliance loads kvm_amd and
#     its KVM probe passes: the guest runs under KVM on the emulated SVM;
#   - without SVM (-cpu qemu64,-svm) there is no KVM and the guest runs
#     under TCG inside TCG, which takes minutes: the one slow test of make
#     check. (Not "max,-svm": with that model QEMU 7.2's TCG makes Debian's
#     6.1 kernel return garbage for readlink(/proc/self/exe), and glibc
#     programs such as QEMU abort at start.)
. "$(dirname "$0")/../lib/image.sh"
image_build
for cpu in max qemu64,-svm; do
	case $cpu in *-svm) accel=tcg limit=600 ;; *) accel=kvm limit=300 ;; esac
	echo "== appliance CPU $cpu: the guest should run under $accel"
	boot "nested-$accel" -kernel "$OUT/vmlinuz" -initrd "$OUT/initramfs.cpio.lz4" -append "console=ttyS0" \
		-cpu "$cpu" -m 2048 -netdev user,id=up -device virtio-net-pci,netdev=up
	if boot_checks; then
		expect "guests: accelerator $accel" 30 "the appliance's probe picks $accel"
		expect 'guest demo: .*MiB' 30 "the demo guest started"
		expect 'dhcpd: .*ACK 10\.77\.0\.[0-9]+' "$limit" "the demo guest's DHCP lease, nested ($accel)"
		type_line 'labctl guests'
		expect 'demo +running +10\.77\.0\.' 60 "labctl guests lists it running with its address"
		poweroff_check 120
	fi
	show_console 30
	boot_end
done
t_exit
