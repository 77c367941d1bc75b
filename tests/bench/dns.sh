#!/bin/sh
# Benchmark, not a test: the lab's DNS server (`labinit dns`) beside dnsmasq
# (the resolver libvirt's networks use), one after the other on the same
# lab bridge in a namespace that `labinit up` built, asked by dnsperf from a
# guest namespace on the bridge:
#  - local: A queries for the profile's 8 guests' names (vm1..vm8, fixed
#    addresses; dnsmasq gets the same names as --host-record);
#  - forwarded: A queries for $BENCH_DNS_NAMES distinct outside names,
#    answered by an upstream dnsmasq in the "outside" namespace (the lab's
#    UPLINK_DNS). dnsmasq runs twice here: with its default cache (150
#    names) and with --cache-size=0, forwarding every query as labinit does;
#    labinit keeps no positive cache (lab names change with leases, and a
#    lab's guests rarely ask one name twice a second).
# Per case and server: the median of N runs of dnsperf -l $BENCH_DNS_SECONDS
# (queries/s, average and max latency as dnsperf prints them), the servers
# taking turns run after run, and the server's peak RSS (VmHWM, the
# largest after a run). Prints numbers; asserts none.
# Needs root; everything runs in the bench's own namespaces.
#   BENCH_RUNS=N          runs per case and server (default 3)
#   BENCH_DNS_SECONDS=S   length of one dnsperf run (default 5)
#   BENCH_DNS_NAMES=N     distinct forwarded names (default 1000)
#   BENCH_DNS_CLIENTS=N   dnsperf -c (default 4); outstanding -q 100
#   BENCH_DNS_SERVERS=LIST  which, in order (default "labinit dnsmasq dnsmasq-nocache")
#   LABINIT=path          the binary (default build/labinit)
set -eu
REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/tests/bench/lib.sh"
LABINIT=${LABINIT:-$REPO/build/labinit}
RUNS=${BENCH_RUNS:-3}
SECS=${BENCH_DNS_SECONDS:-5}
NAMES=${BENCH_DNS_NAMES:-1000}
CLIENTS=${BENCH_DNS_CLIENTS:-4}
NS=ndn-$$
H=$NS-h O=$NS-o C=$NS-c

[ "$(id -u)" = 0 ] || { echo "dns bench: needs root (network namespaces)" >&2; exit 1; }
for c in ip dnsperf dnsmasq awk sort; do
	command -v $c > /dev/null || { echo "dns bench: needs $c (make deps)" >&2; exit 1; }
done
[ -x "$LABINIT" ] || { echo "dns bench: $LABINIT missing: make all" >&2; exit 1; }
WORK=$(mktemp -d /tmp/dns-bench.XXXXXX)
SPID="" UPID=""
cleanup() {
	for p in $SPID $UPID; do kill "$p" 2> /dev/null || true; done
	for n in "$H" "$O" "$C"; do ip netns del "$n" 2> /dev/null || true; done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap "exit 1" INT TERM HUP

ip netns add "$H"
ip netns add "$O"
ip netns add "$C"
for n in "$H" "$O" "$C"; do ip -n "$n" link set lo up; done
ip link add "du$$" netns "$H" type veth peer name "do$$" netns "$O"
ip -n "$H" link set "du$$" name eth0
ip -n "$O" link set "do$$" name eth0
ip -n "$O" addr add 172.30.0.1/24 dev eth0
ip -n "$O" link set eth0 up

mkdir -p "$WORK/files/guests/demo"
: > "$WORK/files/guests/demo/vmlinux"
{
	cat <<EOP
CONFIG_PROFILE_NAME="dns-bench"
CONFIG_HOSTNAME="labhost"
CONFIG_FILES_DIR="$WORK/files"
# CONFIG_UPLINK_DHCP is not set
CONFIG_UPLINK_STATIC=y
CONFIG_UPLINK_ADDRESS="172.30.0.2/24"
CONFIG_UPLINK_GATEWAY="172.30.0.1"
CONFIG_UPLINK_DNS="172.30.0.1"
EOP
	for i in 1 2 3 4 5 6 7 8; do
		printf 'CONFIG_GUEST%d=y\nCONFIG_GUEST%d_KERNEL="guests/demo/vmlinux"\nCONFIG_GUEST%d_IP="10.77.0.%d"\n' \
			"$i" "$i" "$i" $((10 + i))
	done
} > "$WORK/profile"
ip netns exec "$H" "$LABINIT" up --config "$WORK/profile" > "$WORK/up.log" 2>&1 ||
	{ cat "$WORK/up.log" >&2; echo "dns bench: labinit up failed" >&2; exit 1; }
ip link add "dc$$" netns "$H" type veth peer name eth0 netns "$C"
ip -n "$H" link set "dc$$" master virbr0 up
ip -n "$C" addr add 10.77.0.50/24 dev eth0
ip -n "$C" link set eth0 up

# The outside resolver: every name under example.test.
ip netns exec "$O" dnsmasq --keep-in-foreground --conf-file=/dev/null --user=root --group=root --port=53 \
	--listen-address=172.30.0.1 --bind-interfaces --no-resolv --no-hosts --pid-file= \
	--address=/example.test/192.0.2.7 > "$WORK/upstream.log" 2>&1 &
UPID=$!

for i in 1 2 3 4 5 6 7 8; do echo "vm$i A"; done > "$WORK/q.local"
i=1
while [ "$i" -le "$NAMES" ]; do
	echo "n$i.example.test A"
	i=$((i + 1))
done > "$WORK/q.fwd"

# start NAME: the server NAME in the lab host namespace; SPID its pid.
start() {
	case $1 in
	labinit)
		ip netns exec "$H" "$LABINIT" dns --config "$WORK/profile" > "$WORK/srv.log" 2>&1 & ;;
	dnsmasq*)
		cache=150
		[ "$1" = dnsmasq ] || cache=0
		ip netns exec "$H" dnsmasq --keep-in-foreground --conf-file=/dev/null --user=root --group=root \
			--port=53 --listen-address=10.77.0.1 --bind-interfaces --no-resolv --no-hosts --pid-file= \
			--server=172.30.0.1 --cache-size=$cache --domain=lab --local=/lab/ \
			$(for i in 1 2 3 4 5 6 7 8; do echo "--host-record=vm$i,vm$i.lab,10.77.0.$((10 + i))"; done) \
			> "$WORK/srv.log" 2>&1 & ;;
	esac
	SPID=$!
	n=0
	until ip netns exec "$C" dnsperf -s 10.77.0.1 -d "$WORK/q.local" -n 1 -t 1 2> /dev/null |
		grep -q 'Queries completed: *8 '; do
		n=$((n + 1))
		[ "$n" -lt 50 ] || { cat "$WORK/srv.log" >&2; echo "dns bench: $1 does not answer" >&2; exit 1; }
		sleep 0.2
	done
}

