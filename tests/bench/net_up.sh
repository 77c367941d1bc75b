#!/bin/sh
# Benchmark, not a test: the time to bring the lab network up — static
# uplink, three dual-stack networks (nat with port forwards, routed,
# isolated: a bridge each with its IPv4 address and ULA /64), the
# forwarding and RA sysctls, a tap per guest NIC (8 guests, some with two
# NICs) and the nftables ruleset — by `labinit up` (one process, raw
# netlink) and by the equivalent shell script of iproute2 commands,
# sysctl and `nft -f` with the very ruleset labinit installs. The script
# is generated from what labinit built, read back from the kernel (links,
# addresses, routes, sysctls, the ruleset), one process per line as it
# would be written by hand, so it follows the profile; a snapshot diff
# checks that both build the same state. Each run gets a fresh network
# namespace; only the apply is timed (inside the namespace, by bash's
# EPOCHREALTIME). The two alternate (ABBA), BENCH_RUNS times each. Also:
# peak RSS and the binary's size. Prints numbers; asserts none, but exits
# non-zero when the two states differ. Needs root.
#   BENCH_RUNS=N     runs of each approach (default 30)
#   BENCH_SETTLE=S   pause between runs, seconds (default 0.05): the kernel
#                    tears the last namespace down in the background
#   LABINIT=path     the binary (default build/labinit)
set -eu
REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/tests/bench/lib.sh"
LABINIT=${LABINIT:-$REPO/build/labinit}
RUNS=${BENCH_RUNS:-30}
SETTLE=${BENCH_SETTLE:-0.05}
NGUESTS=8
NS=nb-$$
WORK=$REPO/build/bench/net_up.$$

[ "$(id -u)" = 0 ] || { echo "net_up bench: needs root (network namespaces)" >&2; exit 1; }
for c in ip nft jq bash sysctl; do
	command -v $c > /dev/null || { echo "net_up bench: needs $c" >&2; exit 1; }
done
[ -x "$LABINIT" ] || { echo "net_up bench: $LABINIT missing; run make all" >&2; exit 1; }
case $RUNS in '' | *[!0-9]* | 0) echo "BENCH_RUNS: a positive number" >&2; exit 1 ;; esac

# Only namespaces this script created, by name; then its files.
cleanup() {
	for n in "$NS" "$NS-a" "$NS-b"; do ip netns del "$n" 2> /dev/null || true; done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$WORK/files/k"
: > "$WORK/files/k/vmlinux"

# guest N: sets nics (CONFIG_GUESTn_NICS) and ip, its address on its
# first NIC's network.
guest() {
	case $1 in
	1) nics='lab routed' ip=10.77.0.11 ;;
	2) nics='lab iso' ip=10.77.0.12 ;;
	3) nics='routed' ip=10.77.1.13 ;;
	4) nics='routed iso' ip=10.77.1.14 ;;
	5) nics='iso' ip=10.77.2.15 ;;
	6) nics='lab' ip=10.77.0.16 ;;
	7) nics='lab' ip=10.77.0.17 ;;
	8) nics='routed' ip=10.77.1.18 ;;
	esac
}

# The profile: static uplink; network 1 "lab" nat (STP bridge, fixed MAC,
# port forwards), network 2 routed, network 3 isolated, all dual stack
# (IPv6 auto: a ULA /64 on each bridge); 8 guests whose NICs spread over
# the three networks, three of them with two NICs (taps NAME and NAME.1).
{
	echo 'CONFIG_PROFILE_NAME="bench"'
	echo "CONFIG_FILES_DIR=\"$WORK/files\""
	echo '# CONFIG_UPLINK_DHCP is not set'
	echo 'CONFIG_UPLINK_STATIC=y'
	echo 'CONFIG_UPLINK_ADDRESS="172.30.0.2/24"'
	echo 'CONFIG_UPLINK_GATEWAY="172.30.0.1"'
	echo 'CONFIG_BRIDGE_MAC="52:54:00:be:ef:01"'
	echo 'CONFIG_BRIDGE_STP=y'
	echo 'CONFIG_BRIDGE_FORWARD_DELAY=4'
	echo 'CONFIG_NAT=y'
	echo 'CONFIG_NAT_PORT_FORWARDS="tcp:2222:vm1:22 tcp:2223:vm2:22 tcp:8080:10.77.0.50:80 udp:5353:vm2:53"'
	echo 'CONFIG_NET2=y'
	echo 'CONFIG_NET2_NAME="routed"'
	echo 'CONFIG_NET2_MODE="routed"'
	echo 'CONFIG_NET3=y'
	echo 'CONFIG_NET3_NAME="iso"'
	echo 'CONFIG_NET3_MODE="isolated"'
	i=1
	while [ $i -le $NGUESTS ]; do
		guest $i
		echo "CONFIG_GUEST$i=y"
		echo "CONFIG_GUEST${i}_KERNEL=\"k/vmlinux\""
		echo "CONFIG_GUEST${i}_NICS=\"$nics\""
		echo "CONFIG_GUEST${i}_IP=\"$ip\""
		i=$((i + 1))
	done
} > "$WORK/profile"
"$LABINIT" check-config "$WORK/profile" > /dev/null

