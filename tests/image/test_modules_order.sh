#!/bin/sh
# `labinit modules --order` against a real kernel package's module tree (the
# one `make demo-guest` unpacks): every feature resolves, each module comes
# after what it needs, and every printed path exists. `--list` is the
# image builder's list of feature modules. In the image layer, after the
# tests that build the image and with it the unpacked tree.
set -eu
cd "$(dirname "$0")/../.."
LABINIT=${LABINIT:-build/labinit}
list=$("$LABINIT" modules --list)
[ -n "$list" ] || { echo "labinit modules --list printed nothing"; exit 1; }
for m in bridge tun nf_tables nft_masq 9p kvm_intel ext4 vfat; do
	printf '%s\n' "$list" | grep -qx "$m" || { echo "--list lacks $m"; exit 1; }
done
if "$LABINIT" modules --bogus > /dev/null 2>&1; then echo "a bad option was accepted"; exit 1; fi
"$LABINIT" modules --order --root > /dev/null 2>&1 && { echo "--root without DIR was accepted"; exit 1; }
[ $? = 2 ] || { echo "usage errors exit 2"; exit 1; }

# The tree image/lib.sh unpacks (build/debroot), or where it used to be.
tree=
for d in build/debroot/linux-image-*/lib/modules/*/modules.dep \
	build/demo-guest/root/linux-image-*/lib/modules/*/modules.dep; do
	[ -f "$d" ] && { tree=$d; break; }
done
if [ -z "$tree" ]; then
	IMAGE_OUT=build/test-image PROFILE=configs/default_defconfig make -s image > /dev/null 2>&1 ||
		{ echo "no unpacked kernel module tree, and make image failed"; exit 1; }
	tree=$(ls build/debroot/linux-image-*/lib/modules/*/modules.dep | head -n 1)
fi
kdir=${tree%/modules.dep}
kver=${kdir##*/}
root=${kdir%/lib/modules/*}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$LABINIT" modules --order --root "$root" --kver "$kver" > "$tmp/order" ||
	{ echo "--order failed for $root ($kver)"; exit 1; }
# The position of a module in the order.
pos() { grep -n "/$1\.ko\$" "$tmp/order" | head -n 1 | cut -d: -f1; }
before() {
	a=$(pos "$1") b=$(pos "$2")
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ] || { echo "$1 ($a) is not before $2 ($b)"; cat "$tmp/order"; exit 1; }
}
before llc bridge
before stp bridge
before llc stp
before nf_tables nft_masq
before nf_nat nft_masq
before nf_conntrack nf_nat
before kvm kvm-intel
before 9pnet 9pnet_virtio
before fat vfat
before jbd2 ext4
while read -r p; do
	[ -f "$p" ] || { echo "printed path does not exist: $p"; exit 1; }
done < "$tmp/order"
# Named modules instead of the features: what the image builder asks for.
"$LABINIT" modules --order --root "$root" --kver "$kver" e1000 kvm-intel > "$tmp/named" ||
	{ echo "--order e1000 kvm-intel failed"; exit 1; }
[ "$(sed 's,.*/,,' "$tmp/named" | tr '\n' ' ')" = "e1000.ko irqbypass.ko kvm.ko kvm-intel.ko " ] ||
	{ echo "--order e1000 kvm-intel gave:"; cat "$tmp/named"; exit 1; }
if "$LABINIT" modules --order --root "$root" --kver "$kver" bridge no_such_module > /dev/null 2> "$tmp/err"; then
	echo "an unknown module name was accepted"; exit 1
fi
grep -q 'no_such_module: not in modules.dep' "$tmp/err" || { echo "unclear error:"; cat "$tmp/err"; exit 1; }
n=$(wc -l < "$tmp/order")
[ "$(sort "$tmp/order" | uniq | wc -l)" = "$n" ] || { echo "a module is listed twice"; exit 1; }
echo "$n modules in order for $kver"
