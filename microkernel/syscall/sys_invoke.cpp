// The invoke system call: look up, check the label against the object type,
// dispatch.
#include "dispatch.h"
#include "invoke.h"

#include "cap/cspace.h"

namespace rayos::syscall {
namespace {

using Invocation = Result<uint64_t> (*)(Thread&, Slot&, InvocationArgs);

struct Entry {
    uint64_t label = 0;
    ObjectType type = ObjectType::Null;
    Invocation handler = nullptr;
    const char* name = nullptr;
};

constexpr Entry table[] = {
#define RAYOS_INVOCATION(label, type, name, params, arg_names)                                     \
    {label, ObjectType::type, inv_##name, #name},
#include <rayos/abi/invocations.def>
#undef RAYOS_INVOCATION
};

// Indexed by label, so a call finds its entry in one step however many
// invocations there are.
constexpr uint64_t kLabelLimit = 128;
struct ByLabel {
    Entry entries[kLabelLimit];
};
constexpr ByLabel index_by_label() {
    ByLabel t{};
    for (const auto& e : table)
        t.entries[e.label] = e;
    return t;
}
constexpr bool labels_fit_and_differ() {
    bool seen[kLabelLimit] = {};
    for (const auto& e : table) {
        if (e.label == 0 || e.label >= kLabelLimit || seen[e.label]) return false;
        seen[e.label] = true;
    }
    return true;
}
static_assert(labels_fit_and_differ(), "invocation labels must be 1..127 and unique");
constexpr ByLabel by_label = index_by_label();

} // namespace

Result<Slot*> lookup_in_cspace(Thread& self, uint64_t cptr) {
    if (Slot* slot = cspace::lookup_cap_single_level(self.cspace_root.cap, cptr)) return slot;
    if (self.cspace_root.empty()) return Error(Status::LookupFailed);
    auto found = cspace::lookup_cap(self.cspace_root.cap, cptr);
    if (!found) return Error(found.error());
    return found->slot;
}

Result<const Capability*> typed_cap(Thread& self, uint64_t cptr, ObjectType type, uint8_t rights) {
    auto slot = lookup_in_cspace(self, cptr);
    if (!slot) return reject(self, slot.error(), "capability address does not resolve");
    const Capability& cap = slot.value()->cap;
    if (cap.type != type)
        return reject(self, Status::InvalidCapability, "capability has the wrong type");
    if (!cap.has_rights(rights))
        return reject(self, Status::MissingRights, "capability lacks a needed right");
    return &cap;
}

Result<uint64_t> sys_invoke(Thread& self, Args args) {
    uint64_t cptr = args[0], label = args[1];
    if (label >= kLabelLimit || !by_label.entries[label].handler)
        return reject(self, Status::InvalidArgument, "unknown invocation label");
    const Entry* entry = &by_label.entries[label];
    auto slot = lookup_in_cspace(self, cptr);
    if (!slot) return reject(self, slot.error(), "capability address does not resolve");
    if (slot.value()->empty()) return reject(self, Status::InvalidCapability, "empty slot");
    if (slot.value()->cap.type != entry->type)
        return reject(self, Status::InvalidCapability,
                      "capability has the wrong type for this label");
    return entry->handler(self, *slot.value(), InvocationArgs(self.frame));
}

} // namespace rayos::syscall