# fresh NAME: a namespace with lo down (as new ones are) and the uplink
# eth0, a veth whose peer (up) stays in the same namespace.
fresh() {
	ip netns add "$1"
	ip -n "$1" link add eth0 type veth peer name eth0p
	ip -n "$1" link set eth0p up
}

# sysctls NS: the namespace's net.* sysctls, without the conntrack count
# (traffic, not configuration).
sysctls() {
	ip netns exec "$1" sysctl -a 2> /dev/null | grep '^net\.' | grep -v '^net\.netfilter\.nf_conntrack_count ' || true
}

# What labinit up builds, read back from the kernel: the fresh namespace
# before, the same namespace after.
fresh "$NS"
ip -n "$NS" -j -d link show > "$WORK/before.links"
sysctls "$NS" > "$WORK/before.sysctl"
ip netns exec "$NS" "$LABINIT" up --config "$WORK/profile" > "$WORK/ref.log" 2>&1 ||
	{ cat "$WORK/ref.log"; echo "net_up bench: labinit up failed" >&2; exit 1; }
ip -n "$NS" -j -d link show > "$WORK/after.links"
ip -n "$NS" -j addr show > "$WORK/after.addrs"
ip -n "$NS" -j -4 route show table main > "$WORK/after.routes4"
ip -n "$NS" -j -6 route show table main > "$WORK/after.routes6"
sysctls "$NS" > "$WORK/after.sysctl"
ip netns exec "$NS" nft list table inet labinit > "$WORK/ruleset.nft"
ip netns del "$NS"

