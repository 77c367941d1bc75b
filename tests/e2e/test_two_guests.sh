#!/bin/bash
# End to end: labinit as PID 1 in fresh namespaces boots two demo guests
# under QEMU (TCG) on its bridge. Both get their leases, reach each other,
# reach the "outside" namespace through NAT, and swap files with the host
# through the 9p share; none of the worker, QEMU, the console loggers and
# smbd runs as root; `labctl stop` powers one down cleanly (ACPI over
# QMP); a QEMU killed with SIGKILL is restarted; SIGTERM to PID 1 powers
# the guests down before the namespace ends.
source "$(dirname "$0")/../lib/pid1.sh" || exit 2
t_init
command -v qemu-system-x86_64 >/dev/null || t_skip "needs qemu-system-x86_64"
make -s -C "$T_REPO" demo-guest >"$T_DIR/demo-guest.log" 2>&1 || t_skip "the demo guest cannot be built: $(tail -n 3 "$T_DIR/demo-guest.log")"

# The guest files beside the test (the checkout may be under /tmp, which
# labinit's namespace does not see).
mkdir -p "$T_DIR/files/guests"
cp -r "$T_REPO/lab/guests/demo" "$T_DIR/files/guests/" || t_fail "cannot copy the demo guest"
t_outside
mkdir -p "$T_DIR/www" "$T_DIR/share"
echo "outside-page" >"$T_DIR/www/index.html"
ip netns exec "$T_OUT" busybox httpd -f -p 172.30.0.1:80 -h "$T_DIR/www" &
echo "from-the-host" >"$T_DIR/share/from-host"

# Each guest leaves its findings in the share, then stays up with a shell.
# The two boot at their own pace (TCG on a loaded host may set them far
# apart): each waits up to ~4 min for its peer to answer, then pings it.
# Not on a later boot ($me-done is there: vm1 is restarted below, with vm2
# stopped), where its shell must come up without that wait.
peer='[ -e /mnt/debug/$me-done ] || { n=0; until ping -c 1 -W 1 $a > /dev/null 2>&1 || [ $n -ge 120 ]; do n=$((n + 1)); sleep 1; done; }; '
run1='me=vm1; nslookup vm2.lab 10.77.0.1 > /mnt/debug/vm1-dns 2>&1; a=$(awk '"'"'/^Address/ { x = $NF } END { print x }'"'"' /mnt/debug/vm1-dns); '"$peer"'ping -c 3 -W 5 $a > /mnt/debug/vm1-ping 2>&1; echo $? >> /mnt/debug/vm1-ping; (echo GET /index.html HTTP/1.0; echo) | nc -w 10 172.30.0.1 80 > /mnt/debug/vm1-http; cat /mnt/debug/from-host > /mnt/debug/vm1-read; echo vm1 > /mnt/debug/vm1-done'
run2='me=vm2; a=10.77.0.11; '"$peer"'ping -c 3 -W 5 $a > /mnt/debug/vm2-ping 2>&1; echo $? >> /mnt/debug/vm2-ping; echo vm2 > /mnt/debug/vm2-done'
cfg=$T_DIR/guests.config
t_static_uplink twoguests 172.30.0.1 >"$cfg"
cat >>"$cfg" <<EOC
CONFIG_FILES_DIR="$T_DIR/files"
CONFIG_SHARE_DIR="$T_DIR/share"
CONFIG_STOP_TIMEOUT=60
CONFIG_SHUTDOWN_TIMEOUT=120
CONFIG_SHARE_SMB=y
CONFIG_GUEST1=y
CONFIG_GUEST1_KERNEL="guests/demo/vmlinux"
CONFIG_GUEST1_INITRD="guests/demo/initramfs.cpio.gz"
CONFIG_GUEST1_APPEND="quiet lab.run=\\"$run1\\""
CONFIG_GUEST1_IP="10.77.0.11"
CONFIG_GUEST1_MEMORY=192
CONFIG_GUEST2=y
CONFIG_GUEST2_KERNEL="guests/demo/vmlinux"
CONFIG_GUEST2_INITRD="guests/demo/initramfs.cpio.gz"
CONFIG_GUEST2_APPEND="quiet lab.run=\\"$run2\\""
CONFIG_GUEST2_IP="10.77.0.12"
CONFIG_GUEST2_MEMORY=192
CONFIG_GUEST3=y
CONFIG_GUEST3_NAME="broken"
CONFIG_GUEST3_KERNEL="guests/demo/no-such-vmlinux"
EOC
# A guest whose kernel file is missing: check-config names it; at boot the
# lab starts without that guest and the others run.
"$LABINIT" check-config "$cfg" >"$T_DIR/check.log" 2>&1 && t_fail "check-config accepted a missing kernel"
grep -q 'CONFIG_GUEST3_KERNEL: .*no-such-vmlinux: No such file or directory' "$T_DIR/check.log" ||
	t_fail "check-config: $(cat "$T_DIR/check.log")"
