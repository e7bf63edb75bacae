# tests/net: the NET group driven from the host (NET0101...): tests/net/run boots the
# network server's image (servers/netroot starting servers/net) on a TAP device in a
# private network namespace, or on QEMU's user network without root, and checks it over
# the network with tools/net/netclient.py (nettest.py: ping and ARP, large pings, TCP
# echo over 1, 8 and 64 connections, open/close cycles, a reset peer, malformed frames,
# idle sleeping, each load followed by lwIP's memory back where it started).
# tests/harness runs it (--driven) once per hart count of the seL4 suite, the 4-hart
# build with modern virtio devices as there, and counts its results in the closing
# line; TEST=NET01 runs it alone.

net_test_image = build/$(call variant,$(1))/images/netroot.elf
.PHONY: net-images
net-images:
	$(Q)$(foreach n,$(TEST_HARTS),$(MAKE) --no-print-directory SMP=$(n) $(call net_test_image,$(n)) &&) true

TEST_IMAGES += net-images
# NETSTACK_POLL=classic: the server runs the polling loop (NET0109 is then skipped).
net_test_cmd = tests/net/run --qemu $(QEMU) --qemu-args '$(QEMU_ARGS) -cpu rv64,n=on -smp $(1)$(if $(filter-out 1,$(1)), -global virtio-mmio.force-legacy=false)' --image $(call net_test_image,$(1))$(if $(filter classic,$(NETSTACK_POLL)), --append net_poll=classic)
TEST_DRIVEN += $(foreach n,$(TEST_HARTS),--driven net-smp$(n) "$(call net_test_cmd,$(n))")
# On several harts the applications run on hart 1 (docs/sockets.md, "Harts"); their
# tests run once more with them on the server's hart 0 (net_app_hart=0).
TEST_DRIVEN += $(foreach n,$(filter-out 1,$(TEST_HARTS)),--driven net-smp$(n)-app0 "$(call net_test_cmd,$(n)) --append net_app_hart=0 --apps-only")
