# aL4: one entry point. `make run` boots the system in QEMU, `make test` runs every
# test (host unit tests, the in-QEMU suite on 1 and 4 harts) and ends with
# "N passed, N failed". See README.md.

BOARD ?= qemu-virt
SMP   ?= 1
DEBUG ?= 1
# A benchmark build (make bench sets it): release code with printing and the project's
# counters and fastpath switch, and none of the other debug calls.
BENCHMARK ?= 0
# seL4's KernelPrinting (DebugPutChar, DebugDumpScheduler): on in debug and benchmark
# builds unless set.
PRINTING_DEFAULT := $(if $(filter 1,$(BENCHMARK)),1,$(DEBUG))
PRINTING ?= $(PRINTING_DEFAULT)
FASTPATH ?= 1
TEST  ?=
APPEND ?=
# Per guest boot (a whole suite runs in one boot): the 4-hart suite takes some 10 minutes
# on the loaded 2-core build machine.
TIMEOUT ?= 900
# seL4's KernelRootCNodeSizeBits (the root CNode has 2^ROOT_CNODE_BITS slots).
ROOT_CNODE_BITS ?= 12
V ?= 0
Q := $(if $(filter 1,$(V)),,@)
.DEFAULT_GOAL := all
# Keep intermediate files (stripped ELFs, loader objects): no "rm" after the tests.
.SECONDARY:

include boards/$(BOARD)/board.mk

# SMP=2..4 builds kernel and user code for seL4's SMP configuration (its invocation
# numbering differs); SMP=1 is the single-core configuration.
SMP_FLAGS := $(if $(filter-out 1,$(SMP)),-DCONFIG_ENABLE_SMP_SUPPORT=1 -DCONFIG_MAX_NUM_NODES=$(SMP))
variant = $(BOARD)-$(if $(filter 1,$(DEBUG)),debug,release)$(if $(filter 1,$(BENCHMARK)),-bench)$(if $(filter-out $(PRINTING_DEFAULT),$(PRINTING)),-printing$(PRINTING))$(if $(filter 1,$(FASTPATH)),,-nofastpath)$(if $(filter-out 1,$(1)),-smp$(1))$(if $(filter-out 12,$(or $(2),$(ROOT_CNODE_BITS))),-cnode$(or $(2),$(ROOT_CNODE_BITS)))
VARIANT := $(call variant,$(SMP))
B := build/$(VARIANT)

