// The RayOS kernel ABI: the types shared by the kernel and userspace.
// System call numbers and signatures are in syscalls.def; status codes in
// status.h. Every struct here crosses the user/kernel boundary, so its size
// and field offsets are pinned with static_assert.
#pragma once

#include <cstddef>
#include <cstdint>

#include <rayos/abi/status.h>

namespace rayos::abi {

// The thread control block a thread's FS base points at. Its layout follows
// the x86-64 System V TLS convention so that ordinary compiled code works:
// %fs:0 holds the block's own address and %fs:0x28 the stack-protector
// canary (what g++ -fstack-protector reads by default).
struct ThreadBlock {
    ThreadBlock* self;    // 0x00
    uint64_t reserved[4]; // 0x08
    uint64_t stack_guard; // 0x28
    uint64_t thread_id;   // 0x30
    uint64_t user[9];     // 0x38: free for the runtime
};
static_assert(offsetof(ThreadBlock, self) == 0x00);
static_assert(offsetof(ThreadBlock, stack_guard) == 0x28);
static_assert(offsetof(ThreadBlock, thread_id) == 0x30);
static_assert(sizeof(ThreadBlock) == 128);

// How a thread stopped (thread_join result).
enum class StopKind : uint64_t {
    Exited = 1,  // called thread_exit; `code` holds its exit code
    Faulted = 2, // took a CPU exception in user mode; see vector/error/address
};

// What a thread is doing (tcb_read_state).
#define RAYOS_THREAD_ACTIVITY_LIST(X)                                                              \
    X(Inactive, 0, "inactive")   /* made or suspended, not scheduled */                            \
    X(Ready, 1, "ready")         /* running or waiting for the CPU */                              \
    X(Sending, 2, "sending")     /* waiting for a receiver */                                      \
    X(Calling, 3, "calling")     /* waiting for a receiver or for the reply */                     \
    X(Receiving, 4, "receiving") /* waiting for a message (a server waiting for calls) */          \
    X(Waiting, 5, "waiting")     /* waiting for a notification signal */                           \
    X(Joining, 6, "joining")     /* in thread_join */                                              \
    X(Stopped, 7, "stopped")     /* exited or faulted */

enum class ThreadActivity : uint64_t {
#define RAYOS_THREAD_ACTIVITY_ENUM(name, value, text) name = value,
    RAYOS_THREAD_ACTIVITY_LIST(RAYOS_THREAD_ACTIVITY_ENUM)
#undef RAYOS_THREAD_ACTIVITY_ENUM
};

constexpr const char* thread_activity_name(ThreadActivity a) {
    switch (a) {
#define RAYOS_THREAD_ACTIVITY_NAME(name, value, text)                                              \
    case ThreadActivity::name:                                                                     \
        return text;
        RAYOS_THREAD_ACTIVITY_LIST(RAYOS_THREAD_ACTIVITY_NAME)
#undef RAYOS_THREAD_ACTIVITY_NAME
    }
    return "unknown";
}

struct ThreadStopInfo {
    StopKind kind;
    int64_t code;           // exit code (Exited)
    uint64_t vector;        // exception vector (Faulted), e.g. 14 = #PF
    uint64_t error_code;    // CPU error code (Faulted, when the vector has one)
    uint64_t fault_address; // CR2 for page faults (Faulted)
    uint64_t rip;           // instruction that faulted (Faulted)
};
static_assert(sizeof(ThreadStopInfo) == 48);

// IPC message descriptor (rsi of every IPC call): bits 0-6 the number of
// message words, bits 7-8 the number of capabilities transferred, bits 9-11
// reserved, bits 12-63 a label the receiver interprets (e.g. the method of
// an interface). Words 0-3 travel in registers; words 4 and up in the
// sender's and receiver's IPC buffers (tcb_set_ipc_buffer), at the same
// index. Capabilities: see IpcBuffer.
constexpr uint64_t kMessageRegisters = 4; // words carried in registers
constexpr uint64_t kMaxMessageWords = 64; // longest message
constexpr uint64_t kMaxMessageCaps = 3;   // capabilities one message carries

// A thread's IPC buffer, 1024-byte aligned in its own address space.
// words[0..3] are unused (those words are in registers).
// Capability transfer: the sender lists capability addresses (in its CSpace)
// in caps[] and their number in the message info; its endpoint capability
// needs the Grant right. The receiver names where they go: slots
// receive_index, receive_index + 1, ... (with receive_depth) under the CNode
// at receive_cnode in its CSpace (0: it accepts none). Each arrives as a copy
// derived from the sender's; capabilities that cannot be placed are dropped,
// and the receiver's info and `received` say how many arrived. Replies carry
// capabilities the same way when the caller's endpoint capability has the
// GrantReply right (otherwise they are dropped and `received` is 0).
struct IpcBuffer {
    uint64_t words[kMaxMessageWords];
    uint64_t caps[kMaxMessageCaps];
    uint64_t receive_cnode;
    uint64_t receive_index;
    uint64_t receive_depth;
    uint64_t received;
    uint64_t reserved;
};
static_assert(sizeof(IpcBuffer) == 576);
constexpr uint64_t kIpcBufferAlignment = 1024;
struct MessageInfo {
    static constexpr uint64_t make(uint64_t label, uint64_t length, uint64_t caps = 0) {
        return (label << 12) | ((caps & 3) << 7) | (length & 0x7F);
    }
    static constexpr uint64_t label(uint64_t info) { return info >> 12; }
    static constexpr uint64_t length(uint64_t info) { return info & 0x7F; }
    static constexpr uint64_t caps(uint64_t info) { return (info >> 7) & 3; }
    static constexpr uint64_t reserved(uint64_t info) { return (info >> 9) & 7; }
    // True for a message that travels entirely in registers (the fast path).
    static constexpr bool registers_only(uint64_t info) {
        return (info & 0xF80) == 0 && length(info) <= kMessageRegisters;
    }
};

// A thread bound to a notification (tcb_bind_notification) that receives on
// an endpoint also receives that notification's signals: recv returns with
// this label, length 0, and the notification's word in place of the badge.
constexpr uint64_t kLabelNotification = (1ull << 52) - 1;

// Faults as messages. A thread whose TCB names a fault endpoint (tcb_configure)
// does not stop on a CPU exception: it calls that endpoint with a fault
// message, badge = the endpoint capability's badge, and waits for the reply.
//   message label: kFaultPage (vector 14) or kFaultException (any other)
//   words: [0] vector, [1] error code, [2] faulting address (page faults),
//          [3] rip of the faulting instruction
// The handler replies with label kFaultResume to let the thread continue
// (words, if any: [0] new rip, [1] new rsp) or kFaultStop to leave it
// stopped (a joiner then sees it Faulted).
// A thread with a fault endpoint that calls thread_exit also reports it
// there: label kFaultExit, words [0] the exit code, [3] rip. It stays
// stopped whatever the reply (a joiner sees it Exited).
constexpr uint64_t kFaultPage = 1;
constexpr uint64_t kFaultException = 2;
constexpr uint64_t kFaultExit = 3;
constexpr uint64_t kFaultResume = 0;
constexpr uint64_t kFaultStop = 1;

// Fault injection on a thread (tcb_inject): what happens to the next
// `count` messages it receives (Corrupt: one random bit of the label or of
// one of its words, in registers or the IPC buffer, flipped; Truncate: its length cut to a
// random shorter one), replies it sends (DropReply: the reply is thrown
// away and the caller's call fails with InvalidCapability, as if the
// server had gone away in mid-call; DelayReply: the reply reaches the
// caller, but the caller stays blocked for `ticks` more) or untyped_retype
// calls it makes (Starve: refused with OutOfMemory, as if its memory had
// run out). Off cancels what is left.
enum class Injection : uint64_t {
    Off = 0,
    Corrupt = 1,
    Truncate = 2,
    DropReply = 3,
    DelayReply = 4,
    Starve = 5,
};

// clock_ticks and notification timers count ticks of the kernel's timer,
// this many per second.
constexpr uint32_t kClockHz = 100;

// Why the system halts (system_halt argument).
enum class HaltReason : uint64_t {
    Success = 0,
    Failure = 1,
};

// Values written to QEMU's isa-debug-exit port (iobase 0xf4). QEMU exits
// with (value << 1) | 1, so the host sees 33, 35 and 37. A triple fault
// with -no-reboot makes QEMU exit 0 and QEMU's own errors exit 1, so none
// of these can be confused with them. The host test harness reads these
// constants from this file.
constexpr uint32_t kQemuExitSuccess = 0x10; // host status 33
constexpr uint32_t kQemuExitFailure = 0x11; // host status 35
constexpr uint32_t kQemuExitPanic = 0x12;   // host status 37

// User address-space layout: the lower canonical half belongs to user
// programs, except page 0 (so null pointers fault) and the last page below
// the canonical hole: a `syscall` in that page would make sysretq return to
// a non-canonical address, which faults in kernel mode on Intel CPUs.
// Everything from kUserTop up is unreachable for user programs.
constexpr uint64_t kUserBase = 0x0000000000001000; // first user address
constexpr uint64_t kUserTop = 0x00007FFFFFFFF000;  // first non-user address

} // namespace rayos::abi
