#include "thread.h"

#include <new>

#include "arch/x86_64/asm_offsets.h"
#include "arch/x86_64/cpu.h"

namespace rayos {
namespace {
Thread pool[config::kMaxThreads];
uint64_t generations[config::kMaxThreads];
constexpr uint64_t kSlotBits = 16;
static_assert(config::kMaxThreads < (1u << kSlotBits));
} // namespace

const char* thread_state_name(ThreadState state) {
    switch (state) {
    case ThreadState::Free:
        return "free";
    case ThreadState::Inactive:
        return "inactive";
    case ThreadState::Ready:
        return "ready";
    case ThreadState::Running:
        return "running";
    case ThreadState::BlockedJoin:
        return "blocked(join)";
    case ThreadState::BlockedIpc:
        return "blocked(ipc)";
    case ThreadState::Stopped:
        return "stopped";
    }
    return "?";
}

Result<Thread*> Thread::create(AddressSpace* space, const char* name, uint64_t entry,
                               uint64_t stack_top, uint64_t arg, uint64_t fs_base,
                               uint8_t priority) {
    size_t slot = 0;
    while (slot < config::kMaxThreads && pool[slot].state != ThreadState::Free)
        ++slot;
    if (slot == config::kMaxThreads) return Error(Status::LimitReached);
    Thread& t = pool[slot];
    t = Thread{};
    t.id = (++generations[slot] << kSlotBits) | slot;
    size_t i = 0;
    for (; name && name[i] && i + 1 < sizeof(t.name); ++i)
        t.name[i] = name[i];
    t.name[i] = '\0';
    t.space = space;
    t.priority = priority;
    t.fs_base = fs_base;
    arch::fpu_init_state(t.fpu);
    t.frame.rip = entry;
    t.frame.rsp = stack_top;
    t.frame.rdi = arg;
    t.frame.cs = USER_CODE_SELECTOR;
    t.frame.ss = USER_DATA_SELECTOR;
    t.frame.rflags = arch::kRflagsIf | arch::kRflagsReserved1;
    t.frame.vector = 0; // leave through iretq: every register as set here
    t.state = ThreadState::Inactive;
    return &t;
}

Thread* Thread::construct_in(void* memory) {
    static uint64_t next_object_id = 0;
    auto* t = new (memory) Thread();
    t->id = (1ull << 63) | ++next_object_id; // never a pool id
    const char name[] = "thread";
    for (size_t i = 0; i < sizeof(name); ++i)
        t->name[i] = name[i];
    arch::fpu_init_state(t->fpu);
    t->frame.cs = USER_CODE_SELECTOR;
    t->frame.ss = USER_DATA_SELECTOR;
    t->frame.rflags = arch::kRflagsIf | arch::kRflagsReserved1;
    t->state = ThreadState::Inactive;
    return t;
}

Thread* Thread::find(uint64_t id) {
    if (id >> 63) return nullptr;
    uint64_t slot = id & ((1u << kSlotBits) - 1);
    if (slot >= config::kMaxThreads) return nullptr;
    Thread& t = pool[slot];
    if (t.state == ThreadState::Free || t.id != id) return nullptr;
    return &t;
}

void Thread::release() {
    if (!cspace_root.empty()) (void)cdt::remove(cspace_root); // unlink from the derivation tree
    state = ThreadState::Free;
}

void Thread::keep_reference(Slot& internal, Slot& source) {
    internal.reserved = reinterpret_cast<uint64_t>(this);
    // A sibling of an internal source (internal slots have no children).
    Slot* parent = source.reserved ? source.parent : &source;
    cdt::insert(parent, internal, source.cap);
}

void Thread::share_space_of(Thread& other) {
    space = other.space;
    if (!other.vspace_slot.empty()) keep_reference(vspace_slot, other.vspace_slot);
}

size_t live_thread_count() {
    size_t n = 0;
    for (auto& t : pool)
        if (t.alive()) ++n;
    return n;
}

} // namespace rayos
