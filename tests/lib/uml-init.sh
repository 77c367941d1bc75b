#!/bin/sh
# init of the UML kernel t_uml_rerun (tests/lib/uml.sh) starts:
#   uml-init.sh DIR TEST MODULE...
# mounts what must be UML's own over the host's tree (writing nothing
# there but DIR), loads the modules,
# runs TEST, leaves its output in DIR/test.log and status in DIR/test.rc,
# and powers off.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin T_IN_UML=1
dir=$1 test=$2
shift 2
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2> /dev/null
for d in /run /tmp; do mount -t tmpfs tmpfs "$d"; done
# The host may have no /lib/modules; modprobe -d reads ROOT/lib/modules.
mkdir -p /tmp/uml-root/lib
ln -s /usr/lib/uml/modules /tmp/uml-root/lib/modules
for m in "$@"; do modprobe -d /tmp/uml-root "$m" || echo "uml-init: modprobe $m failed"; done
"$test" > "$dir/test.log" 2>&1 < /dev/null
echo $? > "$dir/test.rc"
sync
poweroff -f
