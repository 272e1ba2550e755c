// TCB invocations: configure, priority, registers, resume/suspend, statistics
// and name of a thread.
#include "dispatch.h"
#include "invoke.h"

#include "mm/user_memory.h"

#include "cap/operations.h"
#include "kernel/scheduler.h"
#include "object/address_space.h"
#include "object/notification.h"

#include <rayos/abi/abi.h>

namespace rayos::syscall {
namespace {

Thread& thread_of(const Slot& slot) {
    return *reinterpret_cast<Thread*>(slot.cap.object);
}

// A capability the caller names for the thread to keep (0: none). Must be
// of `type`.
Result<Slot*> optional_cap(Thread& self, uint64_t cptr, ObjectType type, const char* what) {
    if (cptr == 0) return static_cast<Slot*>(nullptr);
    auto slot = lookup_in_cspace(self, cptr);
    if (!slot) return reject(self, slot.error(), what);
    if (slot.value()->cap.type != type) return reject(self, Status::InvalidCapability, what);
    return slot.value();
}

// Replaces the reference kept in `keep` (a slot inside thread `owner`) by
// one to `source` (nullptr: none). References never own their object, so
// dropping one destroys nothing.
void keep_copy(Thread& owner, Slot& keep, Slot* source) {
    if (!keep.empty()) (void)caps::delete_capability(keep);
    if (source) owner.keep_reference(keep, *source);
}

bool not_running(const Thread& t) {
    return t.state == ThreadState::Inactive || t.state == ThreadState::Stopped;
}

} // namespace

Result<uint64_t> inv_tcb_configure(Thread& self, Slot& invoked, InvocationArgs args) {
    Thread& t = thread_of(invoked);
    Slot* root = TRY(optional_cap(self, args[0], ObjectType::CNode, "CSpace root is not a CNode"));
    Slot* vspace = TRY(optional_cap(self, args[1], ObjectType::VSpace, "not a VSpace capability"));
    if (vspace && (&t == &self || !not_running(t)))
        return reject(self, Status::Busy, "the address space of a running thread cannot change");
    Slot* fault =
        TRY(optional_cap(self, args[2], ObjectType::Endpoint, "fault endpoint is not an endpoint"));
    if (root) keep_copy(t, t.cspace_root, root);
    keep_copy(t, t.fault_handler, fault);
    if (vspace) {
        // Drop any previous address space first (that suspends nothing: the
        // thread is not running), then keep the new one.
        keep_copy(t, t.vspace_slot, nullptr);
        t.space = reinterpret_cast<AddressSpace*>(vspace->cap.object);
        keep_copy(t, t.vspace_slot, vspace);
    } else if (!t.space) {
        t.share_space_of(self);
    }
    return 0;
}

Result<uint64_t> inv_tcb_set_priority(Thread& self, Slot& invoked, InvocationArgs args) {
    if (args[0] > 255) return reject(self, Status::InvalidArgument, "priority above 255");
    if (args[0] > self.priority)
        return reject(self, Status::MissingRights, "priority above the caller's own");
    sched::set_priority(&thread_of(invoked), static_cast<uint8_t>(args[0]));
    return 0;
}

Result<uint64_t> inv_tcb_write_registers(Thread& self, Slot& invoked, InvocationArgs args) {
    Thread& t = thread_of(invoked);
    if (!not_running(t) || &t == &self)
        return reject(self, Status::Busy, "the thread must be inactive or stopped");
    uint64_t rip = args[0], rsp = args[1], fs_base = args[3];
    if (!is_user_address(rip)) return reject(self, Status::BadAddress, "rip is not a user address");
    if (!is_user_address(rsp - 1))
        return reject(self, Status::BadAddress, "rsp is not a user address");
    if (fs_base && !is_user_address(fs_base))
        return reject(self, Status::BadAddress, "FS base is not a user address");
    t.frame.rip = rip;
    t.frame.rsp = rsp;
    t.frame.rdi = args[2];
    t.fs_base = fs_base;
    t.frame.vector = 0; // leave through iretq with exactly these registers
    return 0;
}

Result<uint64_t> inv_tcb_resume(Thread& self, Slot& invoked, InvocationArgs) {
    Thread& t = thread_of(invoked);
    if (t.state != ThreadState::Inactive)
        return reject(self, Status::Busy, "the thread is not inactive");
    if (!t.space) return reject(self, Status::InvalidArgument, "the thread has no address space");
    sched::make_ready(&t);
    return 0;
}

Result<uint64_t> inv_tcb_suspend(Thread& self, Slot& invoked, InvocationArgs) {
    Thread& t = thread_of(invoked);
    if (t.state == ThreadState::BlockedJoin)
        return reject(self, Status::Busy, "the thread waits in thread_join");
    if (t.state == ThreadState::Free || t.state == ThreadState::Stopped)
        return reject(self, Status::InvalidArgument, "the thread has ended");
    if (t.state != ThreadState::Inactive) sched::suspend(&t);
    return 0;
}

Result<uint64_t> inv_tcb_read_stats(Thread& self, Slot& invoked, InvocationArgs) {
    Thread& t = thread_of(invoked);
    const ThreadCounters& c = t.counters;
    uint64_t cycles = c.cpu_cycles;
    self.frame.rdx = cycles;
    self.frame.r10 = c.ipc;
    self.frame.r8 = c.faults;
    self.frame.r9 = c.context_switches;
    return c.syscalls;
}

Result<uint64_t> inv_tcb_read_state(Thread&, Slot& invoked, InvocationArgs) {
    const Thread& t = thread_of(invoked);
    using A = abi::ThreadActivity;
    A activity = A::Inactive;
    switch (t.state) {
    case ThreadState::Free:
    case ThreadState::Stopped:
        activity = A::Stopped;
        break;
    case ThreadState::Inactive:
        activity = A::Inactive;
        break;
    case ThreadState::Ready:
    case ThreadState::Running:
        activity = A::Ready;
        break;
    case ThreadState::BlockedJoin:
        activity = A::Joining;
        break;
    case ThreadState::BlockedIpc:
        switch (t.ipc_wait) {
        case IpcWait::Send:
            activity = A::Sending;
            break;
        case IpcWait::Call:
        case IpcWait::Reply:
        case IpcWait::Delayed: // (its reply is held: still in its call)
            activity = A::Calling;
            break;
        case IpcWait::Recv:
            activity = A::Receiving;
            break;
        case IpcWait::Wait:
        case IpcWait::None:
            activity = A::Waiting;
            break;
        }
        break;
    }
    return static_cast<uint64_t>(activity);
}

Result<uint64_t> inv_tcb_set_name(Thread&, Slot& invoked, InvocationArgs args) {
    Thread& t = thread_of(invoked);
    size_t n = 0;
    for (int word = 0; word < 4; ++word)
        for (int byte = 0; byte < 8 && n + 1 < sizeof(t.name); ++byte) {
            char c = static_cast<char>(args[word] >> (8 * byte));
            if (c == '\0') goto done;
            t.name[n++] = (c >= ' ' && c <= '~') ? c : '?';
        }
done:
    t.name[n] = '\0';
    return 0;
}

Result<uint64_t> inv_tcb_read_registers(Thread& self, Slot& invoked, InvocationArgs) {
    Thread& t = thread_of(invoked);
    if (!not_running(t) || &t == &self)
        return reject(self, Status::Busy, "the thread must be inactive or stopped");
    self.frame.rdx = t.frame.rip;
    self.frame.r10 = t.frame.rsp;
    self.frame.r8 = t.frame.rflags;
    self.frame.r9 = t.frame.rax;
    return 0;
}

} // namespace rayos::syscall

