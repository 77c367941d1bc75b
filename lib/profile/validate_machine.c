/* CONFIG_GUESTn_MACHINE: which x86_64 machine runs the guest. auto is
 * decided when the guest starts (guests/qemu/microvm.c reads its kernel);
 * an explicit microvm is checked here against what needs PCI, which
 * microvm does not have, so the error names the key before anything runs. */
#include <stdio.h>
#include <string.h>

#include "lib/core/guesthw.h"
#include "lib/profile/validate_priv.h"

/* Why g cannot run on microvm, or NULL. Written into buf. */
static const char *needs_pci(const struct guest_cfg *g, char *buf, size_t size)
{
	if (g->firmware != FIRMWARE_KERNEL)
		return "the firmware (FIRMWARE) needs the pc machine: microvm boots a kernel directly";
	if (g->boot_network)
		return "a netbooting guest (BOOT=network) needs a NIC option ROM or firmware: the pc machine";
	for (unsigned i = 0; i < g->nnics || i == 0; i++) {
		enum guesthw_nic m = g->nnics ? g->nics[i].model : g->nic;

		if (!guesthw_nics[m].mmio) {
			snprintf(buf, size, "the NIC %s is a PCI card: microvm has virtio-net only", guesthw_nics[m].name);
			return buf;
		}
	}
	for (unsigned i = 0; i < g->ndisks; i++)
		if (!guesthw_buses[g->disks[i].bus].mmio) {
			snprintf(buf, size, "the %s disk bus needs PCI: microvm has virtio and scsi only",
				 guesthw_buses[g->disks[i].bus].name);
			return buf;
		}
	return NULL;
}

void vc_guest_machine(struct vctx *c, struct guest_cfg *g, unsigned slot)
{
	/* In the order of enum machine_kind. */
	static const char *const words[] = { "auto", "microvm", "pc", NULL };
	unsigned key = K_GUEST(slot, GF_MACHINE);
	const char *v = vc_str(c, key), *why;
	char buf[160];
	int i = -1;

	for (int k = 0; words[k]; k++)
		if (!strcmp(words[k], v))
			i = k;
	g->machine = MACHINE_AUTO;
	if (i < 0) {
		vc_error(c, key, "\"%s\": expected auto, microvm or pc", v);
		return;
	}
	g->machine = (enum machine_kind)i;
	if (g->machine == MACHINE_AUTO)
		return;
	if (g->kind != RUNNER_QEMU)
		vc_error(c, key, "\"%s\": only a QEMU guest (KIND=qemu) has a machine", v);
	else if (g->arch != GUESTHW_ARCH_X86_64)
		vc_error(c, key, "\"%s\": an x86_64 machine; %s guests run on QEMU's virt machine", v,
			 guesthw_archs[g->arch].name);
	else if (g->machine == MACHINE_MICROVM && (why = needs_pci(g, buf, sizeof(buf))))
		vc_error(c, key, "microvm has no PCI bus: %s (MACHINE=auto picks pc for it)", why);
}
