// memhog: a pager client that checks its own memory. It touches the pages
// of its paged region (rayos/paging.h) in an access pattern, writing
// contents derived from each page's number and a version it keeps and
// checking every page it reads; the pager keeps only part of the region
// resident. A page never written must read as zeros.
//
// Arguments: "<pages> <rounds> <zero|text|binary|random|mixed> [option=value...]"
//   pattern=sequential|random|hotcold  sequential (default): each round writes
//       every page, then reads every page back, last first; random: 2 x pages
//       touches at random, half of them writes; hotcold: the same, 80% of
//       them in the first fifth of the region
//   rounds 0: forever (quiet: only errors are printed)
//   pause=<ticks>      between rounds
//   level=none|fast|balanced|best, policy=demand|threshold:<free frames>|
//       idle:<ticks>, eviction=lru|clock: set through the Pager interface
//       (its first grant must be the server "pager") before it starts
//   as=<name>          its name as the pager's client (default "memhog")
//   then=halt|wait|exit  when done: power off with the verdict (default),
//       stay (blocked), or exit (code 1 after errors)
// With a pager grant it prints the pager's statistics for it at the end.
#include "page_content.h"

#include <rayos/idl/pager.rpc.h>
#include <rayos/invoke.h>
#include <rayos/paging.h>
#include <rayos/program.h>
#include <rayos/runtime.h>
#include <rayos/string.h>
#include <rayos/syscall.h>

#include <initializer_list>

using namespace rayos;
using workload::Content;

namespace {

constexpr uint32_t kMaxPages = 4096;
uint32_t versions[kMaxPages]; // 0: never written (reads as zeros)

enum class Pattern : uint8_t { Sequential, Random, HotCold };

struct Options {
    uint32_t pages = 0, rounds = 0, pause = 0;
    Content kind = Content::Mixed;
    Pattern pattern = Pattern::Sequential;
    const char* level = nullptr; // (pointers into the arguments)
    const char* policy = nullptr;
    const char* eviction = nullptr;
    char name[32] = "memhog";
    char then[8] = "halt";
};

// The next word of `s` into `out` (at most size - 1 bytes); false at the end.
bool next_word(const char*& s, char* out, uint32_t size) {
    while (*s == ' ')
        ++s;
    if (!*s) return false;
    uint32_t n = 0;
    while (*s && *s != ' ') {
        if (n + 1 < size) out[n++] = *s;
        ++s;
    }
    out[n] = 0;
    return true;
}

uint32_t number(const char* s, bool& ok) {
    uint32_t n = 0;
    ok = *s != 0;
    for (; *s; ++s) {
        if (*s < '0' || *s > '9') ok = false;
        n = n * 10 + uint32_t(*s - '0');
    }
    return n;
}

// "key=value": the value if `word` starts with `key=`.
const char* value_of(const char* word, const char* key) {
    while (*key && *word == *key) {
        ++word;
        ++key;
    }
    return *key == 0 && *word == '=' ? word + 1 : nullptr;
}

void copy(char* out, uint32_t size, const char* s) {
    uint32_t n = 0;
    while (s[n] && n + 1 < size) {
        out[n] = s[n];
        ++n;
    }
    out[n] = 0;
}

bool parse(const char* args, Options& o, char (&words)[16][32]) {
    const char* rest = args;
    uint32_t count = 0;
    while (count < 16 && next_word(rest, words[count], sizeof(words[count])))
        ++count;
    bool ok = count >= 3;
    if (!ok) return false;
    o.pages = number(words[0], ok);
    if (!ok || o.pages == 0 || o.pages > kMaxPages) return false;
    o.rounds = number(words[1], ok);
    if (!ok) return false;
    bool known = false;
    for (Content k :
         {Content::Zero, Content::Text, Content::Binary, Content::Random, Content::Mixed})
        if (strcmp(words[2], workload::content_name(k)) == 0) {
            o.kind = k;
            known = true;
        }
    if (!known) return false;
    for (uint32_t i = 3; i < count; ++i) {
        const char* w = words[i];
        if (const char* v = value_of(w, "pattern")) {
            if (strcmp(v, "sequential") == 0)
                o.pattern = Pattern::Sequential;
            else if (strcmp(v, "random") == 0)
                o.pattern = Pattern::Random;
            else if (strcmp(v, "hotcold") == 0)
                o.pattern = Pattern::HotCold;
            else
                return false;
        } else if (const char* pause = value_of(w, "pause")) {
            o.pause = number(pause, ok);
            if (!ok) return false;
        } else if (const char* level = value_of(w, "level")) {
            o.level = level;
        } else if (const char* policy = value_of(w, "policy")) {
            o.policy = policy;
        } else if (const char* eviction = value_of(w, "eviction")) {
            o.eviction = eviction;
        } else if (const char* name = value_of(w, "as")) {
            copy(o.name, sizeof(o.name), name);
        } else if (const char* then = value_of(w, "then")) {
            if (strcmp(then, "halt") != 0 && strcmp(then, "wait") != 0 && strcmp(then, "exit") != 0)
                return false;
            copy(o.then, sizeof(o.then), then);
        } else {
            return false;
        }
    }
    return true;
}

uint8_t* page_at(uint32_t p) {
    return reinterpret_cast<uint8_t*>(paging::kRegionBase) + uint64_t(p) * paging::kPageSize;
}

bool check(const Options& o, uint32_t p) {
    const uint8_t* bytes = page_at(p);
    if (versions[p] != 0) return workload::page_matches(o.kind, p, versions[p], bytes);
    const uint64_t* words = reinterpret_cast<const uint64_t*>(bytes);
    for (uint32_t i = 0; i < paging::kPageSize / 8; ++i)
        if (words[i] != 0) return false;
    return true;
}

void write(const Options& o, uint32_t p) {
    workload::fill_page(o.kind, p, ++versions[p], page_at(p));
}

// One round; its verification errors.
uint64_t round(const Options& o, uint32_t r) {
    uint64_t errors = 0;
    if (o.pattern == Pattern::Sequential) {
        for (uint32_t p = 0; p < o.pages; ++p)
            write(o, p);
        // Backwards, so the pages read first are the ones evicted longest ago.
        for (uint32_t p = o.pages; p-- > 0;)
            if (!check(o, p)) ++errors;
        return errors;
    }
    workload::Random rng{r};
    uint32_t hot = o.pages / 5 ? o.pages / 5 : 1;
    for (uint32_t t = 0; t < 2 * o.pages; ++t) {
        uint32_t p =
            uint32_t(o.pattern == Pattern::HotCold && rng.next() % 10 < 8 ? rng.next() % hot
                                                                          : rng.next() % o.pages);
        if (!check(o, p)) ++errors;
        if (rng.next() % 2) write(o, p);
    }
    return errors;
}

// Sets the level, policy and eviction through the Pager (grant slot 8).
bool configure(const Options& o) {
    idl::pager::PagerClient pager(program::kFirstGrantSlot);
    if (o.level) {
        auto call = pager.setLevel();
        call.params().set_client(o.name);
        int level = -1;
        const char* names[] = {"none", "fast", "balanced", "best"};
        for (int i = 0; i < 4; ++i)
            if (strcmp(o.level, names[i]) == 0) level = i;
        if (level < 0) return false;
        call.params().set_level(idl::pager::Level(level));
        auto answer = call.send();
        if (!answer || answer.value().error().code() != idl::common::ErrorCode::ok) return false;
    }
    if (o.policy || o.eviction) {
        auto call = pager.setPolicy();
        call.params().set_client(o.name);
        auto policy = call.params().init_policy();
        const char* p = o.policy ? o.policy : "demand";
        bool ok = true;
        if (strcmp(p, "demand") == 0) {
            policy.set_demand();
        } else if (p[0] == 't' && strlen(p) > 10 && p[9] == ':') { // threshold:N
            policy.init_threshold().set_lowWatermark(number(p + 10, ok));
        } else if (p[0] == 'i' && strlen(p) > 5 && p[4] == ':') { // idle:N
            policy.init_idle().set_idleTicks(number(p + 5, ok));
        } else {
            return false;
        }
        if (!ok) return false;
        bool lru = o.eviction && strcmp(o.eviction, "lru") == 0;
        if (o.eviction && !lru && strcmp(o.eviction, "clock") != 0) return false;
        policy.set_eviction(lru ? idl::pager::Eviction::lru : idl::pager::Eviction::clock);
        auto answer = call.send();
        if (!answer || answer.value().error().code() != idl::common::ErrorCode::ok) return false;
    }
    return true;
}

void report_stats(const Options& o) {
    inv::SlotInfo grant{};
    if (inv::slot_info(program::kSlotCNode, program::kFirstGrantSlot, 64, grant) !=
        int64_t(abi::ObjectType::Endpoint))
        return; // (no Pager granted)
    idl::pager::PagerClient pager(program::kFirstGrantSlot);
    auto call = pager.stats();
    call.params().set_client(o.name);
    auto answer = call.send();
    if (!answer || !answer.value().is_stats()) return;
    auto s = answer.value().stats();
    uint64_t ratio100 = s.compressedBytes() ? s.originalBytes() * 100 / s.compressedBytes() : 0;
    print("memhog: pager: %lu page-outs, %lu page-ins, %lu zero fills, %lu compressed, %lu "
          "same-filled, %lu raw, ratio %lu.%02lu\n",
          s.pageOuts(), s.pageIns(), s.zeroFills(), s.compressedPages(), s.sameFilledPages(),
          s.rawPages(), ratio100 / 100, ratio100 % 100);
}

} // namespace