namespace rayos::syscall {

Result<uint64_t> inv_tcb_set_ipc_buffer(Thread& self, Slot& invoked, InvocationArgs args) {
    uint64_t address = args[0];
    if (address % abi::kIpcBufferAlignment)
        return reject(self, Status::InvalidArgument, "IPC buffer is not 1024-byte aligned");
    if (address && !is_user_address(address))
        return reject(self, Status::BadAddress, "IPC buffer is not a user address");
    thread_of(invoked).ipc_buffer = address;
    return 0;
}

} // namespace rayos::syscall

namespace rayos::syscall {

Result<uint64_t> inv_tcb_bind_notification(Thread& self, Slot& invoked, InvocationArgs args) {
    Thread& t = thread_of(invoked);
    if (args[0] == 0) {
        notification::unbind(t);
        return 0;
    }
    const Capability* cap =
        TRY(typed_cap(self, args[0], ObjectType::Notification, abi::rights::kRead));
    auto* n = reinterpret_cast<Notification*>(cap->object);
    if (t.bound_notification || n->bound)
        return reject(self, Status::Busy, "thread or notification is bound already");
    notification::bind(t, *n);
    return 0;
}

Result<uint64_t> inv_tcb_inject(Thread& self, Slot& invoked, InvocationArgs args) {
    Thread& t = thread_of(invoked);
    auto mode = static_cast<abi::Injection>(args[0]);
    if (args[0] > uint64_t(abi::Injection::Starve))
        return reject(self, Status::InvalidArgument, "unknown injection mode");
    if (mode != abi::Injection::Off && (args[1] == 0 || args[1] > config::kMaxInjections))
        return reject(self, Status::InvalidArgument, "count must be 1 .. kMaxInjections");
    if (mode == abi::Injection::DelayReply &&
        (args[3] == 0 || args[3] > config::kMaxInjectDelayTicks))
        return reject(self, Status::InvalidArgument, "delay must be 1 .. kMaxInjectDelayTicks");
    uint64_t left = t.inject_count;
    t.inject_mode = mode;
    t.inject_count = mode == abi::Injection::Off ? 0 : args[1];
    t.inject_state = args[2];
    t.inject_delay = mode == abi::Injection::DelayReply ? args[3] : 0;
    return left;
}

} // namespace rayos::syscall
