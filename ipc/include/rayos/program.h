// What every program init starts finds in its CSpace (init/system.cpp puts
// it there): the slots of its root CNode (2^8 slots, cptr i = slot i).
#pragma once

#include <cstdint>

namespace rayos::program {

constexpr uint64_t kSlotEndpoint = 1;    // its own endpoint: clients call it here (Read)
constexpr uint64_t kSlotNameService = 2; // init's NameService (idl/init.capnp)
constexpr uint64_t kSlotReply = 3;       // a Reply object, for serving
constexpr uint64_t kSlotCNode = 4;       // its own root CNode (receive windows, copies)
constexpr uint64_t kSlotMemory = 5;      // untyped memory for its own objects: its manifest
                                         // quota, rounded down to a power of two
constexpr uint64_t kSlotNotification = 6; // a notification bound to its main thread: its
                                          // signals (IRQs, timers) end its receives with
                                          // label abi::kLabelNotification
constexpr uint64_t kFirstGrantSlot = 8;  // the manifest's grants, in order
constexpr uint64_t kFirstFreeSlot = 32;  // the rest is the program's
constexpr uint8_t kCNodeRadix = 8;

} // namespace rayos::program
