#!/bin/sh
# labinit impair against the kernel's netem: two namespaces joined by a veth
# pair; delay=100ms moves the ping RTT up by about 100 ms and tc reads the
# netem back; loss=50% loses some but not all of 40 pings, and replaces the
# delay (nothing of the old netem stays); the full example spec reads back
# item by item; off removes the netem and leaves a root qdisc that is not
# ours alone; a bad spec or interface is refused with exit 2 naming it.
# Where the kernel has no netem (CONFIG_NET_SCH_NETEM, module sch_netem),
# the test runs again under Debian's UML kernel, which has it as a module
# (tests/lib/uml.sh); without that, it skips.
. "$(dirname "$0")/../lib/net.sh"
. "$T_REPO/tests/lib/uml.sh"
t_need tc iproute2

A=$(t_netns_add na)
B=$(t_netns_add nb)
ip link add "na$$" netns "$A" type veth peer name "nb$$" netns "$B"
ip -n "$A" link set "na$$" name veth0
ip -n "$B" link set "nb$$" name veth0
ip -n "$A" addr add 10.99.0.1/24 dev veth0
ip -n "$B" addr add 10.99.0.2/24 dev veth0
ip -n "$A" link set veth0 up
ip -n "$B" link set veth0 up

# netem present? The kernel loads sch_netem by itself when it can.
if ! in_ns "$A" tc qdisc add dev lo root netem delay 1ms 2> /dev/null; then
	modprobe -q sch_netem 2> /dev/null || true
	if ! in_ns "$A" tc qdisc add dev lo root netem delay 1ms 2> /dev/null; then
		t_uml_rerun sch_netem veth sch_tbf
		t_skip "the kernel has no netem (CONFIG_NET_SCH_NETEM, module sch_netem), and no UML kernel ($T_UML) has it"
	fi
fi
in_ns "$A" tc qdisc del dev lo root

impair() { in_ns "$A" "$LABINIT" impair "$@"; }
qdisc() { in_ns "$A" tc qdisc show dev veth0; }

# avg_rtt COUNT: mean RTT in ms of COUNT pings 0.05 s apart (busybox:
# "round-trip min/avg/max = 0.041/0.062/0.104 ms").
avg_rtt() {
	in_ns "$A" "$BB" ping -q -c "$1" -i 0.05 -W 5 10.99.0.2 |
		sed -n 's|^round-trip min/avg/max = [0-9.]*/\([0-9.]*\)/.*|\1|p'
}
# received COUNT: how many of COUNT pings came back.
received() {
	in_ns "$A" "$BB" ping -q -c "$1" -i 0.05 -W 2 10.99.0.2 |
		sed -n 's|^[0-9]* packets transmitted, \([0-9]*\) packets received.*|\1|p'
}

in_ns "$A" "$BB" ping -c 1 -W 3 10.99.0.2 > /dev/null || t_fail "the namespaces do not reach each other"
before=$(avg_rtt 20)
[ -n "$before" ] || t_fail "no RTT before"
out=$(impair veth0 off) || t_fail "off on a link with no netem failed"
[ "$out" = "impair veth0: off" ] || t_fail "off printed: $out"

# delay
out=$(impair veth0 delay=100ms) || t_fail "impair delay=100ms failed"
[ "$out" = "impair veth0: delay 100ms" ] || t_fail "impair printed: $out"
qdisc | grep -Eq '^qdisc netem [0-9a-f]+: root .*delay 100(\.0)?ms' || t_fail "tc reads back: $(qdisc)"
[ "$(impair veth0)" = "impair veth0: delay 100ms" ] || t_fail "the setting shown: $(impair veth0)"
after=$(avg_rtt 20)
t_log "mean RTT: $before ms before, $after ms with delay=100ms"
awk -v a="$before" -v b="$after" 'BEGIN { exit !(b - a > 80) }' || t_fail "delay=100ms: RTT $before -> $after ms"

# loss, replacing the delay
out=$(impair veth0 loss=50%) || t_fail "impair loss=50% failed"
[ "$out" = "impair veth0: loss 50%" ] || t_fail "impair printed: $out"
qdisc | grep -q 'netem.* loss 50%' || t_fail "tc reads back: $(qdisc)"
qdisc | grep -q 'delay' && t_fail "the delay stayed: $(qdisc)"
n=$(received 40)
t_log "loss=50%: $n of 40 pings came back"
[ -n "$n" ] && [ "$n" -gt 0 ] && [ "$n" -lt 40 ] || t_fail "loss=50%: ${n:-?} of 40 pings came back"

# everything at once, in the space-separated form
out=$(impair veth0 delay 20ms jitter 5ms loss 1% duplicate 0.5% reorder 25% rate 10mbit limit 500) ||
	t_fail "the full spec failed"
[ "$out" = "impair veth0: delay 20ms jitter 5ms loss 1% duplicate 0.5% reorder 25% rate 10mbit limit 500" ] ||
	t_fail "impair printed: $out"
q=$(qdisc)
for want in 'limit 500' 'delay 20(\.0)?ms +5(\.0)?ms' 'loss 1%' 'duplicate 0.5%' 'reorder 25%' 'rate 10Mbit'; do
	printf '%s\n' "$q" | grep -Eq "$want" || t_error "tc lacks \"$want\": $q"
done

# off
out=$(impair veth0 off) || t_fail "impair off failed"
[ "$out" = "impair veth0: off" ] || t_fail "off printed: $out"
qdisc | grep -q netem && t_fail "netem left after off: $(qdisc)"
impair veth0 off > /dev/null || t_fail "a second off failed"
avg=$(avg_rtt 10)
awk -v a="$avg" 'BEGIN { exit !(a < 50) }' || t_fail "RTT after off: $avg ms"

# a root qdisc that is not netem is not ours to remove; a spec replaces it
if in_ns "$A" tc qdisc add dev veth0 root tbf rate 1mbit burst 32kbit latency 400ms 2> /dev/null; then
	[ "$(impair veth0 off)" = "impair veth0: off" ] || t_error "off over tbf printed: $(impair veth0 off)"
	qdisc | grep -q '^qdisc tbf' || t_error "off removed a tbf root: $(qdisc)"
	impair veth0 delay=1ms > /dev/null || t_error "delay=1ms over a tbf root failed"
	qdisc | grep -q '^qdisc netem' || t_error "netem did not replace tbf: $(qdisc)"
	impair veth0 off > /dev/null
else
	t_log "no tbf in this kernel: the foreign-root case is not tried"
fi

# refusals: exit 2 and the bad item named
refused() { # WANT ARGS...: exit 2 and WANT in the message
	want=$1
	shift
	rc=0
	msg=$(impair "$@" 2>&1) || rc=$?
	[ "$rc" = 2 ] || t_error "impair $*: exit $rc, not 2 ($msg)"
	printf '%s\n' "$msg" | grep -qF -- "$want" || t_error "impair $*: \"$msg\" lacks \"$want\""
}
refused 'delay=20xs' veth0 delay=20xs
refused 'colour' veth0 colour=blue
refused 'reorder needs a delay' veth0 reorder=25%
refused 'loss=150%' veth0 loss=150%
refused 'no such interface' nosuch0 delay=1ms
refused 'usage' 
qdisc | grep -q netem && t_error "a refused spec left a netem: $(qdisc)"
t_exit
