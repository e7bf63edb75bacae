// The kernel and the user image the loader carries (stripped ELF files).
    .section .rodata.images, "a"
    .balign 8
    .globl kernel_elf, kernel_elf_end, user_elf, user_elf_end
kernel_elf:
    .incbin KERNEL_ELF_PATH
kernel_elf_end:
    .balign 8
user_elf:
    .incbin USER_ELF_PATH
user_elf_end:
