# labinit — one static binary (musl) for the lab host's PID 1 and its tools.
# `make help` lists the targets.

VERSION    := 0.1
BUILD      := build
# Sources are found, not listed: every .c below the four layers. Includes
# are repository-relative ("net/dhcpd/pool.h").
SRC_DIRS   := lib net guests init
SRCS       := $(shell find $(SRC_DIRS) -name '*.c' | LC_ALL=C sort)
HDRS       := $(shell find $(SRC_DIRS) -name '*.h')
# What unit tests and fuzz targets link: every source but the entry point
# (init/cmd/main.c, the only file with main()).
TEST_SRCS  := $(filter-out init/cmd/main.c,$(SRCS))

WARN       := -Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
              -Wformat=2 -Wconversion -Wno-sign-conversion -Wvla -Wundef
CPPFLAGS   := -I. -D_GNU_SOURCE -DLABINIT_VERSION='"$(VERSION)"'
MUSL_CC    ?= musl-gcc
# musl-gcc's specs hide /usr/include; the kernel's uapi headers are linked in.
MUSL_INC   := $(BUILD)/musl-include
CFLAGS     := -std=gnu11 -Os -g $(WARN) -fno-strict-aliasing
ASAN_FLAGS := -std=gnu11 -O1 -g $(WARN) -fsanitize=address,undefined -fno-omit-frame-pointer \
              -fno-sanitize-recover=undefined
FUZZ_CC    ?= clang
FUZZ_FLAGS := -std=gnu11 -O1 -g -fsanitize=fuzzer,address,undefined $(CPPFLAGS)

comma := ,
KCONFIG_CONFIG ?= .config
export KCONFIG_CONFIG

# Debian packages the build, the tests and the image need. The other
# architectures' QEMU and gdb-multiarch are for aarch64/riscv64 guests
# (tests/e2e/test_cross_arch); the last line: the real DHCP clients the
# server is tested with (tests/net/test_dhcpd_*), socat (an idle
# control-socket client, tests/pid1/test_labctl.sh), ndisc6 (rdisc6 reads
# the router advertisements, tests/net/test_ipv6.sh), user-mode-linux
# (Debian's linux.uml, tests/e2e/test_uml_guest) and tcpdump (reads what
# `labinit capture` wrote, tests/net/test_capture; a test tool only, the
# image has none). tftp-hpa, atftp: TFTP clients the lab's server is tested
# with (tests/net/test_tftp); tftpd-hpa: the bench's peer (tests/bench/tftp.sh
# runs its in.tftpd in a namespace; `make deps` keeps its system service
# from starting or being enabled in the machine's own namespace). dnsperf:
# the DNS bench's load generator (tests/bench/dns.sh). libxml2-utils:
# xmllint checks `make test-kernel`'s JUnit file against tests/data/junit.xsd
# (tests/image/test_test_kernel, tests/unit/init/results).
DEB_PACKAGES := make gcc musl-tools musl-dev linux-libc-dev kconfig-frontends clang \
                libclang-rt-14-dev busybox-static iproute2 util-linux procps \
                nftables dnsmasq-base jq curl time qemu-system-x86 samba smbclient \
                qemu-system-arm qemu-system-misc gdb-multiarch \
                cpio kmod xz-utils kea-admin zstd lz4 xorriso isolinux pxelinux syslinux-common \
                grub-common grub-efi-amd64-bin mtools dosfstools ovmf \
                udhcpc isc-dhcp-client dhcpcd-base socat ndisc6 user-mode-linux tcpdump \
                tftp-hpa atftp tftpd-hpa u-boot-qemu ipxe dnsperf libxml2-utils

.PHONY: all asan check unit fuzz fuzz-check run deps clean help menuconfig nconfig \
        oldconfig olddefconfig savedefconfig list-defconfigs bench demo-guest image test-kernel
all: $(BUILD)/labinit

$(MUSL_INC):
	mkdir -p $@
	ln -sfn /usr/include/linux $@/linux
	ln -sfn /usr/include/asm-generic $@/asm-generic
	ln -sfn /usr/include/x86_64-linux-gnu/asm $@/asm

