#include "log.h"

#include "arch/x86_64/serial.h"
#include "format.h"

namespace rayos {
namespace {
void serial_sink(void*, const char* text, size_t length) {
    arch::serial_write(text, length);
}
} // namespace

void log_init() {
    arch::serial_init();
}

void log_write(const char* text, size_t length) {
    arch::serial_write(text, length);
}

void vkprintf(const char* fmt, va_list args) {
    vformat(FormatSink{serial_sink, nullptr}, fmt, args);
}

void kprintf(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vkprintf(fmt, args);
    va_end(args);
}

} // namespace rayos
