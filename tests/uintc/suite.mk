# tests/uintc: bare-metal tests of the patched QEMU's user-interrupt model (uintr.md,
# tools/qemu/README), run by `make test` as two suites:
#   uintc      QEMU with the CPU property n=on: the N extension, uipi, the UINTC;
#   uintc-off  the default CPU: a guest sees stock QEMU (no CSRs, no device).
# Each image is a single S-mode program entered by OpenSBI (no kernel); it runs its
# U-mode parts itself. The DTB reader is the kernel's own (kernel/fdt.c).

UINTC_CFLAGS := -std=gnu11 -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany \
  -ffreestanding -fno-common -fno-stack-protector -fno-pic -nostdlib -mno-relax \
  $(WARN) -O2 -g -Ikernel/include -Itests/uintc -MMD -MP
UINTC_COMMON := tests/uintc/head.S tests/uintc/main.c tests/uintc/trap.c \
  tests/uintc/hart.c tests/uintc/sbi.c tests/uintc/mem.c kernel/fdt.c
UINTC_ON_SRCS := $(UINTC_COMMON) tests/uintc/setup.c tests/uintc/user32.S \
  $(wildcard tests/uintc/t_*.c)
UINTC_OFF_SRCS := $(UINTC_COMMON) tests/uintc/off.c

# One object directory per image: main.c names the suite in the closing line.
$(B)/uintc/on/%.o: %
	@mkdir -p $(dir $@)
	$(CC) $(UINTC_CFLAGS) -DSUITE_NAME='"uintc"' -c $< -o $@
$(B)/uintc/off/%.o: %
	@mkdir -p $(dir $@)
	$(CC) $(UINTC_CFLAGS) -DSUITE_NAME='"uintc-off"' -c $< -o $@

# Linked with the plain -march so that gcc finds its libgcc multilib (as the kernel).
define uintc_image
$(B)/images/$(1).elf: $(patsubst %,$(B)/uintc/$(2)/%.o,$(3)) tests/uintc/uintc.ld
	@mkdir -p $$(dir $$@)
	$$(CC) -march=rv64imac -mabi=lp64 -nostdlib -static -T tests/uintc/uintc.ld \
	  -Wl,--no-warn-rwx-segments $$(filter %.o,$$^) -o $$@ -lgcc
endef
$(eval $(call uintc_image,uintc,on,$(UINTC_ON_SRCS)))
$(eval $(call uintc_image,uintc-off,off,$(UINTC_OFF_SRCS)))

TEST_IMAGES += $(B)/images/uintc.elf $(B)/images/uintc-off.elf
TEST_SUITES += --suite uintc $(B)/images/uintc.elf "-cpu rv64,n=on" \
  --suite uintc-off $(B)/images/uintc-off.elf ""
