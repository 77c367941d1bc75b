#!/bin/sh
# labinit dhcpd's lease journal under load (net/dhcpd/journal.h):
#  1. perfdhcp drives DORA exchanges as fast as it can; the worker is
#     SIGKILLed mid-load with records in its journal. What the lease file
#     and its journal held at the kill (every lease the worker could have
#     ACKed: no ACK leaves before its record is on disk) is, after a
#     restart, in the lease file read with its journal. A record cut short
#     is appended before the restart: it is reported, ignored and cut off
#     (not read as a lease, nor glued to the next record), and no earlier
#     lease is lost.
#  2. A clean stop (SIGTERM) under load folds the journal in too.
#  3. Quiet again, the lease file alone is exact: no journal records.
# perfdhcp (Debian package kea-admin) runs as a relay agent from
# 10.77.0.254 in a namespace on the bridge, as in tests/bench/dhcpd.sh.
. "$(dirname "$0")/../lib/net.sh"
. "$(dirname "$0")/../lib/dhcpd.sh"
command -v perfdhcp > /dev/null || { echo "needs perfdhcp (kea-admin)"; exit 77; }

dhcpd_profile 'CONFIG_DHCP_RANGE_START="10.77.0.2"' 'CONFIG_DHCP_RANGE_END="10.77.0.254"' 'CONFIG_DHCP_LEASE_TIME=600'
dhcpd_lab
dhcpd_start
P=$(dhcp_guest pj)
ip -n "$P" addr add 10.77.0.254/24 dev eth0
JOURNAL=$LEASES.journal

# merged: "MAC IP" for each unexpired lease of the lease file read with its
# journal (the last word for an IP wins; "- IP" frees it), sorted.
merged() {
	awk -v now="$(date +%s)" 'FILENAME == ARGV[1] { if (NF == 5) { e[$3] = $1; m[$3] = $2 } next }
		$1 == "+" && NF == 6 { e[$4] = $2; m[$4] = $3; next }
		$1 == "-" && NF == 2 { delete e[$2]; delete m[$2] }
		END { for (ip in m) if (e[ip] > now) print m[ip], ip }' "$LEASES" "$JOURNAL" 2> /dev/null | sort
}
# load SECONDS: perfdhcp in the background, 200 clients, DORA as fast as it
# goes (the worker answers in batches: its saves come faster than 1 per
# DHCPD_JOURNAL_QUIET_MS, so they go to the journal).
load() {
	ip netns exec "$P" perfdhcp -4 -g single -l eth0 -R 200 -r 20000 -p "$1" > "$WORK/perf.$1.log" 2>&1 &
	PERF=$!
	t_track "$PERF"
}
# journal_busy: up to 10 s for records in the journal.
journal_busy() { t_wait_for 10 sh -c "[ -s '$JOURNAL' ]"; }

# ---- 1. SIGKILL mid-load -----------------------------------------------------
load 12
journal_busy || { tail -n 5 "$DHCPD_LOG"; t_fail "no journal record under load: the test does not test the journal"; }
sleep 1
dhcpd_kill KILL
merged > "$WORK/before"
records=$(wc -l < "$JOURNAL")
[ -s "$WORK/before" ] || t_fail "no lease at the kill"
# A write cut short by the kill, as the next record would have been.
printf '+ %s 00:0c:ff:ff:ff:ff 10.77.0.2' $(($(date +%s) + 600)) >> "$JOURNAL"
dhcpd_start
grep -q "journal records* replayed from .*cut short" "$DHCPD_LOG" ||
	t_fail "the torn record was not reported: $(grep 'journal' "$DHCPD_LOG" | tail -n 1)"
# The load goes on with the new worker: what it changes goes to the journal.
missing=$(merged | comm -13 - "$WORK/before" | head -n 3)
[ -z "$missing" ] || t_fail "leases on disk at the SIGKILL lost after the restart: $missing"
grep -q '00:0c:ff:ff:ff:ff' "$LEASES" "$JOURNAL" && t_fail "the torn record was read as a lease"
grep -q '10.77.0.2+' "$JOURNAL" && t_fail "a record was appended to the torn one"
leases_wellformed "$LEASES" || t_fail "malformed lease file after the restart"
echo "SIGKILL: $(wc -l < "$WORK/before") leases on disk, $records journal records at the kill; $(grep 'journal record' "$DHCPD_LOG" | tail -n 1 | sed 's/.*dhcpd: //')"
wait "$PERF" || true
t_untrack "$PERF"
grep -q '^Rate: ' "$WORK/perf.12.log" || { tail -n 5 "$WORK/perf.12.log"; t_fail "perfdhcp did not run"; }

# ---- 2. SIGTERM mid-load: the journal folded in ------------------------------
load 8
journal_busy || t_fail "no journal record under load, second run"
dhcpd_kill TERM
merged > "$WORK/before2"
[ ! -s "$JOURNAL" ] || t_fail "a clean stop left $(wc -l < "$JOURNAL") journal records"
awk '{ print $2, $3 }' "$LEASES" | sort | cmp -s - "$WORK/before2" || t_fail "the lease file after a clean stop is not its merged view"
grep -q 'journal appends' "$DHCPD_LOG" || t_fail "no stop line with journal counts"
echo "SIGTERM: $(grep 'dhcpd: stopped' "$DHCPD_LOG" | tail -n 1 | sed 's/.*dhcpd: //')"
dhcpd_start
wait "$PERF" || true
t_untrack "$PERF"

# ---- 3. quiet: folded in within DHCPD_JOURNAL_QUIET_MS -------------------------
t_wait_for 5 sh -c "[ ! -s '$JOURNAL' ]" || t_fail "the journal still has $(wc -l < "$JOURNAL") records once quiet"
merged > "$WORK/quiet"
awk '{ print $2, $3 }' "$LEASES" | sort | cmp -s - "$WORK/quiet" || t_fail "the lease file once quiet is not its merged view"
dhcpd_kill TERM
echo "dhcpd journal ok"
