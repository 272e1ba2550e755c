// Tests for rayos::RunQueue (microkernel/kernel/run_queue.h): FIFO order per
// level, highest()/has_above()/pop_highest() across levels, removal from any
// position, the extreme priorities 0 and 255, and a randomized comparison
// against a std::deque-per-level reference model that also checks the
// intrusive links after every step.
#include "kernel/run_queue.h"

#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <deque>
#include <random>
#include <vector>

using rayos::RunQueue;

namespace {

struct Node {
    Node* queue_next = nullptr;
    Node* queue_prev = nullptr;
    uint8_t priority = 0;
    int id = 0;
};

using Queue = RunQueue<Node>;

std::vector<Node> make_nodes(size_t n, uint8_t priority) {
    std::vector<Node> nodes(n);
    for (size_t i = 0; i < n; ++i) {
        nodes[i].priority = priority;
        nodes[i].id = int(i);
    }
    return nodes;
}

// Pops everything, returning the ids in pop order.
std::vector<int> drain(Queue& q) {
    std::vector<int> ids;
    while (Node* n = q.pop_highest()) {
        CHECK(n->queue_next == nullptr);
        CHECK(n->queue_prev == nullptr);
        ids.push_back(n->id);
    }
    CHECK(q.empty());
    CHECK(q.highest() == nullptr);
    return ids;
}

} // namespace

TEST_CASE("run queue: empty queue") {
    Queue q;
    CHECK(q.empty());
    CHECK(q.highest() == nullptr);
    CHECK(q.pop_highest() == nullptr);
    CHECK_FALSE(q.has_above(0));
    CHECK_FALSE(q.has_above(255));
    Node n;
    CHECK_FALSE(q.contains(&n));
    n.priority = 255;
    CHECK_FALSE(q.contains(&n));
}

TEST_CASE("run queue: FIFO within one level") {
    Queue q;
    auto nodes = make_nodes(5, 10);
    for (auto& n : nodes)
        q.push_back(&n);
    CHECK_FALSE(q.empty());
    CHECK(q.highest() == &nodes[0]);
    for (auto& n : nodes)
        CHECK(q.contains(&n));
    CHECK(drain(q) == std::vector<int>{0, 1, 2, 3, 4});
    for (auto& n : nodes)
        CHECK_FALSE(q.contains(&n));
}

TEST_CASE("run queue: round robin by popping and pushing back") {
    Queue q;
    auto nodes = make_nodes(3, 7);
    for (auto& n : nodes)
        q.push_back(&n);
    std::vector<int> order;
    for (int i = 0; i < 7; ++i) {
        Node* n = q.pop_highest();
        REQUIRE(n != nullptr);
        order.push_back(n->id);
        q.push_back(n);
    }
    CHECK(order == std::vector<int>{0, 1, 2, 0, 1, 2, 0});
}

TEST_CASE("run queue: highest() and has_above() across levels") {
    Queue q;
    Node low{nullptr, nullptr, 3, 0};
    Node mid{nullptr, nullptr, 100, 1};
    Node mid2{nullptr, nullptr, 100, 2};
    Node high{nullptr, nullptr, 200, 3};

    q.push_back(&low);
    CHECK(q.highest() == &low);
    CHECK(q.has_above(0));
    CHECK(q.has_above(2));
    CHECK_FALSE(q.has_above(3));
    CHECK_FALSE(q.has_above(255));

    q.push_back(&mid);
    q.push_back(&mid2);
    CHECK(q.highest() == &mid);
    CHECK(q.has_above(99));
    CHECK_FALSE(q.has_above(100));

    q.push_back(&high);
    CHECK(q.highest() == &high);
    CHECK(q.has_above(199));
    CHECK_FALSE(q.has_above(200));
    CHECK_FALSE(q.has_above(1000)); // wider than a priority: still false

    // Removing the highest level falls back to the next non-empty one.
    q.remove(&high);
    CHECK(q.highest() == &mid);
    CHECK_FALSE(q.has_above(100));
    q.remove(&mid);
    CHECK(q.highest() == &mid2);
    q.remove(&mid2);
    CHECK(q.highest() == &low);
    CHECK_FALSE(q.has_above(3));
    CHECK(q.has_above(2));
    q.remove(&low);
    CHECK(q.empty());
    CHECK(q.highest() == nullptr);
    CHECK_FALSE(q.has_above(0));
}

