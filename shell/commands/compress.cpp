// compress status | stats [client] | level | policy | budget: watching and
// steering the compression pager (idl/pager.capnp).
#include "command.h"
#include "format.h"

namespace rayos::shell {
namespace {

// Names of the wire's enums, in their order; nullptr-terminated (Tab
// completion offers them).
const char* const kSubcommands[] = {"status", "stats", "level", "policy", "budget", nullptr};
const char* const kLevels[] = {"none", "fast", "balanced", "best", nullptr};
const char* const kPolicies[] = {"demand", "threshold", "idle", nullptr};
const char* const kEvictions[] = {"lru", "clock", nullptr};

// The usage of each sub-command (after "compress ").
const char* const kStatusUsage = "status";
const char* const kStatsUsage = "stats [client]";
const char* const kLevelUsage = "level <client> none|fast|balanced|best";
const char* const kPolicyUsage =
    "policy <client> threshold <free-frames>|idle <ticks>|demand [lru|clock]";
const char* const kBudgetUsage = "budget <client> <frames>";

// Numbers of frames and ticks the shell passes on (the pager decides what
// it accepts within that).
constexpr uint32_t kMaxNumber = 1000000;

const char* level_name(PagerLevel level) {
    return name_of(kLevels, 4, level);
}

const char* eviction_name(PagerEviction eviction) {
    return name_of(kEvictions, 2, eviction);
}

// demand, threshold:4, idle:20 (the table's column).
void policy_word(const PagerPolicy& policy, char (&out)[24]) {
    switch (policy.kind) {
    case PagerPolicyKind::Threshold:
        format_to(out, sizeof(out), "threshold:%u", policy.parameter);
        return;
    case PagerPolicyKind::Idle:
        format_to(out, sizeof(out), "idle:%u", policy.parameter);
        return;
    case PagerPolicyKind::Demand:
        break;
    }
    format_to(out, sizeof(out), "demand");
}

// "threshold 4 (keeps 4 frames free), eviction clock" (stats, confirmations).
void policy_text(const PagerPolicy& policy, char (&out)[96]) {
    switch (policy.kind) {
    case PagerPolicyKind::Threshold:
        format_to(out, sizeof(out), "threshold %u (keeps %u frames free), eviction %s",
                  policy.parameter, policy.parameter, eviction_name(policy.eviction));
        return;
    case PagerPolicyKind::Idle:
        format_to(out, sizeof(out), "idle %u (pages unused for %u ticks go out), eviction %s",
                  policy.parameter, policy.parameter, eviction_name(policy.eviction));
        return;
    case PagerPolicyKind::Demand:
        break;
    }
    format_to(out, sizeof(out), "demand (pages go out when a fault needs a frame), eviction %s",
              eviction_name(policy.eviction));
}

// original / compressed with two decimals, or "-" when nothing is stored.
void ratio_text(const PagerClientRow& r, char (&out)[24]) {
    uint64_t c = r.compressed_bytes;
    if (c == 0) {
        format_to(out, sizeof(out), "-");
        return;
    }
    uint64_t whole = r.original_bytes / c;
    uint64_t hundredths = ((r.original_bytes % c) * 100 + c / 2) / c;
    if (hundredths == 100) {
        ++whole;
        hundredths = 0;
    }
    format_to(out, sizeof(out), "%lu.%02lu", whole, hundredths);
}

// Rows of the pager's clients: for `compress status` and completion.
PagerClientRow* client_rows() {
    static PagerClientRow rows[Machine::kMaxRows];
    return rows;
}

// "page-ins  1234 (5120 instructions each on average)": no average of none.
void count_and_cost(Printer& out, const char* what, uint64_t count, uint64_t cost) {
    if (count == 0)
        out.print("%-18s 0\n", what);
    else
        out.print("%-18s %lu (%lu instructions each on average)\n", what, count, cost);
}

void failed(Printer& out, const Failure& why) {
    out.error("compress: %s", why.text);
}

class Status final : public Command {
public:
    bool run(Machine& machine, Printer& out) override {
        PagerClientRow* rows = client_rows();
        PagerStoreRow store;
        uint32_t count = 0;
        Failure why;
        if (!machine.pager_status(store, rows, count, why)) {
            failed(out, why);
            return false;
        }
        out.print("%-12s %10s %6s %5s %4s %9s %10s %6s %9s %9s  %-8s  %-12s %s\n", "CLIENT",
                  "RES/BUDGET", "COMPR", "SAME", "RAW", "ORIG KiB", "STORED KiB", "RATIO",
                  "PAGE-INS", "PAGE-OUTS", "LEVEL", "POLICY", "EVICTION");
        for (uint32_t i = 0; i < count; ++i) {
            const PagerClientRow& r = rows[i];
            char resident[32], ratio[24], policy[24];
            format_to(resident, sizeof(resident), "%lu/%u", r.resident, r.budget);
            ratio_text(r, ratio);
            policy_word(r.policy, policy);
            out.print("%-12s %10s %6lu %5lu %4lu %9lu %10lu %6s %9lu %9lu  %-8s  %-12s %s\n",
                      r.name, resident, r.compressed, r.same_filled, r.raw, r.original_bytes / 1024,
                      r.compressed_bytes / 1024, ratio, r.page_ins, r.page_outs,
                      level_name(r.level), policy, eviction_name(r.policy.eviction));
        }
        out.print("store: capacity %lu KiB, used %lu KiB, stored %lu KiB, fragmentation %u%%\n",
                  store.capacity / 1024, store.used / 1024, store.stored / 1024,
                  store.fragmentation_percent);
        return true;
    }
};

class Stats final : public Command {
public:
    bool run(Machine& machine, Printer& out) override {
        PagerClientRow r;
        Failure why;
        if (!machine.pager_stats(client_, r, why)) {
            failed(out, why);
            return false;
        }
        bool totals = client_[0] == '\0';
        char ratio[24];
        ratio_text(r, ratio);
        uint64_t saved =
            r.original_bytes > r.compressed_bytes ? r.original_bytes - r.compressed_bytes : 0;
        out.print("%-18s %s\n", "client", totals ? "total (all clients)" : r.name);
        out.print("%-18s %lu\n", "resident pages", r.resident);
        out.print("%-18s %lu\n", "compressed pages", r.compressed);
        out.print("%-18s %lu\n", "same-filled pages", r.same_filled);
        out.print("%-18s %lu\n", "raw pages", r.raw);
        out.print("%-18s %lu (%lu KiB)\n", "original bytes", r.original_bytes,
                  r.original_bytes / 1024);
        out.print("%-18s %lu (%lu KiB)\n", "compressed bytes", r.compressed_bytes,
                  r.compressed_bytes / 1024);
        out.print("%-18s %s\n", "ratio", ratio);
        out.print("%-18s %lu bytes (%lu KiB)\n", "memory saved", saved, saved / 1024);
        count_and_cost(out, "page-ins", r.page_ins, r.page_in_cost);
        count_and_cost(out, "page-outs", r.page_outs, r.page_out_cost);
        out.print("%-18s %lu\n", "zero fills", r.zero_fills);
        out.print("%-18s %lu\n", "refused faults", r.refused_faults);
        if (!totals) {
            char policy[96];
            policy_text(r.policy, policy);
            out.print("%-18s %s\n", "level", level_name(r.level));
            out.print("%-18s %s\n", "policy", policy);
        }
        out.print("%-18s %u frames%s\n", "budget", r.budget, totals ? " (all clients)" : "");
        return true;
    }

