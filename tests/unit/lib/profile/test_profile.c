/* The profile: types, ranges, defaults, duplicates, and the validator's
 * cross-key checks. Every case asserts the error names the key and line. */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/profile/profile.h"
#include "t.h"

static char dir[] = "/tmp/labinit-unit-XXXXXX";
static char path[256], kernel[256];

static int load(const char *text, const char *cmdline, struct profile *p, struct diag *d)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
	diag_init(d);
	return profile_load(p, path, cmdline, d);
}

static struct profile *P;

/* Loads text, expects exactly `errors` errors, each string in want[] present. */
static void expect(const char *text, unsigned errors, const char *const want[])
{
	struct diag d;

	load(text, NULL, P, &d);
	CHECK_MSG(d.count == errors, "%u errors, wanted %u, for:\n%s---\n%s", d.count, errors, text,
		  diag_text(&d));
	for (unsigned i = 0; want && want[i]; i++)
		CHECK_MSG(strstr(diag_text(&d), want[i]), "missing \"%s\" in:\n%s", want[i], diag_text(&d));
	diag_free(&d);
	profile_free(P);
}

static void test_defaults_valid(void)
{
	struct diag d;

	diag_init(&d);
	CHECK(profile_load(P, NULL, NULL, &d) == 0);
	CHECK(!strcmp(P->hostname, "lab") && !strcmp(P->bridge_name, "virbr0"));
	CHECK(P->subnet.len == 24 && P->gateway == 0x0a4d0001);
	CHECK(P->range_start == 0x0a4d0002 && P->range_end == 0x0a4d00fe);
	CHECK(P->lease_time == 3600 && P->dhcp && P->dns && P->nat && P->uplink_dhcp);
	CHECK(P->bridge_mac[0] == 0x02 && !(P->bridge_mac[0] & 1));
	diag_free(&d);
	profile_free(P);
}

static void test_types_and_ranges(void)
{
	expect("CONFIG_LOG_LEVEL=9\nCONFIG_NAT=maybe\nCONFIG_DHCP_LEASE_TIME=abc\nCONFIG_LAB_MTU=007\n"
	       "CONFIG_NOPE=y\nCONFIG_GUEST17_NAME=\"x\"\n",
	       6,
	       (const char *const[]){ ":1: CONFIG_LOG_LEVEL: \"9\" is out of range 0..7",
				      ":2: CONFIG_NAT: \"maybe\": expected y or n",
				      ":3: CONFIG_DHCP_LEASE_TIME: \"abc\": expected a decimal number",
				      ":4: CONFIG_LAB_MTU", ":5: CONFIG_NOPE: unknown key",
				      ":6: CONFIG_GUEST17_NAME: unknown key", NULL });
}

static void test_duplicates_keep_first(void)
{
	struct diag d;

	load("CONFIG_HOSTNAME=\"one\"\nCONFIG_HOSTNAME=\"two\"\n", NULL, P, &d);
	CHECK(d.count == 1 && strstr(diag_text(&d), ":2: CONFIG_HOSTNAME: set again (first set at line 1)"));
	CHECK(!strcmp(P->hostname, "one"));
	diag_free(&d);
	profile_free(P);
}

static void test_cmdline_overrides(void)
{
	struct diag d;

	CHECK(load("CONFIG_HOSTNAME=\"one\"\n", "quiet labinit.HOSTNAME=two labinit.CONFIG_LOG_LEVEL=7", P, &d) == 0);
	CHECK(!strcmp(P->hostname, "two") && P->log_level == 7);
	diag_free(&d);
	profile_free(P);
	load("", "labinit.LOG_LEVEL=99", P, &d);
	CHECK(d.count == 1 && strstr(diag_text(&d), "kernel command line: CONFIG_LOG_LEVEL: \"99\" is out of range"));
	diag_free(&d);
	profile_free(P);
}

static void test_gateway_follows_subnet(void)
{
	struct diag d;

	CHECK(load("CONFIG_LAB_SUBNET=\"10.78.0.0/16\"\n", NULL, P, &d) == 0);
	CHECK(P->gateway == 0x0a4e0001 && P->range_start == 0x0a4e0002 && P->range_end == 0x0a4efffe);
	diag_free(&d);
	profile_free(P);
	/* Set explicitly, they do not move. */
	expect("CONFIG_LAB_SUBNET=\"10.78.0.0/16\"\nCONFIG_LAB_GATEWAY=\"10.77.0.1\"\n", 1,
	       (const char *const[]){ ":2: CONFIG_LAB_GATEWAY: 10.77.0.1 is not a host address inside the lab subnet", NULL });
}

static void test_network_checks(void)
{
	expect("CONFIG_LAB_SUBNET=\"10.1.2.3/24\"\nCONFIG_LAB_GATEWAY=\"10.1.2.1\"\n"
	       "CONFIG_DHCP_RANGE_START=\"10.1.2.10\"\nCONFIG_DHCP_RANGE_END=\"10.1.2.50\"\n",
	       1, (const char *const[]){ ":1: CONFIG_LAB_SUBNET: 10.1.2.3/24 has host bits set; did you mean 10.1.2.0/24?", NULL });
	expect("CONFIG_LAB_SUBNET=\"10.0.0.0/33\"\n", 1,
	       (const char *const[]){ ":1: CONFIG_LAB_SUBNET: \"10.0.0.0/33\" is not a subnet", NULL });
	expect("CONFIG_LAB_GATEWAY=\"10.78.0.1\"\nCONFIG_DHCP_RANGE_START=\"10.77.0.200\"\n"
	       "CONFIG_DHCP_RANGE_END=\"10.77.0.255\"\n",
	       2,
	       (const char *const[]){ ":1: CONFIG_LAB_GATEWAY: 10.78.0.1 is not a host address inside the lab subnet",
				      ":3: CONFIG_DHCP_RANGE_END: 10.77.0.255 is not a host address",
				      NULL });
	expect("CONFIG_DHCP_RANGE_START=\"10.77.0.90\"\nCONFIG_DHCP_RANGE_END=\"10.77.0.10\"\n", 1,
	       (const char *const[]){ ":2: CONFIG_DHCP_RANGE_END: 10.77.0.10 is below the range start", NULL });
	expect("CONFIG_BRIDGE_NAME=\"averyveryverylongname\"\nCONFIG_UPLINK_IFNAME=\"a/b\"\n", 2,
	       (const char *const[]){ "CONFIG_BRIDGE_NAME: \"averyveryverylongname\" is 21 characters; interface names have at most 15",
				      "CONFIG_UPLINK_IFNAME: \"a/b\" is not a valid interface name", NULL });
	expect("CONFIG_BRIDGE_STP=y\n", 1,
	       (const char *const[]){ "CONFIG_BRIDGE_FORWARD_DELAY: 0: with STP on the kernel needs 2..30 seconds (default value)", NULL });
	expect("CONFIG_BRIDGE_MAC=\"01:00:5e:00:00:01\"\nCONFIG_DNS_UPSTREAMS=\"1.2.3.4 nope\"\n", 2,
	       (const char *const[]){ "CONFIG_BRIDGE_MAC: 01:00:5e:00:00:01 is a multicast address",
				      "CONFIG_DNS_UPSTREAMS: \"nope\" is not an IPv4 address", NULL });
	expect("# CONFIG_UPLINK_DHCP is not set\nCONFIG_UPLINK_STATIC=y\nCONFIG_UPLINK_ADDRESS=\"10.77.5.2/16\"\n"
	       "CONFIG_UPLINK_GATEWAY=\"10.99.0.1\"\n",
	       2, (const char *const[]){ "CONFIG_UPLINK_GATEWAY: 10.99.0.1 is not inside the uplink's 10.77.5.2/16",
					 "CONFIG_LAB_SUBNET: 10.77.0.0/24 overlaps the uplink's 10.77.5.2/16", NULL });
}

/* BRIDGE_PORTS / NETn_PORTS: the host's NICs for boards, each in one
 * network, never the uplink or a bridge. */
