#!/bin/sh
# Bad input to `labinit up`, each case in a fresh host namespace: the run is
# refused with a non-zero status and an error on stderr that names what is
# wrong, and nothing is configured — no bridge, no tap, no nft table, no
# address or route of protocol 77, no link with alias "labinit", and the
# host's links, IPv4 addresses, routes, ruleset and ip_forward exactly as
# before. Where the error suggests a fix (a free subnet, another bridge
# name), the fix is applied and the lab must then come up and go down again,
# leaving what was there before it. Last, `labinit down` where labinit never
# ran removes nothing.
. "$(dirname "$0")/../lib/net.sh"

# Each case starts from fresh namespaces: delete this test's two by name,
# after each case and on any exit.
end_case() {
	for n in "lh-$$" "lo-$$"; do
		# what labinit up may have left running there (a DHCP client), by PID
		for p in $(ip netns pids "$n" 2> /dev/null); do kill "$p" 2> /dev/null || true; done
		ip netns del "$n" 2> /dev/null || true
	done
}

make_guest_files
CASE=""
FOREIGN_TAPS=""
ncases=0

# new_case NAME: a fresh host namespace with its uplink eth0 (down, no
# address) to an outside namespace at 172.30.0.1/24.
new_case() {
	end_case
	CASE=$1
	FOREIGN_TAPS=""
	ncases=$((ncases + 1))
	echo "== $CASE"
	make_host_and_outside
}

# profile static|static3 [LINE...]: write $WORK/$CASE.profile, a static
# uplink 172.30.0.2/24 (static3: 172.30.0.3/24) via 172.30.0.1. (A DHCP
# uplink would make up wait for a lease no one serves here.)
profile() {
	mode=$1; shift
	{
		echo 'CONFIG_PROFILE_NAME="badinput"'
		echo "CONFIG_FILES_DIR=\"$WORK/files\""
		echo '# CONFIG_UPLINK_DHCP is not set'
		echo 'CONFIG_UPLINK_STATIC=y'
		[ "$mode" = static3 ] && echo 'CONFIG_UPLINK_ADDRESS="172.30.0.3/24"' ||
			echo 'CONFIG_UPLINK_ADDRESS="172.30.0.2/24"'
		echo 'CONFIG_UPLINK_GATEWAY="172.30.0.1"'
		for l in "$@"; do printf '%s\n' "$l"; done
	} > "$WORK/$CASE.profile"
}

# uplink_up: eth0 up, and its carrier settled.
uplink_up() {
	in_ns "$HOST" ip link set eth0 up
	t_wait_for 5 sh -c "ip netns exec $HOST ip link show eth0 | grep -q 'state UP'" || t_fail "$CASE: eth0 has no carrier"
}

# The host's state as far as labinit could change it (IPv4 only: the kernel
# adds IPv6 link-local addresses and routes by itself as links come up).
state() {
	{
		in_ns "$HOST" ip -j -d link show |
			jq -c '.[] | {ifname, kind: .linkinfo.info_kind, master, ifalias, address, mtu,
				flags: (.flags - ["NO-CARRIER", "LOWER_UP", "M-DOWN"])}'
		in_ns "$HOST" ip -4 -o addr show | awk '{ print $2, $3, $4 }'
		in_ns "$HOST" ip -4 route show table all
		in_ns "$HOST" nft list ruleset
		echo "ip_forward=$(in_ns "$HOST" cat /proc/sys/net/ipv4/ip_forward)"
	} > "$1"
}

# No trace of labinit in the host namespace (a foreign bridge of the same
# name is checked by the case itself).
assert_no_trace() {
	in_ns "$HOST" nft list tables | grep -q 'table inet labinit' && t_fail "$CASE: table inet labinit was created"
	[ -z "$(in_ns "$HOST" ip -4 route show table all proto 77)" ] ||
		t_fail "$CASE: routes of protocol 77: $(in_ns "$HOST" ip -4 route show table all proto 77)"
	# iproute2 before 6.3 does not print IFA_PROTO; newer ones do, as "protocol".
	[ "$(in_ns "$HOST" ip -j addr show | jq '[.[].addr_info[] | select(.protocol? == 77 or .protocol? == "77")] | length')" = 0 ] ||
		t_fail "$CASE: addresses of protocol 77"
	taps=$(in_ns "$HOST" ip -j -d link show | jq -r '.[] | select(.linkinfo.info_kind == "tun") | .ifname')
	for t in $taps; do
		case " $FOREIGN_TAPS " in *" $t "*) ;; *) t_fail "$CASE: tap $t was created" ;; esac
	done
	[ "$(in_ns "$HOST" ip -j link show | jq '[.[] | select(.ifalias? == "labinit")] | length')" = 0 ] ||
		t_fail "$CASE: a link with alias labinit exists"
}

