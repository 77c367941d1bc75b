# The network tests' fixtures (sourced by tests/net/test_*.sh, after
# tests/lib/lib.sh which this sources): a lab host namespace with an uplink
# to an "outside" one, guests standing in for taps, fake guest files. Every
# namespace is named with the test's pid and removed on exit, with the
# processes the test started, by PID. Nothing here touches the machine's
# own network namespace.
. "$(dirname "$0")/../lib/lib.sh"
set -eu
REPO=$T_REPO
# Per run: two runs of one test must not share files.
WORK=$REPO/build/net-tests/$T_NAME.$$
BB=$(command -v busybox)

t_need_root
t_need ip iproute2
rm -rf "$WORK"
mkdir -p "$WORK"
t_defer '[ "$T_EXIT_STATUS" != 0 ] || rm -rf "$WORK"'

in_ns() { n=$1; shift; ip netns exec "$n" "$@"; }

# bg NS CMD...: start CMD in NS in the background, killed on exit.
bg() { n=$1; shift; ip netns exec "$n" "$@" > "$WORK/bg.$$.$(date +%s%N).log" 2>&1 & t_track $!; }

# A lab host namespace with an uplink veth to an "outside" namespace:
#   outside eth0 172.30.0.1/24  <->  host eth0 (uplink)
make_host_and_outside() {
	HOST=$(t_netns_add lh)
	OUT=$(t_netns_add lo)
	ip link add "up$$" netns "$HOST" type veth peer name "out$$" netns "$OUT"
	ip -n "$HOST" link set "up$$" name eth0
	ip -n "$OUT" link set "out$$" name eth0
	ip -n "$OUT" addr add 172.30.0.1/24 dev eth0
	ip -n "$OUT" link set eth0 up
}

# guest NAME ADDR: a namespace on the lab bridge through a veth pair, standing
# in for a tap; default route via the lab gateway.
make_guest() {
	g=$(t_netns_add "$1")
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