TEST_CASE("run queue: removing a lower level keeps the cached highest") {
    Queue q;
    Node low{nullptr, nullptr, 1, 0};
    Node high{nullptr, nullptr, 130, 1};
    q.push_back(&high);
    q.push_back(&low);
    q.remove(&low);
    CHECK(q.highest() == &high);
    CHECK(q.has_above(129));
    CHECK_FALSE(q.has_above(130));
}

TEST_CASE("run queue: pop_highest across levels") {
    Queue q;
    // Ids encode the expected pop order.
    Node a{nullptr, nullptr, 5, 4};
    Node b{nullptr, nullptr, 64, 2};
    Node c{nullptr, nullptr, 5, 5};
    Node d{nullptr, nullptr, 63, 3};
    Node e{nullptr, nullptr, 200, 0};
    Node f{nullptr, nullptr, 200, 1};
    Node g{nullptr, nullptr, 0, 6};
    for (Node* n : {&a, &b, &c, &d, &e, &f, &g})
        q.push_back(n);
    CHECK(drain(q) == std::vector<int>{0, 1, 2, 3, 4, 5, 6});
}

TEST_CASE("run queue: pushing while popping") {
    Queue q;
    Node a{nullptr, nullptr, 10, 0};
    Node b{nullptr, nullptr, 20, 1};
    Node c{nullptr, nullptr, 15, 2};
    q.push_back(&a);
    q.push_back(&b);
    CHECK(q.pop_highest() == &b);
    q.push_back(&c);
    CHECK(q.highest() == &c);
    CHECK(q.pop_highest() == &c);
    CHECK(q.pop_highest() == &a);
    CHECK(q.pop_highest() == nullptr);
    // Requeued at a different priority.
    b.priority = 5;
    q.push_back(&b);
    q.push_back(&a);
    CHECK(q.highest() == &a);
    CHECK(q.contains(&b));
}

TEST_CASE("run queue: remove from head, middle and tail") {
    Queue q;
    auto nodes = make_nodes(5, 42);
    for (auto& n : nodes)
        q.push_back(&n);

    SUBCASE("middle") {
        q.remove(&nodes[2]);
        CHECK_FALSE(q.contains(&nodes[2]));
        CHECK(nodes[2].queue_next == nullptr);
        CHECK(nodes[2].queue_prev == nullptr);
        CHECK(nodes[1].queue_next == &nodes[3]);
        CHECK(nodes[3].queue_prev == &nodes[1]);
        CHECK(q.highest() == &nodes[0]);
        CHECK(drain(q) == std::vector<int>{0, 1, 3, 4});
    }
    SUBCASE("head") {
        q.remove(&nodes[0]);
        CHECK(q.highest() == &nodes[1]);
        CHECK(nodes[1].queue_prev == nullptr);
        CHECK(drain(q) == std::vector<int>{1, 2, 3, 4});
    }
    SUBCASE("tail, then push appends after the new tail") {
        q.remove(&nodes[4]);
        CHECK(nodes[3].queue_next == nullptr);
        q.push_back(&nodes[4]);
        CHECK(nodes[3].queue_next == &nodes[4]);
        q.remove(&nodes[4]);
        q.remove(&nodes[3]);
        Node extra{nullptr, nullptr, 42, 9};
        q.push_back(&extra);
        CHECK(nodes[2].queue_next == &extra);
        CHECK(extra.queue_prev == &nodes[2]);
        CHECK(drain(q) == std::vector<int>{0, 1, 2, 9});
    }
    SUBCASE("every node, in mixed order; the level empties") {
        for (int i : {3, 0, 4, 2, 1}) {
            q.remove(&nodes[size_t(i)]);
            CHECK_FALSE(q.contains(&nodes[size_t(i)]));
        }
        CHECK(q.empty());
        CHECK(q.highest() == nullptr);
        CHECK_FALSE(q.has_above(0));
        // And the level is usable again.
        q.push_back(&nodes[1]);
        CHECK(q.highest() == &nodes[1]);
        CHECK(nodes[1].queue_prev == nullptr);
        CHECK(nodes[1].queue_next == nullptr);
    }
    SUBCASE("a single node is both head and tail") {
        Queue single;
        Node n{nullptr, nullptr, 9, 0};
        single.push_back(&n);
        CHECK(single.contains(&n)); // alone: links are null but it is queued
        CHECK(n.queue_next == nullptr);
        CHECK(n.queue_prev == nullptr);
        single.remove(&n);
        CHECK_FALSE(single.contains(&n));
        CHECK(single.empty());
    }
}

