// Constants shared by the assembly entry code and C++. Every C++ structure
// they describe static_asserts these values (see percpu.h and trap_frame.h),
// so the two cannot drift apart.
#pragma once

// Segment selectors (GDT layout in gdt.cpp). The order kernel code, kernel
// data, user data, user code is what syscall/sysret require (STAR MSR).
#define GDT_KERNEL_CODE 0x08
#define GDT_KERNEL_DATA 0x10
#define GDT_USER_DATA 0x18
#define GDT_USER_CODE 0x20
#define GDT_TSS 0x28
#define USER_DATA_SELECTOR (GDT_USER_DATA | 3)
#define USER_CODE_SELECTOR (GDT_USER_CODE | 3)

// Per-CPU block, addressed through %gs in the kernel.
#define PERCPU_SELF 0
#define PERCPU_KERNEL_STACK_TOP 8
#define PERCPU_CONTEXT_TOP 16
#define PERCPU_USER_RSP 24

// TrapFrame: 15 general registers (r15 first, rax last), vector, error code, then the hardware
// interrupt frame (rip, cs, rflags, rsp, ss).
#define FRAME_R10 (5 * 8)
#define FRAME_R9 (6 * 8)
#define FRAME_R8 (7 * 8)
#define FRAME_RDI (9 * 8)
#define FRAME_RSI (10 * 8)
#define FRAME_RDX (11 * 8)
#define FRAME_RAX (14 * 8)
#define FRAME_VECTOR (15 * 8)
#define FRAME_ERROR (16 * 8)
#define FRAME_RIP (17 * 8)
#define FRAME_CS (18 * 8)
#define FRAME_RFLAGS (19 * 8)
#define FRAME_RSP (20 * 8)
#define FRAME_SS (21 * 8)
#define FRAME_SIZE (22 * 8)

// Pseudo vector recorded for a frame entered through the syscall
// instruction: such a frame may leave with sysretq.
#define VECTOR_SYSCALL 0x100