# Toolchain, QEMU and firmware paths come from tools/setup, which installs and builds
# what is missing (once; the QEMU build is cached outside the tree).
TOOLS_MK := build/tools.mk
ifeq ($(filter clean,$(MAKECMDGOALS)),)
include $(TOOLS_MK)
endif
$(TOOLS_MK): tools/setup $(wildcard tools/qemu/*)
	@mkdir -p $(dir $@)
	tools/setup --mk $@

CC      := $(CROSS)gcc
OBJCOPY := $(CROSS)objcopy
HOSTCC  ?= gcc

WARN := -Wall -Wextra -Werror -Wmissing-prototypes -Wundef
# Which debug and project system calls exist (docs/syscalls.md): the kernel and user
# code see the same configuration, as with upstream libsel4's autoconf.h.
CONFIG_FLAGS := $(if $(filter 1,$(PRINTING)),-DCONFIG_PRINTING=1) \
  $(if $(filter 1,$(BENCHMARK)),-DCONFIG_AL4_BENCHMARK=1)
ifeq ($(DEBUG),1)
  OPT := -O2 -g -DCONFIG_DEBUG_BUILD=1
  KOPT :=
else
  OPT := -O2 -g -DNDEBUG
  # Release kernels are optimised across files: the IPC paths cross several objects.
  KOPT := -flto
endif

KINC := -Ikernel/include -Ikernel/arch/riscv/include -Ilibuser/include
KCFLAGS := -std=gnu11 -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany \
  -ffreestanding -fno-common -fno-stack-protector -fno-pic -nostdlib -mno-relax \
  $(WARN) $(OPT) $(CONFIG_FLAGS) $(KOPT) $(KINC) -DKERNEL_PADDR=$(KERNEL_PADDR) -MMD -MP $(SMP_FLAGS) \
  -DCONFIG_ROOT_CNODE_SIZE_BITS=$(ROOT_CNODE_BITS) \
  $(if $(filter 1,$(FASTPATH)),-DCONFIG_FASTPATH=1)
# -fno-tree-loop-distribute-patterns: small copy loops stay loops rather than calls to
# the C library's memcpy and memset (libuser/src/string.c says why that matters).
UCFLAGS := -std=gnu11 -march=rv64imafdc_zicsr_zifencei -mabi=lp64d -mcmodel=medany \
  --specs=picolibc.specs -fno-common -fno-tree-loop-distribute-patterns $(WARN) $(OPT) $(CONFIG_FLAGS) -Ilibuser/include -Idrivers -iquote kernel/include -MMD -MP \
  $(SMP_FLAGS) -DCONFIG_ROOT_CNODE_SIZE_BITS=$(ROOT_CNODE_BITS)
LCFLAGS := -std=gnu11 -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany \
  -ffreestanding -fno-pic -nostdlib $(WARN) -O2 -g -DKERNEL_PADDR=$(KERNEL_PADDR) -MMD -MP \
  -DFIRST_HART_ID=$(FIRST_HART_ID) $(SMP_FLAGS)

KERNEL_SRCS := $(shell find kernel -name "*.c" -o -name "*.S" | sort)
KERNEL_OBJS := $(patsubst %,$(B)/k/%.o,$(KERNEL_SRCS))
LIBUSER_SRCS := $(wildcard libuser/src/*.c libuser/src/*.S) kernel/fdt.c
LIBUSER_OBJS := $(patsubst %,$(B)/u/%.o,$(LIBUSER_SRCS))
INIT_SRCS := $(wildcard servers/init/*.c)
# Device drivers (drivers/virtio: the virtio-mmio library; drivers/net: virtio-net),
# compiled into the programs that drive a device.
DRIVER_SRCS := $(wildcard drivers/*/*.c)
# The network stack (netstack/, docs/netstack.md): the project's port and split poll,
# and lwIP 2.1.3's core compiled by path from the Debian source package that tools/setup
# unpacks into the cache (LWIP_SRC): no lwIP file is in the tree. NETSTACK_POLL=classic
# makes the polling loop the default mode (the baseline of the measurements).
NETSTACK_POLL ?= wakers
NETSTACK_SRCS := $(wildcard netstack/*.c)
LWIP_CORE := core/init.c core/def.c core/inet_chksum.c core/ip.c core/mem.c core/memp.c \
  core/netif.c core/pbuf.c core/raw.c core/stats.c core/sys.c core/tcp.c core/tcp_in.c \
  core/tcp_out.c core/timeouts.c core/udp.c core/ipv4/etharp.c core/ipv4/icmp.c \
  core/ipv4/ip4.c core/ipv4/ip4_addr.c core/ipv4/ip4_frag.c netif/ethernet.c
NETSTACK_INC := -Inetstack/include -I$(LWIP_SRC)/src/include \
  $(if $(filter classic,$(NETSTACK_POLL)),-DNETSTACK_POLL_CLASSIC=1)
# The seL4 suite's sizes: its root task image must stay below 2 MiB (BOOTINFO0005).
NETSTACK_SUITE_SIZES := -DNETSTACK_TCP_PCBS=16 -DNETSTACK_TCP_SEGS=128 \
  -DNETSTACK_MEM_SIZE=65536 -DNETSTACK_PBUFS=64
# lwIP's own sources: they build clean under the project's warnings with this
# lwipopts.h (debug, release, host); a warning a later lwIP or option brings is relaxed
# here, for them only.
LWIP_CFLAGS := $(NETSTACK_INC)
LWIP_OBJS = $(patsubst %,$(B)/lwip/%.o,$(LWIP_CORE))
# The memory server's launcher and the two images it starts (servers/memserver,
# tests/memclient), linked into the root tasks that start them.
MEMSERVER_ROOT_SRCS := servers/memserver/root/launch.c servers/memserver/root/image.S \
  tests/memclient/image.S
SEL4TEST_SRCS := $(wildcard tests/sel4test/*.c tests/sel4test/*.S) tests/aipc/peer_image.S $(DRIVER_SRCS) \
  $(NETSTACK_SRCS) $(MEMSERVER_ROOT_SRCS)
LOADER_SRCS := tools/loader/head.S tools/loader/loader.c

.PHONY: all run test debug clean host-tests images
# The test suite uses the debug calls and prints through DebugPutChar, as upstream
# sel4test does: only a debug build with printing has them (libuser declares them there).
SEL4TEST_BUILDS := $(and $(filter 1,$(DEBUG)),$(filter 1,$(PRINTING)))
all: $(B)/images/init.elf $(if $(SEL4TEST_BUILDS),$(B)/images/sel4test.elf)

# Objects depend on the flags they were built with: changing a flag in this file
# rebuilds them (the stamp is rewritten only when the flags differ).
FLAGS_STAMP := $(B)/flags
$(FLAGS_STAMP): FORCE
	@mkdir -p $(dir $@)
	@echo '$(KCFLAGS) | $(UCFLAGS) | $(LCFLAGS) | $(LWIP_CFLAGS) $(NETSTACK_SUITE_SIZES) $(NET_SERVER_SIZES)' | cmp -s - $@ || echo '$(KCFLAGS) | $(UCFLAGS) | $(LCFLAGS) | $(LWIP_CFLAGS) $(NETSTACK_SUITE_SIZES) $(NET_SERVER_SIZES)' > $@
.PHONY: FORCE
FORCE:

$(B)/k/%.c.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)echo "  BUILD $@"; $(CC) $(KCFLAGS) -c $< -o $@
$(B)/k/%.S.o: %.S $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)echo "  BUILD $@"; $(CC) $(KCFLAGS) -D__ASSEMBLY__ -c $< -o $@
$(B)/u/%.c.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)echo "  BUILD $@"; $(CC) $(UCFLAGS) -c $< -o $@
$(B)/u/%.S.o: %.S $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)echo "  BUILD $@"; $(CC) $(UCFLAGS) -c $< -o $@
$(B)/lwip/%.c.o: $(LWIP_SRC)/src/%.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)echo "  BUILD $@"; $(CC) $(UCFLAGS) $(LWIP_CFLAGS) $(NETSTACK_SUITE_SIZES) -c $< -o $@
$(B)/u/netstack/%: UCFLAGS += $(NETSTACK_INC) $(NETSTACK_SUITE_SIZES)
$(B)/u/tests/sel4test/net_%: UCFLAGS += $(NETSTACK_INC) $(NETSTACK_SUITE_SIZES)
$(B)/l/%.o: % $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)echo "  BUILD $@"; $(CC) $(LCFLAGS) -c $< -o $@

$(B)/kernel.ld: linker.ld boards/$(BOARD)/board.mk
	@mkdir -p $(dir $@)
	$(Q)echo "  BUILD $@"; $(CC) -E -P -x c -DKERNEL_PADDR=$(KERNEL_PADDR) $< -o $@
# libgcc comes from the plain -march multilib (gcc does not map the _zicsr_zifencei
# spelling onto one); code generated at link time (LTO) needs the full -march.
KLIBGCC = $(shell $(CC) -march=rv64imac -mabi=lp64 -print-libgcc-file-name)
$(B)/kernel.elf: $(KERNEL_OBJS) $(B)/kernel.ld
	$(Q)echo "  BUILD $@"; $(CC) $(filter-out -MMD -MP,$(KCFLAGS)) -static -T $(B)/kernel.ld \
	  -Wl,--no-warn-rwx-segments $(KERNEL_OBJS) -o $@ $(KLIBGCC)

$(B)/libuser.a: $(LIBUSER_OBJS)
	$(Q)rm -f $@
	$(Q)echo "  BUILD $@"; $(CROSS)ar rcs $@ $^

# A user program: its sources plus libuser and picolibc.
define user_prog
$(B)/$(1).elf: $(patsubst %,$(B)/u/%.o,$(2)) $(B)/libuser.a libuser/user.ld
	$$(Q)echo "  BUILD $$@"; $$(CC) -march=rv64imafdc -mabi=lp64d --specs=picolibc.specs -nostartfiles -static -T libuser/user.ld -Wl,--gc-sections \
	  -Wl,--no-warn-rwx-segments $$(filter %.o,$$^) $(B)/libuser.a -o $$@ -lc -lgcc
endef
$(eval $(call user_prog,init,$(INIT_SRCS)))
$(eval $(call user_prog,sel4test,$(SEL4TEST_SRCS)))
$(B)/sel4test.elf: $(LWIP_OBJS)
# The PROCESS tests' child (tests/sel4test/child/), embedded by tests/sel4test/child_image.S.
# The Makefile is a prerequisite: it supplies the path (an image built without it gets rebuilt).
SEL4TEST_CHILD_SRCS := $(wildcard tests/sel4test/child/*.c) tests/sel4test/asyncsys_call.c
$(eval $(call user_prog,sel4test-child,$(SEL4TEST_CHILD_SRCS)))
$(B)/u/tests/sel4test/child_image.S.o: $(B)/sel4test-child.stripped Makefile
$(B)/u/tests/sel4test/child_image.S.o: UCFLAGS += -DCHILD_ELF='"$(B)/sel4test-child.stripped"'

# The asynchronous IPC peer (tests/aipc/): server or client, for ASYNCIPC and bench-aipc.
AIPC_PEER_SRCS := $(wildcard tests/aipc/*.c)
$(eval $(call user_prog,aipc-peer,$(AIPC_PEER_SRCS)))
$(B)/u/tests/aipc/peer_image.S.o: $(B)/aipc-peer.stripped Makefile
$(B)/u/tests/aipc/peer_image.S.o: UCFLAGS += -DAIPC_PEER_ELF='"$(B)/aipc-peer.stripped"'

# The memory server (servers/memserver, docs/memserver.md) and its client
# (tests/memclient), for the ASYNCSYS tests and bench-asyncsys.
MEMSERVER_SRCS := $(wildcard servers/memserver/*.c)
$(eval $(call user_prog,memserver,$(MEMSERVER_SRCS)))
$(B)/u/servers/memserver/root/image.S.o: $(B)/memserver.stripped Makefile
$(B)/u/servers/memserver/root/image.S.o: UCFLAGS += -DMEMSERVER_ELF='"$(B)/memserver.stripped"'
MEMCLIENT_SRCS := $(wildcard tests/memclient/*.c)
$(eval $(call user_prog,memclient,$(MEMCLIENT_SRCS)))
$(B)/u/tests/memclient/image.S.o: $(B)/memclient.stripped Makefile
$(B)/u/tests/memclient/image.S.o: UCFLAGS += -DMEMCLIENT_ELF='"$(B)/memclient.stripped"'

# The network server (servers/net, docs/netserver.md) and the root task that starts it
# (servers/netroot, make run-net). The server keeps lwIP's full sizes and more (pbufs
# and heap for 64 busy connections at once; fragments for a 64 KiB datagram), so its
# lwIP and network stack objects are its own, under $(B)/net/.
NET_SERVER_SIZES := -DNETSTACK_TCP_PCBS=160 -DNETSTACK_TCP_SEGS=1024 \
  -DNETSTACK_MEM_SIZE=1048576 -DNETSTACK_PBUFS=512 -DNETSTACK_REASS_PBUFS=48
NET_SERVER_SRCS := $(wildcard servers/net/*.c) $(DRIVER_SRCS) $(NETSTACK_SRCS)
NET_SERVER_OBJS = $(patsubst %,$(B)/net/%.o,$(NET_SERVER_SRCS)) $(patsubst %,$(B)/net/lwip/%.o,$(LWIP_CORE))
$(B)/net/lwip/%.c.o: $(LWIP_SRC)/src/%.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)echo "  BUILD $@"; $(CC) $(UCFLAGS) $(LWIP_CFLAGS) $(NET_SERVER_SIZES) -c $< -o $@
$(B)/net/%.c.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)echo "  BUILD $@"; $(CC) $(UCFLAGS) $(NETSTACK_INC) $(NET_SERVER_SIZES) -c $< -o $@
$(B)/net-server.elf: $(NET_SERVER_OBJS) $(B)/libuser.a libuser/user.ld
	$(Q)echo "  BUILD $@"; $(CC) -march=rv64imafdc -mabi=lp64d --specs=picolibc.specs -nostartfiles -static -T libuser/user.ld -Wl,--gc-sections \
	  -Wl,--no-warn-rwx-segments $(filter %.o,$^) $(B)/libuser.a -o $@ -lc -lgcc
NETROOT_SRCS := $(wildcard servers/netroot/*.c servers/netroot/*.S)
$(eval $(call user_prog,netroot,$(NETROOT_SRCS)))
$(B)/u/servers/netroot/net_image.S.o: $(B)/net-server.stripped Makefile
$(B)/u/servers/netroot/net_image.S.o: UCFLAGS += -DNET_SERVER_ELF='"$(B)/net-server.stripped"'
# The TCP application server (servers/tcpapp, docs/sockets.md), started beside it.
TCPAPP_SRCS := $(wildcard servers/tcpapp/*.c)
$(eval $(call user_prog,tcpapp,$(TCPAPP_SRCS)))
$(B)/u/servers/netroot/app_image.S.o: $(B)/tcpapp.stripped Makefile
$(B)/u/servers/netroot/app_image.S.o: UCFLAGS += -DTCPAPP_ELF='"$(B)/tcpapp.stripped"'

BENCH_COMMON_SRCS := bench/common/twin.c bench/common/measure.c
BENCH_IPC_SRCS := $(wildcard bench/ipc/*.c) $(BENCH_COMMON_SRCS)
$(eval $(call user_prog,bench-ipc,$(BENCH_IPC_SRCS)))
BENCH_UNOTIFY_SRCS := $(wildcard bench/unotify/*.c) $(BENCH_COMMON_SRCS)
$(eval $(call user_prog,bench-unotify,$(BENCH_UNOTIFY_SRCS)))
BENCH_AIPC_SRCS := bench/aipc/main.c bench/common/report.c tests/aipc/peer_image.S
$(eval $(call user_prog,bench-aipc,$(BENCH_AIPC_SRCS)))
BENCH_ASYNCSYS_SRCS := $(wildcard bench/asyncsys/*.c) bench/common/measure.c bench/common/report.c \
  $(MEMSERVER_ROOT_SRCS)
$(eval $(call user_prog,bench-asyncsys,$(BENCH_ASYNCSYS_SRCS)))

# A bootable image: the loader carrying the kernel and one root task.
$(B)/%.stripped: $(B)/%.elf
	$(Q)echo "  BUILD $@"; $(OBJCOPY) --strip-all $< $@
$(B)/images/%.elf: $(B)/kernel.stripped $(B)/%.stripped $(patsubst %,$(B)/l/%.o,$(LOADER_SRCS)) tools/loader/images.S tools/loader/loader.ld
	@mkdir -p $(dir $@)
	$(Q)echo "  BUILD $@"; $(CC) $(LCFLAGS) -c tools/loader/images.S -o $(B)/l/images-$*.o \
	  -DKERNEL_ELF_PATH='"$(B)/kernel.stripped"' -DUSER_ELF_PATH='"$(B)/$*.stripped"'
	$(Q)echo "  BUILD $@"; $(CC) -E -P -x c -DLOADER_PADDR=$(LOADER_PADDR) tools/loader/loader.ld -o $(B)/l/loader.ld
	$(Q)echo "  BUILD $@"; $(CC) -march=rv64imac -mabi=lp64 -nostdlib -static -T $(B)/l/loader.ld -Wl,--no-warn-rwx-segments \
	  $(patsubst %,$(B)/l/%.o,$(LOADER_SRCS)) $(B)/l/images-$*.o -o $@ -lgcc

run: $(B)/images/init.elf
	$(QEMU) $(QEMU_ARGS) -smp $(SMP) -kernel $<

# The network server with a network attached, left running (tools/net/run-net: a TAP
# device in a private namespace as root, else QEMU's user network; docs/netserver.md).
.PHONY: run-net bench-tcp
run-net: $(B)/images/netroot.elf
	APPEND="$(APPEND)$(if $(filter classic,$(NETSTACK_POLL)), net_poll=classic)" \
	  tools/net/run-net "$(QEMU)" "$(QEMU_ARGS) -cpu rv64,n=on -smp $(SMP)" $<

# QEMU stops before the first instruction and waits for gdb on port 1234;
# `gdb-multiarch -x build/gdbinit` (written here) loads kernel and root task symbols.
debug: $(B)/images/init.elf $(B)/kernel.elf $(B)/init.elf
	@sed -e 's|@KERNEL@|$(abspath $(B)/kernel.elf)|' -e 's|@USER@|$(abspath $(B)/init.elf)|' \
	  tools/gdbinit.in > build/gdbinit
	@echo "in another terminal: gdb-multiarch -x build/gdbinit"
	$(QEMU) $(QEMU_ARGS) -smp $(SMP) -kernel $< -s -S

.SECONDEXPANSION:
# Host unit tests (cmocka) compile the real kernel sources for the build machine.
HOST_TESTS := $(patsubst tests/host/%.c,build/host/%,$(wildcard tests/host/test_*.c))
# kernel/include only for "quoted" includes: its string.h must not hide the host's.
HOST_CFLAGS := -std=gnu11 -g -O1 $(WARN) -Wno-missing-prototypes -iquote kernel/include \
  -Ilibuser/include -Idrivers -Itests/host -fsanitize=address,undefined
# DTB fixtures: the tests open build/host/fixtures/NAME.dtb (relative to the repo root,
# where the harness runs them; the environment variable AL4_FIXTURES=DIR overrides).
HOST_FIXTURES := $(patsubst tests/host/fixtures/%.dts,build/host/fixtures/%.dtb,\
  $(wildcard tests/host/fixtures/*.dts))
build/host/fixtures/%.dtb: tests/host/fixtures/%.dts
	@mkdir -p $(dir $@)
	$(Q)echo "  DTC   $@"; dtc -I dts -O dtb -o $@ $<
# Every header they may include is a prerequisite (no dependency files on the host): a
# changed inline function in a header must rebuild the tests that exercise it.
HOST_HEADERS := $(wildcard tests/host/*.h libuser/include/al4/*.h libuser/include/sel4/*.h \
  kernel/include/*.h drivers/*/*.h)
