// Program start-up and exit: runs static constructors, calls main, ends the
// thread with main's result.
#include <rayos/runtime.h>
#include <rayos/syscall.h>

extern "C" {
uint64_t __rayos_entry_tsc;
uint64_t __rayos_entry_rsp;
extern void (*__init_array_start[])();
extern void (*__init_array_end[])();
}

namespace rayos {
namespace {
StartInfo info;
}

const StartInfo& start_info() {
    return info;
}

abi::ThreadBlock* thread_block() {
    abi::ThreadBlock* block;
    asm("mov %%fs:0, %0" : "=r"(block));
    return block;
}

void exit_thread(int64_t code) {
    sys::thread_exit(code);
    __builtin_trap(); // thread_exit does not return
}

void halt(abi::HaltReason reason) {
    sys::system_halt(static_cast<uint64_t>(reason));
    __builtin_trap();
}

} // namespace rayos

extern "C" [[noreturn]] void __rayos_start(const char* args, const rayos::abi::BootInfo* boot) {
    if (boot && boot->magic != rayos::abi::kBootInfoMagic) boot = nullptr;
    rayos::info = {__rayos_entry_tsc, __rayos_entry_rsp, args, boot};
    for (auto* constructor = __init_array_start; constructor != __init_array_end; ++constructor)
        (*constructor)();
    rayos::exit_thread(main(args));
}

extern "C" [[noreturn]] void __stack_chk_fail() {
    rayos::print("stack smashing detected: thread %lu stopped\n", rayos::thread_block()->thread_id);
    __builtin_trap();
}

extern "C" void __cxa_pure_virtual() {
    __builtin_trap();
}