# The same configuration as a shell script, one process a line, as it
# would be written by hand: the links in ifindex order (the fixture's by
# what changed; a bridge or a tap created with its attributes, then set
# up with its alias, address generation mode and master, then its
# addresses), the routes the kernel did not add, the sysctls, nft -f.
# A link of another kind stops the bench: teach the generator first.
gen_links() {
	jq -r --slurpfile before "$WORK/before.links" --slurpfile addrs "$WORK/after.addrs" '
	($before[0] | map({key: .ifname, value: .}) | from_entries) as $old
	| ($addrs[0] | map({key: .ifname, value: .addr_info}) | from_entries) as $addr
	| def isup: (.flags | index("UP")) != null;
	  def set_line: "ip link set \(.ifname)"
		+ (if .mtu != 1500 then " mtu \(.mtu)" else "" end)
		+ (if .ifalias then " alias \(.ifalias)" else "" end)
		+ (if .inet6_addr_gen_mode != "eui64" then " addrgenmode \(.inet6_addr_gen_mode)" else "" end)
		+ (if .master then " master \(.master)" else "" end)
		+ (if isup then " up" else "" end);
	  def addr_lines: .ifname as $i | ($addr[$i] // [])[]
		| select(.scope != "link" and .scope != "host")
		| "ip addr add \(.local)/\(.prefixlen)"
		+ (if .broadcast then " broadcast \(.broadcast)" else "" end)
		+ (if .nodad then " nodad" else "" end)
		+ (if .noprefixroute then " noprefixroute" else "" end)
		+ " dev \($i)";
	.[] | .linkinfo.info_data as $d
	| if $old[.ifname] then
		$old[.ifname] as $o
		| ([ (if .mtu != $o.mtu then "mtu \(.mtu)" else empty end),
		     (if .ifalias != $o.ifalias then "alias \(.ifalias)" else empty end),
		     (if .inet6_addr_gen_mode != $o.inet6_addr_gen_mode then "addrgenmode \(.inet6_addr_gen_mode)" else empty end),
		     (if .master != $o.master then "master \(.master)" else empty end),
		     (if isup and ($o | isup | not) then "up" else empty end) ]
		   | select(length > 0) | "ip link set \($o.ifname) " + join(" ")),
		addr_lines
	  elif .linkinfo.info_kind == "bridge" then
		"ip link add \(.ifname) address \(.address) type bridge stp_state \($d.stp_state) forward_delay \($d.forward_delay)",
		set_line, addr_lines
	  elif .linkinfo.info_kind == "tun" then
		"ip tuntap add \(.ifname) mode \($d.type)"
		+ (if $d.pi then " pi" else "" end)
		+ (if $d.vnet_hdr then " vnet_hdr" else "" end)
		+ (if $d.multi_queue then " multi_queue" else "" end)
		+ (if $d.user then " user \($d.user)" else "" end)
		+ (if $d.group then " group \($d.group)" else "" end),
		set_line, addr_lines
	  else
		"!unhandled link \(.ifname) of kind \(.linkinfo.info_kind)"
	  end' "$WORK/after.links"
}
# gen_routes FAMILY FILE: routes other than the kernel's own (an address's
# prefix route); 1024 is IPv6's default metric.
gen_routes() {
	jq -r --arg f "$1" '.[] | select(.protocol != "kernel")
		| "ip -\($f) route add \(.dst)"
		+ (if .gateway then " via \(.gateway)" else "" end)
		+ " dev \(.dev)"
		+ (if .protocol and .protocol != "boot" then " proto \(.protocol)" else "" end)
		+ (if .metric and (($f == "6" and .metric == 1024) | not) then " metric \(.metric)" else "" end)
		+ (if .prefsrc then " src \(.prefsrc)" else "" end)
		+ (if (.flags | index("onlink")) then " onlink" else "" end)' "$2"
}
# gen_sysctls: the sysctls labinit changed, less what the kernel derives
# from them: an "all" value is copied to "default" and every interface;
# ip_forward is conf.all.forwarding and clears conf.all.accept_redirects
# (net/ipv4/devinet.c, inet_forward_change).
gen_sysctls() {
	awk -F ' = ' 'NR == FNR { old[$1] = $2; next }
		($1 in old) && old[$1] != $2 { key[++n] = $1; val[$1] = $2 }
		END {
			for (i = 1; i <= n; i++) {
				k = key[i]
				if ("net.ipv4.ip_forward" in val &&
				    (k == "net.ipv4.conf.all.forwarding" || k == "net.ipv4.conf.all.accept_redirects"))
					continue
				if (split(k, p, ".") == 5 && p[3] == "conf" && p[4] != "all") {
					a = p[1] "." p[2] ".conf.all." p[5]
					if (a in val && val[a] == val[k])
						continue
					if (a == "net.ipv4.conf.all.forwarding" && val["net.ipv4.ip_forward"] == val[k])
						continue
				}
				printf "sysctl -qw '\''%s=%s'\''\n", k, val[k]
			}
		}' "$WORK/before.sysctl" "$WORK/after.sysctl"
}
{
	gen_links
	gen_routes 4 "$WORK/after.routes4"
	gen_routes 6 "$WORK/after.routes6"
	gen_sysctls
} > "$WORK/script-ip.sh"
if grep '^!' "$WORK/script-ip.sh" >&2; then
	echo "net_up bench: the generator cannot write that as iproute2 commands" >&2
	exit 1
fi
{ cat "$WORK/script-ip.sh"; echo "nft -f $WORK/ruleset.nft"; } > "$WORK/script.sh"
SCRIPT_PROCS=$(grep -cv -e '^#' -e '^$' "$WORK/script.sh")
NBRIDGES=$(jq '[.[] | select(.linkinfo.info_kind == "bridge")] | length' "$WORK/after.links")
NTAPS=$(jq '[.[] | select(.linkinfo.info_kind == "tun")] | length' "$WORK/after.links")

# Both approaches must produce the same lab, or the comparison means
# nothing: every link with its kind, flags, alias, MTU, address generation
# mode, bridge and bridge-port options (less timers) and tap flags, the
# bridges' MACs; every address exactly (the IPv4 and the ULA ones with
# their flags; link-local ones, from random veth MACs, by presence);
# routes of both families; every net.* sysctl; the ruleset; the qdiscs.
snapshot() {
	{
		ip -n "$1" -j -d link show | jq -c '.[] | .linkinfo as $li | {ifname, kind: $li.info_kind, master, ifalias, mtu,
			addrgenmode: .inet6_addr_gen_mode,
			address: (if $li.info_kind == "bridge" then .address else null end),
			flags: (.flags - ["NO-CARRIER", "LOWER_UP", "M-DOWN"]),
			data: ($li.info_data // null | if type == "object" then del(.hello_timer, .tcn_timer,
				.topology_change_timer, .gc_timer) else . end),
			port: ($li.info_slave_data // null | if type == "object" then del(.hold_timer,
				.message_age_timer, .forward_delay_timer) else . end)}'
		ip -n "$1" -j addr show | jq -r '.[] | .ifname as $i | .addr_info[]
			| if .family == "inet6" and .scope == "link" then "\($i) inet6 link-local"
			  else "\($i) " + (del(.valid_life_time, .preferred_life_time) | tojson) end'
		ip -n "$1" -4 route show table main
		ip -n "$1" -6 route show table main
		sysctls "$1"
		ip netns exec "$1" nft list ruleset
		! command -v tc > /dev/null || tc -n "$1" qdisc show
	} > "$2"
}
fresh "$NS-a"
fresh "$NS-b"
ip netns exec "$NS-a" "$LABINIT" up --config "$WORK/profile" > /dev/null 2>&1
ip netns exec "$NS-b" bash -e "$WORK/script.sh"
sleep 0.5 # IPv6 addresses that should not appear would by now
snapshot "$NS-a" "$WORK/state.labinit"
snapshot "$NS-b" "$WORK/state.script"
if ! diff -u "$WORK/state.labinit" "$WORK/state.script" > "$WORK/state.diff"; then
	cat "$WORK/state.diff"
	echo "net_up bench: the script does not build what labinit builds" >&2
	exit 1