# HOST_INCLUDED_x: sources test_x #includes (to reach their static functions): they
# rebuild it when they change and are not compiled on their own.
build/host/test_%: tests/host/test_%.c $$(HOST_SRCS_$$*) $$(HOST_INCLUDED_$$*) $(HOST_HEADERS) $(HOST_FIXTURES)
	@mkdir -p $(dir $@)
	$(Q)echo "  BUILD $@"; $(HOSTCC) $(HOST_CFLAGS) $(filter-out $(HOST_INCLUDED_$*),$(filter %.c %.o,$^)) -o $@ -lcmocka

HOST_SRCS_fdt := kernel/fdt.c
HOST_SRCS_regions := kernel/boot/regions.c
HOST_SRCS_untyped := kernel/boot/regions.c kernel/boot/untyped_list.c kernel/fdt.c
HOST_SRCS_bootinfo := kernel/boot/regions.c kernel/boot/untyped_list.c kernel/fdt.c
HOST_SRCS_co := libuser/src/co_exec.c libuser/src/co_timer.c
HOST_SRCS_virtq := drivers/virtio/virtq.c
HOST_SRCS_netconfig := servers/netroot/config.c
build/host/test_netconfig: servers/netroot/config.h
# The network stack on the host: the port, the split poll and the coroutine runtime
# as sources, lwIP's core as objects built with its own relaxed warnings.
HOST_LWIP_OBJS := $(patsubst %,build/host/lwip/%.o,$(LWIP_CORE))
HOST_SRCS_netstack := netstack/netstack.c netstack/busy.c netstack/port.c libuser/src/co_exec.c \
  libuser/src/co_timer.c $(HOST_LWIP_OBJS)
