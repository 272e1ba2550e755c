// What every program init starts finds in its CSpace (init/system.cpp puts
// it there): the slots of its root CNode (2^8 slots, cptr i = slot i).
#pragma once

#include <cstdint>

namespace rayos::program {

constexpr uint64_t kSlotEndpoint = 1;     // its own endpoint: clients call it here (Read)
constexpr uint64_t kSlotNameService = 2;  // init's NameService (idl/init.capnp)
constexpr uint64_t kSlotReply = 3;        // a Reply object, for serving
constexpr uint64_t kSlotCNode = 4;        // its own root CNode (receive windows, copies)
constexpr uint64_t kSlotMemory = 5;       // untyped memory for its own objects: its manifest
                                          // quota, rounded down to a power of two
constexpr uint64_t kSlotNotification = 6; // a notification bound to its main thread: its
                                          // signals (IRQs, timers) end its receives with
                                          // label abi::kLabelNotification
constexpr uint64_t kFirstGrantSlot = 8;   // the manifest's grants, in order
constexpr uint64_t kFirstFreeSlot = 32;   // the rest is the program's
constexpr uint8_t kCNodeRadix = 8;

// The badge a program's faults arrive with (at init, or at the program its
// manifest grants them to, faultEndpointOf): bit 63, the program's index in
// the manifest + 1 in bits 0-31 and, at a fault handler other than init,
// its generation in bits 32-62, so a pager sees at its first fault that a
// client was restarted (and its old pages are gone).
constexpr uint64_t kFaultBadge = 1ull << 63;
constexpr uint64_t fault_badge(uint32_t index, uint32_t generation = 0) {
    return kFaultBadge | uint64_t(generation & 0x7FFFFFFFu) << 32 | (uint64_t(index) + 1);
}
constexpr bool is_fault_badge(uint64_t badge) {
    return (badge & kFaultBadge) != 0;
}
// The badge without its generation: which program.
constexpr uint64_t fault_badge_program(uint64_t badge) {
    return badge & (kFaultBadge | 0xFFFFFFFFu);
}
constexpr uint32_t fault_badge_generation(uint64_t badge) {
    return uint32_t(badge >> 32) & 0x7FFFFFFFu;
}

} // namespace rayos::program
