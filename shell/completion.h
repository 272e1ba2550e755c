// Tab completion for the shell: command names for the first word; for the
// second, what the command's spec says it takes (sub-commands, program
// names from the Machine, command names for help); for later ones, what the
// spec's complete_later offers (e.g. compress: pager clients, levels).
#pragma once

#include "line_editor.h"
#include "machine.h"

namespace rayos::shell {

class CommandCompleter final : public Completer {
public:
    explicit CommandCompleter(Machine* machine) : machine_(machine) {}
    void complete(const char* line, size_t length, void (*offer)(void*, const char*),
                  void* context) override;

private:
    Machine* machine_;
};

} // namespace rayos::shell
