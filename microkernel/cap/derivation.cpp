// The capability derivation tree (see slot.h): explicit parent/child/sibling
// links, so every operation is O(1) except finding a leaf for revoke, which
// walks down first children (depth of the tree).
#include "slot.h"

namespace rayos::cdt {
namespace {

void link_child(Slot* parent, Slot& child) {
    child.parent = parent;
    child.prev_sibling = nullptr;
    child.next_sibling = parent ? parent->first_child : nullptr;
    if (parent) {
        if (parent->first_child) parent->first_child->prev_sibling = &child;
        parent->first_child = &child;
    }
}

void unlink_from_siblings(Slot& slot) {
    if (slot.prev_sibling)
        slot.prev_sibling->next_sibling = slot.next_sibling;
    else if (slot.parent)
        slot.parent->first_child = slot.next_sibling;
    if (slot.next_sibling) slot.next_sibling->prev_sibling = slot.prev_sibling;
    slot.prev_sibling = slot.next_sibling = nullptr;
}

void clear_links(Slot& slot) {
    slot.parent = slot.first_child = slot.next_sibling = slot.prev_sibling = nullptr;
}

// Makes every child of `from` point to `to` as parent.
void adopt_children(Slot& from, Slot* to) {
    for (Slot* c = from.first_child; c; c = c->next_sibling)
        c->parent = to;
}

} // namespace

void insert(Slot* parent, Slot& child, const Capability& cap) {
    child.cap = cap;
    clear_links(child);
    link_child(parent, child);
}

Capability remove(Slot& slot) {
    Capability old = slot.cap;
    Slot* parent = slot.parent;
    // The children move up one level, replacing `slot` among its siblings.
    Slot* child = slot.first_child;
    while (child) {
        Slot* next = child->next_sibling;
        child->prev_sibling = child->next_sibling = nullptr;
        link_child(parent, *child);
        child = next;
    }
    slot.first_child = nullptr;
    unlink_from_siblings(slot);
    clear_links(slot);
    slot.cap = Capability{};
    return old;
}

void move(Slot& from, Slot& to) {
    to.cap = from.cap;
    to.parent = from.parent;
    to.first_child = from.first_child;
    to.prev_sibling = from.prev_sibling;
    to.next_sibling = from.next_sibling;
    if (to.prev_sibling)
        to.prev_sibling->next_sibling = &to;
    else if (to.parent)
        to.parent->first_child = &to;
    if (to.next_sibling) to.next_sibling->prev_sibling = &to;
    adopt_children(to, &to);
    clear_links(from);
    from.cap = Capability{};
}

void swap(Slot& a, Slot& b) {
    if (&a == &b) return;
    Slot temp;
    bool a_full = !a.empty(), b_full = !b.empty();
    if (a_full) move(a, temp);
    if (b_full) move(b, a);
    if (a_full) move(temp, b);
}

Slot* descendant_leaf(Slot& root) {
    Slot* node = root.first_child;
    if (!node) return nullptr;
    while (node->first_child)
        node = node->first_child;
    return node;
}

bool is_ancestor(const Slot& ancestor, const Slot& slot) {
    for (const Slot* p = slot.parent; p; p = p->parent)
        if (p == &ancestor) return true;
    return false;
}

} // namespace rayos::cdt
