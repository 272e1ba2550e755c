// TrapFrame: a thread's user registers as saved on kernel entry (see
// entry.S). It lives inside the Thread object, so it is also the saved
// context of a thread that is not running.
#pragma once

#include "asm_offsets.h"

#include <cstddef>
#include <cstdint>

namespace rayos::arch {

struct TrapFrame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector;     // exception/IRQ vector, or VECTOR_SYSCALL
    uint64_t error_code; // CPU error code, 0 if none
    // Pushed by the CPU (or by syscall_entry in the same shape).
    uint64_t rip, cs, rflags, rsp, ss;
};
static_assert(offsetof(TrapFrame, r10) == FRAME_R10);
static_assert(offsetof(TrapFrame, r9) == FRAME_R9);
static_assert(offsetof(TrapFrame, r8) == FRAME_R8);
static_assert(offsetof(TrapFrame, rdi) == FRAME_RDI);
static_assert(offsetof(TrapFrame, rsi) == FRAME_RSI);
static_assert(offsetof(TrapFrame, rdx) == FRAME_RDX);
static_assert(offsetof(TrapFrame, rax) == FRAME_RAX);
static_assert(offsetof(TrapFrame, vector) == FRAME_VECTOR);
static_assert(offsetof(TrapFrame, error_code) == FRAME_ERROR);
static_assert(offsetof(TrapFrame, rip) == FRAME_RIP);
static_assert(offsetof(TrapFrame, cs) == FRAME_CS);
static_assert(offsetof(TrapFrame, rflags) == FRAME_RFLAGS);
static_assert(offsetof(TrapFrame, rsp) == FRAME_RSP);
static_assert(offsetof(TrapFrame, ss) == FRAME_SS);
static_assert(sizeof(TrapFrame) == FRAME_SIZE);
// The CPU aligns RSP0 to 16 bytes before pushing, so the frame's end must be
// 16-byte aligned for the hardware part to land in the right fields.
static_assert(sizeof(TrapFrame) % 16 == 0);

constexpr uint64_t kVectorSyscall = VECTOR_SYSCALL;

} // namespace rayos::arch

extern "C" [[noreturn]] void return_to_user(rayos::arch::TrapFrame* frame);
