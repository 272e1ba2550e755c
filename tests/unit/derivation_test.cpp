// Tests for the capability derivation tree (microkernel/cap/derivation.cpp).
//
// Every case works on an arena of slots and checks the invariants of slot.h
// after each operation (tree_violation): empty slots have no links, sibling
// lists are consistent doubly linked lists whose members point back to their
// parent, no slot is its own ancestor, and no link leaves the arena (swap
// uses a temporary slot on the stack, which must not stay referenced).
// A randomized test then runs thousands of operations against a model of the
// parent relation.
#include "cap/slot.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

using rayos::Capability;
using rayos::ObjectType;
using rayos::Slot;
namespace cdt = rayos::cdt;
namespace rights = rayos::abi::rights;

namespace {

using Arena = std::vector<Slot>;

// A capability recognisable by `id` (stored in `object`).
Capability cap_with_id(uint64_t id) {
    Capability cap;
    cap.type = ObjectType::Endpoint;
    cap.rights = rights::kAll;
    cap.object = id;
    cap.word = id * 3;
    return cap;
}

bool in_arena(const Arena& arena, const Slot* s) {
    if (arena.empty()) return false;
    std::less<const Slot*> less;
    return !less(s, arena.data()) && less(s, arena.data() + arena.size());
}

std::string name_of(const Arena& arena, const Slot* s) {
    if (!s) return "null";
    if (!in_arena(arena, s)) return "<outside arena>";
    return "slot " + std::to_string(s - arena.data());
}

// The first violated invariant, or "" if the arena is a valid forest.
std::string tree_violation(const Arena& arena) {
    const size_t n = arena.size();
    for (size_t i = 0; i < n; ++i) {
        const Slot& s = arena[i];
        const std::string me = "slot " + std::to_string(i);
        for (const Slot* link : {s.parent, s.first_child, s.next_sibling, s.prev_sibling})
            if (link && !in_arena(arena, link)) return me + ": link points outside the arena";
        if (s.empty()) {
            if (s.parent || s.first_child || s.next_sibling || s.prev_sibling)
                return me + ": empty but linked";
            continue;
        }
        if (s.parent == &s || s.first_child == &s || s.next_sibling == &s || s.prev_sibling == &s)
            return me + ": links to itself";
        // Parent chain: finite, never back to s.
        size_t steps = 0;
        for (const Slot* p = s.parent; p; p = p->parent) {
            if (p == &s) return me + ": is its own ancestor";
            if (++steps > n) return me + ": cycle in parent chain";
        }
        if (cdt::is_ancestor(s, s)) return me + ": is_ancestor(s, s) is true";
        // Position among siblings.
        if (s.parent) {
            if (s.parent->empty()) return me + ": parent " + name_of(arena, s.parent) + " is empty";
            bool found = false;
            size_t count = 0;
            for (const Slot* c = s.parent->first_child; c; c = c->next_sibling) {
                if (c == &s) found = true;
                if (++count > n) return me + ": cycle in parent's child list";
            }
            if (!found) return me + ": missing from its parent's child list";
        } else if (s.prev_sibling || s.next_sibling) {
            return me + ": root with siblings";
        }
        if (s.prev_sibling) {
            if (s.prev_sibling->next_sibling != &s) return me + ": prev->next is not me";
            if (s.prev_sibling->parent != s.parent) return me + ": prev sibling has other parent";
        }
        if (s.next_sibling) {
            if (s.next_sibling->prev_sibling != &s) return me + ": next->prev is not me";
            if (s.next_sibling->parent != s.parent) return me + ": next sibling has other parent";
        }
        // Child list.
        if (s.first_child && s.first_child->prev_sibling)
            return me + ": first child has a prev sibling";
        size_t count = 0;
        for (const Slot* c = s.first_child; c; c = c->next_sibling) {
            if (c->empty()) return me + ": child " + name_of(arena, c) + " is empty";
            if (c->parent != &s) return me + ": child " + name_of(arena, c) + " has other parent";
            if (c->next_sibling && c->next_sibling->prev_sibling != c)
                return me + ": child list not doubly linked at " + name_of(arena, c);
            if (++count > n) return me + ": cycle in child list";
        }
    }
    return "";
}

#define CHECK_TREE(arena) REQUIRE(tree_violation(arena) == "")

std::set<const Slot*> children_of(const Slot& s) {
    std::set<const Slot*> out;
    for (const Slot* c = s.first_child; c; c = c->next_sibling)
        out.insert(c);
    return out;
}

std::vector<const Slot*> child_list(const Slot& s) {
    std::vector<const Slot*> out;
    for (const Slot* c = s.first_child; c; c = c->next_sibling)
        out.push_back(c);
    return out;
}

bool is_unlinked_empty(const Slot& s) {
    return s.empty() && !s.parent && !s.first_child && !s.next_sibling && !s.prev_sibling;
}

} // namespace

