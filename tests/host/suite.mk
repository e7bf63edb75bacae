# tests/host: extra rules for host tests that the Makefile's test_%.c rule does not
# cover. Included by the Makefile after HOST_TESTS is set.

# Header-only sources under test: rebuild their tests when the header changes.
build/host/test_ring: libuser/include/al4/ring.h
build/host/test_asyncsys: libuser/include/al4/asyncsys_ring.h
build/host/test_virtq: $(wildcard drivers/virtio/*.h)

# tsan_*.c: thread stress tests built with ThreadSanitizer, which cannot be combined
# with the ASan/UBSan of HOST_CFLAGS, so they get their own flags and binaries. They
# print TAP like the others; `make test` runs them through the harness and counts them.
HOST_TSAN_CFLAGS := $(filter-out -fsanitize=%,$(HOST_CFLAGS)) -O2 -fsanitize=thread -pthread
HOST_TSAN_TESTS := $(patsubst tests/host/%.c,build/host/%,$(wildcard tests/host/tsan_*.c))
build/host/tsan_ring: libuser/include/al4/ring.h
build/host/tsan_%: tests/host/tsan_%.c $(wildcard tests/host/*.h)
	@mkdir -p $(dir $@)
	$(Q)echo "  BUILD $@"; $(HOSTCC) $(HOST_TSAN_CFLAGS) $(filter %.c,$^) -o $@ -lcmocka

HOST_TESTS += $(HOST_TSAN_TESTS)
host-tests: $(HOST_TSAN_TESTS)

# test_aipc includes the aipc sources it tests (so that the U-notification's send, RISC-V
# code, can be stood in for): they are its prerequisites but not compiled on their own.
# A debug build, as the in-QEMU suite's: the submit's traps for caller misuse are in.
build/host/test_aipc: tests/host/test_aipc.c libuser/src/aipc_link.c libuser/src/aipc_client.c \
  libuser/src/aipc_server.c libuser/src/co_exec.c libuser/src/co_timer.c \
  $(wildcard libuser/include/al4/*.h) $(wildcard tests/host/*.h)
	@mkdir -p $(dir $@)
	$(Q)echo "  BUILD $@"; $(HOSTCC) $(HOST_CFLAGS) -DCONFIG_DEBUG_BUILD $< libuser/src/co_exec.c libuser/src/co_timer.c -o $@ -lcmocka -pthread
