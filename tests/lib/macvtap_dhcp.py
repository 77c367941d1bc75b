#!/usr/bin/env python3
# A guest's side of a macvtap NIC, for tests/net/test_macvtap.sh: opens the
# link's character device (/dev/tapN made from sysfs, as labinit does),
# sends a DHCP DISCOVER from the NIC's MAC and waits for the LAN server's
# OFFER. Prints "offer ADDRESS" and exits 0, or exits 1.
import fcntl, os, select, struct, sys, time

TUNSETIFF, IFF_TAP, IFF_NO_PI = 0x400454CA, 0x0002, 0x1000

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF

def discover(mac, xid):
    bootp = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, xid, 0, 0x8000, b"\0" * 4, b"\0" * 4,
                        b"\0" * 4, b"\0" * 4, mac + b"\0" * 10, b"", b"")
    bootp += bytes([99, 130, 83, 99, 53, 1, 1, 255])
    udp = struct.pack("!HHHH", 68, 67, 8 + len(bootp), 0) + bootp  # checksum 0: none (RFC 768)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, b"\0" * 4, b"\xff" * 4)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return b"\xff" * 6 + mac + b"\x08\x00" + ip + udp

def offer(frame, xid):
    if len(frame) < 14 + 20 + 8 + 240 or frame[12:14] != b"\x08\x00" or frame[23] != 17:
        return None
    ihl = (frame[14] & 15) * 4
    udp = 14 + ihl
    if struct.unpack("!H", frame[udp + 2:udp + 4])[0] != 68:
        return None
    b = frame[udp + 8:]
    if b[0] != 2 or struct.unpack("!I", b[4:8])[0] != xid:
        return None
    return ".".join(str(x) for x in b[16:20])

def main():
    name, mac = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", ""))
    ifindex = int(open("/sys/class/net/%s/ifindex" % name).read())
    major, minor = open("/sys/class/net/%s/macvtap/tap%d/dev" % (name, ifindex)).read().strip().split(":")
    node = sys.argv[3]
    os.mknod(node, 0o600 | 0o020000, os.makedev(int(major), int(minor)))
    fd = os.open(node, os.O_RDWR)
    os.unlink(node)
    # bare frames: no virtio-net header in front (the default on a macvtap)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", b"", IFF_TAP | IFF_NO_PI))
    xid = 0x4C414231
    deadline = time.time() + 10
    while time.time() < deadline:
        os.write(fd, discover(mac, xid))
        end = time.time() + 1
        while time.time() < end:
            if not select.select([fd], [], [], max(0, end - time.time()))[0]:
                break
            got = offer(os.read(fd, 65536), xid)
            if got:
                print("offer", got)
                return 0
    return 1

sys.exit(main())
