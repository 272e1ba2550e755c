// Capability operations shared by every invocation: deriving a capability
// (copy/mint rules), deleting one (and destroying the object with its last
// capability), and revoking everything derived from one.
#pragma once

#include "result.h"
#include "slot.h"

#include <cstdint>

namespace rayos::caps {

// What a copy or mint of `source` with `rights` (masked by the source's own
// rights, as in seL4) and `badge` may produce. For Endpoint/Notification a
// badge != 0 needs an unbadged source; for CNode, `badge` holds the new guard
// (bits 0-5 guard size, bits 6-63 guard value); other types take no badge.
// Untyped capabilities cannot be copied (one capability per watermark);
// move them instead.
Result<Capability> derive(const Capability& source, uint8_t rights, uint64_t badge, bool mint);

// Applies a badge/guard change (mint and mutate share it).
Result<Capability> with_badge(const Capability& source, uint64_t badge);

// True if no other capability refers to the object of `slot` (threads'
// internal references do not count: they never keep an object alive).
bool is_final(const Slot& slot);

// Empties `slot`; if it held the last capability to its object, the object
// is destroyed (a thread stops, waiters are released, ...). The last
// capability to a CNode goes only after everything inside it: at most
// `budget` capabilities are deleted per call (the count is reduced), then
// Preempted says "call again". InvalidCapability for an empty slot.
VoidResult delete_capability(Slot& slot, uint32_t& budget);
// The same without a budget, for kernel-internal slots.
VoidResult delete_capability(Slot& slot);

// Deletes descendants of `slot` until none are left (returns Ok; an
// Untyped's watermark is reset then) or `budget` deletions were made
// (returns Preempted: call again to continue).
VoidResult revoke(Slot& slot, uint32_t budget);

} // namespace rayos::caps