static void test_ports(void)
{
	struct diag d;

	load("CONFIG_BRIDGE_PORTS=\"eth1, eth2\"\nCONFIG_NET2=y\nCONFIG_NET2_PORTS=\"eth3\"\n", NULL, P, &d);
	CHECK_MSG(d.count == 0, "%s", diag_text(&d));
	CHECK(P->nets[0].nports == 2 && !strcmp(P->nets[0].ports[1], "eth2"));
	CHECK(P->nets[1].nports == 1 && !strcmp(P->nets[1].ports[0], "eth3"));
	diag_free(&d);
	profile_free(P);
	expect("CONFIG_BRIDGE_PORTS=\"eth0 virbr1 a/b\"\nCONFIG_NET2=y\nCONFIG_NET2_PORTS=\"eth1 eth1 e1 e2 e3 e4\"\n"
	       "CONFIG_NET3=y\nCONFIG_NET3_BRIDGE=\"eth1\"\n",
	       6,
	       (const char *const[]){ ":1: CONFIG_BRIDGE_PORTS: \"a/b\" is not a valid interface name",
				      ":1: CONFIG_BRIDGE_PORTS: \"eth0\" is the uplink",
				      "CONFIG_NET2_BRIDGE: \"virbr1\" is a port of network 1",
				      ":3: CONFIG_NET2_PORTS: more than 4 ports",
				      ":3: CONFIG_NET2_PORTS: \"eth1\" is already a port of network 2",
				      ":5: CONFIG_NET3_BRIDGE: \"eth1\" is a port of network 2", NULL });
	expect("CONFIG_BRIDGE_PORTS=\"eth0 virbr1\"\nCONFIG_NET2=y\n", 2,
	       (const char *const[]){ ":1: CONFIG_BRIDGE_PORTS: \"eth0\" is the uplink",
				      "CONFIG_NET2_BRIDGE: \"virbr1\" is a port of network 1", NULL });
}

/* A span network: its VXLAN settings parsed, the services auto-off, and
 * each refusal naming its key. */
static void test_span(void)
{
	struct diag d;

	load("CONFIG_NET2=y\nCONFIG_NET2_MODE=\"span\"\nCONFIG_NET2_GATEWAY=\"10.77.1.2\"\n"
	     "CONFIG_NET2_SPAN_PEERS=\"172.30.0.2, 172.30.0.4\"\n",
	     NULL, P, &d);
	CHECK_MSG(d.count == 0, "%s", diag_text(&d));
	CHECK(P->nnets == 2 && P->nets[1].mode == NET_SPAN && !strcmp(P->nets[1].span.dev, "vxvirbr1"));
	CHECK(P->nets[1].span.vni == 2 && P->nets[1].span.port == 4789 && P->nets[1].span.group == 0);
	CHECK(P->nets[1].span.npeers == 2 && P->nets[1].span.peers[1] == 0xac1e0004);
	CHECK(P->nets[1].host_addr && P->nets[1].gateway == 0x0a4d0102);
	CHECK(!P->nets[1].dhcp && !P->nets[1].dns && !P->nets[1].ipv6);
	diag_free(&d);
	profile_free(P);
	expect("CONFIG_NET2=y\nCONFIG_NET2_MODE=\"span\"\nCONFIG_NET2_GATEWAY=\"10.77.1.2\"\n"
	       "CONFIG_NET2_SPAN_GROUP=\"239.1.1.1\"\nCONFIG_NET2_DHCP=\"y\"\n",
	       0, NULL);
	expect("CONFIG_NET1_MODE=\"span\"\n", 1,
	       (const char *const[]){ ":1: CONFIG_NET1_MODE: span: network 1 has the lab's address", NULL });
	expect("CONFIG_NET2=y\nCONFIG_NET2_MODE=\"span\"\nCONFIG_NET2_SPAN_VNI=16777216\n"
	       "CONFIG_NET2_SPAN_GROUP=\"10.1.1.1\"\nCONFIG_NET3=y\nCONFIG_NET3_SPAN_PEERS=\"10.0.0.1\"\n",
	       4,
	       (const char *const[]){ ":3: CONFIG_NET2_SPAN_VNI: \"16777216\" is out of range 1..16777215",
				      ":4: CONFIG_NET2_SPAN_GROUP: 10.1.1.1 is not a multicast address (224.0.0.0/4)",
				      "CONFIG_NET2_GATEWAY: a span network's hosts share its subnet",
				      ":6: CONFIG_NET3_SPAN_PEERS: only a span network", NULL });
	expect("CONFIG_NET2=y\nCONFIG_NET2_MODE=\"span\"\nCONFIG_NET2_GATEWAY=\"10.77.1.2\"\n"
	       "# CONFIG_UPLINK_DHCP is not set\nCONFIG_UPLINK_STATIC=y\nCONFIG_UPLINK_ADDRESS=\"172.30.0.3/24\"\n"
	       "CONFIG_NET2_SPAN_PEERS=\"172.30.0.3 0.1.2.3 255.255.255.255 172.30.0.9 172.30.0.9\"\n"
	       "CONFIG_NET2_BRIDGE=\"bridge-fourteen\"\n",
	       5,
	       (const char *const[]){ "CONFIG_NET2_SPAN_PEERS: 172.30.0.3 is this host's own uplink address",
				      "CONFIG_NET2_SPAN_PEERS: \"0.1.2.3\" is not a unicast IPv4 address",
				      "CONFIG_NET2_SPAN_PEERS: \"255.255.255.255\" is not a unicast",
				      "CONFIG_NET2_SPAN_PEERS: 172.30.0.9 is listed twice",
				      "CONFIG_NET2_BRIDGE: \"bridge-fourteen\": a span network's VXLAN device is vx<BRIDGE>",
				      NULL });
	expect("CONFIG_NET2=y\nCONFIG_NET2_MODE=\"span\"\nCONFIG_NET2_GATEWAY=\"10.77.1.2\"\n", 1,
	       (const char *const[]){ "CONFIG_NET2_SPAN_PEERS: a span network needs exactly one of", NULL });
}

static char *guest_profile(const char *extra)
{
	static char text[4096];

	snprintf(text, sizeof(text),
		 "CONFIG_GUEST1=y\nCONFIG_GUEST1_KERNEL=\"%s\"\nCONFIG_GUEST2=y\nCONFIG_GUEST2_KERNEL=\"%s\"\n%s",
		 kernel, kernel, extra);
	return text;
}

