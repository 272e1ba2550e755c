// COM1 16550 UART, polled, for the kernel log. (The console server takes the
// port over for input later; the kernel only ever writes.)
#pragma once

#include <cstddef>

namespace rayos::arch {

void serial_init();
void serial_write(const char* text, size_t length);

} // namespace rayos::arch