# refused WANT_RC [CMDLINE]: labinit up with $WORK/$CASE.profile must fail
# (WANT_RC: an exit status, or "nonzero") and change nothing.
refused() {
	want=$1 cmdline=${2:-}
	state "$WORK/$CASE.before"
	set +e
	in_ns "$HOST" "$LABINIT" up --config "$WORK/$CASE.profile" ${cmdline:+--cmdline "$cmdline"} \
		> "$WORK/$CASE.out" 2> "$WORK/$CASE.err"
	rc=$?
	set -e
	sed 's/^/    | /' "$WORK/$CASE.err"
	[ $rc -ne 0 ] || t_fail "$CASE: labinit up succeeded"
	[ "$want" = nonzero ] || [ $rc -eq "$want" ] || t_fail "$CASE: exit status $rc, wanted $want"
	[ $rc -lt 128 ] || t_fail "$CASE: labinit died from signal $((rc - 128))"
	grep -qi 'error' "$WORK/$CASE.err" || t_fail "$CASE: no error on stderr"
	assert_no_trace
	state "$WORK/$CASE.after"
	diff -u "$WORK/$CASE.before" "$WORK/$CASE.after" || t_fail "$CASE: the host changed although up was refused"
}

# says TEXT...: each TEXT (fixed string) is in the error output.
says() {
	for t in "$@"; do
		grep -qF -- "$t" "$WORK/$CASE.err" || t_fail "$CASE: stderr does not say: $t"
	done
}

# lab_up [CMDLINE] / lab_down [CMDLINE]: must succeed.
lab_up() {
	in_ns "$HOST" "$LABINIT" up --config "$WORK/$CASE.profile" ${1:+--cmdline "$1"} > "$WORK/$CASE.up.log" 2>&1 ||
		{ cat "$WORK/$CASE.up.log"; t_fail "$CASE: up failed"; }
	in_ns "$HOST" nft list tables | grep -q 'table inet labinit' || t_fail "$CASE: up made no table inet labinit"
}
lab_down() {
	in_ns "$HOST" "$LABINIT" down --config "$WORK/$CASE.profile" ${1:+--cmdline "$1"} > "$WORK/$CASE.down.log" 2>&1 ||
		{ cat "$WORK/$CASE.down.log"; t_fail "$CASE: down failed"; }
	assert_no_trace
}

has_addr() { in_ns "$HOST" ip -4 -o addr show dev "$1" | grep -q " inet $2 "; }