static void test_guests(void)
{
	struct diag d;

	CHECK(load(guest_profile(""), NULL, P, &d) == 0);
	CHECK(P->nguests == 2 && !strcmp(P->guests[0].name, "vm1") && !strcmp(P->guests[1].name, "vm2"));
	CHECK(P->guests[0].mac[0] == 0x52 && P->guests[0].mac[1] == 0x54 && P->guests[0].mac[2] == 0);
	CHECK(memcmp(P->guests[0].mac, P->guests[1].mac, 6) != 0);
	diag_free(&d);
	profile_free(P);

	expect(guest_profile("CONFIG_GUEST2_NAME=\"vm1\"\nCONFIG_GUEST1_MAC=\"52:54:00:aa:bb:cc\"\n"
			     "CONFIG_GUEST2_MAC=\"52:54:00:AA:BB:CC\"\nCONFIG_GUEST1_IP=\"10.77.0.9\"\n"
			     "CONFIG_GUEST2_IP=\"10.77.0.9\"\nCONFIG_GUEST1_GDB_PORT=1234\nCONFIG_GUEST2_GDB_PORT=1234\n"),
	       4,
	       (const char *const[]){ ":5: CONFIG_GUEST2_NAME: \"vm1\" is also the name of guest 1",
				      ":7: CONFIG_GUEST2_MAC: 52:54:00:aa:bb:cc is also the MAC of guest 1",
				      ":9: CONFIG_GUEST2_IP: 10.77.0.9 is also the address of guest 1",
				      ":11: CONFIG_GUEST2_GDB_PORT: port 1234 is also the gdb port of guest 1", NULL });
	expect("CONFIG_GUEST3=y\nCONFIG_GUEST3_KERNEL=\"no/such/bzImage\"\nCONFIG_GUEST4=y\n"
	       "CONFIG_GUEST4_KERNEL=\"/no/vmlinux\"\nCONFIG_GUEST4_NIC=\"ne2000\"\nCONFIG_GUEST4_IP=\"10.77.0.1\"\n"
	       "CONFIG_GUEST4_RESTART=\"sometimes\"\nCONFIG_GUEST4_NAME=\"this-name-is-too-long\"\n",
	       6,
	       (const char *const[]){ ":2: CONFIG_GUEST3_KERNEL: /lab/no/such/bzImage: No such file or directory (relative paths start at CONFIG_FILES_DIR)",
				      ":4: CONFIG_GUEST4_KERNEL: /no/vmlinux: No such file or directory",
				      ":5: CONFIG_GUEST4_NIC: \"ne2000\": expected one of QEMU's NIC models for x86_64: ne2k_pci, i82551, "
				      "i82557b, i82559er, rtl8139, e1000, e1000e, pcnet, vmxnet3 or virtio-net-pci",
				      ":6: CONFIG_GUEST4_IP: 10.77.0.1 is the lab gateway's address",
				      ":7: CONFIG_GUEST4_RESTART: \"sometimes\"",
				      ":8: CONFIG_GUEST4_NAME: \"this-name-is-too-long\"", NULL });
	expect("CONFIG_GUEST5=y\n", 1,
	       (const char *const[]){ "CONFIG_GUEST5_KERNEL: a guest needs a kernel (bzImage or vmlinux; an Image on aarch64 and riscv64) (default value)", NULL });

	/* Only files that do not exist make PID 1 wait for a lab disk. */
	load("CONFIG_GUEST3=y\nCONFIG_GUEST3_KERNEL=\"no/such/bzImage\"\nCONFIG_GUEST4=y\n"
	     "CONFIG_GUEST4_KERNEL=\"/no/vmlinux\"\nCONFIG_GUEST4_NIC=\"ne2000\"\n",
	     NULL, P, &d);
	CHECK_MSG(P->guest_errors == 3 && P->missing_files == 2, "%u guest errors, %u missing files",
		  P->guest_errors, P->missing_files);
	diag_free(&d);
	profile_free(P);
	load(guest_profile("CONFIG_GUEST1_NIC=\"ne2000\"\n"), NULL, P, &d);
	CHECK_MSG(P->guest_errors == 1 && P->missing_files == 0, "%u guest errors, %u missing files",
		  P->guest_errors, P->missing_files);
	diag_free(&d);
	profile_free(P);
}

/* Issue 14: networks as slots and guests with several NICs. */
static void test_networks(void)
{
	struct diag d;

	CHECK(load(guest_profile("CONFIG_NET2=y\nCONFIG_NET2_NAME=\"link\"\nCONFIG_NET2_MODE=\"private\"\n"
				 "CONFIG_NET3=y\nCONFIG_NET3_MODE=\"routed\"\nCONFIG_NET3_SUBNET=\"10.88.0.0/16\"\n"
				 "CONFIG_GUEST1_NICS=\"lab link:e1000@delay=20ms,loss=1%\"\n"
				 "CONFIG_GUEST2_NICS=\"3:52:54:00:00:00:33\"\nCONFIG_GUEST2_IP=\"10.88.1.1\"\n"),
		   NULL, P, &d) == 0);
	CHECK_MSG(d.count == 0, "%s", diag_text(&d));
	CHECK(P->nnets == 3 && P->nets[0].num == 1 && !strcmp(P->nets[0].name, "lab") && P->nets[0].mode == NET_NAT);
	/* private: no host address, no DHCP, DNS or IPv6 unless asked */
	CHECK(P->nets[1].num == 2 && P->nets[1].mode == NET_PRIVATE && !P->nets[1].host_addr && !P->nets[1].dhcp &&
	      !P->nets[1].ipv6 && !strcmp(P->nets[1].bridge_name, "virbr1"));
	/* routed: its subnet, the gateway and range follow it, its own domain and ULA /64 */
	CHECK(P->nets[2].mode == NET_ROUTED && P->nets[2].gateway == 0x0a580001 && P->nets[2].range_start == 0x0a580002 &&
	      P->nets[2].range_end == 0x0a58fffe && P->nets[2].dhcp && P->nets[2].ipv6 &&
	      !strcmp(P->nets[2].dns_domain, "net3.lab") && P->nets[2].prefix6[7] == 3 &&
	      memcmp(P->nets[2].prefix6, P->nets[0].prefix6, 6) != 0);
	CHECK(!strcmp(strrchr(P->nets[2].lease_file, '/'), "/net3.leases"));
	/* vm1: its usual NIC on network 1, an e1000 on the link with netem */
	CHECK(P->guests[0].nnics == 2 && P->guests[0].nics[0].net == 0 && P->guests[0].nics[1].net == 1 &&
	      P->guests[0].nics[1].model == GUESTHW_NIC_E1000 && !strcmp(P->guests[0].nics[1].tap, "vm1.1") &&
	      P->guests[0].nics[1].impair.delay_us == 20000 && netem_is_off(&P->guests[0].nics[0].impair) &&
	      !memcmp(P->guests[0].nics[0].mac, P->guests[0].mac, 6) &&
	      memcmp(P->guests[0].nics[1].mac, P->guests[0].mac, 6) != 0);
	/* vm2: one NIC on network 3 with its MAC, its fixed address there */
	CHECK(P->guests[1].nnics == 1 && P->guests[1].nics[0].net == 2 && P->guests[1].mac[5] == 0x33 &&
	      P->guests[1].ip == 0x0a580101);
	diag_free(&d);
	profile_free(P);

	expect("CONFIG_NAT=n\nCONFIG_NET1_MODE=\"routed\"\nCONFIG_NET2=y\nCONFIG_NET2_NAME=\"lab\"\n"
	       "CONFIG_NET2_BRIDGE=\"virbr0\"\nCONFIG_NET2_MODE=\"span-tree\"\nCONFIG_NET3=y\n"
	       "CONFIG_NET3_SUBNET=\"10.77.0.128/25\"\nCONFIG_NET3_DHCP=\"sometimes\"\nCONFIG_NET4=y\n"
	       "CONFIG_NET4_MODE=\"private\"\nCONFIG_NET4_DNS=\"y\"\n",
	       7,
	       (const char *const[]){ "CONFIG_NAT: CONFIG_NAT=n makes network 1 isolated, but CONFIG_NET1_MODE is \"routed\"",
				      ":4: CONFIG_NET2_NAME: \"lab\" is also the name of network 1",
				      ":5: CONFIG_NET2_BRIDGE: \"virbr0\" is also the bridge of network 1",
				      ":6: CONFIG_NET2_MODE: \"span-tree\": expected nat, routed, isolated, private, bridge or span",
				      ":8: CONFIG_NET3_SUBNET: 10.77.0.128/25 overlaps the subnet of network 1 (lab)",
				      ":9: CONFIG_NET3_DHCP: \"sometimes\": expected auto, y or n",
				      ":12: CONFIG_NET4_DNS: a private network without DHCP gives the host no address", NULL });
	expect(guest_profile("CONFIG_GUEST1_NICS=\"lab nowhere 1:ne2000 1@delay=fast 1 1 1 1\"\n"
			     "CONFIG_GUEST2_NAME=\"a-long-name-13\"\nCONFIG_GUEST2_NICS=\"1 1\"\n"),
	       5,
	       (const char *const[]){ "CONFIG_GUEST1_NICS: \"nowhere\": no network has that number or name",
				      "CONFIG_GUEST1_NICS: \"ne2000\": expected one of QEMU's NIC models",
				      "CONFIG_GUEST1_NICS: \"delay=fast\"",
				      "CONFIG_GUEST1_NICS: more than 4 NICs",
				      "CONFIG_GUEST2_NICS: a guest with several NICs has a name of at most 13 characters", NULL });
}

