#include "fastpath.h"

#include "cap/cspace.h"
#include "kernel/scheduler.h"
#include "object/endpoint.h"

#include <rayos/abi/abi.h>

namespace rayos::syscall {
namespace {

inline const Capability* cap_at(Thread& self, uint64_t cptr, ObjectType type, uint8_t right) {
    Slot* slot = cspace::lookup_cap_single_level(self.cspace_root.cap, cptr);
    if (!slot || slot->cap.type != type || !slot->cap.has_rights(right)) return nullptr;
    return &slot->cap;
}

inline bool message_fits(uint64_t info) {
    return abi::MessageInfo::reserved(info) == 0 &&
           abi::MessageInfo::length(info) <= abi::kMessageRegisters;
}

} // namespace

void fastpath_call(Thread& self, arch::TrapFrame& frame) {
    if (!message_fits(frame.rsi)) return;
    const Capability* ep = cap_at(self, frame.rdi, ObjectType::Endpoint, abi::rights::kWrite);
    if (!ep) return;
    if (Thread* next = ipc::fast_call(self, *reinterpret_cast<Endpoint*>(ep->object), ep->word)) {
        self.counters.ipc++;
        sched::run_now(next);
    }
}

void fastpath_reply_recv(Thread& self, arch::TrapFrame& frame) {
    if (!message_fits(frame.rsi)) return;
    const Capability* ep = cap_at(self, frame.rdi, ObjectType::Endpoint, abi::rights::kRead);
    const Capability* reply = cap_at(self, frame.r12, ObjectType::Reply, 0);
    if (!ep || !reply) return;
    if (Thread* next = ipc::fast_reply_recv(self, *reinterpret_cast<Endpoint*>(ep->object),
                                            *reinterpret_cast<Reply*>(reply->object))) {
        self.counters.ipc++;
        sched::run_now(next);
    }
}

} // namespace rayos::syscall