$(BUILD)/labinit: $(SRCS) $(HDRS) Makefile | $(MUSL_INC)
	$(MUSL_CC) $(CPPFLAGS) $(CFLAGS) -isystem $(MUSL_INC) -static -o $@ $(SRCS)
	ln -sf labinit $(BUILD)/labctl

# The same program under glibc with AddressSanitizer and UBSan, for tests.
asan: $(BUILD)/asan/labinit
$(BUILD)/asan/labinit: $(SRCS) $(HDRS) Makefile
	mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ASAN_FLAGS) -o $@ $(SRCS)
	ln -sf labinit $(BUILD)/asan/labctl

# Unit tests link the sanitized objects of everything below init/, each
# compiled once (not once per test).
TEST_OBJS  := $(patsubst %.c,$(BUILD)/testobj/%.o,$(TEST_SRCS))
$(BUILD)/testobj/%.o: %.c $(HDRS) Makefile
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ASAN_FLAGS) -c -o $@ $<

# tests/unit/ mirrors the source folders: tests/unit/net/dhcp/test_codec.c
# tests net/dhcp/ and becomes build/unit/net/dhcp/test_codec.
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(shell find tests/unit -name 'test_*.c'))
unit: $(UNIT_TESTS)
$(BUILD)/unit/%: tests/unit/%.c tests/unit/t.h $(TEST_OBJS) $(HDRS) Makefile
	mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ASAN_FLAGS) -Itests/unit -o $@ $< $(TEST_OBJS)

FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
fuzz-build: $(FUZZ_TARGETS)
FUZZ_OBJS := $(patsubst %.c,$(BUILD)/fuzzobj/%.o,$(TEST_SRCS))
$(BUILD)/fuzzobj/%.o: %.c $(HDRS) Makefile
	@mkdir -p $(@D)
	$(FUZZ_CC) $(subst fuzzer$(comma),fuzzer-no-link$(comma),$(FUZZ_FLAGS)) -c -o $@ $<
$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_OBJS) $(HDRS) Makefile
	mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< $(FUZZ_OBJS)

# Objects stay after a build (make would delete them as intermediates).
.SECONDARY: $(TEST_OBJS) $(FUZZ_OBJS)

# Long fuzzing runs (make check does short bounded ones): FUZZ_RUNS inputs
# per target (libFuzzer's -runs), each target's count and time printed at
# the end; a crash stops the run with its reproducer under build/fuzz-out.
FUZZ_RUNS ?= 10000000
fuzz: $(FUZZ_TARGETS)
	@mkdir -p $(BUILD)/fuzz-out; : > $(BUILD)/fuzz-out/summary; \
	for t in $(FUZZ_TARGETS); do \
	  n=$$(basename $$t); mkdir -p $(BUILD)/corpus/$$n; \
	  echo "fuzz: $$n, $(FUZZ_RUNS) inputs"; \
	  $$t -runs=$(FUZZ_RUNS) -error_exitcode=1 -max_len=8192 -print_final_stats=1 \
	    -artifact_prefix=$(BUILD)/fuzz-out/$$n- $(BUILD)/corpus/$$n tests/fuzz/corpus/$$n \
	    > $(BUILD)/fuzz-out/$$n.log 2>&1 || { tail -n 30 $(BUILD)/fuzz-out/$$n.log; exit 1; }; \
	  printf '%s: %s\n' $$n "$$(grep -o 'Done [0-9]* runs in [0-9]* second(s)' $(BUILD)/fuzz-out/$$n.log)" \
	    | tee -a $(BUILD)/fuzz-out/summary; \
	done

check: deps
	$(MAKE) -j2 all asan unit fuzz-build
	sh tests/run.sh

# Benchmarks beside their peers (BENCH_RUNS=N runs each): they print
# numbers and assert none, and tests/bench/run.sh writes them into
# docs/PERFORMANCE.md. Root: they work in network namespaces.
bench: all
	sh tests/bench/run.sh

# The host image in out/ (image/mkimage.sh, image/bootmedia.sh): kernel,
# initramfs, hybrid ISO, PXE tree. PROFILE=FILE for another profile than
# .config (default configs/default_defconfig).
image: deps all
	sh image/mkimage.sh
	sh image/bootmedia.sh

run: image
	sh image/run.sh

