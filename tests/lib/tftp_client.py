#!/usr/bin/env python3
"""A raw TFTP client for the server's tests (tests/net/test_tftp.sh): the
cases real clients cannot make -- an ACK withheld, a client that vanishes,
sessions held open, requests the server must refuse. Prints one line of
result; exits 1 on anything unexpected.

  tftp_client.py HOST error FILE [MODE [OP]]   -> "ERROR code msg" | "DATA" | "OACK"
  tftp_client.py HOST retrans FILE OUT         -> fetches FILE with ACKs withheld twice
  tftp_client.py HOST vanish FILE              -> ACKs 3 blocks, then goes silent for 9 s
  tftp_client.py HOST hold FILE N SECONDS      -> N transfers that never ACK; prints their first packets
"""
import socket
import struct
import sys
import time

PORT = 69


def rrq(name, mode="octet", op=1, opts=()):
    b = struct.pack("!H", op) + name.encode() + b"\0" + mode.encode() + b"\0"
    for k, v in opts:
        b += k.encode() + b"\0" + str(v).encode() + b"\0"
    return b


def sock(timeout=5.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    return s


def describe(pkt):
    op = struct.unpack("!H", pkt[:2])[0]
    if op == 5:
        code = struct.unpack("!H", pkt[2:4])[0]
        return "ERROR %d %s" % (code, pkt[4:].rstrip(b"\0").decode(errors="replace"))
    return {3: "DATA", 6: "OACK"}.get(op, "OP%d" % op)


def error(host, name, mode="octet", op="1"):
    s = sock()
    s.sendto(rrq(name, mode, int(op)), (host, PORT))
    pkt, _ = s.recvfrom(70000)
    print(describe(pkt))


def ack(s, peer, block):
    s.sendto(struct.pack("!HH", 4, block & 0xFFFF), peer)


def recv_data(s, expect_peer=None):
    pkt, peer = s.recvfrom(70000)
    if expect_peer and peer != expect_peer:
        raise SystemExit("packet from %s, not the transfer's %s" % (peer, expect_peer))
    op, block = struct.unpack("!HH", pkt[:4])
    if op != 3:
        raise SystemExit("expected DATA, got %s" % describe(pkt))
    return block, pkt[4:], peer


def retrans(host, name, out):
    """No options (512-octet blocks, 1 s timeout). Block 1 and block 3 are
    not ACKed: the server must send the same block again, from the same
    port, after its timeout and not before half of it."""
    s = sock(4.0)
    s.sendto(rrq(name), (host, PORT))
    data = bytearray()
    withheld = {1: False, 3: False}
    block, payload, peer = recv_data(s)
    want = 1
    while True:
        if block != (want & 0xFFFF):
            # a retransmission of the previous block after our late ACK: ignore
            block, payload, _ = recv_data(s, peer)
            continue
        if want in withheld and not withheld[want]:
            withheld[want] = True
            t0 = time.monotonic()
            again, payload2, _ = recv_data(s, peer)
            waited = time.monotonic() - t0
            if again != block or payload2 != payload:
                raise SystemExit("after a withheld ACK of %d: block %d" % (want, again))
            if waited < 0.5:
                raise SystemExit("block %d resent after %.2f s: too early" % (want, waited))
            print("block %d resent after %.2f s" % (want, waited))
        data += payload
        ack(s, peer, want)
        if len(payload) < 512:
            break
        want += 1
        block, payload, _ = recv_data(s, peer)
    with open(out, "wb") as f:
        f.write(data)


def vanish(host, name):
    s = sock()
    s.sendto(rrq(name, opts=(("timeout", 1),)), (host, PORT))
    pkt, peer = s.recvfrom(70000)
    if describe(pkt) != "OACK":
        raise SystemExit("expected OACK, got " + describe(pkt))
    ack(s, peer, 0)
    for want in (1, 2, 3):
        block, _, _ = recv_data(s, peer)
        if block != want:
            raise SystemExit("block %d, not %d" % (block, want))
        ack(s, peer, want)
    print("vanished after block 3 from port %d" % peer[1])
    sys.stdout.flush()
    # gone without a trace: the socket stays open (no ICMP port
    # unreachable) and nothing is read, while the server retransmits
    time.sleep(9)


def hold(host, name, n, seconds):
    socks = []
    for _ in range(int(n)):
        s = sock()
        s.sendto(rrq(name), (host, PORT))
        socks.append(s)
    for s in socks:
        pkt, _ = s.recvfrom(70000)
        print(describe(pkt))
    sys.stdout.flush()
    time.sleep(float(seconds))


def main():
    host, cmd, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    {"error": error, "retrans": retrans, "vanish": vanish, "hold": hold}[cmd](host, *args)


if __name__ == "__main__":
    main()