TEST_CASE("run queue: contains() is per queue and per level") {
    Queue q1;
    Queue q2;
    Node a{nullptr, nullptr, 50, 0};
    Node b{nullptr, nullptr, 50, 1};
    q1.push_back(&a);
    q2.push_back(&b);
    CHECK(q1.contains(&a));
    CHECK_FALSE(q1.contains(&b));
    CHECK(q2.contains(&b));
    CHECK_FALSE(q2.contains(&a));
}

TEST_CASE("run queue: priorities 0 and 255") {
    Queue q;
    Node zero{nullptr, nullptr, 0, 0};
    Node top{nullptr, nullptr, 255, 1};
    Node top2{nullptr, nullptr, 255, 2};

    q.push_back(&zero);
    CHECK(q.highest() == &zero);
    CHECK_FALSE(q.has_above(0)); // nothing is above priority 0 when only 0 is queued
    CHECK_FALSE(q.empty());

    q.push_back(&top);
    q.push_back(&top2);
    CHECK(q.highest() == &top);
    CHECK(q.has_above(0));
    CHECK(q.has_above(254));
    CHECK_FALSE(q.has_above(255));

    CHECK(q.pop_highest() == &top);
    CHECK(q.pop_highest() == &top2);
    CHECK(q.highest() == &zero);
    CHECK_FALSE(q.has_above(0));
    CHECK(q.pop_highest() == &zero);
    CHECK(q.empty());
}

TEST_CASE("run queue: every level, including bitmap word boundaries") {
    // One node per level, pushed in a scrambled order; popping must go from
    // 255 down to 0 (crossing each 64-bit word of the bitmap).
    Queue q;
    std::vector<Node> nodes(256);
    for (size_t i = 0; i < 256; ++i) {
        nodes[i].priority = uint8_t(i);
        nodes[i].id = int(i);
    }
    for (size_t i = 0; i < 256; ++i)
        q.push_back(&nodes[(i * 97) % 256]); // 97 is odd: a permutation
    for (int expected = 255; expected >= 0; --expected) {
        CAPTURE(expected);
        Node* h = q.highest();
        REQUIRE(h != nullptr);
        CHECK(h->id == expected);
        CHECK_FALSE(q.has_above(unsigned(expected)));
        if (expected > 0) CHECK(q.has_above(unsigned(expected - 1)));
        CHECK(q.pop_highest() == h);
    }
    CHECK(q.empty());

    // Levels at the word edges, removed out of order.
    for (int level : {0, 63, 64, 127, 128, 191, 192, 255})
        q.push_back(&nodes[size_t(level)]);
    q.remove(&nodes[255]);
    CHECK(q.highest() == &nodes[192]);
    q.remove(&nodes[192]);
    CHECK(q.highest() == &nodes[191]);
    q.remove(&nodes[191]);
    q.remove(&nodes[128]);
    CHECK(q.highest() == &nodes[127]);
    q.remove(&nodes[127]);
    q.remove(&nodes[64]);
    CHECK(q.highest() == &nodes[63]);
    q.remove(&nodes[63]);
    CHECK(q.highest() == &nodes[0]);
    CHECK_FALSE(q.empty());
    q.remove(&nodes[0]);
    CHECK(q.empty());
}

