// Every command the shell knows, from the families in commands/.
#pragma once

#include "command.h"

namespace rayos::shell {

// The command named `name`, or nullptr.
const CommandSpec* find_command(const char* name);
// Calls f(spec) for every command, in the order `help` lists them.
void for_each_command(void (*f)(const CommandSpec&, void*), void* context);

} // namespace rayos::shell
