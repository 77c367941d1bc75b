/* modules.dep, modules.alias and modules.builtin: lines taken from Debian's
 * 6.1 kernel (linux-image-6.1.0-56-amd64), then malformed input. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "init/modules/moddep.h"
#include "t.h"

static const char dep_text[] =
	"kernel/arch/x86/kvm/kvm.ko: kernel/virt/lib/irqbypass.ko\n"
	"kernel/arch/x86/kvm/kvm-intel.ko: kernel/arch/x86/kvm/kvm.ko kernel/virt/lib/irqbypass.ko\n"
	"kernel/lib/libcrc32c.ko:\n"
	"kernel/drivers/virtio/virtio.ko: kernel/drivers/virtio/virtio_ring.ko\n"
	"kernel/drivers/virtio/virtio_ring.ko:\n"
	"kernel/drivers/net/virtio_net.ko: kernel/drivers/net/net_failover.ko kernel/net/core/failover.ko "
	"kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko\n"
	"kernel/drivers/net/net_failover.ko: kernel/net/core/failover.ko\n"
	"kernel/net/core/failover.ko:\n"
	"kernel/net/802/stp.ko: kernel/net/llc/llc.ko\n"
	"kernel/net/netfilter/nfnetlink.ko:\n"
	"kernel/net/netfilter/nf_conntrack.ko: kernel/net/ipv6/netfilter/nf_defrag_ipv6.ko "
	"kernel/net/ipv4/netfilter/nf_defrag_ipv4.ko kernel/lib/libcrc32c.ko\n"
	"kernel/net/netfilter/nf_nat.ko: kernel/net/netfilter/nf_conntrack.ko kernel/net/ipv6/netfilter/nf_defrag_ipv6.ko "
	"kernel/net/ipv4/netfilter/nf_defrag_ipv4.ko kernel/lib/libcrc32c.ko\n"
	"kernel/net/netfilter/nf_tables.ko: kernel/net/netfilter/nfnetlink.ko kernel/lib/libcrc32c.ko\n"
	"kernel/net/netfilter/nft_masq.ko: kernel/net/netfilter/nf_tables.ko kernel/net/netfilter/nfnetlink.ko "
	"kernel/net/netfilter/nf_nat.ko kernel/net/netfilter/nf_conntrack.ko kernel/net/ipv6/netfilter/nf_defrag_ipv6.ko "
	"kernel/net/ipv4/netfilter/nf_defrag_ipv4.ko kernel/lib/libcrc32c.ko\n"
	"kernel/net/ipv4/netfilter/nf_defrag_ipv4.ko:\n"
	"kernel/net/ipv6/netfilter/nf_defrag_ipv6.ko:\n"
	"kernel/net/llc/llc.ko:\n"
	"kernel/net/bridge/bridge.ko: kernel/net/802/stp.ko kernel/net/llc/llc.ko\n"
	"kernel/virt/lib/irqbypass.ko:\n"
	"kernel/drivers/virtio/virtio_pci.ko: kernel/drivers/virtio/virtio_pci_legacy_dev.ko "
	"kernel/drivers/virtio/virtio_pci_modern_dev.ko kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko\n"
	"kernel/drivers/virtio/virtio_pci_modern_dev.ko:\n"
	"kernel/drivers/virtio/virtio_pci_legacy_dev.ko:\n"
	"kernel/fs/nls/nls_iso8859-1.ko:\n";

static const char alias_text[] =
	"# Aliases extracted from modules themselves.\n"
	"alias cpu:type:x86,ven*fam*mod*:feature:*0085* kvm_intel\n"
	"alias pci:v00001AF4d*sv*sd*bc*sc*i* virtio_pci\n"
	"alias virtio:d00000003v* virtio_console\n"
	"alias virtio:d00000001v* virtio_net\n"
	"alias pci:v00008086d0000100Esv*sd*bc*sc*i* e1000\n"
	"alias 9p-virtio 9pnet_virtio\n"
	"alias virtio:d00000009v* 9pnet_virtio\n"
	"alias usb:v13FDp3940d0[0-2]*dc*dsc*dp*ic*isc*ip*in* uas\n"
	"alias usb:v13FDp3940d0[0-2]*dc*dsc*dp*ic*isc*ip*in* usb_storage\n"
	"alias fs-vfat vfat\n";

static const char builtin_text[] =
	"kernel/net/unix/unix.ko\n"
	"kernel/net/ipv6/ipv6.ko\n"
	"kernel/net/packet/af_packet.ko\n"
	"kernel/fs/nls/nls_base.ko\n";

static void load(struct moddep *md)
{
	moddep_init(md);
	CHECK(moddep_parse_dep(md, dep_text, strlen(dep_text)) == 0);
	CHECK(moddep_parse_alias(md, alias_text, strlen(alias_text)) == 0);
	CHECK(moddep_parse_builtin(md, builtin_text, strlen(builtin_text)) == 0);
	CHECK_MSG(md->bad_lines == 0, "%u bad lines", md->bad_lines);
}

/* The order as "a b c", module names. */
static const char *order_names(const struct moddep *md, const struct moddep_order *o)
{
	static char buf[1024];
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < o->n && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? " " : "", md->mods[o->mod[i]].name);
	return buf;
}

