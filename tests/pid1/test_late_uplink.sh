#!/bin/bash
# PID 1 does not stall while the boot waits: the profile's uplink "late0"
# does not exist yet and CONFIG_DEVICE_WAIT is set, so the boot (PID 1's
# one-shot "stage 2" child) waits for it. Meanwhile PID 1 answers
# `labctl status` (state "booting", the boot service running) and reaps an
# orphan that ends inside the namespace. Then the test moves a veth into
# the namespace under that name; the boot sees it, brings the lab up on it
# with its static address, and PID 1 prints the ready line. A second
# instance is shut down while its boot still waits: the boot is stopped
# like any service and nothing starts after it.
# (Before the boot ran outside PID 1, the uplink was reported missing at
# once without the "modules" service, and PID 1 itself slept in the wait.)
source "$(dirname "$0")/../lib/pid1.sh" || exit 2
t_init
t_outside

cfg=$T_DIR/late.config
{
	t_static_uplink late
	cat <<EOC
CONFIG_UPLINK_IFNAME="late0"
CONFIG_DEVICE_WAIT=120
# CONFIG_DHCP_SERVER is not set
EOC
} >"$cfg"

t_start late "$cfg"
t_wait_console 'uplink late0: not there yet; waiting up to 120 s' 30 ||
	t_fail "the boot did not wait for the missing uplink"

ST=$(t_labctl status 2>&1) || t_fail "labctl status failed while the boot waits: $ST"
grep -Eq '^state: +booting' <<<"$ST" || t_fail "expected 'state: booting' while the boot waits, saw:
$ST"
grep -Eq '^boot +running ' <<<"$ST" || t_fail "expected the boot service running while it waits, saw:
$ST"

# An orphan: sh starts sleep and exits; sleep is reparented to labinit,
# the namespace's init, which must reap it when it ends.
orphan=$(nsenter -t "$LPID" -m -p sh -c 'sleep 1 >/dev/null 2>&1 & echo $!') || t_fail "could not start an orphan"
parent=$(t_ns_procs | awk -v p="$orphan" '$1 == p { print $2 }')
[ "$parent" = 1 ] || t_fail "the orphan $orphan should be labinit's child, its parent is '$parent'"
t_wait_for 10 sh -c "! nsenter -t $LPID -m -p test -e /proc/$orphan" ||
	t_fail "the orphan $orphan was not reaped while the boot waits: $(t_ns_procs | awk -v p="$orphan" '$1 == p')"
grep -q 'uplink late0: appeared' "$CONSOLE" && t_fail "the uplink cannot have appeared yet"
t_labctl status >/dev/null || t_fail "labctl status failed after the orphan"

# The uplink arrives.
ip -n "$T_OUT" link set "up$$" netns "$LPID" || t_fail "could not move the uplink in"
nsenter -t "$LPID" -n ip link set "up$$" name late0 || t_fail "could not rename the uplink"
t_wait_console 'uplink late0: appeared after [0-9.]+ s' 30 || t_fail "the boot did not see the uplink appear"
t_wait_console 'lab "late" ready in' 30 || t_fail "no ready line after the uplink appeared"
nsenter -t "$LPID" -n ip -4 addr show dev late0 | grep -q 'inet 172.30.0.2/24' ||
	t_fail "the uplink did not get its static address"
# ARP, not ping: the host answers no ping on its uplink (its firewall
# exposes nothing there that the profile does not list).
ip netns exec "$T_OUT" busybox arping -c 1 -w 5 -I eth0 172.30.0.2 >/dev/null ||
	t_fail "the lab host does not answer ARP on its uplink"
ST=$(t_labctl status) || t_fail "labctl status failed once up"
grep -Eq '^state: +up' <<<"$ST" || t_fail "expected 'state: up' after the boot, saw:
$ST"

kill -TERM "$LPID"
t_wait_end 20 || t_fail "namespace still up 20 s after SIGTERM"

t_start late2 "$cfg"
t_wait_console 'uplink late0: not there yet; waiting up to 120 s' 30 ||
	t_fail "the second boot did not wait for the missing uplink"
kill -TERM "$LPID"
t_wait_end 20 || t_fail "namespace still up 20 s after SIGTERM during the boot's wait"
t_wait_console 'shutdown: stopping boot' 1 || t_fail "the waiting boot was not stopped as a service"
grep -q 'ready in' "$CONSOLE" && t_fail "the lab came up although the shutdown came first"
t_pass