/* loads extra on guest_profile, expects it refused with want in the errors */
static void refused(const char *extra, const char *want)
{
	struct diag d;

	CHECK(load(guest_profile(extra), NULL, P, &d) < 0);
	CHECK_MSG(strstr(diag_text(&d), want), "missing \"%s\" in:\n%s", want, diag_text(&d));
	diag_free(&d);
	profile_free(P);
}

/* "macvtap" as a NIC's NET: a typed flag with model, MAC and impairment
 * as for other NICs; refused for UML, beside a bridge network, and as the
 * first NIC with a fixed address. */
static void test_macvtap_nics(void)
{
	struct diag d;

	CHECK(load(guest_profile("CONFIG_GUEST1_NICS=\"macvtap:e1000:52:54:00:4d:56:09@delay=10ms 1\"\n"), NULL, P, &d) ==
	      0);
	CHECK_MSG(d.count == 0, "%s", diag_text(&d));
	CHECK(P->guests[0].nnics == 2 && P->guests[0].nics[0].macvtap && !P->guests[0].nics[1].macvtap);
	CHECK(P->guests[0].nics[0].model == GUESTHW_NIC_E1000 && P->guests[0].nics[1].net == 0);
	CHECK(!memcmp(P->guests[0].nics[0].mac, "\x52\x54\x00\x4d\x56\x09", 6));
	CHECK(P->guests[0].nics[0].impair.delay_us == 10000);
	diag_free(&d);
	profile_free(P);
	refused("CONFIG_GUEST1_KIND=\"uml\"\nCONFIG_GUEST1_NICS=\"1 macvtap\"\n",
		"CONFIG_GUEST1_NICS: macvtap: a UML guest has no macvtap NIC");
	refused("CONFIG_GUEST2_NICS=\"1 macvtap\"\nCONFIG_NET2=y\nCONFIG_NET2_NAME=\"lan\"\nCONFIG_NET2_MODE=\"bridge\"\n",
		"CONFIG_GUEST2_NICS: macvtap: the uplink is a port of bridge network 2 (lan)");
	refused("CONFIG_GUEST1_NICS=\"macvtap 1\"\nCONFIG_GUEST1_IP=\"10.77.0.50\"\n",
		"CONFIG_GUEST1_IP: its first NIC is a macvtap NIC");
}

/* Issue 15: BOOT=network with a firmware, U-Boot, boards; each refusal
 * names its key. */
static void test_netboot_guests(void)
{
	struct diag d;

	char text[4096];

	snprintf(text, sizeof(text), "CONFIG_GUEST1_FIRMWARE=\"bios\"\nCONFIG_GUEST1_BOOT=\"network\"\n"
		 "CONFIG_GUEST2_FIRMWARE=\"u-boot\"\nCONFIG_GUEST2_BOOT=\"network\"\n"
		 "CONFIG_GUEST2_NIC=\"e1000\"\nCONFIG_GUEST2_ARCH=\"aarch64\"\nCONFIG_GUEST3=y\nCONFIG_GUEST3_KIND=\"board\"\n"
		 "CONFIG_GUEST3_NAME=\"rpi\"\nCONFIG_GUEST3_MAC=\"02:00:00:00:00:01\"\n"
		 "CONFIG_GUEST3_KERNEL=\"%s\"\nCONFIG_GUEST3_IP=\"10.77.0.9\"\n", kernel);
	CHECK(load(guest_profile(text), NULL, P, &d) == 0);
	CHECK_MSG(d.count == 0, "%s", diag_text(&d));
	CHECK(P->nguests == 3 && P->guests[0].boot_network && P->guests[0].firmware == FIRMWARE_BIOS);
	CHECK(P->guests[1].boot_network && P->guests[1].firmware == FIRMWARE_UBOOT);
	CHECK(P->guests[2].kind == RUNNER_BOARD && P->guests[2].boot_network && P->guests[2].ip);
	CHECK(!memcmp(P->guests[2].nics[0].mac, "\x02\0\0\0\0\x01", 6) && P->guests[2].nnics == 1);
	diag_free(&d);
	profile_free(P);
	refused("CONFIG_GUEST1_BOOT=\"pxe\"\n", "CONFIG_GUEST1_BOOT: \"pxe\": expected auto or network");
	refused("CONFIG_GUEST1_BOOT=\"network\"\n",
		"CONFIG_GUEST1_BOOT: network: with CONFIG_GUEST1_FIRMWARE=\"kernel\" QEMU loads the kernel itself");
	refused("CONFIG_GUEST3=y\nCONFIG_GUEST3_BOOT=\"network\"\nCONFIG_GUEST3_FIRMWARE=\"uefi\"\n",
		"CONFIG_GUEST3_KERNEL: BOOT=network needs a kernel");
	refused("CONFIG_GUEST1_BOOT=\"network\"\nCONFIG_GUEST1_FIRMWARE=\"bios\"\nCONFIG_GUEST1_NICS=\"macvtap\"\n",
		"CONFIG_GUEST1_BOOT: its first NIC is not on a lab network");
	refused("CONFIG_GUEST1_BOOT=\"network\"\nCONFIG_GUEST1_FIRMWARE=\"bios\"\nCONFIG_DHCP_SERVER=n\n",
		"CONFIG_GUEST1_BOOT: network: network 1 (lab) of its first NIC serves no DHCP");
	refused("CONFIG_GUEST1_KIND=\"uml\"\nCONFIG_GUEST1_BOOT=\"network\"\n",
		"CONFIG_GUEST1_BOOT: network: a UML guest is its kernel");
	refused("CONFIG_GUEST1_FIRMWARE=\"u-boot\"\n", "CONFIG_GUEST1_KERNEL: U-Boot boots its disk or");
	refused("CONFIG_GUEST1_FIRMWARE=\"u-boot\"\nCONFIG_GUEST1_ARCH=\"riscv64\"\nCONFIG_GUEST1_BOOT=\"network\"\n",
		"CONFIG_GUEST1_FIRMWARE: u-boot: labinit runs Debian's u-boot-qemu builds for x86_64 and aarch64");
	refused("CONFIG_GUEST1_KIND=\"board\"\n", "CONFIG_GUEST1_MAC: a board is known by its MAC");
	refused("CONFIG_GUEST1_FIRMWARE=\"bios\"\nCONFIG_GUEST1_BOOT=\"network\"\nCONFIG_GUEST1_APPEND=\"init=$x\"\n",
		"CONFIG_GUEST1_APPEND: a netbooted kernel's command line passes through GRUB, iPXE and U-Boot scripts");
	refused("CONFIG_GUEST1_FIRMWARE=\"u-boot\"\nCONFIG_GUEST1_BOOT=\"network\"\n",
		"CONFIG_GUEST1_NIC: virtio-net: U-Boot 2023.01 (Debian's u-boot-qemu) reads its MAC as 52:52:52:52:52:52");
	refused("CONFIG_GUEST1_KIND=\"board\"\nCONFIG_GUEST1_MAC=\"02:00:00:00:00:01\"\nCONFIG_GUEST1_MEMORY=512\n",
		"CONFIG_GUEST1_MEMORY: a board is not run by the lab (KIND=board)");
	refused("CONFIG_GUEST1_KIND=\"board\"\nCONFIG_GUEST1_MAC=\"02:00:00:00:00:01\"\nCONFIG_GUEST1_NICS=\"1 1\"\n",
		"CONFIG_GUEST1_NICS: a board has one NIC on a lab network");
	refused("CONFIG_GUEST3=y\nCONFIG_GUEST3_KIND=\"board\"\nCONFIG_GUEST3_MAC=\"02:00:00:00:00:01\"\n",
		"CONFIG_GUEST3_KERNEL: a guest needs a kernel");
}

