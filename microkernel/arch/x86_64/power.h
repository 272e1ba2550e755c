// Ending the virtual machine. Under QEMU with the isa-debug-exit device
// (iobase 0xf4) the exit status tells the host what happened (the codes are
// part of the ABI: abi.h kQemuExit*); otherwise we try an ACPI power-off
// and finally halt the CPU.
#pragma once

#include <cstdint>

namespace rayos::arch {

[[noreturn]] void power_off(uint32_t qemu_exit_code);

} // namespace rayos::arch
