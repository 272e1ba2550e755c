// CNode invocations: copy, mint, move, mutate, delete, revoke, describe. Destinations
// are (index, depth) pairs under the invoked CNode; sources are capability
// addresses in the caller's CSpace.
#include "dispatch.h"
#include "invoke.h"

#include "cap/cspace.h"
#include "cap/operations.h"
#include "kernel/config.h"

namespace rayos::syscall {
namespace {

Result<Slot*> slot_at(const Slot& cnode, uint64_t index, uint64_t depth) {
    if (depth == 0 || depth > 64) return Error(Status::LookupFailed);
    return cspace::lookup_slot(cnode.cap, index, static_cast<uint8_t>(depth));
}

struct Pair {
    Slot* dest;
    Slot* src;
};

// Resolves and checks a destination (must be empty) and a source (must hold
// a capability) — everything a two-slot operation needs before it acts.
Result<Pair> resolve_pair(Thread& self, const Slot& cnode, InvocationArgs args) {
    auto dest = slot_at(cnode, args[0], args[1]);
    if (!dest) return reject(self, dest.error(), "destination does not resolve");
    if (self.cspace_root.empty()) return reject(self, Status::LookupFailed, "no CSpace");
    auto src = cspace::lookup_slot(self.cspace_root.cap, args[2], 64);
    if (!src) return reject(self, src.error(), "source does not resolve");
    if (src.value()->empty())
        return reject(self, Status::InvalidCapability, "source slot is empty");
    if (!dest.value()->empty())
        return reject(self, Status::SlotOccupied, "destination slot is not empty");
    return Pair{dest.value(), src.value()};
}

Result<uint64_t> copy_or_mint(Thread& self, Slot& invoked, InvocationArgs args, bool mint) {
    Pair pair = TRY(resolve_pair(self, invoked, args));
    if (args[3] > abi::rights::kAll)
        return reject(self, Status::InvalidArgument, "unknown rights bits");
    auto derived =
        caps::derive(pair.src->cap, static_cast<uint8_t>(args[3]), mint ? args[4] : 0, mint);
    if (!derived) return reject(self, derived.error(), "this capability cannot be derived so");
    cdt::insert(pair.src, *pair.dest, derived.value());
    return 0;
}

} // namespace

Result<uint64_t> inv_cnode_copy(Thread& self, Slot& invoked, InvocationArgs args) {
    return copy_or_mint(self, invoked, args, false);
}

Result<uint64_t> inv_cnode_mint(Thread& self, Slot& invoked, InvocationArgs args) {
    return copy_or_mint(self, invoked, args, true);
}

Result<uint64_t> inv_cnode_move(Thread& self, Slot& invoked, InvocationArgs args) {
    Pair pair = TRY(resolve_pair(self, invoked, args));
    cdt::move(*pair.src, *pair.dest);
    return 0;
}

Result<uint64_t> inv_cnode_mutate(Thread& self, Slot& invoked, InvocationArgs args) {
    Pair pair = TRY(resolve_pair(self, invoked, args));
    auto changed = caps::with_badge(pair.src->cap, args[3]);
    if (!changed) return reject(self, changed.error(), "badge or guard not allowed here");
    cdt::move(*pair.src, *pair.dest);
    pair.dest->cap = changed.value();
    return 0;
}

Result<uint64_t> inv_cnode_delete(Thread& self, Slot& invoked, InvocationArgs args) {
    auto slot = slot_at(invoked, args[0], args[1]);
    if (!slot) return reject(self, slot.error(), "slot does not resolve");
    if (slot.value()->empty()) return reject(self, Status::InvalidCapability, "slot is empty");
    uint32_t budget = config::kRevokeBudget;
    TRY(caps::delete_capability(*slot.value(), budget));
    return 0;
}

Result<uint64_t> inv_cnode_revoke(Thread& self, Slot& invoked, InvocationArgs args) {
    auto slot = slot_at(invoked, args[0], args[1]);
    if (!slot) return reject(self, slot.error(), "slot does not resolve");
    if (slot.value()->empty()) return reject(self, Status::InvalidCapability, "slot is empty");
    TRY(caps::revoke(*slot.value(), config::kRevokeBudget));
    return 0;
}

Result<uint64_t> inv_cnode_describe(Thread& self, Slot& invoked, InvocationArgs args) {
    auto slot = slot_at(invoked, args[0], args[1]);
    if (!slot) return reject(self, slot.error(), "slot does not resolve");
    const Capability& cap = slot.value()->cap;
    self.frame.rdx = cap.rights;
    // (An untyped region whose objects are all gone is empty again.)
    self.frame.r10 =
        cap.type == ObjectType::Untyped && !slot.value()->has_children() ? 0 : cap.word;
    self.frame.r8 = cap.type == ObjectType::CNode ? cap.size_bits + abi::kSlotBits : cap.size_bits;
    return static_cast<uint64_t>(cap.type);
}

} // namespace rayos::syscall
