// printf-style formatting for freestanding code (kernel, userspace runtime)
// and host tests. Output goes to a FormatSink, so the same code formats into
// a buffer, the serial port or an IPC message. No floating point (the kernel
// has no FPU); formats are checked by the compiler (format attribute).
//
// Supported conversions: %d %i %u %x %X %o %p %s %c %%; flags '-', '0', '+',
// ' ', '#'; field width and precision (also '*'); length modifiers hh h l ll
// z t j. %p prints 0x followed by 16 hex digits. %s of a null pointer prints
// "(null)". An unknown conversion is printed literally.
#pragma once

#include <cstdarg>
#include <cstddef>
#include <cstdint>

namespace rayos {

struct FormatSink {
    // Called with consecutive pieces of output (not NUL terminated).
    void (*write)(void* context, const char* text, size_t length);
    void* context;
};

// Formats into `sink`; returns the number of characters produced.
size_t vformat(FormatSink sink, const char* fmt, va_list args);
size_t format(FormatSink sink, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

// snprintf semantics: writes at most size-1 characters plus a NUL (if size >
// 0) and returns the length the full output would have had.
size_t vformat_to(char* buffer, size_t size, const char* fmt, va_list args);
size_t format_to(char* buffer, size_t size, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));

} // namespace rayos
