#include "dispatch.h"

#include "kernel/log.h"
#include "kernel/scheduler.h"

#include <rayos/abi/abi.h>

namespace rayos::syscall {
namespace {

struct Entry {
    Handler handler;
    const char* name;
};

constexpr Entry table[] = {
#define RAYOS_SYSCALL(number, name, params, args) {sys_##name, #name},
#include <rayos/abi/syscalls.def>
#undef RAYOS_SYSCALL
};
constexpr uint64_t kCount = sizeof(table) / sizeof(table[0]);

// The table is indexed by number: the numbers in syscalls.def must be 0..N-1
// in order.
constexpr bool numbers_are_dense() {
    uint64_t expected = 0;
#define RAYOS_SYSCALL(number, name, params, args)                                                  \
    if (number != expected++) return false;
#include <rayos/abi/syscalls.def>
#undef RAYOS_SYSCALL
    return true;
}
static_assert(numbers_are_dense(), "syscalls.def numbers must be 0, 1, 2, ... in order");

const char* current_call = "?";

} // namespace

Error<> reject(const Thread& self, Status status, const char* why) {
#ifdef RAYOS_DEBUG
    // rdi holds the capability address of every call that names one.
    kprintf("syscall rejected: thread '%s' (id %#lx) %s (rdi %#lx): %s: %s\n", self.name, self.id,
            current_call, self.frame.rdi, abi::status_name(status), why);
#else
    (void)self;
    (void)why;
#endif
    return Error(status);
}

namespace {
inline int64_t dispatch(Thread& self, arch::TrapFrame& frame) {
    uint64_t number = frame.rax;
    if (number >= kCount) {
        current_call = "(unknown)";
        return static_cast<int64_t>(
            reject(self, Status::InvalidSyscall, "no such call number").status);
    }
    current_call = table[number].name;
    auto result = table[number].handler(self, Args(frame));
    return result ? static_cast<int64_t>(result.value()) : static_cast<int64_t>(result.error());
}
} // namespace

} // namespace rayos::syscall

// Returns (to syscall_entry's fast exit) only when the calling thread simply
// continues; anything else goes through the scheduler.
extern "C" void syscall_from_user(rayos::arch::TrapFrame* frame) {
    using namespace rayos;
    Thread* thread = sched::current();
    thread->counters.syscalls++;
    frame->rax = static_cast<uint64_t>(syscall::dispatch(*thread, *frame));
    if (__builtin_expect(!sched::may_continue(thread), 0)) sched::resume();
}

namespace rayos::syscall {} // namespace rayos::syscall
