// Tab completion (see completion.h).
#include "completion.h"

#include "registry.h"
#include "words.h"

namespace rayos::shell {
namespace {

void offer_commands(const Offer& o) {
    for_each_command(
        [](const CommandSpec& spec, void* c) {
            auto* offer = static_cast<const Offer*>(c);
            offer->offer(offer->context, spec.name);
        },
        const_cast<Offer*>(&o));
}

} // namespace

void CommandCompleter::complete(const char* line, size_t length, void (*offer)(void*, const char*),
                                void* context) {
    Offer o{offer, context};
    Words words;
    if (split_words(line, length, words) != SplitError::Ok) return;
    // The word being completed: a new one after a space, else the last.
    bool fresh = length == 0 || line[length - 1] == ' ' || line[length - 1] == '\t';
    uint32_t position = fresh ? words.count : words.count - 1;
    if (position == 0) return offer_commands(o);
    const CommandSpec* spec = find_command(words.word[0]);
    if (!spec) return;
    if (position > 1) {
        if (spec->complete_later) spec->complete_later(words, position, machine_, o);
        return;
    }
    switch (spec->completes) {
    case Completes::Commands:
        return offer_commands(o);
    case Completes::Subcommands:
        for (const char* const* s = spec->subcommands; s && *s; ++s)
            offer(context, *s);
        return;
    case Completes::Programs: {
        if (!machine_) return;
        static ProgramRow rows[Machine::kMaxRows];
        uint32_t count = 0;
        Failure why;
        if (!machine_->programs(rows, count, why)) return;
        for (uint32_t i = 0; i < count; ++i)
            offer(context, rows[i].name);
        return;
    }
    case Completes::Nothing:
        return;
    }
}

} // namespace rayos::shell