static void test_find_and_names(void)
{
	struct moddep md;
	char name[MODDEP_NAME_MAX];
	int i;

	load(&md);
	CHECK_MSG(md.nmods == 23, "%u", md.nmods);
	i = moddep_find(&md, "kvm_intel");
	CHECK(i >= 0 && !strcmp(md.mods[i].path, "kernel/arch/x86/kvm/kvm-intel.ko"));
	CHECK(moddep_find(&md, "kvm-intel") == i);
	CHECK(moddep_find(&md, "kernel/arch/x86/kvm/kvm-intel.ko") == i);
	CHECK(moddep_find(&md, "nls_iso8859_1") >= 0);
	CHECK(moddep_find(&md, "nls_iso8859-1") >= 0);
	CHECK(moddep_find(&md, "kvm_amd") == -ENOENT);
	CHECK(moddep_find(&md, "") == -ENOENT);
	CHECK(moddep_normalise("kernel/fs/9p/9p.ko.xz", name) == 0 && !strcmp(name, "9p"));
	CHECK(moddep_normalise("virtio-pci.ko.zst", name) == 0 && !strcmp(name, "virtio_pci"));
	CHECK(moddep_is_compressed("kernel/fs/9p/9p.ko.xz") && moddep_is_compressed("a.ko.zst") &&
	      moddep_is_compressed("a.ko.gz") && !moddep_is_compressed("kernel/fs/9p/9p.ko") &&
	      !moddep_is_compressed("a.ko.xz/b.ko"));
	CHECK(moddep_normalise("kernel/.ko", name) == -EINVAL);
	CHECK(moddep_normalise("kernel/", name) == -EINVAL);
	CHECK(moddep_normalise("a b", name) == -EINVAL);
	CHECK(moddep_normalise("0123456789012345678901234567890123456789012345678901234", name) == 0);
	CHECK(moddep_normalise("01234567890123456789012345678901234567890123456789012345", name) == -EINVAL);
	moddep_free(&md);
}

static void test_order(void)
{
	struct moddep md;
	struct moddep_order o = { 0 };

	load(&md);
	CHECK(moddep_order_add(&md, "bridge", &o) == 3);
	CHECK_MSG(!strcmp(order_names(&md, &o), "llc stp bridge"), "%s", order_names(&md, &o));
	/* nothing twice: llc is already there */
	CHECK(moddep_order_add(&md, "llc", &o) == 0);
	CHECK(moddep_order_add(&md, "nft_masq", &o) == 8);
	CHECK_MSG(!strcmp(order_names(&md, &o), "llc stp bridge libcrc32c nf_defrag_ipv4 nf_defrag_ipv6 "
						 "nf_conntrack nf_nat nfnetlink nf_tables nft_masq"),
		  "%s", order_names(&md, &o));
	CHECK(moddep_order_add(&md, "kvm-intel", &o) == 3);
	CHECK(!strcmp(md.mods[o.mod[o.n - 1]].path, "kernel/arch/x86/kvm/kvm-intel.ko"));
	CHECK(!strcmp(md.mods[o.mod[o.n - 2]].name, "kvm"));
	CHECK(!strcmp(md.mods[o.mod[o.n - 3]].name, "irqbypass"));
	CHECK(moddep_order_add(&md, "virtio_net", &o) == 5);
	CHECK(moddep_order_add(&md, "virtio_pci", &o) == 3); /* virtio, virtio_ring: there */
	CHECK(moddep_order_add(&md, "no_such_module", &o) == -ENOENT);
	CHECK(o.n == 22);
	moddep_free(&md);
}