TEST_CASE("cdt: layout and fresh slots") {
    static_assert(sizeof(Slot) == 64);
    Arena a(4);
    for (const Slot& s : a)
        CHECK(is_unlinked_empty(s));
    CHECK_TREE(a);
    CHECK(cdt::descendant_leaf(a[0]) == nullptr);
    CHECK_FALSE(cdt::is_ancestor(a[0], a[1]));
}

TEST_CASE("cdt: insert roots and children") {
    Arena a(8);
    cdt::insert(nullptr, a[0], cap_with_id(100));
    CHECK_TREE(a);
    CHECK(a[0].cap.object == 100);
    CHECK(a[0].parent == nullptr);
    CHECK_FALSE(a[0].has_children());

    cdt::insert(&a[0], a[1], cap_with_id(101));
    cdt::insert(&a[0], a[2], cap_with_id(102));
    cdt::insert(&a[0], a[3], cap_with_id(103));
    cdt::insert(&a[2], a[4], cap_with_id(104));
    cdt::insert(nullptr, a[5], cap_with_id(105));
    CHECK_TREE(a);

    CHECK(children_of(a[0]) == std::set<const Slot*>{&a[1], &a[2], &a[3]});
    CHECK(children_of(a[2]) == std::set<const Slot*>{&a[4]});
    CHECK(a[4].parent == &a[2]);
    CHECK(a[5].parent == nullptr);
    CHECK(a[1].cap.object == 101);
    CHECK(a[4].cap.word == 104 * 3);

    CHECK(cdt::is_ancestor(a[0], a[1]));
    CHECK(cdt::is_ancestor(a[0], a[4]));
    CHECK(cdt::is_ancestor(a[2], a[4]));
    CHECK_FALSE(cdt::is_ancestor(a[1], a[4]));
    CHECK_FALSE(cdt::is_ancestor(a[4], a[0]));
    CHECK_FALSE(cdt::is_ancestor(a[0], a[0]));
    CHECK_FALSE(cdt::is_ancestor(a[5], a[4]));
    CHECK_FALSE(cdt::is_ancestor(a[0], a[5]));
    CHECK_FALSE(cdt::is_ancestor(a[0], a[6])); // empty slot
}

TEST_CASE("cdt: remove a leaf, a root and an empty slot") {
    Arena a(6);
    cdt::insert(nullptr, a[0], cap_with_id(1));
    cdt::insert(&a[0], a[1], cap_with_id(2));
    cdt::insert(&a[0], a[2], cap_with_id(3));
    cdt::insert(&a[0], a[3], cap_with_id(4));

    SUBCASE("leaf in the middle of the sibling list") {
        REQUIRE(child_list(a[0]).size() == 3);
        Slot* middle = const_cast<Slot*>(child_list(a[0])[1]);
        uint64_t id = middle->cap.object;
        Capability old = cdt::remove(*middle);
        CHECK(old.object == id);
        CHECK(old.type == ObjectType::Endpoint);
        CHECK(is_unlinked_empty(*middle));
        CHECK(child_list(a[0]).size() == 2);
        CHECK_TREE(a);
    }
    SUBCASE("every sibling position") {
        for (int k = 0; k < 3; ++k) {
            Slot* first = const_cast<Slot*>(child_list(a[0]).front());
            CHECK(cdt::remove(*first).type == ObjectType::Endpoint);
            CHECK_TREE(a);
        }
        CHECK_FALSE(a[0].has_children());
        CHECK(cdt::descendant_leaf(a[0]) == nullptr);
    }
    SUBCASE("root with children: they become roots") {
        Capability old = cdt::remove(a[0]);
        CHECK(old.object == 1);
        CHECK_TREE(a);
        CHECK(is_unlinked_empty(a[0]));
        for (int i = 1; i <= 3; ++i) {
            CHECK(a[i].parent == nullptr);
            CHECK(a[i].prev_sibling == nullptr);
            CHECK(a[i].next_sibling == nullptr);
            CHECK(a[i].cap.object == static_cast<uint64_t>(i + 1));
        }
    }
    SUBCASE("empty slot: nothing changes") {
        Capability old = cdt::remove(a[5]);
        CHECK(old.is_null());
        CHECK_TREE(a);
        CHECK(children_of(a[0]).size() == 3);
    }
}