# One command for CI (image/test-kernel.sh): the appliance boots KERNEL as
# its guest "test", runs CMD in it through the guest agent, writes
# out/results/{result.json,junit.xml,...} and exits with the run's code.
#   make test-kernel KERNEL=FILE [ARCH=..] [ROOTFS=FILE] CMD="..." [TIMEOUT=S]
# The variables reach the script through the environment.
test-kernel: deps all
	sh image/test-kernel.sh
# Its clock starts with make, before deps and the build: the time it
# prints to the command's exit is the whole of `make test-kernel`'s.
ifneq ($(filter test-kernel,$(MAKECMDGOALS)),)
export TEST_KERNEL_T0 := $(shell date +%s%N)
endif

# The demo guests, from Debian packages (no install): the default profile's
# lab/guests/demo/{bzImage,vmlinux,initramfs.cpio.gz,README}, and
# cross_arch_defconfig's lab/guests/demo-{arm64,riscv64}/{Image,initramfs.cpio.gz,README}.
demo-guest: all
	sh image/demo-guest.sh
	sh image/demo-guest-foreign.sh arm64
	sh image/demo-guest-foreign.sh riscv64

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -z "$$missing" ]; then echo "deps: all $(words $(DEB_PACKAGES)) packages present"; \
	else echo "deps: installing" $$missing; \
	  rc=/usr/sbin/policy-rc.d; own=; [ -e $$rc ] || { printf '#!/bin/sh\nexit 101\n' > $$rc; chmod +x $$rc; own=1; }; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends $$missing; st=$$?; [ -z "$$own" ] || rm -f $$rc; \
	  case " $$missing " in *" tftpd-hpa "*) \
	    update-rc.d tftpd-hpa disable > /dev/null 2>&1; systemctl disable tftpd-hpa > /dev/null 2>&1; \
	    echo "deps: tftpd-hpa's service left stopped and disabled (the bench runs in.tftpd itself)";; esac; \
	  exit $$st; fi

# Kconfig, as kernel and buildroot users know it.
menuconfig:
	kconfig-mconf Kconfig
nconfig:
	kconfig-nconf Kconfig
oldconfig:
	kconfig-conf --oldconfig Kconfig
olddefconfig:
	kconfig-conf --olddefconfig Kconfig
DEFCONFIG ?= defconfig
savedefconfig:
	kconfig-conf --savedefconfig=$(DEFCONFIG) Kconfig
	@echo "wrote $(DEFCONFIG) (copy it to configs/NAME_defconfig to keep it)"
%_defconfig: configs/%_defconfig
	kconfig-conf --defconfig=$< Kconfig
list-defconfigs:
	@for f in configs/*_defconfig; do \
	  d=$$(sed -n 's/^CONFIG_PROFILE_DESCRIPTION="\(.*\)"$$/\1/p' $$f); \
	  printf '  %-28s - %s\n' $$(basename $$f) "$$d"; done

clean:
	rm -rf $(BUILD) out

help:
	@echo "labinit $(VERSION) — make targets:"
	@echo "  run               build and boot the appliance with the current profile"
	@echo "  check             install what is missing and run every test"
	@echo "  image             out/: host kernel, initramfs, labinit.iso (CD/USB), pxe/"
	@echo "  test-kernel       KERNEL=FILE CMD=\"...\": boot it headless as the appliance's guest, run CMD, out/results/"
	@echo "  all               build/labinit, the static musl binary"
	@echo "  asan              build/asan/labinit, glibc + ASan/UBSan, for tests"
	@echo "  fuzz              long libFuzzer runs (FUZZ_RUNS=$(FUZZ_RUNS) inputs each)"
	@echo "  bench             benchmarks beside their peers (BENCH_RUNS=30 each); prints numbers"
	@echo "  deps              install the Debian packages everything needs"
	@echo "  demo-guest        lab/guests/demo{,-arm64,-riscv64}/: Debian's kernel + busybox initramfs, per architecture"
	@echo "  menuconfig nconfig oldconfig olddefconfig savedefconfig"
	@echo "  NAME_defconfig    load configs/NAME_defconfig into .config"
	@echo "  list-defconfigs   the profiles in configs/"
	@echo "  clean"
