#!/bin/sh
# labinit dhcpd fills its /24: 253 busybox udhcpc clients asking at once
# (one guest namespace, 254 macvlan interfaces on its veth into virbr0, each
# with its own MAC; one that gets nothing tries once more) get 253 distinct addresses of the range .2-.254, none
# of them the network, the gateway or the broadcast address; the lease file
# holds 253 well-formed lines; the 254th client gets no offer and the
# worker logs that its pool is exhausted, while a client that holds a lease
# still gets its own address. Then the worker is restarted with a range
# that includes the gateway (.1-.254): the 253 leases come back from the
# file, and a new client still gets nothing (the gateway is never leased).
. "$(dirname "$0")/../lib/net.sh"
. "$(dirname "$0")/../lib/dhcpd.sh"
command -v udhcpc > /dev/null || { echo "needs udhcpc (make deps)"; exit 77; }
N=253

dhcpd_profile 'CONFIG_DHCP_RANGE_START="10.77.0.2"' 'CONFIG_DHCP_RANGE_END="10.77.0.254"' 'CONFIG_DHCP_LEASE_TIME=600'
dhcpd_lab
dhcpd_start

G=$(dhcp_guest fill)
macvlans "$G" $((N + 1))
: > "$WORK/bound"
start=$(date +%s)
udhcpc_many "$G" "$WORK/bound" 1 $N
echo "$N clients at once: $(wc -l < "$WORK/bound") leases in $(($(date +%s) - start)) s, $(wc -l < "$WORK/retries") needed a second try"

[ "$(wc -l < "$WORK/bound")" = $N ] || t_fail "$(wc -l < "$WORK/bound") of $N clients got a lease"
[ "$(awk '{ print $1 }' "$WORK/bound" | sort -u | wc -l)" = $N ] || t_fail "an interface was bound twice"
[ "$(awk '{ print $2 }' "$WORK/bound" | sort -u | wc -l)" = $N ] || t_fail "two clients got the same address: $(awk '{ print $2 }' "$WORK/bound" | sort | uniq -d | head)"
awk '$3 != "255.255.255.0" || $4 != "10.77.0.1" { exit 1 }' "$WORK/bound" || t_fail "wrong mask or router in a lease"
awk '$2 == "10.77.0.0" || $2 == "10.77.0.1" || $2 == "10.77.0.255" { print; bad = 1 } END { exit bad }' "$WORK/bound" ||
	t_fail "a client got the network, gateway or broadcast address"
# Every address of the range, each once: .2 .. .254.
awk '{ split($2, o, "."); print o[4] }' "$WORK/bound" | sort -n > "$WORK/octets"
seq 2 254 | cmp -s - "$WORK/octets" || t_fail "the addresses are not exactly .2-.254"

# The lease file: 253 lines, one per client, with its MAC.
t_wait_for 5 sh -c "[ \$(wc -l < '$LEASES') = $N ]" || t_fail "the lease file has $(wc -l < "$LEASES") lines, wanted $N"
leases_wellformed "$LEASES" || t_fail "malformed lease file"
[ "$(awk '{ print $3 }' "$LEASES" | sort -u | wc -l)" = $N ] || t_fail "an address is in the lease file twice"
for ifn in mv1 mv100 mv253; do
	mac=$(mac_of "$G" "$ifn")
	a=$(awk -v i="$ifn" '$1 == i { print $2 }' "$WORK/bound")
	[ "$(lease_line "$a" | awk '{ print $2 }')" = "$mac" ] || t_fail "$ifn ($mac) got $a, but the lease file says: $(lease_line "$a")"
done

# The 254th: no offer, and the worker says why.
if in_ns "$G" env BOUND="$WORK/bound" udhcpc -f -q -n -i mv$((N + 1)) -s "$WORK/many-script.sh" -t 3 -T 1 > "$WORK/last.log" 2>&1; then
	t_fail "client $((N + 1)) got a lease from a full pool: $(tail -n 1 "$WORK/bound")"
fi
grep -q "no address left.*exhausted" "$DHCPD_LOG" || t_fail "the worker did not log the exhaustion"
[ "$(wc -l < "$LEASES")" = $N ] || t_fail "the lease file changed for a client that got nothing"

# A client with a lease asks again: its own address, full pool or not.
a=$(awk '$1 == "mv7" { print $2 }' "$WORK/bound")
: > "$WORK/bound"
in_ns "$G" env BOUND="$WORK/bound" udhcpc -f -q -n -i mv7 -s "$WORK/many-script.sh" -t 10 -T 1 > "$WORK/again.log" 2>&1 ||
	t_fail "mv7 (holding $a) got nothing from the full pool"
[ "$(awk '{ print $2 }' "$WORK/bound")" = "$a" ] || t_fail "mv7 had $a, got $(cat "$WORK/bound")"

# Restart with the gateway inside the range: the leases come back from the
# file; the one address more in the range is the gateway, never leased.
dhcpd_kill TERM
sed -i 's/^CONFIG_DHCP_RANGE_START=.*/CONFIG_DHCP_RANGE_START="10.77.0.1"/' "$WORK/profile"
"$LABINIT" check-config "$WORK/profile" > /dev/null 2>&1 || t_fail "range .1-.254 does not validate"
dhcpd_start
grep -q "dhcpd: $N leases from" "$DHCPD_LOG" || t_fail "the worker did not read back $N leases: $(grep 'leases from' "$DHCPD_LOG" | tail -n 1)"
: > "$WORK/bound"
if in_ns "$G" env BOUND="$WORK/bound" udhcpc -f -q -n -i mv$((N + 1)) -s "$WORK/many-script.sh" -t 3 -T 1 > "$WORK/last2.log" 2>&1; then
	t_fail "with the gateway in the range, client $((N + 1)) got $(cat "$WORK/bound")"
fi
[ "$(wc -l < "$LEASES")" = $N ] || t_fail "the lease file has $(wc -l < "$LEASES") lines after the restart, wanted $N"
alive "$DHCPD_PID" || t_fail "the worker died"
echo "dhcpd fill ok"