[ "$(grep -c ': CONFIG_' "$T_DIR/check.log")" = 1 ] || t_fail "more than the missing kernel is wrong: $(cat "$T_DIR/check.log")"
t_boot_with_uplink guests "$cfg"
t_wait_console 'the lab starts without the guests named in these errors' 10 || t_fail "the broken guest stopped the lab"
t_wait_console 'guests: accelerator (kvm|tcg)' 10 || t_fail "no accelerator line"
t_log "$(t_console | grep -o 'guests: accelerator.*')"
t_wait_console 'service vm1: started' 10 || t_fail "vm1 was not started"
t_wait_console 'service vm2: started' 10 || t_fail "vm2 was not started"
console() { nsenter -t "$LPID" -m cat "/run/labinit/guests/$1/console.log" 2>/dev/null | tr -d '\r'; }
wait_file() { # FILE SECONDS
	local i
	for i in $(seq $(($2 * 2))); do [ -s "$1" ] && return 0; sleep 0.5; done
	return 1
}
wait_file "$T_DIR/share/vm1-done" 300 || t_fail "vm1 did not finish: $(console vm1 | tail -n 20)"
wait_file "$T_DIR/share/vm2-done" 300 || t_fail "vm2 did not finish: $(console vm2 | tail -n 20)"
console vm1 | grep -q 'labguest: eth0 10.77.0.11/24 gw 10.77.0.1' || t_fail "vm1 lease: $(console vm1 | grep labguest)"
console vm2 | grep -q 'labguest: eth0 10.77.0.12/24 gw 10.77.0.1' || t_fail "vm2 lease: $(console vm2 | grep labguest)"
grep -q '10.77.0.12' "$T_DIR/share/vm1-dns" || t_fail "vm1 cannot resolve vm2.lab: $(cat "$T_DIR/share/vm1-dns")"
[ "$(tail -n 1 "$T_DIR/share/vm1-ping")" = 0 ] || t_fail "vm1 cannot reach vm2 by name: $(cat "$T_DIR/share/vm1-ping")"
[ "$(tail -n 1 "$T_DIR/share/vm2-ping")" = 0 ] || t_fail "vm2 cannot reach vm1: $(cat "$T_DIR/share/vm2-ping")"
grep -q '^outside-page' "$T_DIR/share/vm1-http" || t_fail "vm1 cannot reach the outside through NAT: $(cat "$T_DIR/share/vm1-http")"
[ "$(cat "$T_DIR/share/vm1-read")" = from-the-host ] || t_fail "vm1 did not read the host's file from the share"
t_labctl leases | grep -q ' 10.77.0.11/24 ' || t_fail "labctl leases lacks vm1: $(t_labctl leases)"
t_labctl guests | grep -Eq '^vm1 +running +10\.77\.0\.11 ' || t_fail "labctl guests: $(t_labctl guests)"
t_labctl guests | grep -q '^broken ' && t_fail "the broken guest is listed as a guest"