stop() {
	kill "$SPID" 2> /dev/null || true
	wait "$SPID" 2> /dev/null || true
	SPID=""
}

# perf CASE: one dnsperf run; prints "qps avg_ms max_ms lost".
perf() {
	ip netns exec "$C" dnsperf -s 10.77.0.1 -d "$WORK/q.$1" -l "$SECS" -c "$CLIENTS" -q 100 -t 2 2>&1 |
		awk '/Queries lost:/ { lost = $3 }
		     /Queries per second:/ { qps = $4 }
		     /Average Latency/ { avg = $4 * 1000; max = $8 + 0; max *= 1000 }
		     END { printf "%.0f %.3f %.1f %s\n", qps, avg, max, lost }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "dns bench: dnsperf -l $SECS -c $CLIENTS -q 100, $RUNS runs per case; medians"
echo "  local: 8 lab names; forwarded: $NAMES names answered by an upstream dnsmasq"
printf '%-22s %-10s %10s %10s %10s %8s\n' server case "queries/s" "avg ms" "max ms" "lost"
SERVERS=${BENCH_DNS_SERVERS:-labinit dnsmasq dnsmasq-nocache}
# Round after round, each server in turn (started afresh each round), so
# that the machine's other work weighs on all of them alike.
r=0
while [ "$r" -lt "$RUNS" ]; do
	for srv in $SERVERS; do
		start "$srv"
		for c in local fwd; do
			perf "$c" >> "$WORK/r.$srv.$c"
		done
		hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$SPID/status" 2> /dev/null || echo 0)
		echo "$hwm" >> "$WORK/hwm.$srv"
		stop
	done
	r=$((r + 1))
done
rss=""
for srv in $SERVERS; do
	for c in local fwd; do
		q=$(awk '{ print $1 }' "$WORK/r.$srv.$c" | median)
		a=$(awk '{ print $2 }' "$WORK/r.$srv.$c" | median)
		m=$(awk '{ print $3 }' "$WORK/r.$srv.$c" | median)
		l=$(awk '{ print $4 }' "$WORK/r.$srv.$c" | median)
		printf '%-22s %-10s %10s %10s %10s %8s\n' "$srv" "$c" "$q" "$a" "$m" "$l"
		echo "$q" > "$WORK/qps.$srv.$c"
	done
	sort -n "$WORK/hwm.$srv" | tail -n 1 > "$WORK/rss.$srv"
	rss="$rss $srv=$(cat "$WORK/rss.$srv")KiB"
done
echo "peak RSS (VmHWM):$rss"
[ -f "$WORK/qps.dnsmasq-nocache.fwd" ] || exit 0 # not the three servers: no summary
v=$(dnsmasq --version | awk 'NR == 1 { print $3 }')
summary_row "DNS, lab names, dnsperf -c $CLIENTS -q 100 (median of $RUNS × $SECS s)" "queries/s" higher "$(cat "$WORK/qps.labinit.local")" "dnsmasq $v" "$(cat "$WORK/qps.dnsmasq.local")"
summary_row "DNS, $NAMES forwarded names" "queries/s" higher "$(cat "$WORK/qps.labinit.fwd")" "dnsmasq $v, cache 150" "$(cat "$WORK/qps.dnsmasq.fwd")"
summary_row "DNS, $NAMES forwarded names" "queries/s" higher "$(cat "$WORK/qps.labinit.fwd")" "dnsmasq $v, no cache" "$(cat "$WORK/qps.dnsmasq-nocache.fwd")"
summary_row "DNS server peak RSS" KiB lower "$(cat "$WORK/rss.labinit")" "dnsmasq $v" "$(cat "$WORK/rss.dnsmasq")"
