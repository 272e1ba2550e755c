// Fatal kernel errors. A panic prints "KERNEL PANIC: <message>", a
// frame-pointer backtrace with symbol names, and stops the VM with the panic
// exit code (abi.h kQemuExitPanic) so test harnesses see it. Panics are for
// kernel bugs only: nothing userspace does may lead here.
#pragma once

#include <cstdint>

namespace rayos {

[[noreturn]] void panic(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// Prints "function+0xoffset" for a kernel address (or the bare address).
void print_symbol(uint64_t address);
// Prints a backtrace following the frame-pointer chain starting at `rbp`.
void print_backtrace(uint64_t rbp);

} // namespace rayos

#define ASSERT(cond)                                                                               \
    do {                                                                                           \
        if (!(cond)) ::rayos::panic("assertion failed: %s at %s:%d", #cond, __FILE__, __LINE__);   \
    } while (0)

// Marks what is not built yet: fails loudly instead of pretending to work.
#define TODO(what) ::rayos::panic("TODO: %s (%s:%d)", what, __FILE__, __LINE__)
