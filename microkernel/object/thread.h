// Thread: a schedulable user thread — its saved registers (TrapFrame), FPU
// state, FS base, address space, priority, state and accounting.
//
// The TrapFrame is the first member so that entries from user mode save the
// registers straight into the Thread (see arch/x86_64/entry.S).
//
// Thread ids carry a generation (id = generation << 16 | slot), so an id of a
// thread that is gone never names a newer thread in the same slot.
#pragma once

#include "arch/x86_64/fpu.h"
#include "arch/x86_64/trap_frame.h"
#include "cap/slot.h"
#include "kernel/config.h"
#include "result.h"

#include <rayos/abi/abi.h>
#include <rayos/abi/objects.h>

#include <cstddef>
#include <cstdint>

namespace rayos {

class AddressSpace;
struct Endpoint;
struct Notification;
struct Reply;

// What a thread in ThreadState::BlockedIpc waits for.
enum class IpcWait : uint8_t {
    None,
    Send,    // queued on ipc_endpoint to deliver its message
    Call,    // the same, then it waits for a reply
    Recv,    // queued on ipc_endpoint for a message (ipc_reply: for a caller)
    Reply,   // waiting on the Reply object ipc_reply
    Wait,    // queued on ipc_notification for a signal
    Delayed, // its reply arrived, held until delay_due (fault injection)
};

enum class ThreadState : uint8_t {
    Free,        // slot unused
    Inactive,    // created, not yet handed to the scheduler
    Ready,       // in the run queue
    Running,     // current on a CPU
    BlockedJoin, // waiting in thread_join
    BlockedIpc,  // waiting on an endpoint or for a reply (see ipc_wait)
    Stopped,     // exited or faulted; waiting to be joined
};

const char* thread_state_name(ThreadState state);

struct ThreadCounters {
    uint64_t cpu_cycles;       // rdtsc cycles spent running (instructions under icount)
    uint64_t context_switches; // times switched to
    uint64_t syscalls;
    uint64_t faults;
    uint64_t ipc; // IPC and notification calls made
};

class alignas(16) Thread {
public:
    arch::TrapFrame frame; // must stay first (16-byte aligned end)
    arch::FpuState fpu;
    uint64_t fs_base = 0;
    AddressSpace* space = nullptr;
    // The root of the thread's capability space (a CNode capability, part of
    // the derivation tree like any other slot). Empty: the thread holds no
    // capabilities.
    Slot cspace_root;
    // The endpoint faults are sent to (empty: a fault stops the thread).
    Slot fault_handler;
    // The VSpace capability behind `space` for threads made from TCB objects
    // (it keeps the address space alive while the thread uses it).
    Slot vspace_slot;

    uint64_t id = 0;
    char name[config::kThreadNameLength] = {};
    ThreadState state = ThreadState::Free;
    uint8_t priority = 0;
    uint32_t slice_left = 0;

    // Run queue links (RunQueue<Thread>).
    Thread* queue_next = nullptr;
    Thread* queue_prev = nullptr;

    // Join: the thread waiting for this one, where it wants the result, and
    // whom this thread is waiting for.
    Thread* joiner = nullptr;
    uint64_t join_result_address = 0;
    Thread* join_target = nullptr;
    abi::ThreadStopInfo stop_info{};

    // IPC (object/endpoint.cpp). The message itself stays in the frame's
    // registers until it is transferred.
    IpcWait ipc_wait = IpcWait::None;
    Endpoint* ipc_endpoint = nullptr;
    Notification* ipc_notification = nullptr;
    Thread* ipc_next = nullptr; // endpoint queue links
    Thread* ipc_prev = nullptr;
    uint64_t ipc_badge = 0;      // badge of the capability the message was sent with
    uint64_t ipc_buffer = 0;     // user address of its abi::IpcBuffer (0: none)
    bool ipc_can_grant = false;  // the queued message may carry capabilities
    uint8_t ipc_call_rights = 0; // rights of the endpoint capability of its last call
                                 // (GrantReply: the reply may carry capabilities)
    Notification* bound_notification = nullptr; // its signals end our receives
    Reply* ipc_reply = nullptr;
    // While a fault is being handled: the message is fault_message (not the
    // registers, which hold the faulting state) and the reply decides how
    // the thread goes on.
    bool ipc_fault = false;
    uint64_t fault_message[1 + abi::kMessageRegisters] = {}; // info, words
    // Fault injection (tcb_inject): while `inject_count` > 0 its IPC takes
    // the slow path, which damages, drops or delays the message
    // (object/endpoint.cpp), or its retypes fail (Starve).
    uint64_t inject_count = 0;
    abi::Injection inject_mode = abi::Injection::Off;
    uint64_t inject_state = 0; // random state
    uint64_t inject_delay = 0; // DelayReply: ticks each caller is held
    uint64_t delay_due = 0;    // (IpcWait::Delayed) the tick it is released

    ThreadCounters counters{};
    uint64_t run_start_cycles = 0;

    // Allocates a slot and prepares a thread that will start at `entry` in
    // `space` with the given stack, first argument and FS base. It is not
    // yet runnable (the caller hands it to the scheduler).
    static Result<Thread*> create(AddressSpace* space, const char* name, uint64_t entry,
                                  uint64_t stack_top, uint64_t arg, uint64_t fs_base,
                                  uint8_t priority);
    // The live thread with this id, or nullptr (stale or unknown id). Only
    // threads of the bootstrap pool can be found by id.
    static Thread* find(uint64_t id);
    // Builds an inactive thread in the memory of a TCB object (retype).
    static Thread* construct_in(void* memory);
    // Returns the slot to the pool.
    void release();
    // Puts a non-owning copy of `source` (a capability slot) into one of this
    // thread's internal slots (cspace_root, fault_handler, vspace_slot); it
    // is detached when the object's last ordinary capability goes.
    void keep_reference(Slot& internal, Slot& source);
    // Shares `other`'s address space, keeping a reference to it if it is a
    // VSpace object.
    void share_space_of(Thread& other);

    // Ready, running or blocked: it may still execute instructions.
    bool alive() const {
        return state == ThreadState::Ready || state == ThreadState::Running ||
               state == ThreadState::BlockedJoin || state == ThreadState::BlockedIpc;
    }
};
static_assert(offsetof(Thread, frame) == 0);
static_assert(sizeof(Thread) <= (1u << abi::object_size_bits(abi::ObjectType::Tcb)),
              "a Thread must fit in a TCB object");

// Number of threads that are neither free nor stopped.
size_t live_thread_count();

} // namespace rayos
