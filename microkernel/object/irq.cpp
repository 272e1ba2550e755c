#include "irq.h"

#include "arch/x86_64/pic.h"

namespace rayos::irq {
namespace {

struct Line {
    bool has_handler;
    Notification* notification;
    uint64_t badge;
};
Line lines[kLines];

} // namespace

bool is_user_line(uint64_t irq) {
    return irq < kLines && irq != 0 && irq != 2;
}
bool has_handler(uint8_t irq) {
    return lines[irq].has_handler;
}

void create_handler(uint8_t irq) {
    lines[irq] = Line{true, nullptr, 0};
}

void destroy_handler(uint8_t irq) {
    arch::pic_mask(irq);
    lines[irq] = Line{};
}

void bind(uint8_t irq, Notification* notification, uint64_t badge) {
    lines[irq].notification = notification;
    lines[irq].badge = badge;
    if (notification)
        arch::pic_unmask(irq);
    else
        arch::pic_mask(irq);
}

void ack(uint8_t irq) {
    if (lines[irq].notification) arch::pic_unmask(irq);
}

bool deliver(uint8_t irq) {
    arch::pic_mask(irq);
    if (irq >= kLines || !lines[irq].notification) return false;
    notification::signal(*lines[irq].notification, lines[irq].badge);
    return true;
}

// A notification that goes away stops receiving interrupts.
void forget_notification(Notification* notification) {
    for (uint8_t i = 0; i < kLines; ++i)
        if (lines[i].notification == notification) bind(i, nullptr, 0);
}

} // namespace rayos::irq
