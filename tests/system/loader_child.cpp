// A program started by init's loader (tests/system/loader_basics.cpp), not
// by the kernel. It reports what it sees through the endpoint in its slot 1;
// with the argument "crash" it faults instead, with "exit N" it exits with
// code N at once.
#include <rayos/abi/abi.h>
#include <rayos/rpc.h>
#include <rayos/runtime.h>
#include <rayos/syscall.h>

namespace {

bool same(const char* a, const char* b) {
    while (*a && *a == *b) {
        ++a;
        ++b;
    }
    return *a == *b;
}

uint64_t length(const char* s) {
    uint64_t n = 0;
    while (s[n])
        ++n;
    return n;
}

} // namespace

int main(const char* args) {
    rayos::print("child: started with '%s'\n", args);
    if (args[0] == 'e' && args[1] == 'x' && args[2] == 'i' && args[3] == 't' && args[4] == ' ')
        return args[5] - '0';
    if (same(args, "crash")) {
        static volatile uintptr_t nowhere = 0x10;           // (opaque to the compiler)
        *reinterpret_cast<volatile uint64_t*>(nowhere) = 1; // a page fault: init hears of it
    }
    const rayos::StartInfo& info = rayos::start_info();
    uint64_t checks = 0;
    if (info.rsp % 16 == 0) checks |= 1;                      // aligned stack
    if (info.boot_info == nullptr) checks |= 2;               // not init
    if (rayos::thread_block()->stack_guard != 0) checks |= 4; // a canary
    if ((rayos::thread_block()->stack_guard & 0xFF) == 0) checks |= 8;
    if (rayos::rpc::ipc_buffer() != nullptr) checks |= 16; // IPC buffer known
    // Slot 2 of its CSpace is empty: it holds only what it was given.
    if (rayos::sys::status(rayos::sys::signal(2)) == rayos::abi::Status::InvalidCapability)
        checks |= 32;
    rayos::sys::send(1, rayos::abi::MessageInfo::make(0, 3), 0x600d, length(args), checks, 0);
    return 0;
}
