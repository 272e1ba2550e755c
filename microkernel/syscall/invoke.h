// Kernel object invocations (the `invoke` system call): the capability
// address in rdi is looked up in the caller's CSpace, the label in rsi picks
// the operation from rayos/abi/invocations.def, which must belong to the
// capability's object type. Each handler decodes and validates its arguments
// before changing anything.
#pragma once

#include "arch/x86_64/trap_frame.h"
#include "cap/slot.h"
#include "object/thread.h"
#include "result.h"

#include <cstdint>

namespace rayos::syscall {

// Invocation arguments: rdx, r10, r8, r9, r12, r13 of the caller.
class InvocationArgs {
public:
    explicit InvocationArgs(const arch::TrapFrame& frame) : frame_(frame) {}
    uint64_t operator[](int index) const {
        switch (index) {
        case 0:
            return frame_.rdx;
        case 1:
            return frame_.r10;
        case 2:
            return frame_.r8;
        case 3:
            return frame_.r9;
        case 4:
            return frame_.r12;
        default:
            return frame_.r13;
        }
    }

private:
    const arch::TrapFrame& frame_;
};

// One handler per entry of invocations.def: `invoked` is the slot of the
// capability named by rdi (its type already checked).
#define RAYOS_INVOCATION(label, type, name, params, arg_names)                                     \
    Result<uint64_t> inv_##name(Thread& self, Slot& invoked, InvocationArgs args);
#include <rayos/abi/invocations.def>
#undef RAYOS_INVOCATION

// Looks up a slot in `self`'s CSpace (full-depth capability address).
Result<Slot*> lookup_in_cspace(Thread& self, uint64_t cptr);

// The capability at `cptr` if it has `type` and `rights`; rejects (with the
// reason) otherwise.
Result<const Capability*> typed_cap(Thread& self, uint64_t cptr, ObjectType type, uint8_t rights);

} // namespace rayos::syscall
