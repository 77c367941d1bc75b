#!/bin/bash
# Issue 13: CONFIG_GUESTn_CLOUD_INIT and CONFIG_GUESTn_QEMU_ARGS under
# PID 1. A demo guest gets the NoCloud seed as a read-only virtio disk
# after its own; its kernel (Linux's isofs, what cloud-init mounts) reads
# the volume labelled cidata, and the guest copies meta-data and user-data
# into the share: they must be exactly what the profile says (the guest's
# name, the lab domain, the keys of CONFIG_SSH_AUTHORIZED_KEYS from a
# file), and the host reads the same files back out of the volume with
# xorriso. QEMU_ARGS adds a pci-testdev (1b36:0005) that the guest must
# see, and comes last on QEMU's command line. A second guest without
# CLOUD_INIT has no seed.
# The guest agent for guests labinit did not build: the seed carries
# labinit's binary and its systemd unit, and user-data's bootcmd installs
# and starts them. The demo guest is not a cloud-init guest (no cloud-init,
# no systemd): it runs the bootcmd's copy by hand from the mounted seed and
# the copy answers `labctl run`; the unit passes systemd-analyze verify.
# The second guest does the README's first line from the 9p share
# (SHARE_DIR/agent/, written at boot) and its agent answers too.
source "$(dirname "$0")/../lib/pid1.sh" || exit 2
t_init
command -v qemu-system-x86_64 >/dev/null || t_skip "needs qemu-system-x86_64"
t_need xorriso xorriso
make -s -C "$T_REPO" demo-guest >"$T_DIR/demo-guest.log" 2>&1 || t_skip "the demo guest cannot be built: $(tail -n 3 "$T_DIR/demo-guest.log")"
mkdir -p "$T_DIR/files/guests" "$T_DIR/share"
cp -r "$T_REPO/lab/guests/demo" "$T_DIR/files/guests/" || t_fail "cannot copy the demo guest"
key1="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq3oM5mNn2bNnhpHc2nKq2y0bX0f5nJ3Ykm5Fw1Zq1T dev@workstation"
key2="ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDM3ybl0Ie1yQ8ZzG0mRIdOtSPTH7nnU9d2Vx8h1Zx4Wz2Y6U0KJn5J7vV4Qr0p3Sab ci's key"
printf '# keys for the lab\n%s\n\n%s\n' "$key1" "$key2" >"$T_DIR/files/keys.pub"

# The seed is the disk after the guest's own (none here): vda. The guest
# finds the volume by its label as cloud-init does, copies the files
# out, lists its PCI devices.
# Then it swaps its own agent for the seed's: a virtio port has one
# opener at a time, so the old agent must be gone first; the new one gets
# a session of its own, and lab.run's shell ends (with a hangup to its
# session) only once the new agent runs, so after its setsid.
swap='killall labinit-agent; n=0; while killall -0 labinit-agent 2> /dev/null && [ $n -lt 100 ]; do sleep 0.2; n=$((n + 1)); done; setsid /usr/local/sbin/labinit-agent agent --wait 30 < /dev/null > /mnt/debug/agent-$(hostname).log 2>&1 & n=0; until killall -0 labinit-agent 2> /dev/null || [ $n -ge 100 ]; do sleep 0.2; n=$((n + 1)); done;'
run='mkdir -p /seed && mount -t iso9660 -o ro /dev/vda /seed && cp /seed/meta-data /seed/user-data /mnt/debug/ ; cat /sys/bus/pci/devices/*/vendor /sys/bus/pci/devices/*/device | xargs > /mnt/debug/pci; findfs LABEL=cidata > /mnt/debug/findfs 2>&1; mkdir -p /usr/local/sbin && cp /seed/labinit-agent /usr/local/sbin/ && '"$swap"' echo done > /mnt/debug/done'
plainrun='mkdir -p /usr/local/sbin && cp /mnt/debug/agent/labinit-agent /usr/local/sbin/ && '"$swap"' echo swapped > /mnt/debug/plain-done'
t_outside
cfg=$T_DIR/cloud.config
t_static_uplink cloudinit >"$cfg"
cat >>"$cfg" <<EOC
CONFIG_FILES_DIR="$T_DIR/files"
CONFIG_SHARE_DIR="$T_DIR/share"
CONFIG_DNS_DOMAIN="lab.test"
CONFIG_SSH_AUTHORIZED_KEYS="keys.pub"
CONFIG_GUEST1=y
CONFIG_GUEST1_NAME="cloud1"
CONFIG_GUEST1_KERNEL="guests/demo/vmlinux"
CONFIG_GUEST1_INITRD="guests/demo/initramfs.cpio.gz"
CONFIG_GUEST1_APPEND="quiet lab.run=\\"$run\\""
CONFIG_GUEST1_CLOUD_INIT=y
CONFIG_GUEST1_QEMU_ARGS="-device 'pci-testdev' -name \\"cloud1,debug-threads=on\\""
CONFIG_GUEST1_MEMORY=192
CONFIG_GUEST2=y
CONFIG_GUEST2_NAME="plain"
CONFIG_GUEST2_KERNEL="guests/demo/vmlinux"
CONFIG_GUEST2_INITRD="guests/demo/initramfs.cpio.gz"
CONFIG_GUEST2_APPEND="quiet lab.run=\\"$plainrun\\""
CONFIG_GUEST2_AUTOSTART=n
EOC
"$LABINIT" check-config "$cfg" >"$T_DIR/check.log" 2>&1 || t_fail "the profile does not validate: $(cat "$T_DIR/check.log")"
t_boot_with_uplink cloudinit "$cfg"
t_wait_console "service cloud1: started" 30 || t_fail "cloud1 was not started"
start=$(t_now_ms)
t_wait_for 300 test -s "$T_DIR/share/done" ||
	t_fail "the guest did not report within 300 s; its console ends: $(nsenter -t "$LPID" -m tail -n 15 /run/labinit/guests/cloud1/console.log)"
