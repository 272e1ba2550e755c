// init: the first user program (root task). For now it proves that user
// mode works — ring 3, aligned stack, thread block with a canary — greets
// the user and powers the machine off. Later it starts and supervises the
// servers.
#include <rayos/runtime.h>
#include <rayos/syscall.h>

int main(const char* args) {
    uint16_t cs;
    asm volatile("mov %%cs, %0" : "=r"(cs));
    const auto& start = rayos::start_info();
    rayos::print("init: hello from user mode (ring %u)\n", cs & 3u);
    rayos::print(
        "init: first instruction at TSC %lu (instructions since reset under ./rayos bench)\n",
        start.tsc);
    rayos::print("init: stack %s, thread block canary %s\n",
                 start.rsp % 16 == 0 ? "16-byte aligned" : "MISALIGNED",
                 rayos::thread_block()->stack_guard ? "set" : "MISSING");
    rayos::print("init: arguments: %s\n", args);
    rayos::print("init: nothing else to run yet; powering off.\n");
    rayos::halt(rayos::abi::HaltReason::Success);
}
