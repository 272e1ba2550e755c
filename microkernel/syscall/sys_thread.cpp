// Thread calls of the bootstrap ABI: spawn, exit, join, yield.
#include "dispatch.h"

#include "kernel/scheduler.h"
#include "object/endpoint.h"
#include "mm/paging.h"
#include "mm/user_memory.h"

#include <rayos/abi/abi.h>

namespace rayos::syscall {
Result<uint64_t> sys_thread_spawn(Thread& self, Args args) {
    uint64_t entry = args[0], stack_top = args[1], arg = args[2], tls = args[3];
    if (!is_user_address(entry))
        return reject(self, Status::BadAddress, "entry is not a user address");
    if (!is_user_address(stack_top - 1) || stack_top % 16 != 0)
        return reject(self, Status::BadAddress, "stack top is not a 16-byte aligned user address");
    if (tls != 0 && !is_user_address(tls))
        return reject(self, Status::BadAddress, "TLS base is not a user address");
    Thread* thread =
        Thread::create(self.space, self.name, entry, stack_top - 8, arg, tls, self.priority)
            .value_or(nullptr);
    if (!thread) return reject(self, Status::LimitReached, "no free thread slot");
    // The new thread shares the creator's CSpace and address space.
    if (!self.cspace_root.empty()) thread->keep_reference(thread->cspace_root, self.cspace_root);
    thread->share_space_of(self);
    sched::make_ready(thread);
    return thread->id;
}

Result<uint64_t> sys_thread_exit(Thread& self, Args args) {
    abi::ThreadStopInfo info{};
    info.kind = abi::StopKind::Exited;
    info.code = static_cast<int64_t>(args[0]);
    // A supervised thread: its handler hears of it, and it stops then.
    if (ipc::deliver_exit(self, info.code)) return 0;
    sched::stop(&self, info);
    return 0; // never seen: the thread does not run again
}

Result<uint64_t> sys_thread_join(Thread& self, Args args) {
    uint64_t id = args[0], result_address = args[1];
    Thread* target = Thread::find(id);
    if (!target) return reject(self, Status::NotFound, "no thread with this id");
    if (target == &self) return reject(self, Status::Deadlock, "a thread cannot join itself");
    if (target->space != self.space)
        return reject(self, Status::NotFound, "thread belongs to another address space");
    if (target->joiner) return reject(self, Status::Busy, "another thread is already joining it");
    for (Thread* t = target; t; t = t->join_target)
        if (t == &self) return reject(self, Status::Deadlock, "join would wait for itself");
    if (!check_user_writable(*self.space, result_address, sizeof(abi::ThreadStopInfo)))
        return reject(self, Status::BadAddress, "result is not writable user memory");
    sched::join(&self, target, result_address);
    return 0;
}

Result<uint64_t> sys_yield(Thread&, Args) {
    sched::yield_current();
    return 0;
}

Result<uint64_t> sys_clock_ticks(Thread&, Args) {
    return sched::ticks();
}

} // namespace rayos::syscall
