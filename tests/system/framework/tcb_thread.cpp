#include "tcb_thread.h"

#include "caps.h"

#include <rayos/invoke.h>
#include <rayos/runtime.h>

namespace rayos::test {
namespace {

constexpr int kStacks = 32;
constexpr uint64_t kStackSize = 8192;
alignas(16) uint8_t stacks[kStacks][kStackSize];
abi::ThreadBlock blocks[kStacks];
int next_stack = 0;

} // namespace

uint64_t fresh_stack_top() {
    int i = next_stack++ % kStacks;
    return reinterpret_cast<uint64_t>(stacks[i] + kStackSize) - 8; // as after a call
}

TcbThread start_tcb_thread(void (*fn)(void*), void* arg, uint64_t priority, uint64_t fault_endpoint,
                           bool resume) {
    TcbThread t;
    uint64_t tcb = make_object(abi::ObjectType::Tcb);
    if (!tcb) return t;
    int i = next_stack % kStacks;
    uint64_t stack = fresh_stack_top();
    blocks[i] = abi::ThreadBlock{};
    blocks[i].self = &blocks[i];
    blocks[i].stack_guard = thread_block()->stack_guard;
    if (inv::tcb_configure(tcb, kRoot, 0, fault_endpoint) != 0) return t;
    if (inv::tcb_write_registers(tcb, reinterpret_cast<uint64_t>(fn), stack,
                                 reinterpret_cast<uint64_t>(arg),
                                 reinterpret_cast<uint64_t>(&blocks[i])) != 0)
        return t;
    if (inv::tcb_set_priority(tcb, priority) != 0) return t;
    if (resume && inv::tcb_resume(tcb) != 0) return t;
    t.tcb = tcb;
    return t;
}

} // namespace rayos::test
