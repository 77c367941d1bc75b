#!/bin/sh
# `labinit modules --order` against a real kernel package's module tree (the
# one `make demo-guest` unpacks): every feature resolves, each module comes
# after what it needs, and every printed path exists. `--list` is the
# image builder's list of feature modules. In the image layer, after the
# tests that build the image and with it the unpacked tree.
. "$(dirname "$0")/../lib/lib.sh"
set -eu
cd "$T_REPO"
list=$("$LABINIT" modules --list)
[ -n "$list" ] || t_fail "labinit modules --list printed nothing"
for m in bridge tun macvlan macvtap nf_tables nft_masq 9p kvm_intel ext4 vfat; do
	printf '%s\n' "$list" | grep -qx "$m" || t_fail "--list lacks $m"
done
if "$LABINIT" modules --bogus > /dev/null 2>&1; then t_fail "a bad option was accepted"; fi
"$LABINIT" modules --order --root > /dev/null 2>&1 && t_fail "--root without DIR was accepted"
[ $? = 2 ] || t_fail "usage errors exit 2"

# The tree image/lib.sh unpacks (build/debroot), or where it used to be:
# the amd64 kernel's (the demo guests of other architectures unpack theirs
# there too, without kvm_intel or kvm_amd).
tree=
for d in build/debroot/linux-image-*_amd64/lib/modules/*/modules.dep \
	build/demo-guest/root/linux-image-*_amd64/lib/modules/*/modules.dep; do
	[ -f "$d" ] && { tree=$d; break; }
done
if [ -z "$tree" ]; then
	IMAGE_OUT=build/test-image PROFILE=configs/default_defconfig make -s image > /dev/null 2>&1 ||
		t_fail "no unpacked kernel module tree, and make image failed"
	tree=$(ls build/debroot/linux-image-*_amd64/lib/modules/*/modules.dep | head -n 1)
fi
kdir=${tree%/modules.dep}
kver=${kdir##*/}
root=${kdir%/lib/modules/*}
tmp=$(mktemp -d)
t_defer 'rm -rf "$tmp"'
"$LABINIT" modules --order --root "$root" --kver "$kver" > "$tmp/order" ||
	t_fail "--order failed for $root ($kver)"
# The position of a module in the order.
pos() { grep -n "/$1\.ko\$" "$tmp/order" | head -n 1 | cut -d: -f1; }
before() {
	a=$(pos "$1") b=$(pos "$2")
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ] || { cat "$tmp/order"; t_fail "$1 ($a) is not before $2 ($b)"; }
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
before macvlan macvtap
before tap macvtap
while read -r p; do
	[ -f "$p" ] || t_fail "printed path does not exist: $p"
done < "$tmp/order"
# Named modules instead of the features: what the image builder asks for.
"$LABINIT" modules --order --root "$root" --kver "$kver" e1000 kvm-intel > "$tmp/named" ||
	t_fail "--order e1000 kvm-intel failed"
[ "$(sed 's,.*/,,' "$tmp/named" | tr '\n' ' ')" = "e1000.ko irqbypass.ko kvm.ko kvm-intel.ko " ] ||
	{ cat "$tmp/named"; t_fail "--order e1000 kvm-intel gave the list above"; }
if "$LABINIT" modules --order --root "$root" --kver "$kver" bridge no_such_module > /dev/null 2> "$tmp/err"; then
	t_fail "an unknown module name was accepted"
fi
grep -q 'no_such_module: not in modules.dep' "$tmp/err" || { cat "$tmp/err"; t_fail "the error for an unknown module does not name it (above)"; }
n=$(wc -l < "$tmp/order")
[ "$(sort "$tmp/order" | uniq | wc -l)" = "$n" ] || t_fail "a module is listed twice"
echo "$n modules in order for $kver"