/* Issue 13: every NIC of QEMU's table, today's spellings too; the disks
 * (first and extra, on every bus); firmware instead of a kernel. */
static void test_guest_hardware(void)
{
	static char text[4096];
	struct diag d;

	CHECK(load(guest_profile("CONFIG_GUEST1_NIC=\"ne2k_pci\"\nCONFIG_GUEST2_NIC=\"virtio-net\"\n"), NULL, P, &d) == 0);
	CHECK(P->guests[0].nic == GUESTHW_NIC_NE2K_PCI && P->guests[1].nic == GUESTHW_NIC_VIRTIO);
	CHECK(P->guests[0].firmware == FIRMWARE_KERNEL && P->guests[0].ndisks == 0);
	diag_free(&d);
	profile_free(P);
	CHECK(load(guest_profile("CONFIG_GUEST1_NIC=\"virtio-net-pci\"\nCONFIG_GUEST2_NIC=\"vmxnet3\"\n"), NULL, P, &d) == 0);
	CHECK(P->guests[0].nic == GUESTHW_NIC_VIRTIO && P->guests[1].nic == GUESTHW_NIC_VMXNET3);
	diag_free(&d);
	profile_free(P);

	/* A disk-only guest through SeaBIOS, with extra disks from FILES_DIR. */
	snprintf(text, sizeof(text),
		 "CONFIG_FILES_DIR=\"%s\"\nCONFIG_GUEST1=y\nCONFIG_GUEST1_FIRMWARE=\"bios\"\n"
		 "CONFIG_GUEST1_DISK=\"vmlinux\"\nCONFIG_GUEST1_DISK_BUS=\"nvme\"\n"
		 "CONFIG_GUEST1_EXTRA_DISKS=\"vmlinux:ide:rw  vmlinux %s:usb\"\n",
		 dir, kernel);
	CHECK_MSG(load(text, NULL, P, &d) == 0, "%s", diag_text(&d));
	CHECK(P->guests[0].firmware == FIRMWARE_BIOS && !P->guests[0].kernel[0] && P->guests[0].ndisks == 4);
	CHECK(!strcmp(P->guests[0].disks[0].path, kernel) && P->guests[0].disks[0].bus == GUESTHW_BUS_NVME);
	CHECK(P->guests[0].disks[1].bus == GUESTHW_BUS_IDE && P->guests[0].disks[1].persistent);
	CHECK(P->guests[0].disks[2].bus == GUESTHW_BUS_VIRTIO && !P->guests[0].disks[2].persistent);
	CHECK(P->guests[0].disks[3].bus == GUESTHW_BUS_USB && !strcmp(P->guests[0].disks[3].path, kernel));
	diag_free(&d);
	profile_free(P);
	/* Only extra disks: the first of them is disks[0]. */
	snprintf(text, sizeof(text), "CONFIG_FILES_DIR=\"%s\"\nCONFIG_GUEST1=y\nCONFIG_GUEST1_KERNEL=\"vmlinux\"\n"
		 "CONFIG_GUEST1_EXTRA_DISKS=\"vmlinux:sata\"\n", dir);
	CHECK_MSG(load(text, NULL, P, &d) == 0, "%s", diag_text(&d));
	CHECK(P->guests[0].ndisks == 1 && P->guests[0].disks[0].bus == GUESTHW_BUS_SATA);
	diag_free(&d);
	profile_free(P);
	/* An own firmware file, with a kernel: the firmware boots it. */
	snprintf(text, sizeof(text), "CONFIG_GUEST1=y\nCONFIG_GUEST1_KERNEL=\"%s\"\nCONFIG_GUEST1_FIRMWARE=\"%s\"\n",
		 kernel, kernel);
	CHECK_MSG(load(text, NULL, P, &d) == 0, "%s", diag_text(&d));
	CHECK(P->guests[0].firmware == FIRMWARE_FILE && !strcmp(P->guests[0].firmware_file, kernel));
	diag_free(&d);
	profile_free(P);
}

static void test_guest_hardware_refused(void)
{
	expect("CONFIG_GUEST1=y\nCONFIG_GUEST1_FIRMWARE=\"uefi\"\nCONFIG_GUEST1_INITRD=\"/no/initrd\"\n"
	       "CONFIG_GUEST1_APPEND=\"quiet\"\n",
	       4,
	       (const char *const[]){ "CONFIG_GUEST1_DISK: CONFIG_GUEST1_FIRMWARE=\"uefi\" boots from the first disk: "
				      "set this, or CONFIG_GUEST1_KERNEL (default value)",
				      ":3: CONFIG_GUEST1_INITRD: /no/initrd: No such file or directory",
				      ":3: CONFIG_GUEST1_INITRD: an initrd needs CONFIG_GUEST1_KERNEL",
				      ":4: CONFIG_GUEST1_APPEND: a kernel command line needs CONFIG_GUEST1_KERNEL", NULL });
	expect(guest_profile("CONFIG_GUEST1_FIRMWARE=\"coreboot\"\nCONFIG_GUEST2_FIRMWARE=\"/no/bios.bin\"\n"), 2,
	       (const char *const[]){ ":5: CONFIG_GUEST1_FIRMWARE: \"coreboot\": expected kernel, bios, uefi, u-boot or the "
				      "absolute path of a firmware file",
				      ":6: CONFIG_GUEST2_FIRMWARE: /no/bios.bin: No such file or directory", NULL });
	expect(guest_profile("CONFIG_GUEST1_DISK_BUS=\"floppy\"\nCONFIG_GUEST2_EXTRA_DISKS=\"x.img:scsi:rw:y\"\n"), 2,
	       (const char *const[]){ ":5: CONFIG_GUEST1_DISK_BUS: \"floppy\": expected a disk bus: virtio, scsi, ide, "
				      "sata, nvme or usb",
				      ":6: CONFIG_GUEST2_EXTRA_DISKS: \"x.img:scsi:rw:y\": expected FILE[:BUS][:rw]", NULL });
	expect(guest_profile("CONFIG_GUEST1_EXTRA_DISKS=\"/tmp/a,if=none.img:rw x.img:pata\"\n"), 2,
	       (const char *const[]){ ":5: CONFIG_GUEST1_EXTRA_DISKS: /tmp/a,if=none.img: QEMU cannot take a path with a ','",
				      ":5: CONFIG_GUEST1_EXTRA_DISKS: \"x.img:pata\": \"pata\": expected a disk bus", NULL });
	expect(guest_profile("CONFIG_GUEST1_DISK=\"/no/such,disk\"\n"), 1,
	       (const char *const[]){ ":5: CONFIG_GUEST1_DISK: /no/such,disk: QEMU cannot take a path with a ','", NULL });
}

/* What the pc machine cannot seat: a fifth IDE disk; a fifth extra disk. */
static void test_guest_disks_room(void)
{
	static char text[4096];

	snprintf(text, sizeof(text), "CONFIG_GUEST1_DISK=\"%s\"\nCONFIG_GUEST1_DISK_BUS=\"ide\"\n"
		 "CONFIG_GUEST1_EXTRA_DISKS=\"%s:ide %s:ide:rw %s:sata %s:ide %s:ide\"\n",
		 kernel, kernel, kernel, kernel, kernel, kernel);
	expect(guest_profile(text), 1,
	       (const char *const[]){ ":7: CONFIG_GUEST1_EXTRA_DISKS: more than 4 extra disks", NULL });
	snprintf(text, sizeof(text), "CONFIG_GUEST1_DISK=\"%s\"\nCONFIG_GUEST1_DISK_BUS=\"ide\"\n"
		 "CONFIG_GUEST1_EXTRA_DISKS=\"%s:ide %s:ide:rw %s:ide %s:ide\"\n", kernel, kernel, kernel, kernel, kernel);
	expect(guest_profile(text), 1,
	       (const char *const[]){ ":7: CONFIG_GUEST1_EXTRA_DISKS: 5 disks on ide (with CONFIG_GUEST1_DISK_BUS): "
				      "the pc machine has room for 4", NULL });
}

