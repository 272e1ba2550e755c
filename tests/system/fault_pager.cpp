// The pager of the fault-grant system test (data/pager.manifest.txt): its
// manifest entry grants it the client's faults (they arrive on its own
// endpoint; grant slot 8 is init's fault endpoint for the client) and the
// client's address space (grant slot 9). It maps a page of its own memory
// where the client faults in its region, and passes every other fault on
// to init, which then supervises the client as usual.
#include <rayos/invoke.h>
#include <rayos/ipc.h>
#include <rayos/mapping.h>
#include <rayos/program.h>
#include <rayos/runtime.h>
#include <rayos/syscall.h>

using namespace rayos;

namespace {

constexpr uint64_t kSlotInitFaults = program::kFirstGrantSlot;
constexpr uint64_t kSlotClientSpace = program::kFirstGrantSlot + 1;
constexpr uint64_t kRegion = 0x500000000000ull;
constexpr uint64_t kRegionPages = 16;
uint64_t next_slot = program::kFirstFreeSlot;

uint64_t make(abi::ObjectType type, uint64_t size_bits = 0) {
    uint64_t slot = next_slot++;
    if (inv::untyped_retype(program::kSlotMemory, uint64_t(type), size_bits, program::kSlotCNode,
                            slot, 1) != 1)
        return 0;
    return slot;
}

// A frame of its own memory holding the pattern, mapped at `address` in the
// client's address space.
bool map_page(uint64_t address) {
    static uint64_t pattern[512];
    for (uint64_t& word : pattern)
        word = 0x5A5A5A5A5A5A5A5Aull;
    uint64_t frame = make(abi::ObjectType::Frame, 12);
    if (!frame || inv::frame_write(frame, 0, reinterpret_cast<uint64_t>(pattern), 4096) < 0)
        return false;
    return map_frame(frame, kSlotClientSpace, address & ~uint64_t(0xFFF), abi::kMapWritable,
                     [] { return make(abi::ObjectType::PageTable); }) == abi::Status::Ok;
}

[[noreturn]] void verdict(bool ok, const char* what) {
    print("pager: %s\n", what);
    halt(ok ? abi::HaltReason::Success : abi::HaltReason::Failure);
}

} // namespace

int main(const char*) {
    Message m;
    if (ipc::recv(program::kSlotEndpoint, program::kSlotReply, m) < 0)
        verdict(false, "cannot receive");
    for (;;) {
        uint64_t label = abi::MessageInfo::label(m.info);
        if (!(m.badge & (1ull << 63))) verdict(false, "a message that is not a fault");
        if (label == abi::kFaultPage && m.words[2] >= kRegion &&
            m.words[2] < kRegion + kRegionPages * 4096) {
            if (!map_page(m.words[2])) verdict(false, "cannot map the page");
            print("pager: mapped a page at %#lx for its client\n", m.words[2] & ~uint64_t(0xFFF));
            m.info = abi::MessageInfo::make(abi::kFaultResume, 0);
            if (ipc::reply_recv(program::kSlotEndpoint, program::kSlotReply, m) < 0)
                verdict(false, "cannot reply");
            continue;
        }
        // Not ours: pass it on unchanged; init tears the client down and
        // answers with an error.
        uint64_t vector = m.words[0];
        Message forward = m;
        int64_t passed = ipc::call(kSlotInitFaults, forward);
        print("pager: passed a fault (vector %lu) on to init: %s\n", vector,
              passed == 0 ? "answered" : "refused");
        verdict(passed == 0, passed == 0 ? "all checks passed" : "init did not take the fault");
    }
}
