#include "tcb_thread.h"

#include "caps.h"

#include <rayos/invoke.h>
#include <rayos/runtime.h>

extern "C" char __program_start[], __text_end[], __program_end[];

namespace rayos::test {
namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kCopyWindow = 0x0000700000000000ull; // where init writes the copies

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

bool prepare_tables(uint64_t vspace, uint64_t va) {
    for (int i = 0; i < 3; ++i) {
        uint64_t table = make_object(abi::ObjectType::PageTable);
        if (!table) return false;
        int64_t level = inv::page_table_map(table, vspace, va);
        if (level == 1 || st(level) == abi::Status::Busy) return true; // complete
        if (level < 0) return false;
    }
    return true;
}

uint64_t copy_program_vspace(uint64_t vspace) {
    static bool window_ready = false;
    if (!window_ready) window_ready = prepare_tables(abi::kInitSlotVSpace, kCopyWindow);
    if (!vspace) vspace = make_object(abi::ObjectType::VSpace);
    if (!window_ready || !vspace) return 0;
    auto start = reinterpret_cast<uint64_t>(__program_start);
    auto text_end = reinterpret_cast<uint64_t>(__text_end);
    auto end = reinterpret_cast<uint64_t>(__program_end);
    for (uint64_t va = start & ~((2ull << 20) - 1); va < end; va += 2ull << 20)
        if (!prepare_tables(vspace, va)) return 0;
    for (uint64_t page = start; page < end; page += kPage) {
        uint64_t frame = make_object(abi::ObjectType::Frame, 12);
        if (!frame) return 0;
        if (inv::frame_map(frame, abi::kInitSlotVSpace, kCopyWindow, abi::kMapWritable) != 0)
            return 0;
        auto* to = reinterpret_cast<uint64_t*>(kCopyWindow);
        auto* from = reinterpret_cast<const uint64_t*>(page);
        for (uint64_t i = 0; i < kPage / 8; ++i)
            to[i] = from[i];
        inv::frame_unmap(frame);
        uint64_t attributes = page < text_end ? abi::kMapExecutable : abi::kMapWritable;
        if (inv::frame_map(frame, vspace, page, attributes) != 0) return 0;
    }
    return vspace;
}

} // namespace rayos::test
