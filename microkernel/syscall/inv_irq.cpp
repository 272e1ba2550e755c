// IRQControl and IRQHandler invocations: who handles an interrupt line, and
// through which notification.
#include "dispatch.h"
#include "invoke.h"

#include "cap/cspace.h"
#include "object/irq.h"

namespace rayos::syscall {

Result<uint64_t> inv_irq_control_get(Thread& self, Slot& invoked, InvocationArgs args) {
    uint64_t line = args[0];
    if (!irq::is_user_line(line))
        return reject(self, Status::InvalidArgument, "no such IRQ line, or the kernel's own");
    if (self.cspace_root.empty()) return reject(self, Status::LookupFailed, "no CSpace");
    auto dest = cspace::lookup_slot(self.cspace_root.cap, args[1], 64);
    if (!dest) return reject(self, dest.error(), "destination does not resolve");
    if (!dest.value()->empty())
        return reject(self, Status::SlotOccupied, "destination slot is not empty");
    if (irq::has_handler(static_cast<uint8_t>(line)))
        return reject(self, Status::Busy, "this IRQ line already has a handler");
    irq::create_handler(static_cast<uint8_t>(line));
    Capability cap;
    cap.type = ObjectType::IrqHandler;
    cap.rights = abi::rights::kAll;
    cap.object = line;
    cdt::insert(&invoked, *dest.value(), cap);
    return 0;
}

Result<uint64_t> inv_irq_handler_set_notification(Thread& self, Slot& invoked,
                                                  InvocationArgs args) {
    auto line = static_cast<uint8_t>(invoked.cap.object);
    if (args[0] == 0) {
        irq::bind(line, nullptr, 0);
        return 0;
    }
    const Capability* cap =
        TRY(typed_cap(self, args[0], ObjectType::Notification, abi::rights::kWrite));
    irq::bind(line, reinterpret_cast<Notification*>(cap->object), cap->word);
    return 0;
}

Result<uint64_t> inv_irq_handler_ack(Thread&, Slot& invoked, InvocationArgs) {
    irq::ack(static_cast<uint8_t>(invoked.cap.object));
    return 0;
}

} // namespace rayos::syscall
