// Runs one command line (see interpreter.h).
#include "interpreter.h"

#include "registry.h"

namespace rayos::shell {

bool execute(const char* line, size_t length, bool overflowed, Machine& machine, Printer& out) {
    if (overflowed) {
        out.error("%s", split_error_text(SplitError::TooLong));
        return false;
    }
    Words words;
    if (SplitError e = split_words(line, length, words); e != SplitError::Ok) {
        out.error("%s", split_error_text(e));
        return false;
    }
    if (words.count == 0) return true;
    const CommandSpec* spec = find_command(words.word[0]);
    if (!spec) {
        out.error("unknown command '%s' (type 'help')", words.word[0]);
        return false;
    }
    Parsed parsed = spec->parse(words);
    if (!parsed.command) {
        if (parsed.error[0])
            out.error("%s: %s", spec->name, parsed.error);
        else
            out.error("%s: usage: %s", spec->name, spec->usage);
        return false;
    }
    bool ok = parsed.command->run(machine, out);
    delete parsed.command;
    return ok;
}

} // namespace rayos::shell