    char client_[32] = {}; // "": the totals
};

class SetLevel final : public Command {
public:
    bool run(Machine& machine, Printer& out) override {
        Failure why;
        if (!machine.pager_set_level(client_, level_, why)) {
            failed(out, why);
            return false;
        }
        out.print("%s: level %s\n", client_, level_name(level_));
        return true;
    }

    char client_[32] = {};
    PagerLevel level_ = PagerLevel::None;
};

class SetPolicy final : public Command {
public:
    bool run(Machine& machine, Printer& out) override {
        Failure why;
        if (!machine.pager_set_policy(client_, policy_, why)) {
            failed(out, why);
            return false;
        }
        char text[96];
        policy_text(policy_, text);
        out.print("%s: policy %s\n", client_, text);
        return true;
    }

    char client_[32] = {};
    PagerPolicy policy_;
};

class SetBudget final : public Command {
public:
    bool run(Machine& machine, Printer& out) override {
        Failure why;
        if (!machine.pager_set_budget(client_, frames_, why)) {
            failed(out, why);
            return false;
        }
        out.print("%s: budget %u frames\n", client_, frames_);
        return true;
    }

    char client_[32] = {};
    uint32_t frames_ = 0;
};

Parsed usage(const char* form) {
    return parse_error("usage: compress %s", form);
}

// A command whose client name is words[2]; nullptr if the name is too long.
template <typename C> C* with_client(const Words& words) {
    auto* command = new C;
    if (!copy_name(command->client_, words.word[2])) {
        delete command;
        return nullptr;
    }
    return command;
}

Parsed no_such_client() {
    return parse_error("no such client of the pager");
}

Parsed parse_stats(const Words& words) {
    if (words.count > 3) return usage(kStatsUsage);
    if (words.count == 2) return parsed(new Stats); // the totals
    auto* stats = with_client<Stats>(words);
    return stats ? parsed(stats) : no_such_client();
}

Parsed parse_level(const Words& words) {
    if (words.count != 4) return usage(kLevelUsage);
    int level = index_of(kLevels, words.word[3]);
    if (level < 0)
        return parse_error("unknown level '%.20s' (none, fast, balanced or best)", words.word[3]);
    auto* command = with_client<SetLevel>(words);
    if (!command) return no_such_client();
    command->level_ = PagerLevel(level);
    return parsed(command);
}

Parsed parse_policy(const Words& words) {
    if (words.count < 4) return usage(kPolicyUsage);
    PagerPolicy policy;
    uint32_t next = 4; // the word after the policy
    switch (index_of(kPolicies, words.word[3])) {
    case 0:
        policy.kind = PagerPolicyKind::Demand;
        break;
    case 1:
        policy.kind = PagerPolicyKind::Threshold;
        next = 5;
        break;
    case 2:
        policy.kind = PagerPolicyKind::Idle;
        next = 5;
        break;
    default:
        return parse_error("unknown policy '%.20s' (threshold, idle or demand)", words.word[3]);
    }
    if (words.count < next || words.count > next + 1) return usage(kPolicyUsage);
    if (next == 5 && (policy.parameter = parse_number(words.word[4], kMaxNumber)) == 0)
        return parse_error("%s must be a number from 1 to %u",
                           policy.kind == PagerPolicyKind::Threshold ? "free frames" : "ticks",
                           kMaxNumber);
    if (words.count == next + 1) {
        int eviction = index_of(kEvictions, words.word[next]);
        if (eviction < 0)
            return parse_error("unknown eviction order '%.20s' (lru or clock)", words.word[next]);
        policy.eviction = PagerEviction(eviction);
    }
    auto* command = with_client<SetPolicy>(words);
    if (!command) return no_such_client();
    command->policy_ = policy;
    return parsed(command);
}

Parsed parse_budget(const Words& words) {
    if (words.count != 4) return usage(kBudgetUsage);
    uint32_t frames = parse_number(words.word[3], kMaxNumber);
    if (frames == 0) return parse_error("frames must be a number from 1 to %u", kMaxNumber);
    auto* command = with_client<SetBudget>(words);
    if (!command) return no_such_client();
    command->frames_ = frames;
    return parsed(command);
}

Parsed parse_compress(const Words& words) {
    if (words.count < 2) return usage_error();
    switch (index_of(kSubcommands, words.word[1])) {
    case 0:
        return words.count == 2 ? parsed(new Status) : usage(kStatusUsage);
    case 1:
        return parse_stats(words);
    case 2:
        return parse_level(words);
    case 3:
        return parse_policy(words);
    case 4:
        return parse_budget(words);
    default:
        return usage_error();
    }
}

// After the sub-command: the pager's clients, then levels, policies and
// eviction orders.
void complete_compress(const Words& words, uint32_t position, Machine* machine,
                       const Offer& offer) {
    int sub = index_of(kSubcommands, words.word[1]);
    if (position == 2) {
        if (sub < 1 || !machine) return; // (status takes no client)
        PagerClientRow* rows = client_rows();
        PagerStoreRow store;
        uint32_t count = 0;
        Failure why;
        if (!machine->pager_status(store, rows, count, why)) return;
        for (uint32_t i = 0; i < count; ++i)
            offer(rows[i].name);
        return;
    }
    if (position == 3 && sub == 2) return offer_all(offer, kLevels);
    if (sub != 3) return;
    if (position == 3) return offer_all(offer, kPolicies);
    int policy = index_of(kPolicies, words.word[3]);
    if ((position == 4 && policy == 0) || (position == 5 && policy > 0))
        offer_all(offer, kEvictions);
}

const CommandSpec kSpecs[] = {
    {"compress", "compress status|stats|level|policy|budget ...",
     "the compression pager: its clients, statistics and settings",
     "compress status: a row per client of the pager: resident pages and budget "
     "(RES/BUDGET), pages stored compressed (COMPR), same-filled (SAME) and raw (RAW), their "
     "bytes before (ORIG) and after (STORED) and the ratio, page-ins, page-outs, level, policy "
     "and eviction order; then the store's capacity, use and fragmentation.\n"
     "  compress stats [client]: every statistic of one client (of all together without "
     "one), with the memory saved and the average cost of a page-in and a page-out.\n"
     "  compress level <client> none|fast|balanced|best: how hard its pages are compressed.\n"
     "  compress policy <client> threshold <free-frames>|idle <ticks>|demand [lru|clock]: "
     "when its pages go out (to keep that many frames of its budget free, when unused for "
     "that many ticks, or only when a fault needs a frame) and which go first (clock unless "
     "given).\n"
     "  compress budget <client> <frames>: how many frames its pages may occupy.",
     kSubcommands, Completes::Subcommands, parse_compress, complete_compress},
};

} // namespace

extern const CommandFamily kCompressCommands{kSpecs, 1};

} // namespace rayos::shell