# Nothing that handles what guests send runs as root: the DHCP/DNS worker
# (CONFIG_SANDBOX_UID), each QEMU and its console logger (SANDBOX_UID +
# slot), smbd ("nobody"). Read from the kernel, by process.
nsenter -t "$LPID" -m -p ps -eo uid=,args= >"$T_DIR/ps.out" || t_fail "ps in the lab's namespace failed"
t_log "processes:
$(cut -c1-110 "$T_DIR/ps.out")"
uid_of() { awk -v pat="$1" '$0 ~ pat { print $1; exit }' "$T_DIR/ps.out"; }
[ "$(uid_of ' dhcpd --config')" = 64600 ] || t_fail "the DHCP/DNS worker runs as uid '$(uid_of ' dhcpd --config')'"
[ "$(uid_of 'qemu-system-x86_64 -name vm1')" = 64601 ] || t_fail "vm1's QEMU runs as uid '$(uid_of 'qemu-system-x86_64 -name vm1')'"
[ "$(uid_of 'qemu-system-x86_64 -name vm2')" = 64602 ] || t_fail "vm2's QEMU runs as uid '$(uid_of 'qemu-system-x86_64 -name vm2')'"
[ "$(uid_of 'conlog /run/labinit/guests/vm1')" = 64601 ] || t_fail "vm1's console logger runs as uid '$(uid_of 'conlog /run/labinit/guests/vm1')'"
[ "$(uid_of 'smbd')" = "$(id -u nobody)" ] || t_fail "smbd runs as uid '$(uid_of smbd)'"
grep -q -- '-sandbox on' "$T_DIR/ps.out" || t_fail "QEMU runs without -sandbox"

# labctl stop: ACPI power-down, QEMU exits by itself (no SIGKILL).
t_labctl stop vm2 >/dev/null || t_fail "labctl stop vm2 failed"
t_wait_console 'service vm2: stopped \(exit 0\)' 60 || t_fail "vm2 did not power down: $(console vm2 | tail -n 5)"
console vm2 | grep -q 'power button: powering off' || t_fail "vm2 did not see the power button"
t_console | grep -q 'service vm2: no exit' && t_fail "vm2 needed SIGKILL"

# A QEMU killed from outside is restarted by its policy (on-failure).
qpid=$(t_labctl status | awk '$1 == "vm1" { print $3 }')
nsenter -t "$LPID" -p kill -KILL "$qpid"
t_wait_console 'service vm1: killed by signal 9' 30 || t_fail "vm1's death was not noticed"
t_wait_count 'service vm1: started' 2 60 "$CONSOLE" || t_fail "vm1 was not restarted"
for _ in $(seq 300); do console vm1 | grep -c 'labguest: ready' | grep -q 2 && break; sleep 1; done
console vm1 | grep -c 'labguest: ready' | grep -q 2 || t_fail "vm1 did not boot again"

# labctl console: type on the guest's shell, read its answer, detach with ctrl-].
for _ in $(seq 300); do console vm1 | grep -c 'labguest: shell on the console' | grep -q 2 && break; sleep 1; done
sleep 2
# ctrl-] once the answer is there (or after 60 s)
(printf 'echo CONSOLE-$((6 * 7))\n'
	for _ in $(seq 120); do grep -q 'CONSOLE-42' "$T_DIR/console.out" 2>/dev/null && break; sleep 0.5; done
	printf '\035') | timeout 90 nsenter -t "$LPID" -m -p "$LABCTL" console vm1 >"$T_DIR/console.out" 2>&1
out=$(cat "$T_DIR/console.out")
echo "$out" | grep -q 'CONSOLE-42' || t_fail "labctl console: no answer from vm1's shell: $out"
echo "$out" | grep -q 'detached from vm1' || t_fail "labctl console did not detach on ctrl-]: $out"

# SIGTERM to PID 1: the guest is powered down before the namespace ends.
kill -TERM "$LPID"
t_wait_end 150 || t_fail "the namespace did not end after SIGTERM"
t_console | grep -q 'service vm1: stopped (exit 0)' || t_fail "vm1 was not powered down at shutdown"
t_console | grep -q 'service vm1: no exit' && t_fail "vm1 needed SIGKILL at shutdown"
t_pass
