#include "log.h"

#include "arch/x86_64/serial.h"
#include "format.h"
#include "kernel/config.h"

namespace rayos {
namespace {

// The recent output, as a ring: byte i of all output is at i % size.
char ring[config::kLogRingBytes];
uint64_t ring_total = 0;

void remember(const char* text, size_t length) {
    for (size_t i = 0; i < length; ++i)
        ring[(ring_total + i) % config::kLogRingBytes] = text[i];
    ring_total += length;
}

void serial_sink(void*, const char* text, size_t length) {
    remember(text, length);
    arch::serial_write(text, length);
}

} // namespace

size_t log_recent(char* out, size_t length) {
    uint64_t kept = ring_total < config::kLogRingBytes ? ring_total : config::kLogRingBytes;
    if (length > kept) length = kept;
    uint64_t first = ring_total - length;
    for (size_t i = 0; i < length; ++i)
        out[i] = ring[(first + i) % config::kLogRingBytes];
    return length;
}

void log_init() {
    arch::serial_init();
}

void log_write(const char* text, size_t length) {
    remember(text, length);
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
