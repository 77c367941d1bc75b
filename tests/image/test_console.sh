#!/bin/sh
# CONFIG_CONSOLE on another tty than the kernel's console: the kernel
# writes to ttyS1 (a file here), labinit moves its console to ttyS0 (typed
# into) with labinit.CONSOLE=/dev/ttyS0. The console shell runs there
# without job control, and leaving it (`exit`) must not hang up the tty
# under the services that print to it: an extra service pinging lo every
# second keeps printing after the shell has exited and come back. (As the
# tty's session leader the shell's exit hung up every file opened on it but
# through /dev/console, the services' output among them.)
. "$(dirname "$0")/../lib/image.sh"
image_build
boot console -kernel "$OUT/vmlinuz" -initrd "$OUT/initramfs.cpio.lz4" \
	-append "console=ttyS1 labinit.CONSOLE=/dev/ttyS0 labinit.GUEST1_AUTOSTART=n \"labinit.EXTRA_SERVICES=tick=/bin/ping -i 1 127.0.0.1\"" \
	-serial "file:$T_WORK/kernel-console.log" -netdev user,id=up -device virtio-net-pci,netdev=up
# pings: how many replies ttyS0 has shown.
pings() { grep -ac 'bytes from 127\.0\.0\.1' "$CONSOLE"; }
if expect 'lab "default" ready in' 240 "the ready line on CONFIG_CONSOLE" &&
	expect 'console: shell on /dev/ttyS0 .*no job control' 10 "the console shell, without job control" &&
	expect 'bytes from 127\.0\.0\.1' 60 "the extra service prints on the console"; then
	grep -aq 'starting as PID 1' "$T_WORK/kernel-console.log" || t_error "the kernel's console (ttyS1) did not get the first lines"
	type_line 'echo "shell on $(tty) says hi"'
	expect '^shell on /dev/ttyS0 says hi' 60 "the shell answers on ttyS0"
	type_line exit
	expect 'service console: restart in' 60 "the shell exits and is restarted"
	before=$(pings)
	# three more replies (one a second), given up to 30 s on a loaded host
	i=0
	while [ "$(pings)" -le $((before + 2)) ] && [ $i -lt 30 ]; do
		sleep 1
		i=$((i + 1))
	done
	after=$(pings)
	if [ "$after" -gt $((before + 2)) ]; then
		echo "ok: the service still prints after the shell's exit ($before, then $after replies)"
	else
		t_error "the service's output stopped when the shell exited ($before, then $after replies)"
	fi
	type_line 'echo "new shell says hi"'
	expect '^new shell says hi' 60 "a new shell answers"
	poweroff_check 60
fi
show_console 30
t_exit