TEST_CASE("cdt: remove the middle of a chain") {
    // 0 -> 1 -> 2 -> 3, and 1 also has 4 and 5; 0 also has 6.
    Arena a(8);
    cdt::insert(nullptr, a[0], cap_with_id(10));
    cdt::insert(&a[0], a[6], cap_with_id(16));
    cdt::insert(&a[0], a[1], cap_with_id(11));
    cdt::insert(&a[1], a[2], cap_with_id(12));
    cdt::insert(&a[2], a[3], cap_with_id(13));
    cdt::insert(&a[1], a[4], cap_with_id(14));
    cdt::insert(&a[1], a[5], cap_with_id(15));
    CHECK_TREE(a);

    CHECK(cdt::remove(a[1]).object == 11);
    CHECK_TREE(a);
    CHECK(is_unlinked_empty(a[1]));
    // Children of 1 moved up to 0, next to 1's former sibling 6.
    CHECK(children_of(a[0]) == std::set<const Slot*>{&a[2], &a[4], &a[5], &a[6]});
    CHECK(a[3].parent == &a[2]);
    CHECK(cdt::is_ancestor(a[0], a[3]));

    // Now remove 2: 3 moves up to 0 as well.
    CHECK(cdt::remove(a[2]).object == 12);
    CHECK_TREE(a);
    CHECK(children_of(a[0]) == std::set<const Slot*>{&a[3], &a[4], &a[5], &a[6]});

    // Slots can be reused after removal.
    cdt::insert(&a[3], a[1], cap_with_id(21));
    cdt::insert(&a[1], a[2], cap_with_id(22));
    CHECK_TREE(a);
    CHECK(cdt::is_ancestor(a[0], a[2]));
    CHECK(cdt::descendant_leaf(a[3]) == &a[2]);
}

TEST_CASE("cdt: remove the only child, the first child and the last child") {
    // For each position of the removed slot among its siblings, with children of its own.
    for (int pos = 0; pos < 3; ++pos) {
        CAPTURE(pos);
        Arena a(10);
        cdt::insert(nullptr, a[0], cap_with_id(1));
        cdt::insert(&a[0], a[1], cap_with_id(2));
        cdt::insert(&a[0], a[2], cap_with_id(3));
        cdt::insert(&a[0], a[3], cap_with_id(4));
        Slot* victim = const_cast<Slot*>(child_list(a[0])[pos]);
        cdt::insert(victim, a[7], cap_with_id(8));
        cdt::insert(victim, a[8], cap_with_id(9));
        cdt::insert(&a[7], a[9], cap_with_id(10));
        CHECK_TREE(a);
        std::set<const Slot*> expected = children_of(a[0]);
        expected.erase(victim);
        expected.insert(&a[7]);
        expected.insert(&a[8]);
        (void)cdt::remove(*victim);
        CHECK_TREE(a);
        CHECK(children_of(a[0]) == expected);
        CHECK(a[9].parent == &a[7]);
    }
    Arena b(3);
    cdt::insert(nullptr, b[0], cap_with_id(1));
    cdt::insert(&b[0], b[1], cap_with_id(2));
    cdt::insert(&b[1], b[2], cap_with_id(3));
    (void)cdt::remove(b[1]);
    CHECK_TREE(b);
    CHECK(child_list(b[0]) == std::vector<const Slot*>{&b[2]});
}

