#!/bin/sh
# An uplink that appears late: the appliance boots with an empty xHCI
# controller and no NIC; once PID 1 says it waits for the uplink usb0
# (CONFIG_DEVICE_WAIT), a USB network adapter is plugged in through QEMU's
# monitor (usb-net, CDC Ethernet, named usb0 for its locally administered
# MAC). The "modules" service must load its driver from the uevent, PID 1
# must see the link appear and bring the lab up on it, and the uplink's
# lease must come from QEMU's user network. (Before the wait, the uplink
# was reported missing and the lab ran without a network.)
. "$(dirname "$0")/../lib/image.sh"
image_build
mkfifo "$T_WORK/mon.in" "$T_WORK/mon.out"
exec 4<> "$T_WORK/mon.in"
boot usb-uplink -kernel "$OUT/vmlinuz" -initrd "$OUT/initramfs.cpio.lz4" \
	-append "console=ttyS0 labinit.UPLINK_IFNAME=usb0 labinit.GUEST1_AUTOSTART=n labinit.DEVICE_WAIT=120" \
	-chardev "pipe,id=mon,path=$T_WORK/mon" -mon chardev=mon,mode=readline \
	-device qemu-xhci,id=xhci -netdev user,id=up
# read-write: the open cannot block if QEMU never starts; killed at the end
cat 0<> "$T_WORK/mon.out" > "$T_WORK/monitor.log" &
monpid=$!
t_track "$monpid"
if expect 'labinit [0-9.]+ starting as PID 1' 240 "labinit runs as PID 1" &&
	expect 'uplink usb0: not there yet; waiting up to 120 s' 300 "PID 1 waits for the missing uplink"; then
	echo 'device_add usb-net,netdev=up,bus=xhci.0,id=stick' >&4
	if expect 'modules: hotplug usb .*(cdc_ether|rndis_host)' 120 "the adapter's driver loaded on its uevent" &&
		expect 'uplink usb0: appeared after' 120 "PID 1 sees the uplink appear" &&
		expect 'dhcpc usb0: 10\.0\.2\.15/24 via 10\.0\.2\.2' 60 "the lease on the USB uplink" &&
		expect 'lab "default" ready in' 30 "the ready line"; then
		grep -aE 'uplink usb0|modules: hotplug' "$CONSOLE" | tr -d '\r' | cut -c1-200
		grep -aq 'network: not configured' "$CONSOLE" && t_error "the network was not configured"
		expect 'nftables table inet labinit .*: ok \(' 1 "ruleset installed"
		poweroff_check 60
	fi
fi
[ "$T_ERRORS" = 0 ] || { echo "== QEMU monitor:"; tr -d '\r' < "$T_WORK/monitor.log" | tail -n 20; }
show_console 30
exec 4>&-
t_exit