/* CONFIG_GUESTn_ARCH: the virt machines take every NIC and every bus but
 * IDE, and run a kernel or a firmware file, never SeaBIOS or OVMF. */
static void test_guest_arch(void)
{
	static char text[4096];
	struct diag d;

	CHECK(load(guest_profile(""), NULL, P, &d) == 0);
	CHECK(P->guests[0].arch == GUESTHW_ARCH_X86_64);
	diag_free(&d);
	profile_free(P);
	snprintf(text, sizeof(text),
		 "CONFIG_GUEST1_ARCH=\"aarch64\"\nCONFIG_GUEST1_NIC=\"e1000\"\nCONFIG_GUEST1_DISK=\"%s\"\n"
		 "CONFIG_GUEST1_DISK_BUS=\"scsi\"\nCONFIG_GUEST1_EXTRA_DISKS=\"%s:nvme %s:sata %s:usb\"\n"
		 "CONFIG_GUEST2_ARCH=\"riscv64\"\nCONFIG_GUEST2_NIC=\"ne2k_pci\"\nCONFIG_GUEST2_FIRMWARE=\"%s\"\n",
		 kernel, kernel, kernel, kernel, kernel);
	CHECK_MSG(load(guest_profile(text), NULL, P, &d) == 0, "%s", diag_text(&d));
	CHECK(P->guests[0].arch == GUESTHW_ARCH_AARCH64 && P->guests[0].nic == GUESTHW_NIC_E1000);
	CHECK(P->guests[0].ndisks == 4 && P->guests[0].disks[0].bus == GUESTHW_BUS_SCSI);
	CHECK(P->guests[1].arch == GUESTHW_ARCH_RISCV64 && P->guests[1].firmware == FIRMWARE_FILE);
	diag_free(&d);
	profile_free(P);
}

static void test_guest_arch_refused(void)
{
	static char text[4096];

	expect(guest_profile("CONFIG_GUEST1_ARCH=\"arm64\"\nCONFIG_GUEST2_ARCH=\"x86\"\n"), 2,
	       (const char *const[]){ ":5: CONFIG_GUEST1_ARCH: \"arm64\": expected x86_64, aarch64 or riscv64",
				      ":6: CONFIG_GUEST2_ARCH: \"x86\": expected x86_64, aarch64 or riscv64", NULL });
	snprintf(text, sizeof(text),
		 "CONFIG_GUEST1_ARCH=\"aarch64\"\nCONFIG_GUEST1_DISK=\"%s\"\nCONFIG_GUEST1_DISK_BUS=\"ide\"\n"
		 "CONFIG_GUEST2_ARCH=\"riscv64\"\nCONFIG_GUEST2_EXTRA_DISKS=\"%s:ide:rw\"\n",
		 kernel, kernel);
	expect(guest_profile(text), 2,
	       (const char *const[]){ ":7: CONFIG_GUEST1_DISK_BUS: \"ide\": the virt machine of CONFIG_GUEST1_ARCH=aarch64 "
				      "has no such bus; it has virtio, scsi, sata, nvme or usb",
				      ":9: CONFIG_GUEST2_EXTRA_DISKS: \"",
				      ":ide:rw\": \"ide\": the virt machine of CONFIG_GUEST2_ARCH=riscv64 has no such bus",
				      NULL });
	expect(guest_profile("CONFIG_GUEST1_ARCH=\"aarch64\"\nCONFIG_GUEST1_FIRMWARE=\"uefi\"\n"
			     "CONFIG_GUEST2_ARCH=\"riscv64\"\nCONFIG_GUEST2_FIRMWARE=\"bios\"\n"),
	       2,
	       (const char *const[]){ ":6: CONFIG_GUEST1_FIRMWARE: \"uefi\": SeaBIOS and OVMF are x86_64 firmware, and "
				      "CONFIG_GUEST1_ARCH is aarch64; use kernel, u-boot, or the path of a firmware file",
				      ":8: CONFIG_GUEST2_FIRMWARE: \"bios\": SeaBIOS and OVMF are x86_64 firmware, and "
				      "CONFIG_GUEST2_ARCH is riscv64",
				      NULL });
	/* An unknown NIC is listed against the guest's own architecture. */
	expect(guest_profile("CONFIG_GUEST1_ARCH=\"riscv64\"\nCONFIG_GUEST1_NIC=\"virtio-net-device\"\n"), 1,
	       (const char *const[]){ ":6: CONFIG_GUEST1_NIC: \"virtio-net-device\": expected one of QEMU's NIC models "
				      "for riscv64: ne2k_pci, ",
				      NULL });
}

/* Issue 13: sixteen guest slots, the last one as good as the first; the
 * slot after the last is no key at all (test_types_and_ranges). */
static void test_sixteen_slots(void)
{
	static char text[8192];
	size_t n = 0;
	struct diag d;

	for (unsigned slot = 1; slot <= PROFILE_GUEST_SLOTS; slot++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "CONFIG_GUEST%u=y\nCONFIG_GUEST%u_KERNEL=\"%s\"\n",
				      slot, slot, kernel);
	CHECK(PROFILE_GUEST_SLOTS == 16);
	CHECK_MSG(load(text, NULL, P, &d) == 0, "%s", diag_text(&d));
	CHECK(P->nguests == 16 && P->guests[15].slot == 16 && !strcmp(P->guests[15].name, "vm16"));
	for (unsigned i = 0; i < P->nguests; i++)
		for (unsigned j = 0; j < i; j++)
			CHECK_MSG(memcmp(P->guests[i].mac, P->guests[j].mac, 6), "vm%u and vm%u share a MAC", i + 1, j + 1);
	diag_free(&d);
	profile_free(P);
	expect("CONFIG_GUEST16=y\nCONFIG_GUEST16_NIC=\"ne2000\"\n", 2,
	       (const char *const[]){ "CONFIG_GUEST16_KERNEL: a guest needs a kernel",
				      ":2: CONFIG_GUEST16_NIC: \"ne2000\"", NULL });
}

static void test_forwards(void)
{
	struct diag d;

	CHECK(load(guest_profile("CONFIG_GUEST1_IP=\"10.77.0.11\"\n"
				 "CONFIG_NAT_PORT_FORWARDS=\"tcp:2222:vm1:22 udp:5000:10.77.0.20:5001\"\n"),
		   NULL, P, &d) == 0);
	CHECK(P->nforwards == 2 && P->forwards[0].guest_ip == 0x0a4d000b && P->forwards[0].host_port == 2222 &&
	      P->forwards[1].guest_port == 5001);
	diag_free(&d);
	profile_free(P);
	expect(guest_profile("CONFIG_GUEST1_GDB_PORT=1234\nCONFIG_NAT_PORT_FORWARDS=\"tcp:22:vm2:22 tcp:80:nosuch:80 "
			     "tcp:81:192.168.1.5:80 sctp:1:vm1:1 tcp:2222 udp:53:10.77.0.9:53 udp:53:10.77.0.8:53 "
			     "tcp:1234:10.77.0.9:1\"\n"),
	       7,
	       (const char *const[]){ "forward to vm2: set CONFIG_GUEST2_IP", "forward to \"nosuch\": no guest has that name",
				      "forward to 192.168.1.5: not a guest address inside the lab subnet",
				      "\"sctp:1:vm1:1\": protocol is tcp or udp", "\"tcp:2222\": expected PROTO:HOSTPORT:GUEST:PORT",
				      "host port 53/udp is forwarded twice", "host port 1234/tcp is guest vm1's gdb port", NULL });
}