build/host/test_netstack: HOST_CFLAGS += $(NETSTACK_INC)
build/host/test_netstack: $(wildcard netstack/include/*.h netstack/include/arch/*.h)
# The network server's services on the same simulated wire.
HOST_SRCS_netapps := $(HOST_SRCS_netstack) servers/net/echo.c servers/net/listen.c
build/host/test_netapps: HOST_CFLAGS += $(NETSTACK_INC) -Iservers/net
build/host/test_netapps: $(wildcard netstack/include/*.h netstack/include/arch/*.h servers/net/*.h)
# The socket service (its source included by the test).
HOST_SRCS_sock := $(HOST_SRCS_netstack) servers/net/listen.c
HOST_INCLUDED_sock := servers/net/sock.c
# The socket service's synchronous front, with the kernel and sock_request stood in.
HOST_SRCS_sock_sync := libuser/src/co_exec.c libuser/src/co_timer.c libuser/src/co_manual.c
HOST_INCLUDED_sock_sync := servers/net/sock_sync.c
build/host/test_sock_sync: HOST_CFLAGS += $(NETSTACK_INC) -Iservers/net
build/host/test_sock_sync: $(wildcard netstack/include/*.h netstack/include/arch/*.h servers/net/*.h)
HOST_INCLUDED_aipc := libuser/src/aipc_link.c libuser/src/aipc_client.c libuser/src/aipc_server.c
build/host/test_sock: HOST_CFLAGS += $(NETSTACK_INC) -Iservers/net
build/host/test_sock: $(wildcard netstack/include/*.h netstack/include/arch/*.h servers/net/*.h)
build/host/lwip/%.c.o: $(LWIP_SRC)/src/%.c $(wildcard netstack/include/*.h netstack/include/arch/*.h)
	@mkdir -p $(dir $@)
	$(Q)echo "  BUILD $@"; $(HOSTCC) $(HOST_CFLAGS) $(LWIP_CFLAGS) -c $< -o $@

host-tests: $(HOST_TESTS)

# Each in-QEMU suite: --suite NAME IMAGE "EXTRA QEMU ARGS", run on every hart count
# of TEST_HARTS; NAME@N runs on N harts only. The sel4test image is built once per
# hart count (the single-core and the SMP configuration).
TEST_HARTS := $(if $(filter command line,$(origin SMP)),$(SMP),1 4)
# The single-core suite runs with the default root CNode, the 4-hart one with 13 bits
# as upstream's sel4test configuration (ROOT_CNODE_BITS on the command line wins).
test_cnode = $(if $(filter command line,$(origin ROOT_CNODE_BITS)),$(ROOT_CNODE_BITS),$(if $(filter 1,$(1)),12,13))
# The suite runs on harts with user interrupts (the N extension and the UINTC, for
# U-notification); IRQ0004 drives a virtio entropy device on the first virtio-mmio
# transport (PLIC line 1), the NET tests a virtio-net device on the second (line 2)
# attached to QEMU's user network (slirp: gateway 10.0.2.2, guest 10.0.2.15).
SEL4TEST_QEMU_ARGS := -cpu rv64,n=on -device virtio-rng-device,bus=virtio-mmio-bus.0 \
  -netdev user,id=net0,ipv6=off -device virtio-net-device,netdev=net0,bus=virtio-mmio-bus.1,mac=52:54:00:12:34:56
# The virtio devices are legacy (Version 1) on 1 hart and modern (Version 2) on 4, so
# that each run of the suite drives both transports.
sel4test_qemu_args = $(SEL4TEST_QEMU_ARGS)$(if $(filter-out 1,$(1)), -global virtio-mmio.force-legacy=false)
TEST_SUITES := $(foreach n,$(TEST_HARTS),--suite sel4test@$(n) build/$(call variant,$(n),$(call test_cnode,$(n)))/images/sel4test.elf "$(call sel4test_qemu_args,$(n))")
TEST_IMAGES :=
TEST_DRIVEN :=
-include tests/*/suite.mk

.PHONY: sel4test-images
sel4test-images:
	$(if $(SEL4TEST_BUILDS),,$(error make test: the seL4 suite needs DEBUG=1 and PRINTING=1 (it uses the debug system calls)))
	$(Q)$(foreach n,$(TEST_HARTS),$(MAKE) --no-print-directory SMP=$(n) ROOT_CNODE_BITS=$(call test_cnode,$(n)) \
	  build/$(call variant,$(n),$(call test_cnode,$(n)))/images/sel4test.elf &&) true

test: $(HOST_TESTS) $(TEST_IMAGES) sel4test-images
	tests/harness --qemu "$(QEMU)" --qemu-args "$(QEMU_ARGS)" $(TEST_SUITES) \
	  --timeout $(TIMEOUT) --smp "$(TEST_HARTS)" \
	  $(TEST_DRIVEN) --filter "$(TEST)" --append "$(APPEND)" --logs build/test-logs $(if $(TEST),,$(HOST_TESTS))

# The long stateful fuzz run (FUZZ0002, README "Fuzzing"): FUZZ_OPS operations per
# fuzzer from seed FUZZ_SEED, the kernel invariant checker every FUZZ_CHECK of them, on
# 1 hart and on 4 harts (FUZZ_FUZZERS fuzzers, each in its own CSpace, on its own hart).
FUZZ_SEED ?= 1
FUZZ_OPS ?= 1000000
FUZZ_CHECK ?= 5000
FUZZ_FUZZERS ?= 2
.PHONY: fuzz
fuzz: sel4test-images
	@mkdir -p build/fuzz-logs
	tests/fuzz-run --qemu "$(QEMU)" --qemu-args "$(QEMU_ARGS) $(SEL4TEST_QEMU_ARGS)" --harts 1 \
	  --image build/$(call variant,1,$(call test_cnode,1))/images/sel4test.elf --log build/fuzz-logs/fuzz-1hart.log \
	  --append "fuzz_seed=$(FUZZ_SEED) fuzz_ops=$(FUZZ_OPS) fuzz_check=$(FUZZ_CHECK)"
	tests/fuzz-run --qemu "$(QEMU)" --qemu-args "$(QEMU_ARGS) $(SEL4TEST_QEMU_ARGS)" --harts 4 \
	  --image build/$(call variant,4,$(call test_cnode,4))/images/sel4test.elf --log build/fuzz-logs/fuzz-4harts.log \
	  --append "fuzz_seed=$(FUZZ_SEED) fuzz_ops=$(FUZZ_OPS) fuzz_check=$(FUZZ_CHECK) fuzzers=$(FUZZ_FUZZERS)"

# A benchmark's images for one hart and two, run by its tools/bench script under
# -icount: $(call bench_1_2,image,script,extra QEMU arguments,csv name).
# User interrupts on (a comma cannot be a $(call) argument).
UINTR_CPU := -cpu rv64,n=on
define bench_1_2
	$(Q)$(MAKE) --no-print-directory DEBUG=0 BENCHMARK=1 SMP=1 build/$(BOARD)-release-bench/images/$(1).elf
	$(Q)$(MAKE) --no-print-directory DEBUG=0 BENCHMARK=1 SMP=2 build/$(BOARD)-release-bench-smp2/images/$(1).elf
	tools/bench/$(2) --qemu "$(QEMU)" --qemu-args "$(QEMU_ARGS) $(3) -icount shift=0" \
	  --image 1=build/$(BOARD)-release-bench/images/$(1).elf \
	  --image 2=build/$(BOARD)-release-bench-smp2/images/$(1).elf --csv build/bench/$(4).csv
endef

# Benchmarks run release builds under -icount shift=0: the cycle counter then counts
# guest instructions and every run gives the same numbers.
.PHONY: bench bench-ipc bench-unotify bench-aipc bench-net bench-asyncsys profile-aipc profile-asyncsys
bench: bench-ipc bench-unotify bench-aipc bench-asyncsys bench-net bench-tcp
bench-ipc:
	$(call bench_1_2,bench-ipc,ipc,,ipc-sync)
# U-notification against seL4_Signal/seL4_Wait, same hart and other hart, on harts
# with user interrupts (docs/unotify.md).
bench-unotify:
	$(call bench_1_2,bench-unotify,unotify,$(UINTR_CPU),unotify)
# Where one point of a benchmark spends its instructions (tools/bench/profile), one
# hart, release build: $(1) the image, $(2) its command line (the image narrows itself
# to that point), $(3) the ELF whose functions are named, $(4) the function whose two
# rdcycles are the window, $(5) the calls in it.
define profile_point
	$(Q)$(MAKE) --no-print-directory DEBUG=0 BENCHMARK=1 SMP=1 build/$(BOARD)-release-bench/images/$(1).elf
	tools/bench/profile --qemu "$(QEMU)" --qemu-args "$(QEMU_ARGS) -cpu rv64,n=on" \
	  --image build/$(BOARD)-release-bench/images/$(1).elf --append "$(2)" \
	  --elf build/$(BOARD)-release-bench/$(3).elf --kernel build/$(BOARD)-release-bench/kernel.elf \
	  --window $(4) --calls $(5) $(if $(ANNOTATE),--annotate $(ANNOTATE))
endef
# make profile-aipc SERIES=async C=1 [WORK=0] [ANNOTATE=fn,fn]
SERIES ?= async
C ?= 1
WORK ?= 0
profile-aipc:
	$(call profile_point,bench-aipc,aipc_series=$(SERIES) aipc_c=$(C) aipc_work=$(WORK),aipc-peer,$(if $(filter async,$(SERIES)),run,peer_sync_run),$$(( 2048 / $(C) * $(C) )))
# make profile-asyncsys ASYNC=0|1 C=64 [ANNOTATE=fn,fn]: bench-asyncsys's raw series
# alone (asys_raw=1: the system calls from the root task, no memory server).
ASYNC ?= 1
profile-asyncsys:
	$(call profile_point,bench-asyncsys,asys_raw=1 asys_async=$(ASYNC) asys_c=$(C),bench-asyncsys,measure,$$(( 4096 / 2 / $(C) * $(C) * 2 )))

# Asynchronous IPC against synchronous IPC between two processes, the paper's Fig. 7
# (docs/aipc.md): concurrency 1..256, server work 0/500/2000, one and two harts.
bench-aipc:
	$(call bench_1_2,bench-aipc,aipc,$(UINTR_CPU),aipc)
# The paper's Fig. 6 (docs/memserver.md, "Measurement"): the memory server's worker
# concurrency 1..256, its map and unmap calls sync, async and none (the baseline), one
# hart and two (the kernel's handler on the idle one); and the system calls alone from
# the root task (build/bench/asyncsys-raw.csv). User interrupts on: the server and its
# client talk over asynchronous IPC.
bench-asyncsys:
	$(call bench_1_2,bench-asyncsys,asyncsys,$(UINTR_CPU),asyncsys)

# The network server waker-driven against the polling loop, in one run (docs/netserver.md,
# "Benchmark"): idle instructions per second, echo round trip, iperf 2 throughput;
# the RTC on the virtual clock so that the server's timed sleeps follow -icount.
# Waker-driven without and with busy polling. SWEEP=0,25,50: one boot, echo round
# trips for each busy polling budget in turn (how the default was chosen).
bench-net:
	$(Q)$(MAKE) --no-print-directory DEBUG=0 BENCHMARK=1 SMP=1 build/$(BOARD)-release-bench/images/netroot.elf
	tools/bench/net --qemu "$(QEMU)" --qemu-args "$(QEMU_ARGS) -cpu rv64,n=on -smp 1 -icount shift=0 -rtc clock=vm" \
	  --image build/$(BOARD)-release-bench/images/netroot.elf --csv build/bench/net.csv \
	  $(if $(SWEEP),--sweep $(SWEEP) --runs 1)

# The paper's Fig. 8 (docs/sockets.md, "Benchmark"): TCP echo from the host over 1..64
# connections through the application server over async IPC and over sync IPC, in one
# boot of the benchmark image (both applications beside the waker-driven server); one
# hart and two (the applications on hart 1).
bench-tcp:
	$(call bench_1_2,netroot,tcp,$(UINTR_CPU) -rtc clock=vm,tcp)

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