static void test_builtin(void)
{
	struct moddep md;

	load(&md);
	CHECK(moddep_is_builtin(&md, "af_packet"));
	CHECK(moddep_is_builtin(&md, "unix"));
	CHECK(moddep_is_builtin(&md, "nls_base"));
	CHECK(!moddep_is_builtin(&md, "bridge"));
	CHECK(!moddep_is_builtin(&md, "af"));
	moddep_free(&md);
}

static void test_alias(void)
{
	struct moddep md;
	const char *names[4];

	load(&md);
	CHECK(moddep_match(&md, "virtio:d00000001v00001AF4", names, 4) == 1 && !strcmp(names[0], "virtio_net"));
	CHECK(moddep_match(&md, "virtio:d00000009v00001AF4", names, 4) == 1 && !strcmp(names[0], "9pnet_virtio"));
	CHECK(moddep_match(&md, "virtio:d00000002v00001AF4", names, 4) == 0);
	CHECK(moddep_match(&md, "pci:v00001AF4d00001041sv00001AF4sd00001041bc02sc00i00", names, 4) == 1 &&
	      !strcmp(names[0], "virtio_pci"));
	CHECK(moddep_match(&md, "pci:v00008086d0000100Esv00001AF4sd00001100bc02sc00i00", names, 4) == 1 &&
	      !strcmp(names[0], "e1000"));
	CHECK(moddep_match(&md, "pci:v00008086d00001237sv00001AF4sd00001100bc06sc00i00", names, 4) == 0);
	CHECK(moddep_match(&md, "cpu:type:x86,ven0000fam0006mod0055:feature:,0000,0001,0085,0094", names, 4) == 1 &&
	      !strcmp(names[0], "kvm_intel"));
	CHECK(moddep_match(&md, "cpu:type:x86,ven0000fam0006mod0055:feature:,0000,0001,0094", names, 4) == 0);
	/* a bracket range; two modules for one alias, in file order */
	CHECK(moddep_match(&md, "usb:v13FDp3940d01XXdc00dsc00dp00ic08isc06ip50in00", names, 4) == 2 &&
	      !strcmp(names[0], "uas") && !strcmp(names[1], "usb_storage"));
	CHECK(moddep_match(&md, "usb:v13FDp3940d03XXdc00dsc00dp00ic08isc06ip50in00", names, 4) == 0);
	CHECK(moddep_match(&md, "usb:v13FDp3940d01XXdc00dsc00dp00ic08isc06ip50in00", names, 1) == 1);
	CHECK(moddep_match(&md, "fs-vfat", names, 4) == 1 && !strcmp(names[0], "vfat"));
	moddep_free(&md);
}

static void test_glob(void)
{
	CHECK(moddep_glob("*", ""));
	CHECK(moddep_glob("a*b*c", "aXXbYYc"));
	CHECK(!moddep_glob("a*b*c", "aXXbYY"));
	CHECK(moddep_glob("a?c", "abc"));
	CHECK(!moddep_glob("a?c", "ac"));
	CHECK(moddep_glob("[!0-9]x", "ax"));
	CHECK(!moddep_glob("[!0-9]x", "5x"));
	CHECK(moddep_glob("[]]", "]"));
	CHECK(moddep_glob("[a-", "[a-")); /* unterminated: literal */
	CHECK(moddep_glob("a\\*", "a*"));
	CHECK(!moddep_glob("a\\*", "ab"));
	CHECK(moddep_glob("*0085*", ",0000,0085,0094"));
	CHECK(!moddep_glob("", "a"));
	CHECK(moddep_glob("", ""));
}

/* Lines that are not what depmod writes are counted and skipped; the good
 * ones around them still count. */
