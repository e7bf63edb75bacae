# QEMU virt: memory map and run command. The kernel reads RAM, harts and devices from
# the DTB; the board supplies only load addresses and how to start the machine.
KERNEL_PADDR := 0x80200000
# The loader runs from high enough in RAM that the kernel, the user image and the DTB
# it lays out after the kernel never overlap it.
LOADER_PADDR := 0x84000000
# The hart the loader boots the kernel on (seL4's CONFIG_FIRST_HART_ID); in an SMP
# build it also starts the next SMP-1 hart ids.
FIRST_HART_ID := 0
QEMU_MEM     ?= 1G
QEMU_MACHINE := virt
QEMU_ARGS     = -machine $(QEMU_MACHINE) -cpu rv64 -m $(QEMU_MEM) -nographic -bios $(OPENSBI_FW)
