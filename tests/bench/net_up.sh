#!/bin/sh
# Benchmark, not a test: the time to bring the lab network up — static
# uplink, bridge virbr0 (fixed MAC, STP, forward delay) and its address,
# ip_forward, 8 taps in the bridge, and the nftables ruleset with NAT and
# port forwards — by `labinit up` (one process, raw netlink) and by the
# equivalent shell script of iproute2 commands, sysctl and `nft -f` with the
# very ruleset labinit installs. Each run gets a fresh network namespace;
# only the apply is timed (inside the namespace, by bash's EPOCHREALTIME).
# The two alternate (ABBA), BENCH_RUNS times each. Also: peak RSS and the
# binary's size. Prints numbers; asserts none. Needs root.
#   BENCH_RUNS=N     runs of each approach (default 30)
#   BENCH_SETTLE=S   pause between runs, seconds (default 0.05): the kernel
#                    tears the last namespace down in the background
#   LABINIT=path     the binary (default build/labinit)
set -eu
REPO=$(cd "$(dirname "$0")/../.." && pwd)
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

# The profile: static uplink, STP bridge, NAT with port forwards, 8 guests.
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
	i=1
	while [ $i -le $NGUESTS ]; do
		echo "CONFIG_GUEST$i=y"
		echo "CONFIG_GUEST${i}_KERNEL=\"k/vmlinux\""
		echo "CONFIG_GUEST${i}_IP=\"10.77.0.$((10 + i))\""
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

# The same configuration as iproute2 commands, one process each; the
# ruleset is filled in below from what labinit installed.
{
	echo 'ip link set lo up'
	echo 'ip link set eth0 up'
	echo 'ip addr add 172.30.0.2/24 brd + dev eth0'
	echo 'ip route add default via 172.30.0.1 dev eth0 proto 77'
	echo 'ip link add virbr0 address 52:54:00:be:ef:01 type bridge stp_state 1 forward_delay 400'
	echo 'ip link set virbr0 alias labinit addrgenmode none up'
	echo 'ip addr add 10.77.0.1/24 brd + dev virbr0'
	echo 'sysctl -qw net.ipv4.ip_forward=1'
	i=1
	while [ $i -le $NGUESTS ]; do
		echo "ip tuntap add vm$i mode tap"
		echo "ip link set vm$i alias labinit addrgenmode none master virbr0 up"
		i=$((i + 1))
	done
} > "$WORK/script-ip.sh"
{ cat "$WORK/script-ip.sh"; echo "nft -f $WORK/ruleset.nft"; } > "$WORK/script.sh"
SCRIPT_PROCS=$(grep -cv -e '^#' -e '^$' "$WORK/script.sh")

# The ruleset text: what labinit up installs, read back by nft.
fresh "$NS"
ip netns exec "$NS" "$LABINIT" up --config "$WORK/profile" > "$WORK/ref.log" 2>&1 ||
	{ cat "$WORK/ref.log"; echo "net_up bench: labinit up failed" >&2; exit 1; }
ip netns exec "$NS" nft list table inet labinit > "$WORK/ruleset.nft"
ip netns del "$NS"

# Both approaches must produce the same lab, or the comparison means nothing.
snapshot() {
	{
		ip -n "$1" -j -d link show | jq -c '.[] | {ifname, kind: .linkinfo.info_kind, master, ifalias, mtu,
			address: (if .ifname == "virbr0" then .address else null end),
			stp: .linkinfo.info_data.stp_state, fd: .linkinfo.info_data.forward_delay,
			flags: (.flags - ["NO-CARRIER", "LOWER_UP", "M-DOWN"])}'
		ip -n "$1" -4 -o addr show | awk '{ $1 = ""; print }' | sed 's/valid_lft.*//'
		ip -n "$1" -6 -o addr show | awk '$2 != "lo" { print $2, ($4 ~ /^fe80:/ ? "link-local" : $4) }'
		ip -n "$1" -4 route show table main
		ip netns exec "$1" nft list ruleset
		echo "ip_forward=$(ip netns exec "$1" cat /proc/sys/net/ipv4/ip_forward)"
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

echo "net_up: static uplink + $NGUESTS taps on virbr0 (STP) + nft table inet labinit (NAT, 4 port forwards), $RUNS runs each, fresh netns per run"
printf '  %-34s %9s %9s %9s %9s %9s %9s\n' approach "median ms" "p90 ms" "min ms" "max ms" "nft ms" processes
# labinit: one process (a static uplink starts no DHCP client).
printf '  %-34s %9s %9s %9s %9s %9s %9s\n' "labinit up" "$L_MED" "$L_P90" "$L_MIN" "$L_MAX" "$L_NFT" 1
printf '  %-34s %9s %9s %9s %9s %9s %9s\n' "iproute2 + sysctl + nft -f script" "$S_MED" "$S_P90" "$S_MIN" "$S_MAX" "$S_NFT" "$SCRIPT_PROCS"
echo "  script / labinit, median: $(awk -v a="$S_MED" -v b="$L_MED" 'BEGIN { printf "%.2fx", a / b }')" \
	"(\"nft ms\": median of the nftables part alone: labinit's ruleset step, the script's nft -f)"
echo "  peak RSS: labinit up ${RSS_LABINIT} KiB; peers: nft -f ${RSS_NFT} KiB, ip link add ${RSS_IP} KiB"
echo "  binary: $LABINIT $SIZE bytes (file$DEBUG)${TEXT:+; $TEXT}"
