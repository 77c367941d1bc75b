#!/bin/sh
# Traffic through the lab network labinit set up: guests reach the outside
# through NAT (the outside sees the uplink's address), guests reach each
# other, the outside cannot reach a guest except through a port forward.
# Guests are namespaces on veth pairs standing in for taps.
. "$(dirname "$0")/../lib/net.sh"
make_host_and_outside
cat > "$WORK/profile" <<EOC
CONFIG_PROFILE_NAME="traffic"
# CONFIG_UPLINK_DHCP is not set
CONFIG_UPLINK_STATIC=y
CONFIG_UPLINK_ADDRESS="172.30.0.2/24"
CONFIG_UPLINK_GATEWAY="172.30.0.1"
CONFIG_NAT_PORT_FORWARDS="tcp:8080:10.77.0.50:80 udp:5353:10.77.0.50:53 tcp:8082:10.77.0.50:80@172.30.0.2 tcp:8083:10.77.0.50:80@172.30.0.3"
EOC
in_ns "$HOST" "$LABINIT" up --config "$WORK/profile" > "$WORK/up.log" 2>&1 || { cat "$WORK/up.log"; t_fail "up failed"; }
GA=$(make_guest ga 10.77.0.50)
GB=$(make_guest gb 10.77.0.51)

# The outside: a web server whose CGI prints the caller's address.
mkdir -p "$WORK/www-out/cgi-bin" "$WORK/www-ga" "$WORK/www-gb"
cat > "$WORK/www-out/cgi-bin/addr" <<'EOS'
#!/bin/sh
# busybox httpd listens dual-stack: REMOTE_ADDR is [::ffff:a.b.c.d]
a=${REMOTE_ADDR#"[::ffff:"}
printf 'Content-Type: text/plain\r\n\r\n%s\n' "${a%]}"
EOS
chmod +x "$WORK/www-out/cgi-bin/addr"
echo guest-a > "$WORK/www-ga/index.html"
echo guest-b > "$WORK/www-gb/index.html"
bg "$OUT" "$BB" httpd -f -p 80 -h "$WORK/www-out"
bg "$GA" "$BB" httpd -f -p 80 -h "$WORK/www-ga"
bg "$GB" "$BB" httpd -f -p 80 -h "$WORK/www-gb"
get() { in_ns "$1" curl -sf -m 3 "$2"; }
t_wait_for 10 get "$OUT" http://127.0.0.1/cgi-bin/addr || t_fail "outside web server did not start"
t_wait_for 10 get "$GA" http://127.0.0.1/ || t_fail "guest web server did not start"

# Guest -> outside: ping and TCP, seen from the uplink's address.
in_ns "$GA" "$BB" ping -c 1 -W 3 172.30.0.1 > /dev/null || t_fail "guest cannot ping the outside"
seen=$(get "$GA" http://172.30.0.1/cgi-bin/addr) || t_fail "guest cannot reach the outside over TCP"
[ "$seen" = 172.30.0.2 ] || t_fail "outside saw $seen, wanted the uplink address 172.30.0.2 (no masquerade?)"

# Guest <-> guest.
in_ns "$GA" "$BB" ping -c 1 -W 3 10.77.0.51 > /dev/null || t_fail "guest a cannot ping guest b"
[ "$(get "$GA" http://10.77.0.51/)" = guest-b ] || t_fail "guest a cannot reach guest b over TCP"

# Outside -> guest directly: rejected, even with a route to the lab.
in_ns "$OUT" ip route add 10.77.0.0/24 via 172.30.0.2
if get "$OUT" http://10.77.0.51/ > /dev/null 2>&1; then t_fail "the outside reached a guest without a port forward"; fi
if in_ns "$OUT" "$BB" ping -c 1 -W 2 10.77.0.51 > /dev/null 2>&1; then t_fail "the outside pinged a guest"; fi

# Outside -> uplink:8080 -> guest a:80 through the port forward.
[ "$(get "$OUT" http://172.30.0.2:8080/)" = guest-a ] || t_fail "port forward 8080 -> 10.77.0.50:80 does not work"
# The same forward from the lab host itself (output path), and from guest
# b to the uplink's address (hairpin): guest a answers, and sees the
# hairpin connection come from the gateway, so its answer goes back
# through the host.
[ "$(get "$HOST" http://172.30.0.2:8080/)" = guest-a ] || t_fail "the forward does not work from the host itself"
mkdir -p "$WORK/www-ga/cgi-bin"
cp "$WORK/www-out/cgi-bin/addr" "$WORK/www-ga/cgi-bin/addr"
seen=$(get "$GB" http://172.30.0.2:8080/cgi-bin/addr) || t_fail "the forward does not work from another guest (hairpin)"
[ "$seen" = 10.77.0.1 ] || t_fail "guest a saw the hairpin connection from $seen, wanted the gateway 10.77.0.1"
# A forward answers at the host's own addresses only: a connection through
# the host to guest b's port 8080 keeps its destination.
bg "$GB" "$BB" httpd -f -p 8080 -h "$WORK/www-gb"
t_wait_for 10 get "$GB" http://127.0.0.1:8080/ > /dev/null || t_fail "guest b's second web server did not start"
[ "$(get "$GA" http://10.77.0.51:8080/)" = guest-b ] || t_fail "a guest-to-guest connection to port 8080 was forwarded"

# Forwards bound to one address answer there only: 8082 at the uplink's
# address; 8083 at 172.30.0.3, which the host also has, not at .2.
in_ns "$HOST" ip addr add 172.30.0.3/32 dev eth0
[ "$(get "$OUT" http://172.30.0.2:8082/)" = guest-a ] || t_fail "the forward bound to 172.30.0.2 does not work"
[ "$(get "$OUT" http://172.30.0.3:8083/)" = guest-a ] || t_fail "the forward bound to 172.30.0.3 does not work"
get "$OUT" http://172.30.0.2:8083/ > /dev/null 2>&1 && t_fail "the forward bound to 172.30.0.3 answered at 172.30.0.2"
in_ns "$HOST" ip addr del 172.30.0.3/32 dev eth0

# The UDP forward, the same three ways: guest a's UDP server answers with
# the address it saw.
if command -v socat > /dev/null; then
	bg "$GA" socat UDP4-RECVFROM:53,fork SYSTEM:'echo "guest-a-udp $SOCAT_PEERADDR"'
	# UDP may lose a datagram on a loaded machine: up to three tries.
	udp() {
		for _ in 1 2 3; do
			a=$(in_ns "$1" sh -c "echo ping | socat -t 3 - UDP4:$2" 2>"$WORK/udp.err") && [ -n "$a" ] && break; cat "$WORK/udp.err" >&2
		done
		echo "$a"
	}
	t_wait_for 10 sh -c "ip netns exec $GA sh -c 'echo x | socat -t 1 - UDP4:127.0.0.1:53' | grep -q guest-a-udp" ||
		t_fail "guest a's UDP server did not start"
	[ "$(udp "$OUT" 172.30.0.2:5353)" = "guest-a-udp 172.30.0.1" ] || t_fail "the UDP forward from the outside: $(udp "$OUT" 172.30.0.2:5353)"
	case $(udp "$HOST" 172.30.0.2:5353) in "guest-a-udp "*) ;; *) t_fail "the UDP forward from the host does not work" ;; esac
	[ "$(udp "$GB" 172.30.0.2:5353)" = "guest-a-udp 10.77.0.1" ] || t_fail "the UDP hairpin: $(udp "$GB" 172.30.0.2:5353)"
else
	t_fail "socat is missing (make deps installs it)"
fi

# A guest may not open new connections to the host itself, except DNS/DHCP.
bg "$HOST" "$BB" httpd -p 10.77.0.1:8081 -h "$WORK/www-gb" -f
t_wait_for 5 get "$HOST" http://10.77.0.1:8081/ || t_fail "host test server did not start"
if get "$GA" http://10.77.0.1:8081/ > /dev/null 2>&1; then t_fail "a guest opened a new connection to the host"; fi
in_ns "$GA" "$BB" ping -c 1 -W 3 10.77.0.1 > /dev/null || t_fail "a guest cannot ping its gateway"
echo "traffic ok"