static void test_malformed(void)
{
	static const char dep[] = "kernel/a.ko: kernel/b.ko\n"
				  "no colon here\n"
				  "kernel/c d.ko: kernel/a.ko\n"
				  ": kernel/a.ko\n"
				  "kernel/e.ko: kernel/f.ko kernel/.ko\n"
				  "kernel/g\0.ko:\n"
				  "kernel/loop1.ko: kernel/loop2.ko\n"
				  "kernel/loop2.ko: kernel/loop1.ko\n"
				  "kernel/b.ko:\r\n"
				  "kernel/h.ko: kernel/missing.ko";
	static const char alias[] = "alias onlytwo\nalias a b c\nalias x kernel/y.ko\nnotalias a b\nalias a-* x-y\n";
	static const char builtin[] = "kernel/net/unix/unix.ko extra\n\n# c\nkernel/.ko\nkernel/net/p.ko";
	struct moddep md;
	struct moddep_order o = { 0 };
	const char *names[2];

	moddep_init(&md);
	CHECK(moddep_parse_dep(&md, dep, sizeof(dep) - 1) == 0);
	CHECK_MSG(md.bad_lines == 5, "%u", md.bad_lines);
	CHECK(md.nmods == 5);
	CHECK(moddep_order_add(&md, "a", &o) == 2 && !strcmp(order_names(&md, &o), "b a"));
	CHECK(moddep_order_add(&md, "loop1", &o) == -ELOOP && o.n == 2);
	CHECK(moddep_order_add(&md, "h", &o) == -EBADMSG && o.n == 2);
	CHECK(moddep_parse_dep(&md, dep, sizeof(dep) - 1) == -EALREADY);
	CHECK(moddep_parse_alias(&md, alias, sizeof(alias) - 1) == 0);
	CHECK_MSG(md.bad_lines == 9, "%u", md.bad_lines);
	CHECK(md.naliases == 1 && moddep_match(&md, "a-1", names, 2) == 1 && !strcmp(names[0], "x_y"));
	CHECK(moddep_parse_builtin(&md, builtin, sizeof(builtin) - 1) == 0);
	CHECK_MSG(md.bad_lines == 11, "%u", md.bad_lines);
	CHECK(md.nbuiltin == 1 && moddep_is_builtin(&md, "p"));
	moddep_free(&md);

	moddep_init(&md);
	CHECK(moddep_parse_dep(&md, "", 0) == 0 && md.nmods == 0);
	CHECK(moddep_find(&md, "a") == -ENOENT);
	CHECK(moddep_parse_alias(&md, "\n\n", 2) == 0 && md.bad_lines == 0);
	CHECK(!moddep_is_builtin(&md, "a"));
	moddep_free(&md);
}

/* A chain longer than an order holds fails whole and leaves o as it was;
 * one that just fits is taken. */
static void test_limits(void)
{
	unsigned n = MODDEP_ORDER_MAX + 10;
	size_t size = n * 40, len = 0;
	char *text = malloc(size), first[16];
	struct moddep md;
	struct moddep_order o = { 0 };

	for (unsigned i = 0; i + 1 < n; i++)
		len += (size_t)snprintf(text + len, size - len, "m%u.ko: m%u.ko\n", i, i + 1);
	len += (size_t)snprintf(text + len, size - len, "m%u.ko:\n", n - 1);
	moddep_init(&md);
	CHECK(moddep_parse_dep(&md, text, len) == 0 && md.nmods == n);
	CHECK(moddep_order_add(&md, "m0", &o) == -E2BIG && o.n == 0);
	snprintf(first, sizeof(first), "m%u", n - MODDEP_ORDER_MAX);
	CHECK(moddep_order_add(&md, first, &o) == MODDEP_ORDER_MAX);
	CHECK(!strcmp(md.mods[o.mod[0]].name, "m521") && !strcmp(md.mods[o.mod[o.n - 1]].name, first));
	moddep_free(&md);
	free(text);
}

int main(void)
{
	test_find_and_names();
	test_order();
	test_builtin();
	test_alias();
	test_glob();
	test_malformed();
	test_limits();
	return T_DONE();
}
