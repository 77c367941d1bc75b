# Shared by the network tests: every namespace a test makes is named with the
# test's pid and removed on exit, with the processes the test started, by PID.
# Nothing here touches the machine's own network namespace.
set -eu
REPO=$(cd "$(dirname "$0")/../.." && pwd)
LABINIT=${LABINIT:-$REPO/build/labinit}
# Per run: two runs of one test must not share files.
WORK=$REPO/build/net-tests/$(basename "$0" .sh).$$
BB=$(command -v busybox)
PIDS=""

[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
command -v ip > /dev/null || { echo "needs iproute2"; exit 77; }
rm -rf "$WORK"
mkdir -p "$WORK"
# Namespaces are recorded in a file: ns_add runs inside $(...), a subshell.
NETNS_FILE=$WORK/netns.list
: > "$NETNS_FILE"

fail() { echo "FAIL: $*" >&2; exit 1; }

cleanup() {
	rc=$?
	for p in $PIDS; do kill "$p" 2> /dev/null || true; done
	# Processes the test started indirectly inside its own namespaces (a
	# DHCP client labinit up left in the background), by PID.
	for n in $(cat "$NETNS_FILE" 2> /dev/null); do
		for p in $(ip netns pids "$n" 2> /dev/null); do kill "$p" 2> /dev/null || true; done
	done
	for n in $(cat "$NETNS_FILE" 2> /dev/null); do ip netns del "$n" 2> /dev/null || true; done
	[ "$rc" = 0 ] && rm -rf "$WORK"
	return 0
}
trap cleanup EXIT INT TERM

# ns NAME: create a namespace named NAME-$$ and print its name.
ns_add() {
	n="$1-$$"
	ip netns add "$n"
	echo "$n" >> "$NETNS_FILE"
	ip -n "$n" link set lo up
	echo "$n"
}

in_ns() { n=$1; shift; ip netns exec "$n" "$@"; }

# bg NS CMD...: start CMD in NS in the background, remember its pid.
bg() { n=$1; shift; ip netns exec "$n" "$@" > "$WORK/bg.$$.$(date +%s%N).log" 2>&1 & PIDS="$PIDS $!"; }

# A lab host namespace with an uplink veth to an "outside" namespace:
#   outside eth0 172.30.0.1/24  <->  host eth0 (uplink)
make_host_and_outside() {
	HOST=$(ns_add lh)
	OUT=$(ns_add lo)
	ip link add "up$$" netns "$HOST" type veth peer name "out$$" netns "$OUT"
	ip -n "$HOST" link set "up$$" name eth0
	ip -n "$OUT" link set "out$$" name eth0
	ip -n "$OUT" addr add 172.30.0.1/24 dev eth0
	ip -n "$OUT" link set eth0 up
}

# guest NAME ADDR: a namespace on the lab bridge through a veth pair, standing
# in for a tap; default route via the lab gateway.
make_guest() {
	g=$(ns_add "$1")
	ip link add "g$1$$" netns "$HOST" type veth peer name eth0 netns "$g"
	ip -n "$HOST" link set "g$1$$" master virbr0 up
	ip -n "$g" addr add "$2/24" dev eth0
	ip -n "$g" link set eth0 up
	ip -n "$g" route add default via 10.77.0.1
	echo "$g"
}

# Fake guest files, so profiles with guests validate.
make_guest_files() {
	mkdir -p "$WORK/files/guests/demo"
	: > "$WORK/files/guests/demo/vmlinux"
	: > "$WORK/files/guests/demo/initramfs.cpio.gz"
}

# wait_for SECONDS CMD...: poll until CMD succeeds.
wait_for() {
	t=$1; shift
	i=0
	while ! "$@" > /dev/null 2>&1; do
		i=$((i + 1))
		[ $i -gt $((t * 10)) ] && return 1
		sleep 0.1
	done
}
