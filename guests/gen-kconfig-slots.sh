#!/bin/sh
# Prints the Kconfig blocks of the guest slots: one template, n = 1..N,
# N being PROFILE_GUEST_SLOTS of lib/profile/profile_keys.h, the one place
# the slot count is written.
# Regenerate the committed copy after editing the template:
#   sh guests/gen-kconfig-slots.sh > guests/Kconfig.slots
# The slot count and the symbols must match the profile table in lib/.
set -eu

SLOTS=$(sed -n 's/^#define PROFILE_GUEST_SLOTS \([0-9][0-9]*\)$/\1/p' "$(dirname "$0")/../lib/profile/profile_keys.h")
[ -n "$SLOTS" ] || { echo "PROFILE_GUEST_SLOTS not found in lib/profile/profile_keys.h" >&2; exit 1; }

template() {
	cat <<'EOF'
menuconfig GUEST@N@
	bool "Guest @N@"
	default n
	help
	  Run a guest in slot @N@: a QEMU process (or a UML kernel, see
	  GUEST@N@_KIND) supervised by PID 1, on its own tap device in the
	  bridge, with its serial console logged and attachable from
	  labctl. Slots are independent: enable any
	  of them, e.g. only 1 and 3. Off (the default): slot unused.

if GUEST@N@

config GUEST@N@_NAME
	string "Name"
	default "vm@N@"
	help
	  Name of the guest, unique in the profile. It is also the name of
	  its tap device, its DNS name (NAME.DNS_DOMAIN, e.g. vm@N@.lab),
	  its DHCP host name, its directory under SHARE_DIR with SHARE_PER_GUEST, and
	  what labctl and NAT_PORT_FORWARDS call it.

	  Format: 1 to 15 characters (a network interface name's limit),
	  letters, digits and '-', e.g. "vm@N@" (the default) or "e1000-a".
	  It must differ from BRIDGE_NAME and UPLINK_IFNAME.

config GUEST@N@_KIND
	string "Kind (qemu, uml or board)"
	default "qemu"
	help
	  What runs the guest:
	    qemu  a QEMU process (the default): any firmware, disk bus,
	          NIC model, the gdb stub
	    board nothing here: a machine the lab serves but does not run
	          (a real board on a network's port, or a QEMU you run
	          yourself), known by GUEST@N@_MAC (required). DHCP gives
	          it its name and GUEST@N@_IP, and the lab's netboot menus
	          boot its GUEST@N@_KERNEL/INITRD/APPEND (required kernel;
	          GUEST@N@_ARCH picks its console). PID 1 never starts it
	          (boot logs "board NAME: not started here"). Refused with board:
	          FIRMWARE, DISK*, EXTRA_DISKS, CLOUD_INIT, MEMORY, CPUS,
	          NIC, GDB_*, QEMU_ARGS, AUTOSTART, RESTART, more than one
	          NIC in NICS.
	    uml   User-Mode Linux: the guest's kernel is itself a host
	          process, built with make ARCH=um (./linux) or Debian's
	          user-mode-linux package (/usr/bin/linux.uml). Debug it
	          with plain gdb -p PID, the PID that labctl guests shows.
	  A UML guest runs GUEST@N@_KERNEL (the UML binary) as the slot's
	  user, with GUEST@N@_INITRD, GUEST@N@_DISK and GUEST@N@_EXTRA_DISKS
	  as ubd0, ubd1... (raw images only; writes go to a copy-on-write
	  file in its run directory, made anew each time the lab boots,
	  unless the disk is persistent or :rw), GUEST@N@_MEMORY as mem=,
	  its NIC as vec0 on its tap (e.g. lab.if=vec0 for the demo
	  guest), the debug share as hostfs (mount -t hostfs none /mnt),
	  GUEST@N@_APPEND on its command line, and the same console log,
	  console socket and labctl console as a QEMU guest. labctl stop
	  sends it ctrl-alt-del over UML's management console (mconsole),
	  then SIGTERM if it is still running after half of
	  STOP_TIMEOUT, then SIGKILL.
	  Refused with uml: ARCH other than x86_64, FIRMWARE other than
	  "kernel", DISK_BUS, a bus in EXTRA_DISKS, NIC, CPUS above 1,
	  GDB_PORT and GDB_WAIT (use gdb -p), QEMU_ARGS (UML's options go
	  into APPEND), CLOUD_INIT, a disk path with a ':'. UML needs a tmpfs it may map
	  executable for its memory (/dev/shm, as labinit mounts it).

config GUEST@N@_ARCH
	string "Architecture"
	default "x86_64"
	help
	  The guest's CPU architecture and the machine QEMU emulates:
	    x86_64   a PC (QEMU's pc machine), with KVM when the lab
	             host has it (the default)
	    aarch64  QEMU's arm64 "virt" machine, console ttyAMA0
	    riscv64  QEMU's riscv64 "virt" machine under OpenSBI (QEMU's
	             own copy), console ttyS0
	  aarch64 and riscv64 guests are emulated (TCG, no KVM): expect
	  a busybox initramfs to boot in a few seconds, a full distribution
	  in minutes. They boot GUEST@N@_KERNEL directly: an arm64 or
	  riscv64 "Image" (arch/arm64/boot/Image, arch/riscv/boot/Image;
	  `make demo-guest` makes lab/guests/demo-arm64/Image and
	  demo-riscv64/Image). Initrd, disks, NIC, share, console and gdb
	  stub work as on x86_64 (gdb: gdb-multiarch, `set architecture
	  aarch64` or `riscv:rv64`), except:
	    - no IDE bus (GUEST@N@_DISK_BUS, EXTRA_DISKS): the virt
	      machines have none; sata, scsi, nvme, usb and virtio work
	    - GUEST@N@_FIRMWARE is "kernel" or a firmware file; bios and
	      uefi are PC firmware
	    - labctl stop: on aarch64 QEMU presses the guest's power button
	      (gpio-keys; the kernel needs gpio_pl061 and gpio_keys, and
	      something like acpid acting on KEY_POWER). QEMU 7.2's riscv64
	      virt machine has no power button: labinit ends its QEMU at
	      once (SIGTERM), as if the plug were pulled; keep
	      GUEST@N@_DISK_PERSISTENT off or sync before stopping.
	  The lab image carries qemu-system-aarch64 or -riscv64 only when
	  a guest of the profile needs it.

config GUEST@N@_MACHINE
	string "x86_64 machine (auto, microvm or pc)"
	default "auto"
	help
	  The machine QEMU emulates for an x86_64 guest:
	    auto     (the default) microvm when the guest boots
	             GUEST@N@_KERNEL directly and can run there, else pc;
	             the lab's console says which and why, e.g.
	             "guest vm@N@: machine pc, not microvm: its NIC e1000
	             is a PCI card (MACHINE=auto)"
	    microvm  QEMU's microvm: no PCI, no BIOS (qboot loads the
	             kernel), every device on virtio-mmio, a minimal ACPI
	             for the power button and the MMIO devices. Boots
	             faster; see below for what it needs
	    pc       QEMU's pc machine (i440FX, PCI, SeaBIOS)
	  microvm needs: FIRMWARE=kernel without BOOT=network, NICs of
	  model virtio-net, disks on the virtio or scsi bus, no device
	  in GUEST@N@_QEMU_ARGS but virtio-mmio ones (-device
	  virtio-*-device; auto takes pc for any other), and a kernel
	  with CONFIG_VIRTIO_MMIO (and CONFIG_PVH for a vmlinux). auto
	  checks the kernel: a vmlinux's PVH note or a bzImage's boot
	  protocol (2.06 or later), and virtio_mmio built in (the
	  vmlinux's symbols; for a bzImage, the vmlinux beside it) or
	  virtio_mmio.ko in an uncompressed cpio part of GUEST@N@_INITRD;
	  a compressed initrd cannot be looked into, so auto then picks
	  pc (set microvm if you know the module is there). With microvm
	  set, a device that needs PCI is a profile error. Under TCG a
	  microvm guest gets tsc_early_khz= (the host's TSC rate) on its
	  command line: it has no HPET or PM timer to calibrate against.
	  aarch64 and riscv64 guests always run on their virt machine.

config GUEST@N@_FIRMWARE
	string "Firmware"
	default "kernel"
	help
	  What starts the guest:
	    kernel  QEMU loads GUEST@N@_KERNEL itself, no bootloader (the
	            default; the fastest way to boot a kernel you built)
	    bios    SeaBIOS boots GUEST@N@_DISK's own bootloader, as a PC
	            does: for downloaded disk images (cirros, Debian or
	            Ubuntu cloud images) with a BIOS bootloader
	    uefi    OVMF (Debian's ovmf package) boots the disk's EFI
	            system partition; the guest gets its own copy of the
	            UEFI variable store, kept while the lab runs, or, with
	            GUEST@N@_DISK_PERSISTENT, beside the disk as
	            NAME.OVMF_VARS.fd for as long as the disk. Give
	            it 512 MiB or more (GUEST@N@_MEMORY): Debian's GRUB
	            runs out of memory loading a kernel with 256
	    u-boot  Debian's u-boot-qemu build for the architecture, as
	            -bios: /usr/lib/u-boot/qemu-x86/u-boot.rom (pc) or
	            /usr/lib/u-boot/qemu_arm64/u-boot.bin (virt); its
	            distro boot tries the disks, then DHCP + TFTP
	            (boot.scr.uimg, then pxelinux.cfg/ with
	            GUEST@N@_BOOT=network). Not riscv64 (use a /PATH)
	    /PATH   the absolute path of another firmware file, given to
	            QEMU as -bios, e.g. a SeaBIOS you built (on riscv64:
	            an OpenSBI or U-Boot instead of QEMU's OpenSBI)
	  bios and uefi are x86_64 only (GUEST@N@_ARCH).
	  With bios, uefi or a path, GUEST@N@_KERNEL is optional; if you set
	  it anyway, the firmware boots that kernel instead of the disk
	  (with GUEST@N@_BOOT=network: from the network). u-boot takes a
	  kernel only with GUEST@N@_BOOT=network.

config GUEST@N@_BOOT
	string "Boot from (auto or network)"
	default "auto"
	help
	  auto     (the default) the firmware boots GUEST@N@_KERNEL if set
	           (QEMU hands it over), else the first disk
	  network  the firmware netboots from the lab: its first NIC
	           boots first (bootindex), DHCP names a loader, and the
	           menus labinit generates for this guest's MAC boot
	           GUEST@N@_KERNEL/INITRD/APPEND over TFTP (needs
	           CONFIG_TFTP_ROOT). No -kernel: bios netboots with the
	           NIC's iPXE ROM (pxelinux.0 or labinit/boot.ipxe), uefi
	           with OVMF's own PXE (grubnetx64.efi), u-boot with
	           its distro boot (boot.scr.uimg, then pxe get/boot).
	  network needs a firmware (not "kernel"), a kernel, and its
	  first NIC on a lab network that serves DHCP. A board
	  (KIND=board) always netboots.

config GUEST@N@_KERNEL
	string "Kernel"
	default ""
	help
	  Kernel the guest boots, a path on the lab host; a relative path
	  is resolved against FILES_DIR, e.g. "guests/demo/vmlinux".

	  Accepted on x86_64: a bzImage (arch/x86/boot/bzImage) or the
	  uncompressed ELF vmlinux at the top of your kernel build tree;
	  on aarch64 and riscv64 (GUEST@N@_ARCH) an uncompressed Image
	  (arch/arm64/boot/Image, arch/riscv/boot/Image). Prefer vmlinux:
	  QEMU boots it through PVH (the kernel needs CONFIG_PVH=y), which
	  skips the self-decompression and is about twice as fast under
	  TCG; it also carries the symbols gdb needs. Required when
	  GUEST@N@_FIRMWARE is "kernel" (the default); with another firmware,
	  leave it empty to boot GUEST@N@_DISK's bootloader.

config GUEST@N@_INITRD
	string "Initrd"
	default ""
	help
	  Initial ramdisk for the guest: a cpio archive, optionally
	  gzip-compressed; a relative path is resolved against FILES_DIR,
	  e.g. "guests/demo/initramfs.cpio.gz". Empty (the default): no
	  initrd, the kernel mounts its root from GUEST@N@_DISK (add e.g.
	  "root=/dev/vda" to GUEST@N@_APPEND).

config GUEST@N@_DISK
	string "Disk image"
	default ""
	help
	  The guest's first disk, on the bus GUEST@N@_DISK_BUS names
	  (/dev/vda on virtio, the default); a relative path is resolved
	  against FILES_DIR, e.g. "guests/debian.qcow2". With a
	  GUEST@N@_FIRMWARE other than "kernel" and no kernel, the guest
	  boots from it.

	  Format: a raw or qcow2 image (told apart by content). Empty (the
	  default): no disk, for guests that live in their initrd.

config GUEST@N@_DISK_PERSISTENT
	bool "Keep disk writes"
	default n
	help
	  On: the guest writes to GUEST@N@_DISK itself; changes survive.
	  Only matters when GUEST@N@_DISK is set.
	  Off (the default): QEMU's snapshot mode; writes go to a temporary
	  overlay that is thrown away when the guest stops, so a crashing
	  test kernel cannot corrupt the image and every boot starts from
	  the same state.

config GUEST@N@_DISK_BUS
	string "Bus of the first disk"
	default "virtio"
	help
	  How GUEST@N@_DISK is attached, i.e. which driver the guest needs
	  and the name it gets there:
	    virtio  virtio-blk, /dev/vda (the default, the fastest)
	    scsi    virtio-scsi controller + SCSI disk, /dev/sda
	    ide     the PC's IDE controller, /dev/sda (ata_piix); x86_64
	            only, the aarch64 and riscv64 virt machines have none
	    sata    an AHCI controller (ich9-ahci), /dev/sda (ahci)
	    nvme    an NVMe controller, /dev/nvme0n1
	    usb     a USB 3 controller (qemu-xhci) + USB stick, /dev/sda
	  Pick the bus whose driver you are testing, or the one a
	  downloaded image's kernel has built in.

config GUEST@N@_EXTRA_DISKS
	string "Extra disks"
	default ""
	help
	  Disks besides GUEST@N@_DISK, at most 4, separated by spaces, each
	  FILE[:BUS][:rw]:
	    FILE  a raw or qcow2 image; a relative path is resolved
	          against FILES_DIR
	    BUS   as in GUEST@N@_DISK_BUS; virtio when left out
	    rw    writes reach FILE; without it they go to a throw-away
	          overlay, as with GUEST@N@_DISK_PERSISTENT off
	  e.g. "scratch.img:ide:rw data.qcow2:nvme". They are attached
	  after the first disk, in this order, and virtio disks are named
	  in it (vda, vdb, ...); but the kernel finds the sdX disks of the
	  scsi, ide, sata and usb buses in no fixed order (the first disk
	  may be sdb), so a guest should tell those apart by content,
	  label or /dev/disk/by-id. The PC has room for 4 IDE disks in all
	  (the first disk's included). A FILE cannot contain ':', ',' or
	  spaces.

config GUEST@N@_CLOUD_INIT
	bool "cloud-init seed"
	default n
	help
	  Attach a cloud-init NoCloud seed: a small read-only ISO 9660
	  disk labelled "cidata" (after the guest's own disks, on
	  virtio-blk) with
	    meta-data  instance-id and local-hostname (GUEST@N@_NAME)
	    user-data  #cloud-config with the hostname, the FQDN
	               (NAME.DNS_DOMAIN) and SSH_AUTHORIZED_KEYS
	  so that a downloaded cloud image (Debian's genericcloud,
	  Ubuntu's cloudimg, cirros) boots named and reachable by SSH
	  with your key. The seed is made when the guest starts, in its
	  run directory (/run/labinit/guests/NAME/cidata.iso). Its
	  instance id changes when what it says changes, so cloud-init
	  applies a new key on the next boot and does nothing on a
	  plain restart. Off (the default): no seed.

config GUEST@N@_APPEND
	string "Kernel command line"
	default ""
	help
	  Extra kernel command line for the guest. "console=ttyS0" is
	  always added ("console=ttyAMA0" on aarch64), since the serial
	  port is the console labinit logs and attaches to.

	  Format: the kernel's own syntax, e.g. "root=/dev/vda rw nokaslr"
	  ("nokaslr" keeps addresses equal to vmlinux's symbols for gdb).
	  Empty (the default): only "console=ttyS0".

config GUEST@N@_MEMORY
	int "Memory (MiB)"
	range 32 65536
	default 256
	help
	  Guest RAM in MiB, 32..65536. The default 256 suits a busybox
	  initramfs; a Debian rootfs wants 512 or more. All running guests
	  together must fit in the lab host's RAM.

config GUEST@N@_CPUS
	int "Virtual CPUs"
	range 1 64
	default 1
	help
	  Number of virtual CPUs, 1..64. Default 1. Under TCG each virtual
	  CPU needs a host CPU of its own to run at full speed, so give
	  more only to test SMP code.

config GUEST@N@_NIC
	string "Network card model"
	default "virtio-net"
	help
	  Network card QEMU emulates for the guest, named as QEMU names it
	  (qemu-system-x86_64 -device help), i.e. the driver the guest
	  kernel needs. All of them are PCI cards, which the aarch64 and
	  riscv64 virt machines take as well (their kernel must have the
	  driver: Debian's riscv64 kernel has no rtl8139 one):
	    virtio-net-pci  virtio_net, the fastest ("virtio-net", the
	                    default, is the same card)
	    e1000           Intel 82540EM, e1000 driver
	    e1000e          Intel 82574L, e1000e driver
	    rtl8139         Realtek RTL8139, 8139too or 8139cp driver
	    ne2k_pci        NE2000 (RTL8029), ne2k-pci driver
	    pcnet           AMD PCnet, pcnet32 driver
	    i82551          Intel 82551, e100 driver
	    i82557b         Intel 82557B, e100 driver
	    i82559er        Intel 82559ER, e100 driver
	    vmxnet3         VMware vmxnet3, vmxnet3 driver
	  Pick another than virtio to test its driver or for guests built
	  without virtio.

config GUEST@N@_NICS
	string "NICs on several networks"
	default ""
	help
	  The guest's network cards, when it has more than one or its
	  one is not on network 1: a list of NET[:MODEL][:MAC], where
	  NET is a network's number (1..4) or name (NET1_NAME,
	  NETn_NAME), MODEL a NIC model as in GUEST@N@_NIC (the
	  default), MAC its address (default: GUEST@N@_MAC for the
	  first, one derived from the guest's name and the NIC's
	  position for the others, the same on every boot). E.g.
	    "1 link:e1000"           one NIC on network 1, an e1000
	                             on the network named link
	    "2:virtio-net:52:54:00:00:00:02"
	  The first NIC's tap is named after the guest, the others
	  NAME.1, NAME.2 (so such a guest's name has at most 13
	  characters). GUEST@N@_IP is the first NIC's address.
	  NET "macvtap" puts the NIC straight on the uplink (a
	  macvtap in bridge mode, as libvirt's type='direct'): the
	  guest is on the LAN, addressed by the LAN's DHCP server,
	  and the lab host itself cannot reach it through the uplink.
	  Not for KIND=uml, nor beside a bridge network (the uplink
	  is its port: join that network instead); the first NIC
	  then has no GUEST@N@_IP.
	  Empty (the default): one NIC on network 1.

config GUEST@N@_MAC
	string "MAC address"
	default ""
	help
	  MAC address of the guest's network card.

	  Format: six colon-separated hex bytes, unicast, unique in the lab,
	  e.g. "52:54:00:12:34:0@N@". Empty (the default): derived from
	  GUEST@N@_NAME as 52:54:00:xx:xx:xx (QEMU's and libvirt's prefix),
	  so a guest keeps its MAC, and with it its DHCP lease, across
	  restarts and reboots of the lab host.

config GUEST@N@_IP
	string "Fixed IPv4 address"
	default ""
	help
	  Address the DHCP server reserves for this guest's MAC; the guest
	  still asks for it by DHCP.

	  Format: an IPv4 address in LAB_SUBNET, not LAB_GATEWAY, e.g.
	  "10.77.0.1@N@". Empty (the default): a dynamic address from the
	  DHCP range. Set it when port forwards or scripts must find the
	  guest at a known address.

config GUEST@N@_GDB_PORT
	int "gdb stub TCP port (0 = none)"
	range 0 65535
	default 0
	help
	  TCP port of QEMU's gdb stub for this guest, on the lab host,
	  e.g. 1234 (gdb's customary port). Attach with
	    gdb vmlinux -ex 'target remote LABHOST:1234'
	  Every guest needs its own port. 0 (the default): no gdb stub.

config GUEST@N@_GDB_WAIT
	bool "Wait for gdb at start"
	default n
	help
	  Halt the guest's CPU at its first instruction until gdb attaches
	  and continues ("c"), so you can set breakpoints in early boot,
	  e.g. "hbreak start_kernel". Needs GUEST@N@_GDB_PORT. Off (the
	  default): the guest runs at once and gdb can attach at any time.

config GUEST@N@_AUTOSTART
	bool "Start at boot"
	default y
	help
	  On (the default): the guest starts when the lab is up. Off: it
	  stays stopped until you start it with labctl.

config GUEST@N@_RESTART
	string "Restart policy"
	default "on-failure"
	help
	  What the supervisor does when the guest's QEMU process exits:
	    always      restart it
	    on-failure  restart it unless it exited cleanly, e.g. after a
	                power-off inside the guest (the default)
	    never       leave it stopped, e.g. to keep the console log of
	                a crash untouched
	  Restarts are throttled to at most one per second.

config GUEST@N@_RESET
	string "What labctl reset does"
	default "reboot"
	help
	  What `labctl reset GUEST` does, to give a test a clean guest:
	    reboot    restart the guest, as `labctl restart` (the default)
	    snapshot  load back the state QEMU saved the first time the
	              guest's agent answered (the first `labctl run` or
	              `labctl reset`): no boot, a fraction of a second.
	              The state file (about the guest's used memory) is
	              in the run directory, on tmpfs: it costs RAM.
	              QEMU guests without disks only (kernel and
	              initramfs): a disk's writes would not be undone.
	              The guest's clock reads the snapshot's time after a
	              reset (set it if a test needs it).

config GUEST@N@_QEMU_ARGS
	string "Extra QEMU arguments"
	default ""
	help
	  Arguments added at the end of the guest's QEMU command line,
	  for what no key here covers: a device you are writing a driver
	  for, a -trace pattern, a -machine property. QEMU takes the last
	  of a repeated option, so these can also override labinit's.

	  Format: words as a shell splits them, without expansions:
	  blanks separate words, '...' and "..." quote, \ escapes; at
	  most 32 words, no control characters. E.g.
	    "-device pci-testdev -trace 'virtio_blk_*'"
	  labinit refuses -daemonize, -runas and -chroot (it supervises
	  QEMU in the foreground, as the guest's own user). See
	  `labctl guests` or /proc/PID/cmdline for the full line.
	  Empty (the default): nothing added.

config GUEST@N@_BOOT_FILE
	string "DHCP boot file (netboot)"
	default ""
	help
	  The boot file the lab's DHCP server names to this guest's first
	  NIC (its MAC), instead of the BOOT_FILE_* default of the loader
	  asking, e.g. "ipxe.efi" to chain a UEFI guest into iPXE, or
	  "vm@N@/pxelinux.0". Setting it also makes the guest a netbooting
	  one: it gets the boot options (next-server, file) whatever its
	  firmware says it is. iPXE still gets BOOT_FILE_IPXE.

	  Format: printable ASCII without blanks, quotes or '\', at most
	  127 characters. Empty (the default): the loader's default file.

endif

EOF
}

net_template() {
	cat <<'EOF'
menuconfig NET@N@
	bool "Network @N@"
	default n
	help
	  A lab network beside network 1: its own bridge, subnet,
	  services and mode. Guests join it through GUESTn_NICS.

if NET@N@

config NET@N@_NAME
	string "Name"
	default "net@N@"
	help
	  What GUESTn_NICS, `labctl networks` and `labctl capture` call
	  the network: 1-15 letters, digits or '-'.

config NET@N@_MODE
	string "Mode (nat, routed, isolated, private, bridge or span)"
	default "nat"
	help
	    nat       the host's address and services, guests
	              masqueraded to the uplink (IPv4 and IPv6)
	    routed    forwarded both ways, not masqueraded: a subnet
	              the LAN routes to the lab host
	    isolated  guests and the host only
	    private   guests only: the bridge has no address and
	              nothing is forwarded; with NET@N@_DHCP=y the host
	              takes the gateway address to serve DHCP and
	              nothing else. For a point-to-point link between
	              two guests or a multi-guest link.
	    bridge    the public bridge: the uplink (UPLINK_IFNAME) is
	              a port of this bridge and the host's own address
	              (by DHCP or static) moves to the bridge, so guests
	              are on the LAN and take its DHCP. At most one.
	    span      one network across several lab hosts on the
	              same LAN, over VXLAN (NET@N@_SPAN_*): each host
	              has its own address in it (NET@N@_GATEWAY, set
	              in each host's profile) and is isolated towards
	              the uplink; DHCP, DNS and IPv6 are off unless a
	              host's profile says y (one server, or disjoint
	              ranges). The VXLAN device is vx<NET@N@_BRIDGE>.

config NET@N@_BRIDGE
	string "Bridge name"
	default "virbr@M@"

config NET@N@_BRIDGE_MAC
	string "Bridge MAC address"
	default ""
	help
	  Empty (the default): a locally administered MAC derived from
	  HOSTNAME and the network's number.

config NET@N@_SUBNET
	string "IPv4 subnet"
	default "10.77.@M@.0/24"

config NET@N@_GATEWAY
	string "The host's address in it"
	default ""
	help
	  Empty (the default): the subnet's first address.

config NET@N@_MTU
	int "MTU"
	range 0 65535
	default 0
	help
	  0 (the default): the kernel's; in a span network the uplink's
	  MTU minus 50 (the IPv4 VXLAN headers, RFC 7348 §5).

config NET@N@_STP
	bool "Spanning tree"
	default n

config NET@N@_PORTS
	string "Physical NICs in the bridge (boards)"
	default ""
	help
	  Interfaces of the lab host, separated by spaces, that become
	  ports of this network's bridge, as BRIDGE_PORTS does for
	  network 1: boards plugged into them are on this network.

config NET@N@_DHCP
	string "DHCP server (auto, y or n)"
	default "auto"
	help
	  auto (the default): on in the nat, routed and isolated modes.

config NET@N@_RANGE_START
	string "DHCP range start"
	default ""
	help
	  Empty (the default): the subnet's second address.

config NET@N@_RANGE_END
	string "DHCP range end"
	default ""
	help
	  Empty (the default): the subnet's last host address.

config NET@N@_DNS
	string "DNS server (auto, y or n)"
	default "auto"

config NET@N@_DNS_DOMAIN
	string "DNS domain"
	default ""
	help
	  Empty (the default): NAME.DNS_DOMAIN, e.g. net@N@.lab.

config NET@N@_IPV6
	string "IPv6 (auto, y or n)"
	default "auto"
	help
	  auto (the default): a /64 with router advertisements in the
	  nat, routed and isolated modes, as LAB_IPV6 for network 1.

config NET@N@_IPV6_PREFIX
	string "IPv6 prefix"
	default ""
	help
	  Empty (the default): a unique local /64 derived from the
	  bridge's MAC and name, subnet ID @N@.

config NET@N@_DHCPV6
	bool "Stateful DHCPv6"
	default n
	help
	  As LAB_DHCPV6 for network 1: the network's worker also serves
	  DHCPv6 addresses in its /64 and its router advertisements set
	  the M and O flags. Needs NET@N@_IPV6 and NET@N@_DHCP.

config NET@N@_SPAN_VNI
	int "Span: VXLAN network identifier"
	range 1 16777215
	default @N@
	help
	  The segment's VNI, the same on every host of the span network.

config NET@N@_SPAN_PEERS
	string "Span: the other hosts' uplink addresses"
	default ""
	help
	  IPv4 addresses of the other lab hosts' uplinks, separated by
	  spaces: broadcasts are sent to each (head-end replication).
	  Exactly one of NET@N@_SPAN_PEERS and NET@N@_SPAN_GROUP.

config NET@N@_SPAN_GROUP
	string "Span: multicast group"
	default ""
	help
	  An IPv4 multicast group (e.g. 239.1.1.1) the hosts join on
	  their uplinks instead of listing each other.

config NET@N@_SPAN_PORT
	int "Span: VXLAN UDP port"
	range 1 65535
	default 4789
	help
	  4789 (the default) is IANA's VXLAN port (RFC 7348 §5).

endif

EOF
}

if [ "${1:-}" = net ]; then
	NETS=$(sed -n 's/^#define PROFILE_NETS \([0-9][0-9]*\)$/\1/p' "$(dirname "$0")/../lib/profile/profile_keys.h")
	echo "# Generated by guests/gen-kconfig-slots.sh net; do not edit."
	echo "# Regenerate with: sh guests/gen-kconfig-slots.sh net > net/Kconfig.slots"
	echo
	n=2
	while [ "$n" -le "$NETS" ]; do
		net_template | sed "s/@N@/$n/g; s/@M@/$((n - 1))/g"
		n=$((n + 1))
	done
	exit 0
fi

echo "# Generated by guests/gen-kconfig-slots.sh; do not edit."
echo "# Regenerate with: sh guests/gen-kconfig-slots.sh > guests/Kconfig.slots"
echo

n=1
while [ "$n" -le "$SLOTS" ]; do
	template | sed "s/@N@/$n/g"
	n=$((n + 1))
done
