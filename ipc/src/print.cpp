// Console output: formats into a line buffer and hands whole lines (or full
// buffers) to the kernel's debug_write, so a line from one thread is written
// in one call.
#include <rayos/runtime.h>
#include <rayos/syscall.h>

#include "format.h"

#include <cstdarg>

namespace rayos {
namespace {

struct LineBuffer {
    char text[256];
    size_t used = 0;

    void flush() {
        if (used) rayos::write(text, used);
        used = 0;
    }
};

void line_sink(void* context, const char* text, size_t length) {
    auto* buffer = static_cast<LineBuffer*>(context);
    for (size_t i = 0; i < length; ++i) {
        buffer->text[buffer->used++] = text[i];
        if (text[i] == '\n' || buffer->used == sizeof(buffer->text)) buffer->flush();
    }
}

} // namespace

void write(const char* text, size_t length) {
    while (length > 0) {
        size_t chunk = length < 4096 ? length : 4096;
        sys::debug_write(text, chunk);
        text += chunk;
        length -= chunk;
    }
}

void print(const char* fmt, ...) {
    LineBuffer buffer;
    va_list args;
    va_start(args, fmt);
    vformat(FormatSink{line_sink, &buffer}, fmt, args);
    va_end(args);
    buffer.flush();
}

} // namespace rayos
