// The shell's commands. A command line is parsed into a typed command
// object (its arguments checked and converted), which then runs against the
// Machine. Each family of commands lives in its own file in commands/ and
// describes itself with CommandSpecs; registry.cpp lists the families.
#pragma once

#include "machine.h"
#include "printer.h"
#include "words.h"

namespace rayos::shell {

class Command {
public:
    virtual ~Command() = default;
    // Runs it; false if it failed (it has printed an "error: " line).
    virtual bool run(Machine& machine, Printer& out) = 0;
};

// A parsed line: the command, or why the arguments are wrong (one line,
// printed as "error: <name>: <error>"; neither: a usage error, printed as
// "error: <name>: usage: <usage>").
struct Parsed {
    Command* command = nullptr;
    char error[160] = {};
};

// An argument error (printf-style).
Parsed parse_error(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
// A parsed command.
inline Parsed parsed(Command* command) {
    Parsed p;
    p.command = command;
    return p;
}

// What a program-argument completes to.
enum class Completes : uint8_t { Nothing, Subcommands, Programs, Commands };

// Where Tab completion's candidates go. They are kept until the completion
// is done: static strings, or static storage.
struct Offer {
    void (*offer)(void*, const char*);
    void* context;
    void operator()(const char* candidate) const { offer(context, candidate); }
};

struct CommandSpec {
    const char* name;
    const char* usage;              // "restart <program>"
    const char* summary;            // one line for `help`
    const char* description;        // more for `help <name>`
    const char* const* subcommands; // nullptr-terminated, or nullptr
    Completes completes;            // the first argument
    // Parses the words of a line whose first word is `name`.
    Parsed (*parse)(const Words& words);
    // Offers completions of the argument at `position` (2 and on: `words`
    // holds at least the words before it; `machine` may be null), or
    // nullptr: the later arguments complete to nothing.
    void (*complete_later)(const Words& words, uint32_t position, Machine* machine,
                           const Offer& offer);
};

struct CommandFamily {
    const CommandSpec* specs;
    uint32_t count;
};

// The usage error.
inline Parsed usage_error() {
    return {};
}

// A decimal number in [1, max], or 0 if the word is not one.
uint32_t parse_number(const char* word, uint32_t max);

// Copies a program-name argument, refusing one longer than names can be.
bool copy_name(char (&out)[32], const char* word);

// The index of `word` in a nullptr-terminated list of names, or -1.
int index_of(const char* const* names, const char* word);

// The name of an enum value from a list in the enum's order, or "?" for a
// value past its `count` names (one off the wire).
template <typename E> const char* name_of(const char* const* names, uint32_t count, E value) {
    return uint32_t(value) < count ? names[uint32_t(value)] : "?";
}

// Offers every name of a nullptr-terminated list.
inline void offer_all(const Offer& offer, const char* const* names) {
    for (const char* const* n = names; *n; ++n)
        offer(*n);
}

} // namespace rayos::shell
