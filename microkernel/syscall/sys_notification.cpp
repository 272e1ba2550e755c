// Notification system calls: signal, wait, poll.
#include "dispatch.h"
#include "invoke.h"

#include "object/notification.h"

namespace rayos::syscall {
namespace {

struct NotificationCap {
    Notification* object;
    uint64_t badge;
};

Result<NotificationCap> notification_at(Thread& self, uint64_t cptr, uint8_t right) {
    const Capability* cap = TRY(typed_cap(self, cptr, ObjectType::Notification, right));
    return NotificationCap{reinterpret_cast<Notification*>(cap->object), cap->word};
}

} // namespace

Result<uint64_t> sys_signal(Thread& self, Args args) {
    NotificationCap n = TRY(notification_at(self, args[0], abi::rights::kWrite));
    notification::signal(*n.object, n.badge);
    return 0;
}

Result<uint64_t> sys_wait(Thread& self, Args args) {
    NotificationCap n = TRY(notification_at(self, args[0], abi::rights::kRead));
    notification::wait(self, *n.object, true);
    return 0;
}

Result<uint64_t> sys_poll(Thread& self, Args args) {
    NotificationCap n = TRY(notification_at(self, args[0], abi::rights::kRead));
    if (notification::wait(self, *n.object, false)) return 1;
    self.frame.rdi = 0;
    return 0;
}

} // namespace rayos::syscall
