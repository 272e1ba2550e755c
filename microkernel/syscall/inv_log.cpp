// Log invocations: reading what the kernel console printed recently.
#include "dispatch.h"
#include "invoke.h"

#include "kernel/config.h"
#include "kernel/log.h"
#include "mm/user_memory.h"

namespace rayos::syscall {

Result<uint64_t> inv_log_read(Thread& self, Slot&, InvocationArgs args) {
    uint64_t buffer = args[0], length = args[1];
    if (length > config::kLogRingBytes) length = config::kLogRingBytes;
    static char copy[config::kLogRingBytes]; // (one CPU, no kernel preemption)
    size_t n = log_recent(copy, length);
    if (!copy_to_user(*self.space, buffer, copy, n))
        return reject(self, Status::BadAddress, "buffer is not writable user memory");
    return n;
}

} // namespace rayos::syscall
