# tests/release: the RELEASE suite, run by `make test` on 1 and 4 harts. The seL4
# suite's runner and helpers with tests that use no debug call, built as a release
# kernel and root task (DEBUG=0) with printing on, so that what a release build
# offers (and does not) is tested, not only the debug build.

RELEASE_SRCS := tests/sel4test/main.c tests/sel4test/helpers.c $(wildcard tests/release/*.c)
$(eval $(call user_prog,release-suite,$(RELEASE_SRCS)))
$(B)/u/tests/release/%.c.o: UCFLAGS += -Itests/sel4test

release_variant = $(BOARD)-release-printing1$(if $(filter 1,$(FASTPATH)),,-nofastpath)$(if $(filter-out 1,$(1)),-smp$(1))
.PHONY: release-images
release-images:
	$(Q)$(foreach n,$(TEST_HARTS),$(MAKE) --no-print-directory DEBUG=0 PRINTING=1 SMP=$(n) \
	  build/$(call release_variant,$(n))/images/release-suite.elf &&) true

TEST_IMAGES += release-images
TEST_SUITES += $(foreach n,$(TEST_HARTS),--suite release@$(n) build/$(call release_variant,$(n))/images/release-suite.elf "")
