// Formatted output of the shell's commands onto a terminal Output.
#pragma once

#include "line_editor.h"

namespace rayos::shell {

class Printer {
public:
    explicit Printer(Output& out) : out_(out) {}
    void print(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
    // "error: " + the message + newline: every failure is one such line.
    void error(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
    void text(const char* s) { out_.text(s); }
    void write(const char* bytes, size_t length) { out_.write(bytes, length); }

private:
    Output& out_;
};

} // namespace rayos::shell
