// Notification invocations: the one-shot timer.
#include "dispatch.h"
#include "invoke.h"

#include "kernel/config.h"
#include "kernel/scheduler.h"
#include "object/notification.h"

namespace rayos::syscall {

Result<uint64_t> inv_notification_set_timer(Thread& self, Slot& invoked, InvocationArgs args) {
    Capability& cap = invoked.cap;
    if (!cap.has_rights(abi::rights::kWrite))
        return reject(self, Status::MissingRights, "notification capability cannot signal");
    if (args[0] > config::kMaxTimerTicks)
        return reject(self, Status::InvalidArgument, "timer longer than kMaxTimerTicks");
    auto& n = *reinterpret_cast<Notification*>(cap.object);
    if (args[0] == 0)
        notification::disarm(n);
    else
        notification::arm(n, sched::ticks() + args[0], args[1]);
    return 0;
}

} // namespace rayos::syscall
