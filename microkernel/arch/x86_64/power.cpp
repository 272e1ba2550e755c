#include "power.h"

#include "cpu.h"

namespace rayos::arch {

void power_off(uint32_t qemu_exit_code) {
    disable_interrupts();
    outb(0xF4, static_cast<uint8_t>(qemu_exit_code)); // isa-debug-exit
    outw(0x604, 0x2000); // QEMU PIIX4 ACPI PM1a control: SLP_TYP=S5 | SLP_EN
    halt_forever();
}

} // namespace rayos::arch
