// The kernel log: formatted text to the serial console. kprintf never
// allocates and may be called from any context, including panics.
#pragma once

#include <cstdarg>
#include <cstddef>

namespace rayos {

void log_init();
void kprintf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void vkprintf(const char* fmt, va_list args);
void log_write(const char* text, size_t length);
// Copies the most recent `length` bytes of console output (at most
// config::kLogRingBytes), oldest first, to `out`; returns how many.
size_t log_recent(char* out, size_t length);

} // namespace rayos