TEST_CASE("run queue: randomized against a reference model") {
    constexpr size_t kNodes = 300;
    for (uint32_t seed = 1; seed <= 10; ++seed) {
        CAPTURE(seed);
        std::mt19937 rng(seed);
        Queue q;
        std::vector<Node> nodes(kNodes);
        std::vector<bool> queued(kNodes, false);
        std::array<std::deque<Node*>, 256> model;
        std::vector<size_t> queued_ids; // for picking a random queued node

        // Priorities: mostly a few shared levels (long FIFOs), sometimes any
        // level, sometimes the extremes.
        auto random_priority = [&]() -> uint8_t {
            unsigned pick = rng() % 10;
            if (pick < 5) {
                static constexpr uint8_t kCommon[] = {0, 1, 63, 64, 100, 127, 128, 200, 254, 255};
                return kCommon[rng() % 10];
            }
            return uint8_t(rng() % 256);
        };
        auto model_highest = [&]() -> int {
            for (int level = 255; level >= 0; --level)
                if (!model[size_t(level)].empty()) return level;
            return -1;
        };
        auto unqueue = [&](Node* n) {
            auto id = size_t(n->id);
            queued[id] = false;
            for (size_t i = 0; i < queued_ids.size(); ++i) {
                if (queued_ids[i] == id) {
                    queued_ids[i] = queued_ids.back();
                    queued_ids.pop_back();
                    break;
                }
            }
        };

        for (size_t i = 0; i < kNodes; ++i)
            nodes[i].id = int(i);

        for (int step = 0; step < 5000; ++step) {
            CAPTURE(step);
            unsigned op = rng() % 10;
            Node* touched = nullptr;
            if (op < 5) { // push a node that is not queued
                size_t id = rng() % kNodes;
                if (queued[id]) continue;
                Node* n = &nodes[id];
                n->priority = random_priority();
                q.push_back(n);
                model[n->priority].push_back(n);
                queued[id] = true;
                queued_ids.push_back(id);
                touched = n;
            } else if (op < 8) { // remove a random queued node
                if (queued_ids.empty()) continue;
                Node* n = &nodes[queued_ids[rng() % queued_ids.size()]];
                q.remove(n);
                auto& level = model[n->priority];
                bool found = false;
                for (auto it = level.begin(); it != level.end(); ++it) {
                    if (*it == n) {
                        level.erase(it);
                        found = true;
                        break;
                    }
                }
                REQUIRE(found);
                unqueue(n);
                touched = n;
            } else { // pop the highest
                int level = model_highest();
                Node* n = q.pop_highest();
                if (level < 0) {
                    CHECK(n == nullptr);
                } else {
                    REQUIRE(n == model[size_t(level)].front());
                    model[size_t(level)].pop_front();
                    unqueue(n);
                    touched = n;
                }
            }

            // After every step: the cheap queries agree with the model.
            int top = model_highest();
            CHECK(q.empty() == (top < 0));
            CHECK(q.highest() == (top < 0 ? nullptr : model[size_t(top)].front()));
            for (unsigned p : {0u, 127u, 254u, 255u, unsigned(rng() % 256)})
                CHECK(q.has_above(p) == (top > int(p)));
            if (top >= 0) {
                CHECK_FALSE(q.has_above(unsigned(top)));
                if (top > 0) CHECK(q.has_above(unsigned(top - 1)));
            }
            if (touched) {
                CHECK(q.contains(touched) == queued[size_t(touched->id)]);
                if (!queued[size_t(touched->id)]) {
                    CHECK(touched->queue_next == nullptr);
                    CHECK(touched->queue_prev == nullptr);
                }
            }

            // Now and then, the full structure: each level's list, both
            // directions of links, and contains() for every node.
            if (step % 97 == 0) {
                for (size_t level = 0; level < 256; ++level) {
                    const auto& expected = model[level];
                    for (size_t i = 0; i < expected.size(); ++i) {
                        Node* n = expected[i];
                        CHECK(n->queue_prev == (i == 0 ? nullptr : expected[i - 1]));
                        CHECK(n->queue_next ==
                              (i + 1 == expected.size() ? nullptr : expected[i + 1]));
                    }
                }
                for (size_t id = 0; id < kNodes; ++id)
                    CHECK(q.contains(&nodes[id]) == queued[id]);
            }
        }

        // Drain: pop order is level by level, FIFO within each.
        std::vector<Node*> expected_order;
        for (int level = 255; level >= 0; --level)
            for (Node* n : model[size_t(level)])
                expected_order.push_back(n);
        std::vector<Node*> actual_order;
        while (Node* n = q.pop_highest())
            actual_order.push_back(n);
        CHECK(actual_order == expected_order);
        CHECK(q.empty());
    }
}
