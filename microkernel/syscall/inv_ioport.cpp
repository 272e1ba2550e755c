// I/O port invocations: in and out on ports the capability covers.
#include "dispatch.h"
#include "invoke.h"

#include "arch/x86_64/cpu.h"

namespace rayos::syscall {
namespace {

// Ports the kernel drives itself; no capability reaches them.
bool kernel_port(uint64_t port) {
    return port == 0x20 || port == 0x21 || port == 0xA0 || port == 0xA1 || // PICs
           (port >= 0x40 && port <= 0x43) ||                               // PIT
           (port >= 0xF4 && port <= 0xF7) ||                               // debug exit
           (port >= 0x600 && port <= 0x63F);                               // ACPI PM (QEMU pc)
}

Result<uint64_t> check_port(Thread& self, const Capability& cap, uint64_t port, uint64_t width) {
    if (width != 1 && width != 2 && width != 4)
        return reject(self, Status::InvalidArgument, "width must be 1, 2 or 4");
    uint64_t first = cap.word & 0xFFFF, last = (cap.word >> 16) & 0xFFFF;
    if (port < first || port > 0xFFFF || port + width - 1 > last)
        return reject(self, Status::MissingRights, "port outside the capability's range");
    for (uint64_t p = port; p < port + width; ++p)
        if (kernel_port(p)) return reject(self, Status::MissingRights, "port owned by the kernel");
    return 0;
}

} // namespace

Result<uint64_t> inv_ioport_in(Thread& self, Slot& invoked, InvocationArgs args) {
    uint64_t port = args[0], width = args[1];
    TRY(check_port(self, invoked.cap, port, width));
    auto p = static_cast<uint16_t>(port);
    if (width == 1) return arch::inb(p);
    uint32_t value = 0;
    if (width == 2)
        asm volatile("inw %1, %w0" : "=a"(value) : "Nd"(p));
    else
        asm volatile("inl %1, %0" : "=a"(value) : "Nd"(p));
    return value;
}

Result<uint64_t> inv_ioport_out(Thread& self, Slot& invoked, InvocationArgs args) {
    uint64_t port = args[0], width = args[1], value = args[2];
    TRY(check_port(self, invoked.cap, port, width));
    if (width < 4 && (value >> (8 * width)))
        return reject(self, Status::InvalidArgument, "value wider than the access");
    if (value >> 32) return reject(self, Status::InvalidArgument, "value wider than the access");
    auto p = static_cast<uint16_t>(port);
    if (width == 1)
        arch::outb(p, static_cast<uint8_t>(value));
    else if (width == 2)
        arch::outw(p, static_cast<uint16_t>(value));
    else
        arch::outl(p, static_cast<uint32_t>(value));
    return 0;
}

} // namespace rayos::syscall
