// Slot: one entry of a CNode — a capability and its place in the capability
// derivation tree.
//
// The derivation tree records which capability was made from which (a copy or
// mint is a child of its source; objects retyped from untyped memory are
// children of the Untyped capability). Revoking a capability deletes all its
// descendants; deleting one capability moves its children up to its parent,
// so they stay covered by any revocation above.
//
// Invariants (checked by tests/unit/derivation_test.cpp):
//  - an empty slot (Null capability) has no parent, children or siblings;
//  - children of a slot form a doubly linked sibling list starting at
//    first_child, each with `parent` pointing back;
//  - a slot is never its own ancestor.
#pragma once

#include "capability.h"

namespace rayos {

struct Slot {
    Capability cap;
    Slot* parent = nullptr;
    Slot* first_child = nullptr;
    Slot* next_sibling = nullptr;
    Slot* prev_sibling = nullptr;
    uint64_t reserved = 0;

    bool empty() const { return cap.is_null(); }
    bool has_children() const { return first_child != nullptr; }
};
static_assert(sizeof(Slot) == (1u << abi::kSlotBits), "a CNode slot is 2^kSlotBits bytes");

namespace cdt {

// Puts `cap` into the empty slot `child` as a child of `parent` (nullptr:
// a root, e.g. boot-time capabilities).
void insert(Slot* parent, Slot& child, const Capability& cap);

// Empties `slot`: its children take its place under its parent (or become
// roots if it had none).
// Returns the capability it held.
Capability remove(Slot& slot);

// Moves the capability and tree position of `from` into the empty slot `to`;
// `from` becomes empty.
void move(Slot& from, Slot& to);

// Swaps the contents and tree positions of two slots (either may be empty).
void swap(Slot& a, Slot& b);

// A descendant of `root` without children (the next one revoke deletes),
// or nullptr if `root` has no children.
Slot* descendant_leaf(Slot& root);

// True if `ancestor` is `slot`'s parent, grandparent, ...
bool is_ancestor(const Slot& ancestor, const Slot& slot);

} // namespace cdt
} // namespace rayos
