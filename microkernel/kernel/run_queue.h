// Ready queue for fixed-priority round-robin scheduling: one FIFO list per
// priority (0-255), a 256-bit map of non-empty levels and the highest
// non-empty level cached, so "is anything more urgent ready?" (asked on
// every system call) is one compare. Intrusive: the queued type
// provides `queue_next`, `queue_prev` and `priority`, so queueing never
// allocates. Pure logic; host-tested.
//
// Invariant: a node is in at most one queue; `queue_prev == nullptr &&
// queue_next == nullptr` unless it is queued (or alone at the head, which
// `contains` distinguishes via the level's head pointer).
#pragma once

#include <cstddef>
#include <cstdint>

namespace rayos {

template <typename T> class RunQueue {
public:
    static constexpr size_t kLevels = 256;

    void push_back(T* node) {
        auto level = node->priority;
        node->queue_next = nullptr;
        node->queue_prev = tail_[level];
        if (tail_[level])
            tail_[level]->queue_next = node;
        else
            head_[level] = node;
        tail_[level] = node;
        bitmap_[level / 64] |= 1ull << (level % 64);
        if (static_cast<int>(level) > highest_level_) highest_level_ = level;
    }

    void remove(T* node) {
        auto level = node->priority;
        if (node->queue_prev)
            node->queue_prev->queue_next = node->queue_next;
        else
            head_[level] = node->queue_next;
        if (node->queue_next)
            node->queue_next->queue_prev = node->queue_prev;
        else
            tail_[level] = node->queue_prev;
        node->queue_next = node->queue_prev = nullptr;
        if (!head_[level]) {
            bitmap_[level / 64] &= ~(1ull << (level % 64));
            if (static_cast<int>(level) == highest_level_) highest_level_ = scan_highest();
        }
    }

    // The first node of the highest non-empty priority, or nullptr.
    T* highest() const { return highest_level_ < 0 ? nullptr : head_[highest_level_]; }

    // Is any node queued at a priority above `priority`? (One compare: the
    // highest non-empty level is cached.)
    bool has_above(unsigned priority) const { return highest_level_ > static_cast<int>(priority); }

    T* pop_highest() {
        T* node = highest();
        if (node) remove(node);
        return node;
    }

    bool contains(const T* node) const {
        for (T* n = head_[node->priority]; n; n = n->queue_next)
            if (n == node) return true;
        return false;
    }

    bool empty() const { return !(bitmap_[0] | bitmap_[1] | bitmap_[2] | bitmap_[3]); }

private:
    int scan_highest() const {
        for (int word = 3; word >= 0; --word)
            if (bitmap_[word]) return word * 64 + 63 - __builtin_clzll(bitmap_[word]);
        return -1;
    }

    T* head_[kLevels]{};
    T* tail_[kLevels]{};
    uint64_t bitmap_[4]{};
    int highest_level_ = -1; // highest non-empty level, -1 when empty
};

} // namespace rayos
