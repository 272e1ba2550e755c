// Threads on runtime-managed stacks. Each thread gets a stack and a thread
// block from fixed pools; its block copies the creator's stack-protector
// canary, so code compiled with -fstack-protector works on every thread.
// A slot is reused once its thread has been joined.
#include <rayos/runtime.h>
#include <rayos/syscall.h>

namespace rayos {
namespace {

struct Slot {
    alignas(16) uint8_t stack[Thread::kStackSize];
    abi::ThreadBlock block;
    Thread::Function function;
    void* arg;
    uint64_t id;
    bool in_use;
};

Slot slots[Thread::kMaxThreads];

[[noreturn]] void trampoline(Slot* slot) {
    slot->function(slot->arg);
    exit_thread(0);
}

} // namespace

int64_t Thread::spawn(Function fn, void* arg) {
    Slot* slot = nullptr;
    for (auto& candidate : slots) {
        if (!candidate.in_use) {
            slot = &candidate;
            break;
        }
    }
    if (!slot) return static_cast<int64_t>(abi::Status::LimitReached);
    slot->in_use = true;
    slot->function = fn;
    slot->arg = arg;
    slot->block = abi::ThreadBlock{};
    slot->block.self = &slot->block;
    slot->block.stack_guard = thread_block()->stack_guard;
    auto top = reinterpret_cast<uint64_t>(slot->stack + sizeof(slot->stack));
    int64_t id = sys::thread_spawn(reinterpret_cast<uint64_t>(&trampoline), top,
                                   reinterpret_cast<uint64_t>(slot),
                                   reinterpret_cast<uint64_t>(&slot->block));
    if (id < 0) {
        slot->in_use = false;
        return id;
    }
    slot->id = static_cast<uint64_t>(id);
    slot->block.thread_id = slot->id;
    return id;
}

int64_t Thread::join(uint64_t id, abi::ThreadStopInfo& info) {
    int64_t result = sys::thread_join(id, &info);
    if (result == 0) {
        for (auto& slot : slots)
            if (slot.in_use && slot.id == id) slot.in_use = false;
    }
    return result;
}

} // namespace rayos
