// The IPC fast path: Call and ReplyRecv in their common case (single-level
// CSpace, message in registers, partner waiting, nothing more urgent ready)
// decided and done in one short function, then a direct switch to the
// partner. Anything unusual falls through to the general path, which gives
// the same result with full checks and error reporting.
#pragma once

#include "arch/x86_64/trap_frame.h"

// Called by syscall_entry (entry.S) for call and reply_recv before the
// general path; they return only if the fast path does not apply.
extern "C" void syscall_fastpath_call(rayos::arch::TrapFrame* frame);
extern "C" void syscall_fastpath_reply_recv(rayos::arch::TrapFrame* frame);