TEST_CASE("cdt: move a slot with a parent, siblings and children") {
    // 0 has children (list order) x, m, y; m has children p, q; p has r.
    for (int pos = 0; pos < 3; ++pos) {
        CAPTURE(pos);
        Arena a(12);
        cdt::insert(nullptr, a[0], cap_with_id(100));
        cdt::insert(&a[0], a[1], cap_with_id(101));
        cdt::insert(&a[0], a[2], cap_with_id(102));
        cdt::insert(&a[0], a[3], cap_with_id(103));
        std::vector<const Slot*> before = child_list(a[0]);
        REQUIRE(before.size() == 3);
        Slot& m = *const_cast<Slot*>(before[pos]);
        uint64_t id = m.cap.object;
        cdt::insert(&m, a[4], cap_with_id(104));
        cdt::insert(&m, a[5], cap_with_id(105));
        cdt::insert(&a[4], a[6], cap_with_id(106));
        CHECK_TREE(a);

        Slot& to = a[10];
        cdt::move(m, to);
        CHECK_TREE(a);
        CHECK(is_unlinked_empty(m));
        CHECK(to.cap.object == id);
        CHECK(to.parent == &a[0]);
        // Same position in the sibling list.
        std::vector<const Slot*> after = before;
        after[pos] = &to;
        CHECK(child_list(a[0]) == after);
        CHECK(children_of(to) == std::set<const Slot*>{&a[4], &a[5]});
        CHECK(a[6].parent == &a[4]);
        CHECK(cdt::is_ancestor(to, a[6]));
        CHECK(cdt::is_ancestor(a[0], a[6]));
        CHECK(cdt::descendant_leaf(to) != nullptr);
    }
}

TEST_CASE("cdt: move a root and a leaf") {
    Arena a(6);
    cdt::insert(nullptr, a[0], cap_with_id(1));
    cdt::insert(&a[0], a[1], cap_with_id(2));
    cdt::insert(&a[0], a[2], cap_with_id(3));

    cdt::move(a[0], a[5]);
    CHECK_TREE(a);
    CHECK(a[5].parent == nullptr);
    CHECK(a[5].cap.object == 1);
    CHECK(children_of(a[5]) == std::set<const Slot*>{&a[1], &a[2]});

    cdt::move(a[2], a[0]);
    CHECK_TREE(a);
    CHECK(a[0].parent == &a[5]);
    CHECK(children_of(a[5]) == std::set<const Slot*>{&a[1], &a[0]});
    CHECK(is_unlinked_empty(a[2]));
}

