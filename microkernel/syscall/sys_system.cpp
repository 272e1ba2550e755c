// system_halt: power the machine off. In the bootstrap ABI any thread may
// do this; the capability ABI restricts it to holders of a power capability.
#include "dispatch.h"

#include "arch/x86_64/power.h"
#include "kernel/log.h"

#include <rayos/abi/abi.h>

namespace rayos::syscall {

Result<uint64_t> sys_system_halt(Thread& self, Args args) {
    auto reason = static_cast<abi::HaltReason>(args[0]);
    if (reason != abi::HaltReason::Success && reason != abi::HaltReason::Failure)
        return reject(self, Status::InvalidArgument, "unknown halt reason");
    bool success = reason == abi::HaltReason::Success;
    kprintf("kernel: system halt requested by '%s' (%s); powering off.\n", self.name,
            success ? "success" : "failure");
    arch::power_off(success ? abi::kQemuExitSuccess : abi::kQemuExitFailure);
}

} // namespace rayos::syscall