took=$(($(t_now_ms) - start))
t_log "cloud1 read its seed $((took / 1000)).$((took % 1000 / 100)) s after its QEMU started (TCG)"

# What the guest's isofs read, byte for byte.
printf '#cloud-config\nhostname: cloud1\nfqdn: cloud1.lab.test\nssh_authorized_keys:\n  - '"'"'%s'"'"'\n  - '"'"'%s'"'"'\n' \
	"$key1" "${key2//\'/\'\'}" >"$T_DIR/want-user"
cat >>"$T_DIR/want-user" <<'EOU'
bootcmd:
  - [sh, -c, 'd=$(mktemp -d) && mount -o ro LABEL=cidata "$d" && install -D -m 0755 "$d/labinit-agent" /usr/local/sbin/labinit-agent && install -D -m 0644 "$d/labinit-agent.service" /etc/systemd/system/labinit-agent.service; umount "$d"; rmdir "$d"; systemctl enable --now --no-block labinit-agent.service']
EOU
cmp -s "$T_DIR/want-user" "$T_DIR/share/user-data" ||
	t_error "user-data differs: $(diff "$T_DIR/want-user" "$T_DIR/share/user-data" 2>&1 | head -n 10)"
grep -qx 'local-hostname: cloud1' "$T_DIR/share/meta-data" && grep -qx 'instance-id: labinit-cloud1-[0-9a-f]\{8\}' "$T_DIR/share/meta-data" ||
	t_error "meta-data: $(cat "$T_DIR/share/meta-data" 2>&1)"
grep -qx /dev/vda "$T_DIR/share/findfs" || t_error "the guest's findfs LABEL=cidata: $(cat "$T_DIR/share/findfs")"
grep -q 0x1b36 "$T_DIR/share/pci" && grep -q 0x0005 "$T_DIR/share/pci" ||
	t_error "QEMU_ARGS' pci-testdev is not in the guest: $(cat "$T_DIR/share/pci")"

# The host's reading of the same volume.
nsenter -t "$LPID" -m cat /run/labinit/guests/cloud1/cidata.iso >"$T_DIR/seed.iso"
xorriso -osirrox on -indev "$T_DIR/seed.iso" -extract / "$T_DIR/seed" >"$T_DIR/xorriso.log" 2>&1 ||
	t_error "xorriso cannot read the seed: $(tail -n 3 "$T_DIR/xorriso.log")"
