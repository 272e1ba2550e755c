// The userspace runtime every RayOS program links: start-up (stack
// alignment, thread block with the stack-protector canary, static
// constructors), console output, threads, and program exit.
//
// A program defines `int main(const char* args)`; args is its boot-module
// command line ("init.elf args..."). Returning from main ends the thread
// with that code.
#pragma once

#include <rayos/abi/abi.h>
#include <rayos/abi/boot_info.h>

#include <cstddef>
#include <cstdint>

int main(const char* args);

namespace rayos {

// printf-style output to the kernel console (see microkernel/lib/format.h).
void print(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void write(const char* text, size_t length);

// Ends the calling thread.
[[noreturn]] void exit_thread(int64_t code);
// Powers the machine off (bootstrap ABI: only init should do this).
[[noreturn]] void halt(abi::HaltReason reason);

// The calling thread's block (FS base).
abi::ThreadBlock* thread_block();

// What the runtime observed at program entry (for tests and benchmarks).
struct StartInfo {
    uint64_t tsc;     // rdtsc at the program's first instruction
    uint64_t rsp;     // stack pointer at entry (must be 16-byte aligned)
    const char* args; // command line
    // What the kernel told the first program (init) about its capabilities;
    // nullptr for programs started otherwise.
    const abi::BootInfo* boot_info;
};
const StartInfo& start_info();

// Threads in the caller's address space, on runtime-managed stacks.
class Thread {
public:
    using Function = void (*)(void* arg);
    static constexpr size_t kMaxThreads = 16;
    static constexpr size_t kStackSize = 16 * 1024;

    // Starts fn(arg) on a new thread; returns its id, or a negative status.
    static int64_t spawn(Function fn, void* arg);
    // Waits for thread `id`; fills `info`. Returns 0 or a negative status.
    static int64_t join(uint64_t id, abi::ThreadStopInfo& info);
};

} // namespace rayos
