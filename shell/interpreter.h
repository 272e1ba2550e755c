// Runs one command line: split it into words, find the command, parse its
// arguments into a command object, run it. Every failure prints one
// "error: " line; nothing is run then.
#pragma once

#include "command.h"

namespace rayos::shell {

// True if the line was empty or its command succeeded. `overflowed`: the
// line editor refused characters beyond its limit (the line is not run).
bool execute(const char* line, size_t length, bool overflowed, Machine& machine, Printer& out);

} // namespace rayos::shell