TEST_CASE("cdt: swap") {
    // 0 -> 1 -> 2 (and 1 -> 3); 0 -> 4; separate root 5 -> 6.
    Arena a(10);
    cdt::insert(nullptr, a[0], cap_with_id(100));
    cdt::insert(&a[0], a[4], cap_with_id(104));
    cdt::insert(&a[0], a[1], cap_with_id(101));
    cdt::insert(&a[1], a[2], cap_with_id(102));
    cdt::insert(&a[1], a[3], cap_with_id(103));
    cdt::insert(nullptr, a[5], cap_with_id(105));
    cdt::insert(&a[5], a[6], cap_with_id(106));
    CHECK_TREE(a);

    SUBCASE("parent and child (both argument orders)") {
        for (int order = 0; order < 2; ++order) {
            CAPTURE(order);
            // Slot 0 holds 100 (the parent), slot 1 holds 101 (its child).
            if (order == 0)
                cdt::swap(a[0], a[1]);
            else
                cdt::swap(a[1], a[0]);
            CHECK_TREE(a);
            CHECK(a[1].cap.object == 100);
            CHECK(a[0].cap.object == 101);
            CHECK(a[1].parent == nullptr);
            CHECK(a[0].parent == &a[1]);
            CHECK(children_of(a[1]) == std::set<const Slot*>{&a[0], &a[4]});
            CHECK(children_of(a[0]) == std::set<const Slot*>{&a[2], &a[3]});
            // Swap back.
            cdt::swap(a[0], a[1]);
            CHECK_TREE(a);
            CHECK(a[0].cap.object == 100);
            CHECK(a[1].cap.object == 101);
            CHECK(a[1].parent == &a[0]);
            CHECK(children_of(a[0]) == std::set<const Slot*>{&a[1], &a[4]});
            CHECK(children_of(a[1]) == std::set<const Slot*>{&a[2], &a[3]});
        }
    }
    SUBCASE("grandparent and grandchild") {
        cdt::swap(a[2], a[0]);
        CHECK_TREE(a);
        CHECK(a[2].cap.object == 100);
        CHECK(a[0].cap.object == 102);
        CHECK(a[2].parent == nullptr);
        CHECK(a[1].parent == &a[2]);
        CHECK(a[0].parent == &a[1]);
        CHECK(children_of(a[1]) == std::set<const Slot*>{&a[0], &a[3]});
    }
    SUBCASE("siblings") {
        cdt::swap(a[2], a[3]);
        CHECK_TREE(a);
        CHECK(a[2].cap.object == 103);
        CHECK(a[3].cap.object == 102);
        CHECK(child_list(a[1]).size() == 2);
        CHECK(children_of(a[1]) == std::set<const Slot*>{&a[2], &a[3]});
    }
    SUBCASE("slots in different trees") {
        cdt::swap(a[1], a[6]);
        CHECK_TREE(a);
        CHECK(a[1].cap.object == 106);
        CHECK(a[6].cap.object == 101);
        CHECK(a[1].parent == &a[5]);
        CHECK(a[6].parent == &a[0]);
        CHECK(children_of(a[6]) == std::set<const Slot*>{&a[2], &a[3]});
        CHECK_FALSE(a[1].has_children());
    }
    SUBCASE("with an empty slot (both argument orders)") {
        cdt::swap(a[1], a[8]);
        CHECK_TREE(a);
        CHECK(is_unlinked_empty(a[1]));
        CHECK(a[8].cap.object == 101);
        CHECK(a[8].parent == &a[0]);
        CHECK(children_of(a[8]) == std::set<const Slot*>{&a[2], &a[3]});
        cdt::swap(a[9], a[8]);
        CHECK_TREE(a);
        CHECK(is_unlinked_empty(a[8]));
        CHECK(a[9].cap.object == 101);
        CHECK(children_of(a[0]) == std::set<const Slot*>{&a[9], &a[4]});
    }
    SUBCASE("two empty slots and a slot with itself") {
        cdt::swap(a[7], a[8]);
        CHECK_TREE(a);
        CHECK(is_unlinked_empty(a[7]));
        CHECK(is_unlinked_empty(a[8]));
        cdt::swap(a[1], a[1]);
        CHECK_TREE(a);
        CHECK(a[1].cap.object == 101);
        CHECK(a[1].parent == &a[0]);
        CHECK(children_of(a[1]) == std::set<const Slot*>{&a[2], &a[3]});
    }
}

TEST_CASE("cdt: descendant_leaf") {
    Arena a(8);
    cdt::insert(nullptr, a[0], cap_with_id(1));
    CHECK(cdt::descendant_leaf(a[0]) == nullptr);
    cdt::insert(&a[0], a[1], cap_with_id(2));
    CHECK(cdt::descendant_leaf(a[0]) == &a[1]);
    CHECK(cdt::descendant_leaf(a[1]) == nullptr);
    cdt::insert(&a[1], a[2], cap_with_id(3));
    cdt::insert(&a[2], a[3], cap_with_id(4));
    cdt::insert(&a[0], a[4], cap_with_id(5));
    Slot* leaf = cdt::descendant_leaf(a[0]);
    REQUIRE(leaf != nullptr);
    CHECK_FALSE(leaf->has_children());
    CHECK(cdt::is_ancestor(a[0], *leaf));
    CHECK(cdt::descendant_leaf(a[1]) == &a[3]);
    CHECK(cdt::descendant_leaf(a[2]) == &a[3]);
}

