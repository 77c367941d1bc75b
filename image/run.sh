#!/bin/sh
# `make run`: boot the appliance under QEMU. The host image (initramfs, ISO,
# PXE tree) is not built yet, so for now this says so plainly, and checks
# what can be checked: the binary is built and the profile validates.
cd "$(dirname "$0")/.." || exit 2
profile=.config
[ -f "$profile" ] || profile=configs/default_defconfig
cat <<'MSG'
make run: the appliance cannot boot yet.
  Built:     build/labinit (static, musl) and build/labctl.
  Missing:   the host image (kernel + initramfs with labinit as /init, QEMU,
             modules) and the demo guest; `make run` will boot them under
             QEMU once image/ builds them.
  Meanwhile: `make check` runs labinit as PID 1 in private namespaces.
MSG
echo "Profile $profile, as labinit would read it at boot:"
build/labinit check-config "$profile"
exit 1