static void test_services(void)
{
	struct diag d;

	CHECK(load("CONFIG_EXTRA_SERVICES=\"a=/bin/sleep 100; b=/bin/true x  y ;\"\n", NULL, P, &d) == 0);
	CHECK(P->nservices == 2 && !strcmp(P->services[1].name, "b") && !strcmp(P->services[1].argv[2], "y") &&
	      P->services[1].argv[3] == NULL);
	diag_free(&d);
	profile_free(P);
	expect("CONFIG_EXTRA_SERVICES=\"a=sleep 1; b=/bin/x; b=/bin/z; noequals; b c=/bin/y; console=/bin/sh\"\n", 5,
	       (const char *const[]){ "service \"a\": the command must start with an absolute path",
				      "service \"b\" is listed twice", "\"noequals\": expected NAME=COMMAND",
				      "\"b c\" is not a service name",
				      "\"console\" is the name of one of labinit's own services", NULL });
}

static void test_firewall_keys(void)
{
	struct diag d;

	CHECK(load("CONFIG_GDB_LISTEN=\"both\"\nCONFIG_EXTRA_SERVICES_PORTS=\"tcp:22:uplink udp:69\"\n", NULL, P, &d) == 0);
	CHECK(P->gdb_listen == LISTEN_BOTH && P->smb_listen == LISTEN_BRIDGE && P->nextra_ports == 2);
	CHECK(P->extra_ports[0].port == 22 && P->extra_ports[0].on == LISTEN_UPLINK);
	CHECK(P->extra_ports[1].proto == IPPROTO_UDP && P->extra_ports[1].on == LISTEN_BRIDGE);
	diag_free(&d);
	profile_free(P);
	expect("CONFIG_GDB_LISTEN=\"everywhere\"\nCONFIG_SHARE_SMB_LISTEN=\"\"\n"
	       "CONFIG_EXTRA_SERVICES_PORTS=\"tcp:22 tcp:22:both sctp:9 udp:0 tcp:80:lan ssh\"\n",
	       7,
	       (const char *const[]){ "\"everywhere\": expected bridge, uplink or both",
				      "\"\": expected bridge, uplink or both", "tcp port 22 is listed twice",
				      "\"sctp:9\": protocol is tcp or udp", "\"udp:0\": protocol is tcp or udp", "\"tcp:80:lan\": WHERE is bridge, uplink or both",
				      "\"ssh\": expected PROTO:PORT[:WHERE]", NULL });
}

/* The lease file's directory becomes the DHCP server's: only one named
 * dhcpd, reached without "..", "." or "//" (/var/run is /run). */
static void test_lease_dir_rule(void)
{
	struct diag d;

	CHECK(load("CONFIG_DHCP_LEASE_FILE=\"/lab/state/dhcpd/dhcp.leases\"\n", NULL, P, &d) == 0);
	diag_free(&d);
	profile_free(P);
	expect("CONFIG_DHCP_LEASE_FILE=\"/var/run/dhcp.leases\"\n", 1,
	       (const char *const[]){ "CONFIG_DHCP_LEASE_FILE: \"/var/run/dhcp.leases\": the DHCP server gets", NULL });
	expect("CONFIG_DHCP_LEASE_FILE=\"/run/labinit/dhcpd/../dhcp.leases\"\n", 1,
	       (const char *const[]){ "put the file in a directory named dhcpd", NULL });
	expect("CONFIG_DHCP_LEASE_FILE=\"/run//dhcpd/dhcp.leases\"\n", 1, NULL);
	expect("CONFIG_DHCP_LEASE_FILE=\"/var/lib/misc/dhcpd.leases\"\n", 1, NULL);
}

static void test_profile_name(void)
{
	expect("CONFIG_PROFILE_NAME=\"my lab\"\n", 1,
	       (const char *const[]){ "\"my lab\" is not a profile name", NULL });
	expect("CONFIG_PROFILE_NAME=\"a|b\"\n", 1, (const char *const[]){ "CONFIG_PROFILE_NAME", NULL });
}

static void test_all_errors_reported(void)
{
	expect("garbage line\nCONFIG_LOG_LEVEL=8\nCONFIG_HOSTNAME=\"bad name\"\nCONFIG_LAB_SUBNET=\"x\"\n"
	       "CONFIG_STOP_TIMEOUT=0\n",
	       5, (const char *const[]){ ":1:", ":2:", ":3:", ":4:", ":5:", NULL });
}
/* Issue 12, defect 5: each guest's console files have a bound in KiB,
 * 1024 by default, refused out of 64..1048576 with the file, line and key. */
static void test_console_log_size(void)
{
	struct diag d;

	diag_init(&d);
	CHECK(profile_load(P, NULL, NULL, &d) == 0 && P->console_log_kib == 1024);
	diag_free(&d);
	profile_free(P);
	CHECK(load("CONFIG_HOSTNAME=\"a\"\nCONFIG_CONSOLE_LOG_SIZE=4096\n", NULL, P, &d) == 0 &&
	      P->console_log_kib == 4096);
	diag_free(&d);
	profile_free(P);
	expect("CONFIG_HOSTNAME=\"a\"\nCONFIG_CONSOLE_LOG_SIZE=63\n", 1,
	       (const char *const[]){ ":2: CONFIG_CONSOLE_LOG_SIZE: \"63\" is out of range 64..1048576", NULL });
	expect("CONFIG_CONSOLE_LOG_SIZE=1048577\n", 1,
	       (const char *const[]){ ":1: CONFIG_CONSOLE_LOG_SIZE: \"1048577\" is out of range 64..1048576", NULL });
}

/* Issue 13: QEMU_ARGS split as a shell would and checked; the cloud-init
 * seed's keys inline or from a file, each line checked. */
#define ED25519 "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq3oM5mNn2bNnhpHc2nKq2y0bX0f5nJ3Ykm5Fw1Zq1T"
static void test_qemu_args_cloud_init(void)
{
	static char text[4096], keys[300];
	struct diag d;
	FILE *f;

	CHECK(load(guest_profile("CONFIG_GUEST1_QEMU_ARGS=\"-device 'pci-testdev' -global \\\"a b\\\"\"\n"
				 "CONFIG_GUEST2_CLOUD_INIT=y\nCONFIG_SSH_AUTHORIZED_KEYS=\"" ED25519 " me@ws;" ED25519 "\"\n"),
		   NULL, P, &d) == 0);
	CHECK(!strcmp(P->guests[0].qemu_args, "-device 'pci-testdev' -global \"a b\"") && !P->guests[0].cloud_init);
	CHECK(P->guests[1].cloud_init && !strcmp(P->ssh_keys, ED25519 " me@ws\n" ED25519));
	diag_free(&d);
	profile_free(P);

	snprintf(keys, sizeof(keys), "%s/keys.pub", dir);
	f = fopen(keys, "w");
	fputs("# the workstation\n\n" ED25519 " me@ws\nfrom=\"10.0.0.0/8\" " ED25519 "\n", f);
	fclose(f);
	snprintf(text, sizeof(text), "CONFIG_FILES_DIR=\"%s\"\nCONFIG_SSH_AUTHORIZED_KEYS=\"keys.pub\"\n", dir);
	CHECK_MSG(load(text, NULL, P, &d) == 0, "%s", diag_text(&d));
	CHECK(strstr(P->ssh_keys, "from=\"10.0.0.0/8\" ssh-ed25519") != NULL);
	diag_free(&d);
	profile_free(P);

	expect(guest_profile("CONFIG_GUEST1_QEMU_ARGS=\"-device 'e1000\"\nCONFIG_GUEST2_QEMU_ARGS=\"--daemonize\"\n"), 2,
	       (const char *const[]){ ":5: CONFIG_GUEST1_QEMU_ARGS: a ' is not closed (words are split as by a shell",
				      ":6: CONFIG_GUEST2_QEMU_ARGS: --daemonize: labinit supervises QEMU", NULL });
	expect("CONFIG_SSH_AUTHORIZED_KEYS=\"ssh-ed25519 AAAA-cut me\"\n", 1,
	       (const char *const[]){ ":1: CONFIG_SSH_AUTHORIZED_KEYS: key 1: the key after its type is not base64", NULL });
	expect("CONFIG_SSH_AUTHORIZED_KEYS=\"/no/such/keys\"\n", 1,
	       (const char *const[]){ ":1: CONFIG_SSH_AUTHORIZED_KEYS: /no/such/keys: No such file or directory", NULL });
	f = fopen(keys, "w");
	fputs(ED25519 "\n-----BEGIN OPENSSH PRIVATE KEY-----\n", f);
	fclose(f);
	expect(text, 1, (const char *const[]){ "keys.pub: line 2: a PEM block: is this a private key?", NULL });
	unlink(keys);
}

