// Interrupt delivery to userspace: which notification each legacy IRQ line
// signals. A line has at most one handler (one IrqHandler object, made by
// IrqControl); from an interrupt until the handler's ack the line stays
// masked, so a device cannot flood the kernel.
#pragma once

#include "object/notification.h"
#include "result.h"

#include <cstdint>

namespace rayos::irq {

constexpr uint8_t kLines = 16;

// May userspace own this line? (0 = kernel timer, 2 = PIC cascade: no.)
bool is_user_line(uint64_t irq);
bool has_handler(uint8_t irq);
void create_handler(uint8_t irq);
void destroy_handler(uint8_t irq);                                  // unbinds and masks
void bind(uint8_t irq, Notification* notification, uint64_t badge); // and unmasks
void ack(uint8_t irq);
// From the interrupt path: signal the bound notification and mask the line.
// Returns false if nobody handles it (the line is masked then, too).
bool deliver(uint8_t irq);
// A notification that is destroyed stops receiving interrupts.
void forget_notification(Notification* notification);

} // namespace rayos::irq