TEST_CASE("cdt: revoke by deleting descendant leaves") {
    // Non-descendants: P (parent of R), S (sibling of R) with children, and a
    // separate tree T. Descendants of R: a wide and deep subtree.
    Arena a(40);
    enum { P = 0, R = 1, S = 2, S1 = 3, S2 = 4, T = 5, T1 = 6 };
    cdt::insert(nullptr, a[P], cap_with_id(1000));
    cdt::insert(&a[P], a[S], cap_with_id(1002));
    cdt::insert(&a[P], a[R], cap_with_id(1001));
    cdt::insert(&a[S], a[S1], cap_with_id(1003));
    cdt::insert(&a[S1], a[S2], cap_with_id(1004));
    cdt::insert(nullptr, a[T], cap_with_id(1005));
    cdt::insert(&a[T], a[T1], cap_with_id(1006));

    std::mt19937 rng(7);
    std::vector<size_t> subtree = {R};
    std::set<size_t> descendants;
    for (size_t i = 10; i < 40; ++i) {
        size_t parent = subtree[rng() % subtree.size()];
        cdt::insert(&a[parent], a[i], cap_with_id(2000 + i));
        subtree.push_back(i);
        descendants.insert(i);
    }
    CHECK_TREE(a);
    // Snapshot of the non-descendants.
    std::vector<std::pair<uint64_t, const Slot*>> before(a.size());
    for (size_t i = 0; i < a.size(); ++i)
        before[i] = {a[i].cap.object, a[i].parent};
    for (size_t i : descendants)
        CHECK(cdt::is_ancestor(a[R], a[i]));

    size_t deleted = 0;
    while (Slot* leaf = cdt::descendant_leaf(a[R])) {
        REQUIRE(in_arena(a, leaf));
        CHECK_FALSE(leaf->has_children());
        CHECK(cdt::is_ancestor(a[R], *leaf));
        CHECK(descendants.count(static_cast<size_t>(leaf - a.data())) == 1);
        Capability old = cdt::remove(*leaf);
        CHECK_FALSE(old.is_null());
        CHECK_TREE(a);
        REQUIRE(++deleted <= descendants.size());
    }
    CHECK(deleted == descendants.size());
    CHECK_FALSE(a[R].has_children());
    for (size_t i : descendants)
        CHECK(is_unlinked_empty(a[i]));
    for (size_t i = 0; i < 10; ++i) {
        CAPTURE(i);
        CHECK(a[i].cap.object == before[i].first);
        CHECK(a[i].parent == before[i].second);
    }
    CHECK(a[R].cap.object == 1001);
    CHECK(a[R].parent == &a[P]);
    CHECK(children_of(a[P]) == std::set<const Slot*>{&a[R], &a[S]});
    CHECK(cdt::is_ancestor(a[S], a[S2]));
    CHECK(cdt::is_ancestor(a[T], a[T1]));
}