fi
ip netns del "$NS-a"
ip netns del "$NS-b"

# timed WHICH: one fresh namespace, one timed apply; prints the total and
# the nftables part in microseconds (labinit's own step time from its log;
# the script's `nft -f` timed apart). The clock is read by the shell inside
# the namespace, so neither `ip netns exec` nor a `date` process is counted.
timed() {
	fresh "$NS"
	if [ "$1" = labinit ]; then
		ip netns exec "$NS" bash -ec 's=${EPOCHREALTIME/./}; log=$("$1" up --config "$2" 2>&1 > /dev/null)
			e=${EPOCHREALTIME/./}
			nft=$(printf "%s\n" "$log" | sed -n "s/.*nftables table inet labinit.*: ok (\([0-9.]*\) ms).*/\1/p")
			echo $((e - s)) ${nft:-0}' bench "$LABINIT" "$WORK/profile"
	else
		ip netns exec "$NS" bash -ec 's=${EPOCHREALTIME/./}; . "$1" > /dev/null 2>&1
			m=${EPOCHREALTIME/./}; nft -f "$2"; e=${EPOCHREALTIME/./}
			echo $((e - s)) $((e - m))' bench "$WORK/script-ip.sh" "$WORK/ruleset.nft"
	fi
	ip netns del "$NS"
	sleep "$SETTLE"
}

: > "$WORK/t.labinit"
: > "$WORK/t.script"
# Other jobs on the machine skew the figures: say how busy it was.
LOAD_START=$(cut -d ' ' -f 1-3 /proc/loadavg)
i=0
while [ $i -lt "$RUNS" ]; do
	if [ $((i % 2)) = 0 ]; then order="labinit script"; else order="script labinit"; fi
	for w in $order; do
		t=$(timed "$w") || { echo "net_up bench: $w failed in run $i" >&2; exit 1; }
		echo "$t" >> "$WORK/t.$w"
	done
	i=$((i + 1))
done
# labinit logs its nft step in ms; make both columns microseconds.
awk '{ printf "%d %d\n", $1, $2 * 1000 }' "$WORK/t.labinit" > "$WORK/t.labinit.us"
mv "$WORK/t.labinit.us" "$WORK/t.labinit"

