#include "operations.h"

#include "kernel/scheduler.h"
#include "object/address_space.h"
#include "object/endpoint.h"
#include "object/irq.h"
#include "object/notification.h"
#include "object/thread.h"
#include "object/vspace.h"

namespace rayos::caps {
namespace {

// Slots inside a Thread (CSpace root, fault endpoint, address space) hold
// non-owning references: Slot.reserved names the owning thread. They never
// keep an object alive; when its last ordinary capability goes, they are
// detached from their threads (detach_references).
bool is_internal(const Slot* slot) {
    return slot && slot->reserved != 0;
}

bool refers_to_same(const Slot* other, const Slot& slot) {
    return other && other != &slot && !is_internal(other) && other->cap.same_object(slot.cap);
}

// Takes a thread's internal reference away, fixing up the thread: without
// its address space it cannot run, without its CSpace every lookup fails,
// without its fault endpoint a fault stops it.
void detach(Slot& internal) {
    auto* owner = reinterpret_cast<Thread*>(internal.reserved);
    if (&internal == &owner->vspace_slot) {
        if (owner->alive()) sched::suspend(owner);
        owner->space = nullptr;
    }
    (void)cdt::remove(internal);
}

// Internal references to the object of `slot` sit next to it in the
// derivation tree (children or siblings): detach every one.
void detach_references(Slot& slot) {
    for (;;) {
        Slot* found = nullptr;
        for (Slot* c = slot.first_child; c && !found; c = c->next_sibling)
            if (is_internal(c) && c->cap.same_object(slot.cap)) found = c;
        Slot* first = slot.parent ? slot.parent->first_child : &slot;
        while (first && first->prev_sibling)
            first = first->prev_sibling;
        for (Slot* c = first; c && !found; c = c->next_sibling)
            if (c != &slot && is_internal(c) && c->cap.same_object(slot.cap)) found = c;
        if (!found) return;
        detach(*found);
    }
}

// Runs when the last capability to an object goes away.
void destroy_object(const Capability& cap) {
    switch (cap.type) {
    case ObjectType::CNode:
        break; // emptied before its last capability goes (clear_cnode)
    case ObjectType::Tcb: {
        auto* thread = reinterpret_cast<Thread*>(cap.object);
        if (thread->alive()) {
            abi::ThreadStopInfo info{};
            info.kind = abi::StopKind::Exited;
            info.code = -1;
            sched::stop(thread, info);
        }
        if (thread->id >> 63) { // a TCB object: its memory may be reused
            if (!thread->cspace_root.empty()) (void)cdt::remove(thread->cspace_root);
            if (!thread->fault_handler.empty()) (void)cdt::remove(thread->fault_handler);
            if (!thread->vspace_slot.empty()) (void)cdt::remove(thread->vspace_slot);
            notification::unbind(*thread);
            sched::forget(thread);
        }
        break;
    }
    case ObjectType::Endpoint:
        ipc::cancel_endpoint(*reinterpret_cast<Endpoint*>(cap.object));
        break;
    case ObjectType::Reply:
        ipc::cancel_reply(*reinterpret_cast<Reply*>(cap.object));
        break;
    case ObjectType::Notification:
        notification::cancel(*reinterpret_cast<Notification*>(cap.object));
        irq::forget_notification(reinterpret_cast<Notification*>(cap.object));
        break;
    case ObjectType::VSpace:
        reinterpret_cast<AddressSpace*>(cap.object)->destroy();
        break;
    case ObjectType::IrqHandler:
        irq::destroy_handler(static_cast<uint8_t>(cap.object));
        break;
    default:
        break; // no kernel state outside the object's own memory
    }
}

} // namespace

Result<Capability> with_badge(const Capability& source, uint64_t badge) {
    Capability cap = source;
    switch (source.type) {
    case ObjectType::Endpoint:
    case ObjectType::Notification:
        if (badge != 0 && source.word != 0) return Error(Status::InvalidArgument);
        if (badge != 0) cap.word = badge;
        return cap;
    case ObjectType::IoPort: {
        if (badge == 0) return cap;
        uint64_t first = badge & 0xFFFF, last = (badge >> 16) & 0xFFFF;
        uint64_t old_first = source.word & 0xFFFF, old_last = (source.word >> 16) & 0xFFFF;
        if ((badge >> 32) || first > last || first < old_first || last > old_last)
            return Error(Status::InvalidArgument);
        cap.word = badge;
        return cap;
    }
    case ObjectType::CNode: {
        uint8_t guard_bits = badge & 63;
        uint64_t guard = badge >> 6;
        if (guard_bits + cap.size_bits > 64) return Error(Status::InvalidArgument);
        if (guard_bits < 58 && (guard >> guard_bits) != 0) return Error(Status::InvalidArgument);
        cap.guard_bits = guard_bits;
        cap.word = guard;
        return cap;
    }
    default:
        if (badge != 0) return Error(Status::InvalidArgument);
        return cap;
    }
}

Result<Capability> derive(const Capability& source, uint8_t rights, uint64_t badge, bool mint) {
    if (source.is_null()) return Error(Status::InvalidCapability);
    if (source.type == ObjectType::Untyped) return Error(Status::NotSupported);
    Capability cap = source;
    cap.rights = static_cast<uint8_t>(source.rights & rights);
    if (cap.type == ObjectType::Frame || cap.type == ObjectType::PageTable) {
        cap.word = 0; // a copy maps on its own
        cap.reserved = 0;
    }
    if (!mint) return cap;
    return with_badge(cap, badge);
}

bool is_final(const Slot& slot) {
    if (refers_to_same(slot.parent, slot)) return false;
    for (const Slot* c = slot.first_child; c; c = c->next_sibling)
        if (refers_to_same(c, slot)) return false;
    for (const Slot* s = slot.prev_sibling; s; s = s->prev_sibling)
        if (refers_to_same(s, slot)) return false;
    for (const Slot* s = slot.next_sibling; s; s = s->next_sibling)
        if (refers_to_same(s, slot)) return false;
    return true;
}

namespace {

Slot* slots_of(const Capability& cnode) {
    return reinterpret_cast<Slot*>(cnode.object);
}
uint64_t slot_count(const Capability& cnode) {
    return 1ull << cnode.size_bits;
}

// A non-empty slot of `cnode` other than `skip`, or nullptr.
Slot* first_content(const Capability& cnode, const Slot* skip) {
    Slot* slots = slots_of(cnode);
    for (uint64_t i = 0; i < slot_count(cnode); ++i)
        if (!slots[i].empty() && &slots[i] != skip) return &slots[i];
    return nullptr;
}

// Deletes one capability that holds no further work (not a final CNode with
// contents).
void delete_leaf(Slot& slot) {
    if (is_internal(&slot)) { // a thread's reference: never the object's last
        detach(slot);
        return;
    }
    if (slot.cap.type == ObjectType::Frame || slot.cap.type == ObjectType::PageTable)
        vspace::unmap(slot.cap); // every mapping belongs to one capability
    bool last = is_final(slot);
    if (last) detach_references(slot);
    Capability cap = cdt::remove(slot);
    if (last) destroy_object(cap);
}

bool is_final_cnode_with_contents(const Slot& slot, const Slot* skip) {
    return slot.cap.type == ObjectType::CNode && !is_internal(&slot) && is_final(slot) &&
           first_content(slot.cap, skip);
}

// Empties a CNode whose last capability (`keep`, possibly inside it) is
// being deleted. Nested CNodes that would die too are emptied first, found
// by walking down (no recursion, so depth cannot overflow the kernel stack).
// At most `budget` deletions: Preempted when work is left.
VoidResult clear_cnode(const Capability& cnode, const Slot* keep, uint32_t& budget) {
    for (;;) {
        Slot* victim = first_content(cnode, keep);
        if (!victim) return {};
        // (A final CNode with contents always yields a victim inside it.)
        while (Slot* inner = is_final_cnode_with_contents(*victim, keep)
                                 ? first_content(victim->cap, keep)
                                 : nullptr)
            victim = inner;
        if (budget == 0) return Error(Status::Preempted);
        --budget;
        delete_leaf(*victim);
    }
}

} // namespace

VoidResult delete_capability(Slot& slot, uint32_t& budget) {
    if (slot.empty()) return Error(Status::InvalidCapability);
    if (is_final_cnode_with_contents(slot, &slot)) TRY(clear_cnode(slot.cap, &slot, budget));
    delete_leaf(slot);
    if (budget) --budget;
    return {};
}

VoidResult delete_capability(Slot& slot) {
    uint32_t unlimited = ~0u;
    return delete_capability(slot, unlimited);
}

VoidResult revoke(Slot& slot, uint32_t budget) {
    if (slot.empty()) return Error(Status::InvalidCapability);
    while (Slot* leaf = cdt::descendant_leaf(slot)) {
        if (budget == 0) return Error(Status::Preempted);
        TRY(delete_capability(*leaf, budget));
        if (slot.empty()) return {}; // it was inside a CNode that went away
    }
    if (slot.cap.type == ObjectType::Untyped) slot.cap.word = 0; // nothing left: reset
    return {};
}

} // namespace rayos::caps
