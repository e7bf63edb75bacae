# tests/net: the NET group driven from the host (NET0101...): tests/net/run boots the
# network server's image (servers/netroot starting servers/net, 1 hart) on a TAP device
# in a private network namespace, or on QEMU's user network without root, and checks
# it over the network with tools/net/netclient.py (nettest.py: ping and ARP, TCP echo
# over 1, 8 and 64 connections, open/close cycles, a reset peer, malformed frames, each
# followed by lwIP's memory back where it started). tests/harness runs it (--driven)
# and counts its results in the closing line; TEST=NET01 runs it alone.

NET_TEST_IMAGE = build/$(call variant,1)/images/netroot.elf
.PHONY: net-images
net-images:
	$(Q)$(MAKE) --no-print-directory SMP=1 $(NET_TEST_IMAGE)

TEST_IMAGES += net-images
# NETSTACK_POLL=classic: the server runs the polling loop (NET0109 is then skipped).
TEST_DRIVEN += --driven net "tests/net/run --qemu $(QEMU) --qemu-args '$(QEMU_ARGS) -cpu rv64,n=on -smp 1' --image $(NET_TEST_IMAGE)$(if $(filter classic,$(NETSTACK_POLL)), --append net_poll=classic)"