# summary FILE COLUMN: median, p90 (nearest rank), min, max in ms.
summary() {
	awk -v c="$2" '{ print $c }' "$1" | sort -n | awk '{ v[NR] = $1 } END {
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		r = int(0.9 * NR + 0.999999); if (r < 1) r = 1
		printf "%.2f %.2f %.2f %.2f\n", m / 1000, v[r] / 1000, v[1] / 1000, v[NR] / 1000 }'
}
set -- $(summary "$WORK/t.labinit" 1)
L_MED=$1 L_P90=$2 L_MIN=$3 L_MAX=$4
set -- $(summary "$WORK/t.script" 1)
S_MED=$1 S_P90=$2 S_MIN=$3 S_MAX=$4
set -- $(summary "$WORK/t.labinit" 2)
L_NFT=$1
set -- $(summary "$WORK/t.script" 2)
S_NFT=$1

# Peak RSS (max resident set, KiB) of one apply, in a fresh namespace:
# GNU time (Debian package "time") if present, else getrusage through
# python3, else not measured.
peak_rss() {
	if [ -x /usr/bin/time ]; then
		ip netns exec "$NS" /usr/bin/time -f %M -o "$WORK/rss" "$@" > /dev/null 2>&1 && cat "$WORK/rss"
	elif command -v python3 > /dev/null; then
		ip netns exec "$NS" python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$@"
	else
		echo n/a
	fi
}
fresh "$NS"
RSS_LABINIT=$(peak_rss "$LABINIT" up --config "$WORK/profile")
ip netns del "$NS"
fresh "$NS"
RSS_IP=$(peak_rss ip link add virbr0 type bridge)
RSS_NFT=$(peak_rss nft -f "$WORK/ruleset.nft")
ip netns del "$NS"

SIZE=$(wc -c < "$LABINIT")
TEXT="" DEBUG=""
command -v size > /dev/null && TEXT=$(size "$LABINIT" | awk 'NR == 2 { printf "text %d, data %d, bss %d", $1, $2, $3 }')
command -v readelf > /dev/null && readelf -S "$LABINIT" | grep -q '\.debug_info' && DEBUG=", debug info included"

RATIO=$(awk -v a="$S_MED" -v b="$L_MED" 'BEGIN { printf "%.2f", a / b }')
TENX=$(awk -v r="$RATIO" 'BEGIN { print (r >= 10) ? "yes" : "no" }')

echo "net_up: static uplink + $NBRIDGES dual-stack networks (nat with 4 port forwards, routed, isolated) + $NTAPS taps of $NGUESTS guests + nft table inet labinit, $RUNS runs each, fresh netns per run"
printf '  %-34s %9s %9s %9s %9s %9s %9s\n' approach "median ms" "p90 ms" "min ms" "max ms" "nft ms" processes
# labinit: one process (a static uplink starts no DHCP client).
printf '  %-34s %9s %9s %9s %9s %9s %9s\n' "labinit up" "$L_MED" "$L_P90" "$L_MIN" "$L_MAX" "$L_NFT" 1
printf '  %-34s %9s %9s %9s %9s %9s %9s\n' "iproute2 + sysctl + nft -f script" "$S_MED" "$S_P90" "$S_MIN" "$S_MAX" "$S_NFT" "$SCRIPT_PROCS"
echo "  script / labinit, median: ${RATIO}x" \
	"(\"nft ms\": median of the nftables part alone: labinit's ruleset step, the script's nft -f)"
echo "  at least 10x faster (issue 14): $TENX"
echo "  peak RSS: labinit up ${RSS_LABINIT} KiB; peers: nft -f ${RSS_NFT} KiB, ip link add ${RSS_IP} KiB"
echo "  binary: $LABINIT $SIZE bytes (file$DEBUG)${TEXT:+; $TEXT}"
echo "  machine: $(nproc) CPUs, load average $LOAD_START at the start, $(cut -d ' ' -f 1-3 /proc/loadavg) at the end"
summary_row "bring-up of a lab: $NBRIDGES dual-stack networks, $NTAPS taps, nft table (median of $RUNS)" ms lower "$L_MED" "iproute2 + sysctl + nft -f script ($SCRIPT_PROCS processes)" "$S_MED"
summary_row "its firewall ruleset alone" ms lower "$L_NFT" "nft -f $(nft --version | awk '{ print $2 }')" "$S_NFT"
summary_row "peak RSS of that bring-up" KiB lower "$RSS_LABINIT" "nft -f" "$RSS_NFT"