/* CONFIG_GUESTn_RESET: reboot (the default) or snapshot; snapshot refused
 * for a guest with a disk and for UML. */
static void test_reset(void)
{
	static char extra[600];
	struct diag d;

	CHECK(load(guest_profile("CONFIG_GUEST2_RESET=\"snapshot\"\n"), NULL, P, &d) == 0);
	CHECK(!P->guests[0].reset_snapshot && P->guests[1].reset_snapshot);
	diag_free(&d);
	profile_free(P);
	refused("CONFIG_GUEST1_RESET=\"restore\"\n", "CONFIG_GUEST1_RESET: \"restore\": expected reboot or snapshot");
	snprintf(extra, sizeof(extra), "CONFIG_GUEST1_DISK=\"%s\"\nCONFIG_GUEST1_RESET=\"snapshot\"\n", kernel);
	refused(extra, "CONFIG_GUEST1_RESET: snapshot: the guest has a disk");
	refused("CONFIG_GUEST2_KIND=\"uml\"\nCONFIG_GUEST2_RESET=\"snapshot\"\n",
		"CONFIG_GUEST2_RESET: snapshot: a UML guest has no snapshot");
}

/* Netboot: the boot files per loader and per guest, the next server.
 * Refused: a file longer than the BOOTP field's 127, blanks and quotes,
 * a next server that is not one host's IPv4 address. */
/* CONFIG_GUESTn_MACHINE: auto by default; microvm refused, naming the
 * key, with what needs PCI or on another architecture or runner. */
static void test_machine(void)
{
	struct diag d;

	CHECK(load(guest_profile("CONFIG_GUEST2_MACHINE=\"microvm\"\n"), NULL, P, &d) == 0);
	CHECK(P->guests[0].machine == MACHINE_AUTO && P->guests[1].machine == MACHINE_MICROVM);
	diag_free(&d);
	profile_free(P);
	CHECK(load(guest_profile("CONFIG_GUEST1_MACHINE=\"pc\"\nCONFIG_GUEST1_NIC=\"e1000\"\n"), NULL, P, &d) == 0);
	CHECK(P->guests[0].machine == MACHINE_PC);
	diag_free(&d);
	profile_free(P);
	refused("CONFIG_GUEST1_MACHINE=\"q35\"\n", "CONFIG_GUEST1_MACHINE: \"q35\": expected auto, microvm or pc");
	refused("CONFIG_GUEST1_MACHINE=\"microvm\"\nCONFIG_GUEST1_NIC=\"e1000\"\n",
		"CONFIG_GUEST1_MACHINE: microvm has no PCI bus: the NIC e1000 is a PCI card");
	refused("CONFIG_GUEST2_MACHINE=\"microvm\"\nCONFIG_GUEST2_EXTRA_DISKS=\"/dev/null:nvme\"\n",
		"CONFIG_GUEST2_MACHINE: microvm has no PCI bus: the nvme disk bus needs PCI");
	refused("CONFIG_GUEST1_MACHINE=\"microvm\"\nCONFIG_GUEST1_FIRMWARE=\"bios\"\n",
		"CONFIG_GUEST1_MACHINE: microvm has no PCI bus: the firmware (FIRMWARE)");
	refused("CONFIG_GUEST1_MACHINE=\"pc\"\nCONFIG_GUEST1_ARCH=\"aarch64\"\n",
		"CONFIG_GUEST1_MACHINE: \"pc\": an x86_64 machine; aarch64 guests run on QEMU's virt machine");
}

static void test_boot_keys(void)
{
	struct diag d;
	char longname[200], text[400];

	CHECK(load(guest_profile("CONFIG_BOOT_NEXT_SERVER=\"192.168.1.10\"\nCONFIG_BOOT_FILE_UBOOT=\"boot.scr\"\n"
				 "CONFIG_GUEST2_BOOT_FILE=\"vm2/ipxe.efi\"\n"), NULL, P, &d) == 0);
	CHECK_MSG(d.count == 0, "%s", diag_text(&d));
	CHECK(P->boot_next_server == 0xc0a8010a);
	CHECK(!strcmp(P->boot_files[BOOT_BIOS], "pxelinux.0") && !strcmp(P->boot_files[BOOT_UBOOT], "boot.scr"));
	CHECK(!strcmp(P->boot_files[BOOT_UEFI_X64], "grubnetx64.efi") &&
	      !strcmp(P->boot_files[BOOT_IPXE], "labinit/boot.ipxe"));
	CHECK(!strcmp(P->guests[1].boot_file, "vm2/ipxe.efi") && !P->guests[0].boot_file[0]);
	diag_free(&d);
	profile_free(P);

	memset(longname, 'a', 128);
	longname[128] = '\0';
	snprintf(text, sizeof(text), "CONFIG_BOOT_FILE_UEFI_ARM64=\"%s\"\n", longname);
	refused(text, "CONFIG_BOOT_FILE_UEFI_ARM64: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\" is 128 characters");
	snprintf(text, sizeof(text), "CONFIG_GUEST1_BOOT_FILE=\"%s\"\n", longname);
	refused(text, "CONFIG_GUEST1_BOOT_FILE: \"aaaa");
	refused("CONFIG_BOOT_FILE_BIOS=\"my file.0\"\n",
		"CONFIG_BOOT_FILE_BIOS: \"my file.0\": a boot file name is printable ASCII without blanks");
	refused("CONFIG_GUEST2_BOOT_FILE=\"a'b\"\n", "CONFIG_GUEST2_BOOT_FILE: \"a'b\": a boot file name");
	refused("CONFIG_BOOT_NEXT_SERVER=\"tftp.lan\"\n",
		"CONFIG_BOOT_NEXT_SERVER: \"tftp.lan\" is not an IPv4 address");
	refused("CONFIG_BOOT_NEXT_SERVER=\"255.255.255.255\"\n",
		"CONFIG_BOOT_NEXT_SERVER: \"255.255.255.255\" is not the address of a TFTP server");
	refused("CONFIG_BOOT_NEXT_SERVER=\"224.0.0.1\"\n", "CONFIG_BOOT_NEXT_SERVER: \"224.0.0.1\" is not the address");
}

int main(void)
{
	FILE *f;

	P = calloc(1, sizeof(*P));
	if (!mkdtemp(dir))
		return 2;
	snprintf(path, sizeof(path), "%s/config", dir);
	snprintf(kernel, sizeof(kernel), "%s/vmlinux", dir);
	f = fopen(kernel, "w");
	fputs("ELF", f);
	fclose(f);
	test_defaults_valid();
	test_types_and_ranges();
	test_duplicates_keep_first();
	test_cmdline_overrides();
	test_network_checks();
	test_ports();
	test_gateway_follows_subnet();
	test_span();
	test_guests();
	test_networks();
	test_guest_hardware();
	test_macvtap_nics();
	test_netboot_guests();
	test_guest_hardware_refused();
	test_guest_disks_room();
	test_guest_arch();
	test_guest_arch_refused();

	test_sixteen_slots();
	test_forwards();
	test_services();
	test_firewall_keys();
	test_lease_dir_rule();
	test_profile_name();
	test_all_errors_reported();
	test_console_log_size();
	test_qemu_args_cloud_init();
	test_reset();
	test_machine();
	test_boot_keys();
	unlink(kernel);
	unlink(path);
	rmdir(dir);
	free(P);
	return T_DONE();
}
