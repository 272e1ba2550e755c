// debug_write: text from a user program to the kernel console.
#include "dispatch.h"

#include "kernel/config.h"
#include "kernel/log.h"
#include "mm/user_memory.h"

namespace rayos::syscall {

Result<uint64_t> sys_null(Thread&, Args) {
    return 0;
}

Result<uint64_t> sys_debug_write(Thread& self, Args args) {
    uint64_t text = args[0], length = args[1];
    if (length > config::kMaxDebugWrite)
        return reject(self, Status::InvalidArgument, "length exceeds kMaxDebugWrite");
    char buffer[config::kMaxDebugWrite];
    if (!copy_from_user(*self.space, buffer, text, length))
        return reject(self, Status::BadAddress, "text is not readable user memory");
    log_write(buffer, length);
    return length;
}

} // namespace rayos::syscall