cmp -s "$T_DIR/seed/USER-DATA" "$T_DIR/want-user" || t_error "xorriso's USER-DATA differs"
cmp -s "$T_DIR/seed/META-DATA" "$T_DIR/share/meta-data" || t_error "xorriso's META-DATA differs"
cmp -s "$T_DIR/seed/LABINIT-AGENT" "$LABINIT" || t_error "the seed's labinit-agent is not labinit's binary"
grep -qx 'ExecStart=/usr/local/sbin/labinit-agent agent --wait 0' "$T_DIR/seed/LABINIT-AGENT.SERVICE" ||
	t_error "the seed's unit: $(cat "$T_DIR/seed/LABINIT-AGENT.SERVICE" 2>&1)"

# The seed's agent, copied by the guest as bootcmd copies it, answers.
run_agent() { # GUEST: the path of the agent that runs the command
	timeout 400 nsenter -t "$LPID" -m -p "$LABCTL" run "$1" --boot-timeout 60 -- sh -c 'readlink /proc/$PPID/exe' 2>"$T_DIR/run.err" ||
		t_log "the agent's log in $1: $(cat "$T_DIR/share/agent-$1.log" 2>&1); console: $(nsenter -t "$LPID" -m grep -a labguest /run/labinit/guests/$1/console.log)"
}
got=$(run_agent cloud1)
[ "$got" = /usr/local/sbin/labinit-agent ] || t_error "labctl run cloud1: '$got', wanted the seed's agent; $(cat "$T_DIR/run.err")"

# The share's offer: labinit's binary and the same unit, in a directory
# of root's that no guest can write; the unit passes systemd-analyze
# verify (with ExecStart pointing at a binary that exists here).
cmp -s "$T_DIR/share/agent/labinit-agent" "$LABINIT" || t_error "the share's labinit-agent is not labinit's binary"
cmp -s "$T_DIR/share/agent/labinit-agent.service" "$T_DIR/seed/LABINIT-AGENT.SERVICE" || t_error "the share's unit differs from the seed's"
[ "$(stat -c '%u %a' "$T_DIR/share/agent")" = "0 755" ] && [ "$(stat -c '%u %a' "$T_DIR/share/agent/labinit-agent")" = "0 755" ] ||
	t_error "the share's agent/: $(ls -la "$T_DIR/share/agent")"
if command -v systemd-analyze >/dev/null; then
	sed "s|^ExecStart=/usr/local/sbin/labinit-agent |ExecStart=$LABINIT |" "$T_DIR/share/agent/labinit-agent.service" >"$T_DIR/labinit-agent.service"
	systemd-analyze verify --man=no "$T_DIR/labinit-agent.service" >"$T_DIR/verify.log" 2>&1 && [ ! -s "$T_DIR/verify.log" ] ||
		t_error "systemd-analyze verify: $(cat "$T_DIR/verify.log")"
fi

# QEMU's command line: the seed read-only, QEMU_ARGS last, in order.
args=$(nsenter -t "$LPID" -m -p sh -c 'for p in /proc/[0-9]*; do tr "\0" "|" < $p/cmdline; echo; done' | grep -- '-name|cloud1,')
case $args in *"file=/run/labinit/guests/cloud1/cidata.iso,if=none,id=seed,format=raw,readonly=on"*) ;;
*) t_error "no read-only seed drive: $args" ;; esac
case $args in *"|-device|pci-testdev|-name|cloud1,debug-threads=on|") ;;
*) t_error "QEMU_ARGS are not last, split as a shell would: $args" ;; esac
t_labctl start plain >/dev/null 2>&1 || t_error "labctl start plain failed"
t_wait_console "service plain: started" 30 || t_error "plain was not started"
nsenter -t "$LPID" -m test -e /run/labinit/guests/plain/cidata.iso && t_error "a guest without CLOUD_INIT has a seed"
# README's first line, from the 9p share: that agent answers.
t_wait_for 300 test -s "$T_DIR/share/plain-done" || t_error "plain did not copy the share's agent"
got=$(run_agent plain)
[ "$got" = /usr/local/sbin/labinit-agent ] || t_error "labctl run plain: '$got', wanted the share's agent; $(cat "$T_DIR/run.err")"
kill -TERM "$LPID"
t_wait_end 120 || t_fail "the namespace did not end after SIGTERM"
[ "$T_ERRORS" = 0 ] && t_pass
t_exit