// Random operations checked against a model: parent index per slot
// (kRoot for roots, kEmpty for empty slots) and the id of its capability.
TEST_CASE("cdt: randomized against a model of the parent relation") {
    constexpr size_t N = 64;
    constexpr int kEmpty = -2, kRoot = -1;

    for (uint32_t seed : {1u, 2u, 3u, 42u, 1234u}) {
        CAPTURE(seed);
        std::mt19937_64 rng(seed);
        Arena a(N);
        std::vector<int> parent(N, kEmpty);
        std::vector<uint64_t> id(N, 0);
        uint64_t next_id = 1;

        auto pick = [&](auto pred) -> int {
            std::vector<int> candidates;
            for (size_t i = 0; i < N; ++i)
                if (pred(static_cast<int>(i))) candidates.push_back(static_cast<int>(i));
            if (candidates.empty()) return -1;
            return candidates[rng() % candidates.size()];
        };
        auto full = [&](int i) { return parent[i] != kEmpty; };
        auto empty = [&](int i) { return parent[i] == kEmpty; };
        auto model_is_ancestor = [&](int anc, int s) {
            for (int p = parent[s]; p >= 0; p = parent[p])
                if (p == anc) return true;
            return false;
        };
        auto model_has_children = [&](int s) {
            return std::any_of(parent.begin(), parent.end(), [&](int p) { return p == s; });
        };
        auto verify = [&] {
            REQUIRE(tree_violation(a) == "");
            for (size_t i = 0; i < N; ++i) {
                if (parent[i] == kEmpty) {
                    REQUIRE(a[i].empty());
                    continue;
                }
                REQUIRE_FALSE(a[i].empty());
                REQUIRE(a[i].cap.object == id[i]);
                const Slot* expected = parent[i] == kRoot ? nullptr : &a[parent[i]];
                REQUIRE(a[i].parent == expected);
            }
        };

        size_t counts[7] = {};
        for (int step = 0; step < 4000; ++step) {
            int op = static_cast<int>(rng() % 100);
            if (op < 35) { // insert
                int c = pick(empty);
                if (c < 0) continue;
                int p = (rng() % 5 == 0) ? -1 : pick(full);
                cdt::insert(p < 0 ? nullptr : &a[p], a[c], cap_with_id(next_id));
                parent[c] = p < 0 ? kRoot : p;
                id[c] = next_id++;
                counts[0]++;
            } else if (op < 55) { // remove
                int s = pick(full);
                if (s < 0) continue;
                Capability old = cdt::remove(a[s]);
                REQUIRE(old.object == id[s]);
                for (size_t i = 0; i < N; ++i)
                    if (parent[i] == s) parent[i] = parent[s];
                parent[s] = kEmpty;
                counts[1]++;
            } else if (op < 68) { // move
                int from = pick(full), to = pick(empty);
                if (from < 0 || to < 0) continue;
                cdt::move(a[from], a[to]);
                for (size_t i = 0; i < N; ++i)
                    if (parent[i] == from) parent[i] = to;
                parent[to] = parent[from];
                id[to] = id[from];
                parent[from] = kEmpty;
                counts[2]++;
            } else if (op < 85) { // swap (either may be empty, may be equal)
                int x = static_cast<int>(rng() % N), y = static_cast<int>(rng() % N);
                if (rng() % 4 == 0) { // bias towards related pairs
                    int s = pick([&](int i) { return parent[i] >= 0; });
                    if (s >= 0) {
                        x = s;
                        y = parent[s];
                        if (rng() % 2) std::swap(x, y);
                    }
                }
                cdt::swap(a[x], a[y]);
                for (size_t i = 0; i < N; ++i) {
                    if (parent[i] == x)
                        parent[i] = y;
                    else if (parent[i] == y)
                        parent[i] = x;
                }
                std::swap(parent[x], parent[y]);
                std::swap(id[x], id[y]);
                counts[3]++;
            } else if (op < 88) { // revoke
                int r = pick(full);
                if (r < 0) continue;
                std::vector<int> doomed;
                for (size_t i = 0; i < N; ++i)
                    if (full(static_cast<int>(i)) && model_is_ancestor(r, static_cast<int>(i)))
                        doomed.push_back(static_cast<int>(i));
                size_t deleted = 0;
                while (Slot* leaf = cdt::descendant_leaf(a[r])) {
                    REQUIRE(in_arena(a, leaf));
                    int li = static_cast<int>(leaf - a.data());
                    REQUIRE(model_is_ancestor(r, li));
                    REQUIRE_FALSE(model_has_children(li));
                    REQUIRE(cdt::remove(*leaf).object == id[li]);
                    parent[li] = kEmpty;
                    REQUIRE(++deleted <= doomed.size());
                }
                REQUIRE(deleted == doomed.size());
                for (int d : doomed)
                    REQUIRE(parent[d] == kEmpty);
                counts[4]++;
            } else if (op < 94) { // descendant_leaf query
                int r = pick(full);
                if (r < 0) continue;
                Slot* leaf = cdt::descendant_leaf(a[r]);
                if (!model_has_children(r)) {
                    REQUIRE(leaf == nullptr);
                } else {
                    REQUIRE(leaf != nullptr);
                    REQUIRE(in_arena(a, leaf));
                    int li = static_cast<int>(leaf - a.data());
                    REQUIRE(model_is_ancestor(r, li));
                    REQUIRE_FALSE(model_has_children(li));
                }
                counts[5]++;
            } else { // is_ancestor on many pairs
                for (int k = 0; k < 32; ++k) {
                    int x = static_cast<int>(rng() % N), y = static_cast<int>(rng() % N);
                    bool expected = full(x) && full(y) && model_is_ancestor(x, y);
                    REQUIRE(cdt::is_ancestor(a[x], a[y]) == expected);
                }
                counts[6]++;
            }
            verify();
        }
        // Every kind of operation actually ran.
        for (size_t k = 0; k < 7; ++k)
            CHECK(counts[k] > 0);
    }
}