# IPv4 arithmetic for checking and using a suggested subnet.
ip2int() { echo "$1" | awk -F. '{ printf "%.0f\n", (($1 * 256 + $2) * 256 + $3) * 256 + $4 }'; }
int2ip() { awk -v n="$1" 'BEGIN { printf "%d.%d.%d.%d\n", int(n / 16777216) % 256, int(n / 65536) % 256, int(n / 256) % 256, n % 256 }'; }
mask() { echo $(((0xffffffff << (32 - $1)) & 0xffffffff)); }
# overlaps A/LA B/LB
overlaps() {
	a=$(ip2int "${1%/*}") la=${1#*/} b=$(ip2int "${2%/*}") lb=${2#*/}
	[ "$la" -lt "$lb" ] && m=$(mask "$la") || m=$(mask "$lb")
	[ $((a & m)) -eq $((b & m)) ]
}

# suggested_subnet: the free subnet the overlap error proposes.
suggested_subnet() {
	sed -n 's|.*set CONFIG_LAB_SUBNET, e\.g\. to the free \([0-9.]*/[0-9]*\).*|\1|p' "$WORK/$CASE.err" | head -n 1
}

# lab_cmdline SUBNET: the overrides that move the lab to SUBNET. Gateway and
# DHCP range have fixed defaults inside 10.77.0.0/24, so they move with it.
lab_cmdline() {
	net=$(ip2int "${1%/*}") len=${1#*/}
	bcast=$((net + (1 << (32 - len)) - 1))
	echo "labinit.LAB_SUBNET=$1 labinit.LAB_GATEWAY=$(int2ip $((net + 1)))" \
		"labinit.DHCP_RANGE_START=$(int2ip $((net + 2))) labinit.DHCP_RANGE_END=$(int2ip $((bcast - 1)))"
}

# check_suggestion USED...: the suggestion is a /24 that overlaps none of
# USED; then the lab comes up on it (gateway on the bridge) and goes down.
check_suggestion() {
	s=$(suggested_subnet)
	[ -n "$s" ] || t_fail "$CASE: no free subnet suggested"
	echo "   suggested $s"
	[ "${s#*/}" = 24 ] || t_fail "$CASE: suggested $s, not a /24 like the profile's subnet"
	for u in "$@"; do
		overlaps "$s" "$u" && t_fail "$CASE: suggested $s overlaps $u"
	done
	cl=$(lab_cmdline "$s")
	lab_up "$cl"
	gw=$(int2ip $(($(ip2int "${s%/*}") + 1)))
	has_addr virbr0 "$gw/24" || t_fail "$CASE: virbr0 has not $gw/24 after up on the suggested $s"
	lab_down "$cl"
	in_ns "$HOST" ip link show virbr0 > /dev/null 2>&1 && t_fail "$CASE: virbr0 left behind by down"
	return 0
}

### The lab subnet overlaps an address on the uplink.
new_case overlap-address
in_ns "$HOST" ip addr add 10.77.0.5/24 dev eth0
profile static
refused nonzero
says "lab subnet 10.77.0.0/24 overlaps the host's address 10.77.0.5/24" "set CONFIG_LAB_SUBNET, e.g. to the free "
check_suggestion 10.77.0.5/24 172.30.0.2/24
has_addr eth0 10.77.0.5/24 || t_fail "$CASE: the uplink lost its own 10.77.0.5/24"

### The lab subnet lies inside a route the host already has.
new_case overlap-route
in_ns "$HOST" ip addr add 172.30.0.2/24 dev eth0
uplink_up
in_ns "$HOST" ip route add 10.77.0.0/16 via 172.30.0.1
profile static3
refused nonzero
says "lab subnet 10.77.0.0/24 overlaps the host's route 10.77.0.0/16" "set CONFIG_LAB_SUBNET, e.g. to the free "
check_suggestion 10.77.0.0/16 172.30.0.0/24
in_ns "$HOST" ip -4 route show 10.77.0.0/16 | grep -q 'via 172.30.0.1' || t_fail "$CASE: route 10.77.0.0/16 lost"
has_addr eth0 172.30.0.2/24 || t_fail "$CASE: the uplink lost its address"
has_addr eth0 172.30.0.3/24 && t_fail "$CASE: down left the profile's uplink address 172.30.0.3/24"

### The uplink does not exist.
new_case missing-uplink
profile static 'CONFIG_UPLINK_IFNAME="nosuch0"'
refused nonzero
says "uplink nosuch0: no such interface (CONFIG_UPLINK_IFNAME)"

### An interface name longer than IFNAMSIZ - 1: the validator refuses it,
### status 2, with the file, the line and the key.
new_case long-ifname
profile static 'CONFIG_BRIDGE_NAME="averyveryverylongname"'
line=$(grep -n '^CONFIG_BRIDGE_NAME=' "$WORK/$CASE.profile" | cut -d: -f1)
refused 2
says "$WORK/$CASE.profile:$line: CONFIG_BRIDGE_NAME: \"averyveryverylongname\" is 21 characters; interface names have at most 15 (IFNAMSIZ)" \
	"nothing changed"

### The boundary: 16 characters are refused (from --cmdline too: the error
### names the kernel command line), 15 are a working bridge name.
new_case ifname-boundary
profile static
refused 2 labinit.BRIDGE_NAME=abcdefghijklmnop
says "kernel command line: CONFIG_BRIDGE_NAME: \"abcdefghijklmnop\" is 16 characters; interface names have at most 15 (IFNAMSIZ)"
lab_up labinit.BRIDGE_NAME=abcdefghijklmno
has_addr abcdefghijklmno 10.77.0.1/24 || t_fail "$CASE: the 15-character bridge has no 10.77.0.1/24"
lab_down labinit.BRIDGE_NAME=abcdefghijklmno
in_ns "$HOST" ip link show abcdefghijklmno > /dev/null 2>&1 && t_fail "$CASE: the bridge was left behind"

### An unknown key on --cmdline.
new_case cmdline-unknown-key
profile static
refused 2 "labinit.NOSUCH_KEY=1"
says "kernel command line: CONFIG_NOSUCH_KEY: unknown key" "nothing changed"

### A port forward to an address outside the lab subnet.
new_case forward-outside
profile static 'CONFIG_NAT_PORT_FORWARDS="tcp:2222:192.168.50.5:22"'
line=$(grep -n '^CONFIG_NAT_PORT_FORWARDS=' "$WORK/$CASE.profile" | cut -d: -f1)
refused 2
says "$WORK/$CASE.profile:$line: CONFIG_NAT_PORT_FORWARDS: forward to 192.168.50.5: not a guest address inside the lab subnet 10.77.0.0/24" \
	"nothing changed"

### A foreign bridge virbr0 (libvirt's) is there already: refused, left
### alone; with another CONFIG_BRIDGE_NAME the lab comes up beside it.
new_case foreign-bridge
in_ns "$HOST" ip link add virbr0 type bridge
idx=$(in_ns "$HOST" ip -j link show virbr0 | jq '.[0].ifindex')
profile static
refused nonzero
says "virbr0: a bridge named virbr0 already exists and was not made by labinit; choose another CONFIG_BRIDGE_NAME"
foreign() { in_ns "$HOST" ip -j -d link show virbr0 | jq -c '.[0] | {ifindex, ifalias, address, flags, master}'; }
before=$(foreign)
[ "$(echo "$before" | jq -r .ifindex)" = "$idx" ] || t_fail "$CASE: virbr0 was replaced"
[ "$(echo "$before" | jq -r .ifalias)" = null ] || t_fail "$CASE: the foreign virbr0 got an alias"
[ -z "$(in_ns "$HOST" ip -4 addr show dev virbr0)" ] || t_fail "$CASE: the foreign virbr0 got an address"
lab_up labinit.BRIDGE_NAME=labbr0
has_addr labbr0 10.77.0.1/24 || t_fail "$CASE: labbr0 has no 10.77.0.1/24"
[ "$(foreign)" = "$before" ] || t_fail "$CASE: up on labbr0 touched the foreign virbr0: $(foreign)"
lab_down labinit.BRIDGE_NAME=labbr0
in_ns "$HOST" ip link show labbr0 > /dev/null 2>&1 && t_fail "$CASE: labbr0 left behind"
[ "$(foreign)" = "$before" ] || t_fail "$CASE: down touched the foreign virbr0: $(foreign)"

### A guest's name is taken by a link that is not a tap.
new_case guest-name-taken
in_ns "$HOST" ip link add vm1 type veth peer name vm1peer
profile static 'CONFIG_GUEST1=y' 'CONFIG_GUEST1_KERNEL="guests/demo/vmlinux"'
refused nonzero
says "vm1: a veth named vm1 already exists and was not made by labinit; choose another CONFIG_GUEST1_NAME"
[ "$(in_ns "$HOST" ip -j -d link show vm1 | jq -r '.[0].linkinfo.info_kind')" = veth ] || t_fail "$CASE: vm1 is no longer the veth"
in_ns "$HOST" ip link show virbr0 > /dev/null 2>&1 && t_fail "$CASE: virbr0 was created"
in_ns "$HOST" ip link show vm1peer > /dev/null || t_fail "$CASE: the veth's peer is gone"

### A guest's name is taken by a tap that labinit did not make.
new_case guest-name-foreign-tap
in_ns "$HOST" ip tuntap add vm1 mode tap
FOREIGN_TAPS=vm1
profile static 'CONFIG_GUEST1=y' 'CONFIG_GUEST1_KERNEL="guests/demo/vmlinux"'
refused nonzero
says "vm1: a tun named vm1 already exists and was not made by labinit; choose another CONFIG_GUEST1_NAME"

### A step fails after others succeeded (guest vm2's name is held by a
### TUN-mode device carrying labinit's alias, so opening it as a tap fails):
### up undoes what it did. Forwarding stays on by design (labnet_down.c).
new_case rollback
in_ns "$HOST" ip tuntap add vm2 mode tun
in_ns "$HOST" ip link set vm2 alias labinit
profile static 'CONFIG_GUEST1=y' 'CONFIG_GUEST1_KERNEL="guests/demo/vmlinux"' \
	'CONFIG_GUEST2=y' 'CONFIG_GUEST2_KERNEL="guests/demo/vmlinux"'
set +e
in_ns "$HOST" "$LABINIT" up --config "$WORK/$CASE.profile" > "$WORK/$CASE.out" 2> "$WORK/$CASE.err"
rc=$?
set -e
sed 's/^/    | /' "$WORK/$CASE.err"
[ $rc -eq 1 ] || t_fail "$CASE: exit status $rc, wanted 1"
says "error: tap vm2 on virbr0" "removing what labinit set up"
assert_no_trace
for l in virbr0 vm1; do
	in_ns "$HOST" ip link show "$l" > /dev/null 2>&1 && t_fail "$CASE: $l left behind after a failed up"
done
[ -z "$(in_ns "$HOST" ip -4 addr show dev eth0)" ] || t_fail "$CASE: the uplink address was left behind"

### Several problems at once: every one is reported, not just the first.
new_case several
in_ns "$HOST" ip link add virbr0 type bridge
in_ns "$HOST" ip addr add 10.77.0.9/24 dev eth0
profile static 'CONFIG_UPLINK_IFNAME="nosuch0"'
refused nonzero
says "uplink nosuch0: no such interface" "a bridge named virbr0 already exists" "overlaps the host's address 10.77.0.9/24"

### labinit down where labinit never ran: succeeds and removes nothing —
### not a bridge virbr0 with the lab's gateway address, not a tap named
### like a guest, not the uplink's address or default route, not a table.
new_case down-never-up
in_ns "$HOST" ip addr add 172.30.0.2/24 dev eth0
uplink_up
in_ns "$HOST" ip route add default via 172.30.0.1
in_ns "$HOST" ip link add virbr0 type bridge
in_ns "$HOST" ip addr add 10.77.0.1/24 dev virbr0
in_ns "$HOST" ip link set virbr0 up
in_ns "$HOST" ip tuntap add vm1 mode tap
FOREIGN_TAPS=vm1
in_ns "$HOST" nft add table inet keepme
in_ns "$HOST" nft add chain inet keepme c
profile static 'CONFIG_GUEST1=y' 'CONFIG_GUEST1_KERNEL="guests/demo/vmlinux"'
state "$WORK/$CASE.before"
in_ns "$HOST" "$LABINIT" down --config "$WORK/$CASE.profile" > "$WORK/$CASE.down.log" 2>&1 ||
	{ cat "$WORK/$CASE.down.log"; t_fail "$CASE: down failed"; }
sed 's/^/    | /' "$WORK/$CASE.down.log"
grep -q 'error' "$WORK/$CASE.down.log" && t_fail "$CASE: down reported an error"
grep -q 'removed 0 links and 0 addresses/routes' "$WORK/$CASE.down.log" || t_fail "$CASE: down claims it removed something"
state "$WORK/$CASE.after"
diff -u "$WORK/$CASE.before" "$WORK/$CASE.after" || t_fail "$CASE: down changed the host"

### Cases that once failed: the host's own uplink address and route, more
### routes than a fixed table held, the suggested subnet used alone.
{
	# The uplink already has the profile's address and default route (set
	# by the admin): up stamps them protocol 77 (NLM_F_REPLACE), so down
	# deletes what labinit never added.
	new_case uplink-address-not-ours
	in_ns "$HOST" ip addr add 172.30.0.2/24 dev eth0
	uplink_up
	in_ns "$HOST" ip route add default via 172.30.0.1
	profile static
	lab_up
	lab_down
	has_addr eth0 172.30.0.2/24 || t_fail "$CASE: down removed the uplink address the host had before up"
	[ -n "$(in_ns "$HOST" ip route show default)" ] || t_fail "$CASE: down removed the host's own default route"

	# More than 256 addresses and routes: the overlap check stops looking
	# (struct labnet_used holds 256) and misses 10.77.0.0/16.
	new_case overlap-after-256-routes
	in_ns "$HOST" ip addr add 172.30.0.2/24 dev eth0
	uplink_up
	i=0
	while [ $i -lt 300 ]; do
		echo "route add 10.$((1 + i / 256)).$((i % 256)).0/24 via 172.30.0.1"
		i=$((i + 1))
	done > "$WORK/$CASE.routes"
	echo "route add 10.77.0.0/16 via 172.30.0.1" >> "$WORK/$CASE.routes"
	in_ns "$HOST" ip -batch "$WORK/$CASE.routes"
	profile static3
	refused nonzero
	says "overlaps the host's route 10.77.0.0/16"

	# The suggested subnet alone is refused: LAB_GATEWAY and the DHCP range
	# keep their 10.77.0.x defaults.
	new_case suggested-subnet-alone
	in_ns "$HOST" ip addr add 10.77.0.5/24 dev eth0
	profile static
	refused nonzero
	s=$(suggested_subnet)
	lab_up "labinit.LAB_SUBNET=$s"
	lab_down "labinit.LAB_SUBNET=$s"
}

end_case
rm -rf "$WORK"
echo "bad input ok ($ncases cases)"
