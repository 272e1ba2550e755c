/*
 * Kernel entry and exit paths.
 *
 * RayOS keeps one kernel stack per CPU (like seL4): a thread's user
 * registers live in its TrapFrame inside the Thread object, never on a
 * kernel stack, so switching threads is just "return to another TrapFrame".
 *
 *  - From user mode, interrupts and exceptions arrive with RSP0 (TSS) pointing
 *    at the end of the current thread's TrapFrame: the CPU pushes ss..rip
 *    there, the stub adds the error code, vector and general registers, then
 *    moves to the per-CPU kernel stack and calls trap_from_user(frame),
 *    which never returns.
 *  - The syscall instruction does not switch stacks, so syscall_entry builds
 *    the same TrapFrame by hand (vector VECTOR_SYSCALL) and calls
 *    syscall_from_user(frame). That returns only when the caller simply
 *    continues (the fast path: no thread switch), and then only the
 *    registers C++ code may clobber are reloaded before sysretq.
 *  - return_to_user(frame) restores a TrapFrame: with sysretq when the frame
 *    came from a syscall (rcx/r11 are clobbered by the ABI anyway), with
 *    iretq otherwise.
 *  - Interrupts and exceptions in kernel mode (the idle loop, or a kernel
 *    bug) push a TrapFrame on the current kernel stack and call
 *    trap_from_kernel(frame), which returns (interrupt) or panics.
 */
#include "asm_offsets.h"

/* System call numbers by name (SYSCALL_NUMBER_call, ...), from the ABI's one
 * definition. */
#define RAYOS_SYSCALL(number, name, params, args) .equ SYSCALL_NUMBER_##name, number;
#include <rayos/abi/syscalls.def>
#undef RAYOS_SYSCALL

.macro PUSH_GPRS
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
.endm

.macro POP_GPRS
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
.endm

    .text

/* Interrupt/exception stubs: vectors with a CPU error code push only the
 * vector; the others push a 0 error code first so every frame looks alike. */
.macro TRAP_STUB vector
    .align 16
trap_stub_\vector:
    .if (\vector == 8) || (\vector >= 10 && \vector <= 14) || (\vector == 17) || (\vector == 21) || (\vector == 29) || (\vector == 30)
    .else
    push $0
    .endif
    push $\vector
    jmp trap_common
.endm

.altmacro
.macro TRAP_STUBS from, to
    TRAP_STUB \from
    .if \to-\from
    TRAP_STUBS %(\from+1), \to
    .endif
.endm
    TRAP_STUBS 0, 63
    TRAP_STUBS 64, 127
    TRAP_STUBS 128, 191
    TRAP_STUBS 192, 255

trap_common:
    PUSH_GPRS
    testb $3, FRAME_CS(%rsp)
    jz .Lfrom_kernel
    swapgs
    mov %rsp, %rdi
    mov %gs:PERCPU_KERNEL_STACK_TOP, %rsp
    call trap_from_user
    ud2
.Lfrom_kernel:
    mov %rsp, %rdi
    call trap_from_kernel
    POP_GPRS
    add $16, %rsp               /* vector, error code */
    iretq

/* Table of stub addresses for the IDT (idt.cpp). */
.macro STUB_ADDR vector
    .quad trap_stub_\vector
.endm
.macro STUB_ADDRS from, to
    STUB_ADDR \from
    .if \to-\from
    STUB_ADDRS %(\from+1), \to
    .endif
.endm
    .section .rodata
    .align 8
    .global trap_stub_table
trap_stub_table:
    STUB_ADDRS 0, 63
    STUB_ADDRS 64, 127
    STUB_ADDRS 128, 191
    STUB_ADDRS 192, 255
    .text

/* syscall: rcx = user rip, r11 = user rflags, interrupts masked (FMASK). */
    .align 16
    .global syscall_entry
syscall_entry:
    swapgs
    mov %rsp, %gs:PERCPU_USER_RSP
    mov %gs:PERCPU_CONTEXT_TOP, %rsp
    push $USER_DATA_SELECTOR
    push %gs:PERCPU_USER_RSP
    push %r11
    push $USER_CODE_SELECTOR
    push %rcx
    push $0
    push $VECTOR_SYSCALL
    PUSH_GPRS
    mov %rsp, %rdi
    mov %gs:PERCPU_KERNEL_STACK_TOP, %rsp
    /* The IPC fast path (syscall/fastpath.cpp) is tried first for the two
     * calls of every RPC; it does not return when it handled the call. */
    cmp $SYSCALL_NUMBER_call, %rax
    je .Lfastpath_call
    cmp $SYSCALL_NUMBER_reply_recv, %rax
    je .Lfastpath_reply_recv
.Lgeneral:
    call syscall_from_user
    /* Fast exit: the same thread continues. The C++ code preserved rbx, rbp
     * and r12-r15, so only the registers it may have changed are reloaded. */
    mov %gs:PERCPU_CONTEXT_TOP, %rsp
    mov FRAME_RAX - FRAME_SIZE(%rsp), %rax
    mov FRAME_RDI - FRAME_SIZE(%rsp), %rdi
    mov FRAME_RSI - FRAME_SIZE(%rsp), %rsi
    mov FRAME_RDX - FRAME_SIZE(%rsp), %rdx
    mov FRAME_R8 - FRAME_SIZE(%rsp), %r8
    mov FRAME_R9 - FRAME_SIZE(%rsp), %r9
    mov FRAME_R10 - FRAME_SIZE(%rsp), %r10
    mov FRAME_RIP - FRAME_SIZE(%rsp), %rcx
    mov FRAME_RFLAGS - FRAME_SIZE(%rsp), %r11
    mov FRAME_RSP - FRAME_SIZE(%rsp), %rsp
    swapgs
    sysretq
.Lfastpath_call:
    call syscall_fastpath_call  /* rdi = frame; the stack is 16-byte aligned */
    jmp .Lfastpath_declined
.Lfastpath_reply_recv:
    call syscall_fastpath_reply_recv
.Lfastpath_declined:
    mov %gs:PERCPU_CONTEXT_TOP, %rdi
    sub $FRAME_SIZE, %rdi       /* not handled: the frame again, and on */
    mov FRAME_RAX(%rdi), %rax
    jmp .Lgeneral

/* [[noreturn]] void return_to_user(TrapFrame* frame) */
    .align 16
    .global return_to_user
return_to_user:
    mov %rdi, %rsp
    cmpq $VECTOR_SYSCALL, FRAME_VECTOR(%rsp)
    je .Lsysret
    POP_GPRS
    add $16, %rsp
    swapgs
    iretq
.Lsysret:
    POP_GPRS
    mov FRAME_RIP - FRAME_VECTOR(%rsp), %rcx
    mov FRAME_RFLAGS - FRAME_VECTOR(%rsp), %r11
    mov FRAME_RSP - FRAME_VECTOR(%rsp), %rsp
    swapgs
    sysretq

/* The per-CPU kernel stack (boot runs on it too), below an unmapped guard
 * page so that an overflow faults (double fault on its own IST stack)
 * instead of corrupting memory. Two small IST stacks for #DF and NMI. */
    .section .bss.stack, "aw", @nobits
    .align 4096
    .global kernel_stack_guard
kernel_stack_guard:
    .skip 4096
    .global kernel_stack_bottom
kernel_stack_bottom:
    .skip 32768
    .global kernel_boot_stack_top
kernel_boot_stack_top:
    .skip 4096
    .global double_fault_stack_top
double_fault_stack_top:
    .skip 4096
    .global nmi_stack_top
nmi_stack_top:
