/*
 * Boot entry: QEMU's multiboot loader jumps to _start32 in 32-bit protected
 * mode, paging off, eax = 0x2BADB002, ebx = physical address of the
 * multiboot information. This stub checks that the CPU has long mode and
 * NX, maps the first GiB twice (identity, and at KERNEL_VMA for the
 * higher-half kernel) with 2 MiB pages, enables PAE + long mode + NX +
 * paging and jumps to kernel_main(magic, info) on the boot stack. The kernel
 * then builds its real page tables (mm/kernel_space.cpp) and drops these.
 */
#include "asm_offsets.h"

#define MB_MAGIC 0x1BADB002
#define MB_FLAGS ((1 << 0) | (1 << 1) | (1 << 16)) /* page-align modules, memory map, load addresses */

    .section .multiboot, "a"
    .align 4
multiboot_header:
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)
    .long multiboot_header       /* header_addr */
    .long __kernel_phys_start    /* load_addr */
    .long __kernel_phys_load_end /* load_end_addr */
    .long __kernel_phys_end      /* bss_end_addr */
    .long _start32               /* entry_addr */

    .section .boot.text, "ax"
    .code32
    .global _start32
_start32:
    cli
    cld
    mov $boot_stack_top, %esp
    mov %eax, %edi              /* multiboot magic -> 1st argument */
    mov %ebx, %esi              /* multiboot info  -> 2nd argument */

    mov $0x80000000, %eax
    cpuid
    cmp $0x80000001, %eax
    jb .Lunsupported
    mov $0x80000001, %eax
    cpuid
    test $(1 << 29), %edx       /* long mode */
    jz .Lunsupported
    test $(1 << 20), %edx       /* NX */
    jz .Lunsupported

    /* PML4[0] -> pdpt_low, PML4[511] -> pdpt_high, both -> one PD of 2 MiB pages */
    mov $boot_pdpt_low, %eax
    or $3, %eax
    mov %eax, boot_pml4
    mov $boot_pdpt_high, %eax
    or $3, %eax
    mov %eax, boot_pml4 + 511 * 8
    mov $boot_pd, %eax
    or $3, %eax
    mov %eax, boot_pdpt_low
    mov %eax, boot_pdpt_high + 510 * 8
    xor %ecx, %ecx
1:  mov %ecx, %eax
    shl $21, %eax
    or $0x83, %eax              /* present, writable, 2 MiB */
    mov %eax, boot_pd(, %ecx, 8)
    inc %ecx
    cmp $512, %ecx
    jne 1b

    mov $boot_pml4, %eax
    mov %eax, %cr3
    mov %cr4, %eax
    or $(1 << 5), %eax          /* PAE */
    mov %eax, %cr4
    mov $0xC0000080, %ecx       /* EFER */
    rdmsr
    or $((1 << 8) | (1 << 11)), %eax /* LME, NXE */
    wrmsr
    mov %cr0, %eax
    or $((1 << 31) | (1 << 16) | 1), %eax /* PG, WP, PE */
    mov %eax, %cr0
    lgdt boot_gdt_pointer
    ljmp $GDT_KERNEL_CODE, $.Llong_mode

.Lunsupported:
    mov $unsupported_message, %esi
    mov $0x3F8, %dx
2:  lodsb
    test %al, %al
    jz 3f
    out %al, %dx
    jmp 2b
3:  cli
    hlt
    jmp 3b

    .code64
.Llong_mode:
    mov $GDT_KERNEL_DATA, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    xor %eax, %eax
    mov %ax, %fs
    mov %ax, %gs
    movabs $start64, %rax
    jmp *%rax

    .section .boot.data, "aw"
    .align 8
boot_gdt:
    .quad 0
    .quad 0x00AF9A000000FFFF    /* 64-bit kernel code */
    .quad 0x00CF92000000FFFF    /* kernel data */
boot_gdt_pointer:
    .word 3 * 8 - 1
    .long boot_gdt
unsupported_message:
    .asciz "RayOS: this CPU lacks long mode or NX; cannot boot.\r\n"

    .section .boot.bss, "aw", @nobits
    .align 4096
boot_pml4: .skip 4096
boot_pdpt_low: .skip 4096
boot_pdpt_high: .skip 4096
boot_pd: .skip 4096
    .skip 4096
boot_stack_top:

    .section .text.entry, "ax"
    .code64
    .global start64
start64:
    movabs $kernel_boot_stack_top, %rsp
    xor %ebp, %ebp
    call kernel_main            /* (uint32 magic in edi, uint32 info in esi) */
    ud2
