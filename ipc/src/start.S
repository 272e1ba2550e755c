/*
 * Program entry. The kernel starts a program with rsp 16-byte aligned, rdi
 * = its command line, rsi = its BootInfo page (init) or 0, FS base = its
 * thread block. The very first
 * instruction reads the time-stamp counter: under QEMU's instruction
 * counting that is the number of instructions since reset, which the
 * boot.to_init benchmark reports.
 */
    .text
    .global _start
_start:
    rdtsc
    mov %eax, __rayos_entry_tsc(%rip)
    mov %edx, __rayos_entry_tsc + 4(%rip)
    mov %rsp, __rayos_entry_rsp(%rip)
    xor %ebp, %ebp
    call __rayos_start      /* (args in rdi, boot info in rsi), never returns */
    ud2

    .section .note.GNU-stack, "", @progbits
