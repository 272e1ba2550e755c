// Formatted output of the shell's commands (see printer.h).
#include "printer.h"

#include "format.h"

#include <cstdarg>

namespace rayos::shell {
namespace {

void to_output(void* context, const char* text, size_t length) {
    static_cast<Output*>(context)->write(text, length);
}

} // namespace

void Printer::print(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vformat(FormatSink{to_output, &out_}, fmt, args);
    va_end(args);
}

void Printer::error(const char* fmt, ...) {
    out_.text("error: ");
    va_list args;
    va_start(args, fmt);
    vformat(FormatSink{to_output, &out_}, fmt, args);
    va_end(args);
    out_.text("\n");
}

} // namespace rayos::shell