int main(const char* args) {
    static Options o;
    static char words[16][32];
    if (!parse(args, o, words)) {
        print("memhog: usage: <pages> <rounds> <zero|text|binary|random|mixed> "
              "[pattern=sequential|random|hotcold] [pause=ticks] [level=...] [policy=...] "
              "[eviction=lru|clock] [as=name] [then=halt|wait|exit]\n");
        return 2;
    }
    bool controls = o.level || o.policy || o.eviction;
    if (controls && !configure(o)) {
        print("memhog: the pager refused the level, policy or eviction\n");
        return 2;
    }
    uint64_t errors = 0;
    for (uint32_t r = 1; o.rounds == 0 || r <= o.rounds; ++r) {
        uint64_t e = round(o, r);
        if (e && o.rounds == 0) print("memhog: round %u: %lu verification errors\n", r, e);
        errors += e;
        if (o.pause) {
            (void)inv::notification_set_timer(program::kSlotNotification, o.pause, 1);
            (void)sys::wait(program::kSlotNotification);
        }
    }
    static const char* patterns[] = {"sequential", "random", "hotcold"};
    print("memhog: %u pages of %s, %s, %u rounds: %lu verification errors\n", o.pages,
          workload::content_name(o.kind), patterns[uint32_t(o.pattern)], o.rounds, errors);
    if (controls || o.rounds) report_stats(o);
    if (strcmp(o.then, "exit") == 0) return errors ? 1 : 0;
    if (strcmp(o.then, "wait") == 0)
        for (;;)
            (void)sys::wait(program::kSlotNotification);
    halt(errors == 0 ? abi::HaltReason::Success : abi::HaltReason::Failure);
}
