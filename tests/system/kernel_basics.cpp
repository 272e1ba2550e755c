// System test: the bootstrap kernel ABI, user-mode faults, the timer,
// preemption and per-thread SSE state. Runs as init under
// tests/harness (see tests/system/system.cmake for how it is booted).
#include "framework/guest_test.h"

#include <rayos/runtime.h>
#include <rayos/syscall.h>

using namespace rayos;
using abi::Status;

namespace {

constexpr uint64_t kKernelText = 0xFFFFFFFF80100000ull; // the kernel image
constexpr uint64_t kPhysmap = 0xFFFF800000000000ull;    // the kernel's direct map
using sys::kSyscallCount;

Status status_of(int64_t result) {
    return sys::status(result);
}

// A pointer the compiler cannot see through, for deliberate bad accesses.
template <typename T> volatile T* opaque_pointer(uint64_t address) {
    static volatile uint64_t hidden;
    hidden = address;
    return reinterpret_cast<volatile T*>(hidden);
}

uint64_t rdtsc() {
    uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t(hi) << 32) | lo;
}

// Under instruction counting one timer tick (100 Hz) is 10 million
// instructions; budgets are generous multiples of that.
constexpr uint64_t kTickBudget = 400'000'000;

// Runs `fn` in a fresh thread and returns how that thread stopped.
abi::ThreadStopInfo run_in_thread(Thread::Function fn, void* arg = nullptr) {
    abi::ThreadStopInfo info{};
    int64_t id = Thread::spawn(fn, arg);
    if (id < 0) {
        info.code = id;
        return info;
    }
    if (Thread::join(static_cast<uint64_t>(id), info) != 0) info.code = -1000;
    return info;
}

bool constructor_ran = false;
struct SetFlagAtStartup {
    SetFlagAtStartup() { constructor_ran = true; }
} set_flag_at_startup;

} // namespace

// --- runtime start-up -------------------------------------------------------

RAYOS_TEST("runtime.runs_in_ring3") {
    uint16_t cs;
    asm volatile("mov %%cs, %0" : "=r"(cs));
    CHECK_EQ(cs & 3, 3);
}

RAYOS_TEST("runtime.entry_stack_aligned") {
    CHECK_EQ(start_info().rsp % 16, 0u);
}

RAYOS_TEST("runtime.thread_block_and_canary") {
    abi::ThreadBlock* block = thread_block();
    uint64_t self, canary;
    asm volatile("mov %%fs:0, %0" : "=r"(self));
    asm volatile("mov %%fs:0x28, %0" : "=r"(canary));
    CHECK_EQ(self, reinterpret_cast<uint64_t>(block));
    CHECK(canary != 0);
    CHECK_EQ(canary & 0xFF, 0u); // a string overflow cannot forge it
    CHECK_EQ(block->stack_guard, canary);
}

RAYOS_TEST("runtime.static_constructors_ran") {
    CHECK(constructor_ran);
}

// --- system call entry and validation ---------------------------------------

RAYOS_TEST("syscall.null_returns_zero") {
    for (int i = 0; i < 100; ++i)
        CHECK_EQ(sys::null(), 0);
}

RAYOS_TEST("syscall.preserves_registers") {
    // Everything but rax, rcx and r11 survives a system call.
    uint64_t in[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, out[12] = {};
    uint64_t* in_pointer = in;
    uint64_t* out_pointer = out;
    asm volatile("push %%rbp\n"
                 "push %%rcx\n"
                 "mov 0(%%rax), %%rbx; mov 8(%%rax), %%rdx; mov 16(%%rax), %%rsi\n"
                 "mov 24(%%rax), %%rdi; mov 32(%%rax), %%r8; mov 40(%%rax), %%r9\n"
                 "mov 48(%%rax), %%r10; mov 56(%%rax), %%r12; mov 64(%%rax), %%r13\n"
                 "mov 72(%%rax), %%r14; mov 80(%%rax), %%r15; mov 88(%%rax), %%rbp\n"
                 "xor %%eax, %%eax\n"
                 "syscall\n"
                 "pop %%rax\n"
                 "mov %%rbx, 0(%%rax); mov %%rdx, 8(%%rax); mov %%rsi, 16(%%rax)\n"
                 "mov %%rdi, 24(%%rax); mov %%r8, 32(%%rax); mov %%r9, 40(%%rax)\n"
                 "mov %%r10, 48(%%rax); mov %%r12, 56(%%rax); mov %%r13, 64(%%rax)\n"
                 "mov %%r14, 72(%%rax); mov %%r15, 80(%%rax); mov %%rbp, 88(%%rax)\n"
                 "pop %%rbp\n"
                 : "+a"(in_pointer), "+c"(out_pointer)
                 :
                 : "rbx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
                   "memory");
    for (int i = 0; i < 12; ++i)
        CHECK_EQ(out[i], in[i]);
}

RAYOS_TEST("syscall.unknown_number_rejected") {
    CHECK(status_of(sys::raw(kSyscallCount)) == Status::InvalidSyscall);
    CHECK(status_of(sys::raw(1000)) == Status::InvalidSyscall);
    CHECK(status_of(sys::raw(~0ull)) == Status::InvalidSyscall);
    CHECK(status_of(sys::raw(1ull << 63)) == Status::InvalidSyscall);
}

RAYOS_TEST("syscall.debug_write_valid") {
    const char text[] = "(debug_write test line)\n";
    CHECK_EQ(sys::debug_write(text, sizeof(text) - 1), int64_t(sizeof(text) - 1));
    CHECK_EQ(sys::debug_write(text, 0), 0);
}

RAYOS_TEST("syscall.debug_write_kernel_pointer_rejected") {
    CHECK(status_of(sys::debug_write(reinterpret_cast<const char*>(kKernelText), 16)) ==
          Status::BadAddress);
    CHECK(status_of(sys::debug_write(reinterpret_cast<const char*>(kPhysmap), 16)) ==
          Status::BadAddress);
    CHECK(status_of(sys::debug_write(reinterpret_cast<const char*>(~0ull - 15), 16)) ==
          Status::BadAddress);
}

RAYOS_TEST("syscall.debug_write_noncanonical_rejected") {
    CHECK(status_of(sys::debug_write(reinterpret_cast<const char*>(abi::kUserTop), 1)) ==
          Status::BadAddress);
    CHECK(status_of(sys::debug_write(reinterpret_cast<const char*>(0x1234567812345678), 1)) ==
          Status::BadAddress);
}

RAYOS_TEST("syscall.debug_write_unmapped_rejected") {
    CHECK(status_of(sys::debug_write(nullptr, 1)) == Status::BadAddress);
    CHECK(status_of(sys::debug_write(reinterpret_cast<const char*>(0x10), 1)) ==
          Status::BadAddress);
    CHECK(status_of(sys::debug_write(reinterpret_cast<const char*>(0x7F0000000000), 1)) ==
          Status::BadAddress);
    // A range that starts mapped and runs into the end of the user half.
    CHECK(status_of(sys::debug_write(reinterpret_cast<const char*>(abi::kUserTop - 8), 16)) ==
          Status::BadAddress);
}

RAYOS_TEST("syscall.debug_write_length_checked") {
    static char big[8192];
    CHECK(status_of(sys::debug_write(big, 4097)) == Status::InvalidArgument);
    CHECK(status_of(sys::debug_write(big, ~0ull)) == Status::InvalidArgument);
}

RAYOS_TEST("syscall.halt_unknown_reason_rejected") {
    CHECK(status_of(sys::system_halt(2)) == Status::InvalidArgument);
    CHECK(status_of(sys::system_halt(~0ull)) == Status::InvalidArgument);
}

RAYOS_TEST("syscall.spawn_bad_arguments_rejected") {
    static char stack[4096] __attribute__((aligned(16)));
    auto top = reinterpret_cast<uint64_t>(stack + sizeof(stack));
    auto entry = reinterpret_cast<uint64_t>(&rdtsc);
    CHECK(status_of(sys::thread_spawn(kKernelText, top, 0, 0)) == Status::BadAddress);
    CHECK(status_of(sys::thread_spawn(0, top, 0, 0)) == Status::BadAddress);
    CHECK(status_of(sys::thread_spawn(entry, top - 8, 0, 0)) == Status::BadAddress);
    CHECK(status_of(sys::thread_spawn(entry, kPhysmap, 0, 0)) == Status::BadAddress);
    CHECK(status_of(sys::thread_spawn(entry, 0, 0, 0)) == Status::BadAddress);
    CHECK(status_of(sys::thread_spawn(entry, top, 0, kKernelText)) == Status::BadAddress);
}

RAYOS_TEST("syscall.join_bad_arguments_rejected") {
    abi::ThreadStopInfo info{};
    CHECK(status_of(sys::thread_join(0x12345, &info)) == Status::NotFound);
    CHECK(status_of(sys::thread_join(thread_block()->thread_id, &info)) == Status::Deadlock);
    // A kernel pointer for the result is rejected and changes nothing: the
    // thread can still be joined properly afterwards.
    int64_t id = Thread::spawn([](void*) { exit_thread(7); }, nullptr);
    CHECK(id > 0);
    auto* kernel = reinterpret_cast<abi::ThreadStopInfo*>(kKernelText);
    CHECK(status_of(sys::thread_join(uint64_t(id), kernel)) == Status::BadAddress);
    CHECK(status_of(sys::thread_join(uint64_t(id), nullptr)) == Status::BadAddress);
    CHECK_EQ(Thread::join(uint64_t(id), info), 0);
    CHECK(info.kind == abi::StopKind::Exited);
    CHECK_EQ(info.code, 7);
    // The id is gone now; it must not name anything.
    CHECK(status_of(sys::thread_join(uint64_t(id), &info)) == Status::NotFound);
}

RAYOS_TEST("syscall.garbage_arguments_survived") {
    // Deterministic pseudo-random arguments to every call that returns.
    uint64_t x = 0x9E3779B97F4A7C15ull;
    auto next = [&x] {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return x;
    };
    const uint64_t numbers[] = {0, 1, 4, 5, 6};
    for (int i = 0; i < 2000; ++i) {
        uint64_t n = numbers[next() % 5];
        int64_t r = sys::raw(n, next(), next() % 8192, next(), next(), next(), next());
        CHECK(r >= 0 || status_of(r) == Status::BadAddress || status_of(r) == Status::NotFound ||
              status_of(r) == Status::InvalidArgument);
    }
    CHECK_EQ(sys::null(), 0);
}

// --- threads -----------------------------------------------------------------

RAYOS_TEST("thread.exit_code_reported") {
    auto info = run_in_thread([](void*) { exit_thread(42); });
    CHECK(info.kind == abi::StopKind::Exited);
    CHECK_EQ(info.code, 42);
}

RAYOS_TEST("thread.argument_passed") {
    static uint64_t seen = 0;
    auto info = run_in_thread([](void* arg) { seen = reinterpret_cast<uint64_t>(arg); },
                              reinterpret_cast<void*>(0xABCDEF));
    CHECK(info.kind == abi::StopKind::Exited);
    CHECK_EQ(seen, 0xABCDEFu);
}

RAYOS_TEST("thread.join_after_stop") {
    static volatile bool done = false;
    done = false;
    int64_t id = Thread::spawn([](void*) { done = true; }, nullptr);
    CHECK(id > 0);
    uint64_t deadline = rdtsc() + kTickBudget;
    while (!done && rdtsc() < deadline)
        sys::yield();
    CHECK(done);
    abi::ThreadStopInfo info{};
    CHECK_EQ(Thread::join(uint64_t(id), info), 0);
    CHECK(info.kind == abi::StopKind::Exited);
}

// --- user-mode faults stop the thread, never the kernel ----------------------

RAYOS_TEST("fault.null_write_is_page_fault") {
    auto info = run_in_thread([](void*) { *opaque_pointer<int>(0x10) = 1; });
    CHECK(info.kind == abi::StopKind::Faulted);
    CHECK_EQ(info.vector, 14u);
    CHECK_EQ(info.fault_address, 0x10u);
    CHECK_EQ(info.error_code, 0x6u); // not present, write, user
}

RAYOS_TEST("fault.kernel_memory_read_is_page_fault") {
    auto info = run_in_thread([](void*) { (void)*opaque_pointer<uint64_t>(kPhysmap + 0x100000); });
    CHECK(info.kind == abi::StopKind::Faulted);
    CHECK_EQ(info.vector, 14u);
    CHECK_EQ(info.fault_address, kPhysmap + 0x100000);
    CHECK_EQ(info.error_code, 0x5u); // protection violation, read, user
}

RAYOS_TEST("fault.write_to_code_is_page_fault") {
    static uint64_t target;
    target = reinterpret_cast<uint64_t>(&rdtsc);
    auto info = run_in_thread([](void*) { *opaque_pointer<uint8_t>(target) = 0xC3; });
    CHECK(info.kind == abi::StopKind::Faulted);
    CHECK_EQ(info.vector, 14u);
    CHECK_EQ(info.fault_address, target);
    CHECK_EQ(info.error_code, 0x7u); // protection violation, write, user
}

RAYOS_TEST("fault.execute_data_is_page_fault") {
    static uint8_t code[16] = {0xC3}; // ret, in a no-execute data page
    auto info = run_in_thread([](void*) { reinterpret_cast<void (*)()>(code)(); });
    CHECK(info.kind == abi::StopKind::Faulted);
    CHECK_EQ(info.vector, 14u);
    CHECK_EQ(info.fault_address, reinterpret_cast<uint64_t>(code));
    CHECK_EQ(info.error_code & 0x10, 0x10u); // instruction fetch
}

RAYOS_TEST("fault.invalid_opcode") {
    auto info = run_in_thread([](void*) { asm volatile("ud2"); });
    CHECK(info.kind == abi::StopKind::Faulted);
    CHECK_EQ(info.vector, 6u);
}

RAYOS_TEST("fault.divide_error") {
    auto info = run_in_thread([](void*) {
        asm volatile("xor %%edx, %%edx; xor %%ecx, %%ecx; mov $1, %%eax; div %%ecx" ::
                         : "rax", "rcx", "rdx");
    });
    CHECK(info.kind == abi::StopKind::Faulted);
    CHECK_EQ(info.vector, 0u);
}

RAYOS_TEST("fault.privileged_instruction_is_gp") {
    auto info = run_in_thread([](void*) { asm volatile("hlt"); });
    CHECK(info.kind == abi::StopKind::Faulted);
    CHECK_EQ(info.vector, 13u);
}

RAYOS_TEST("fault.software_interrupt_is_gp") {
    // Gates other than #BP have DPL 0: `int $0x80` from ring 3 is a #GP
    // whose error code names an IDT entry (bit 1).
    auto info = run_in_thread([](void*) { asm volatile("int $0x80"); });
    CHECK(info.kind == abi::StopKind::Faulted);
    CHECK_EQ(info.vector, 13u);
    CHECK_EQ(info.error_code & 3, 2u);
}

RAYOS_TEST("fault.breakpoint") {
    // int3 is allowed from ring 3 (its gate has DPL 3) and reports #BP.
    auto info = run_in_thread([](void*) { asm volatile("int3"); });
    CHECK(info.kind == abi::StopKind::Faulted);
    CHECK_EQ(info.vector, 3u);
}

RAYOS_TEST("fault.kernel_still_serves_after_faults") {
    CHECK_EQ(sys::null(), 0);
    auto info = run_in_thread([](void*) { exit_thread(1); });
    CHECK(info.kind == abi::StopKind::Exited);
}

// --- timer, scheduling, FPU --------------------------------------------------

RAYOS_TEST("timer.ticks_advance") {
    int64_t start = sys::clock_ticks();
    CHECK(start >= 0);
    uint64_t deadline = rdtsc() + kTickBudget;
    while (sys::clock_ticks() < start + 3 && rdtsc() < deadline) {
    }
    CHECK(sys::clock_ticks() >= start + 3);
}

RAYOS_TEST("sched.preemption_shares_the_cpu") {
    // The spinner never yields and neither do we: if the timer did not
    // preempt, one of us would never see the other run.
    static volatile uint64_t spins = 0;
    static volatile bool stop = false;
    spins = 0;
    stop = false;
    int64_t id = Thread::spawn(
        [](void*) {
            while (!stop)
                spins = spins + 1;
        },
        nullptr);
    CHECK(id > 0);
    uint64_t deadline = rdtsc() + kTickBudget;
    while (spins == 0 && rdtsc() < deadline) {
    }
    uint64_t seen = spins;
    stop = true;
    abi::ThreadStopInfo info{};
    CHECK_EQ(Thread::join(uint64_t(id), info), 0);
    CHECK(seen > 0);
}

RAYOS_TEST("sched.yield_runs_other_thread") {
    static volatile bool ran = false;
    ran = false;
    int64_t id = Thread::spawn([](void*) { ran = true; }, nullptr);
    CHECK(id > 0);
    for (int i = 0; i < 100 && !ran; ++i)
        sys::yield();
    CHECK(ran);
    abi::ThreadStopInfo info{};
    CHECK_EQ(Thread::join(uint64_t(id), info), 0);
}

namespace {
struct SseWork {
    uint64_t seed;
    uint64_t in[32];
    uint64_t out[32];
};

// Loads xmm0-15, spins across several timer ticks (so other threads run
// and use the same registers), then stores xmm0-15.
void sse_hold(void* arg) {
    auto* work = static_cast<SseWork*>(arg);
    for (int i = 0; i < 32; ++i)
        work->in[i] = work->seed * (i + 1) + i;
    uint64_t until = rdtsc() + 60'000'000; // six ticks
    asm volatile("movdqu 0(%0), %%xmm0; movdqu 16(%0), %%xmm1; movdqu 32(%0), %%xmm2\n"
                 "movdqu 48(%0), %%xmm3; movdqu 64(%0), %%xmm4; movdqu 80(%0), %%xmm5\n"
                 "movdqu 96(%0), %%xmm6; movdqu 112(%0), %%xmm7; movdqu 128(%0), %%xmm8\n"
                 "movdqu 144(%0), %%xmm9; movdqu 160(%0), %%xmm10; movdqu 176(%0), %%xmm11\n"
                 "movdqu 192(%0), %%xmm12; movdqu 208(%0), %%xmm13; movdqu 224(%0), %%xmm14\n"
                 "movdqu 240(%0), %%xmm15\n"
                 "1: rdtsc; shl $32, %%rdx; or %%rdx, %%rax; cmp %2, %%rax; jb 1b\n"
                 "movdqu %%xmm0, 0(%1); movdqu %%xmm1, 16(%1); movdqu %%xmm2, 32(%1)\n"
                 "movdqu %%xmm3, 48(%1); movdqu %%xmm4, 64(%1); movdqu %%xmm5, 80(%1)\n"
                 "movdqu %%xmm6, 96(%1); movdqu %%xmm7, 112(%1); movdqu %%xmm8, 128(%1)\n"
                 "movdqu %%xmm9, 144(%1); movdqu %%xmm10, 160(%1); movdqu %%xmm11, 176(%1)\n"
                 "movdqu %%xmm12, 192(%1); movdqu %%xmm13, 208(%1); movdqu %%xmm14, 224(%1)\n"
                 "movdqu %%xmm15, 240(%1)\n"
                 :
                 : "r"(work->in), "r"(work->out), "r"(until)
                 : "rax", "rdx", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
                   "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}
} // namespace

RAYOS_TEST("fpu.sse_registers_are_per_thread") {
    static SseWork a{0x1111111111111111ull, {}, {}}, b{0x2222222222222222ull, {}, {}};
    int64_t ta = Thread::spawn(sse_hold, &a);
    int64_t tb = Thread::spawn(sse_hold, &b);
    CHECK(ta > 0);
    CHECK(tb > 0);
    int64_t before = sys::clock_ticks();
    abi::ThreadStopInfo info{};
    CHECK_EQ(Thread::join(uint64_t(ta), info), 0);
    CHECK(info.kind == abi::StopKind::Exited);
    CHECK_EQ(Thread::join(uint64_t(tb), info), 0);
    CHECK(info.kind == abi::StopKind::Exited);
    CHECK(sys::clock_ticks() - before >= 4); // they really were preempted in between
    for (int i = 0; i < 32; ++i) {
        CHECK_EQ(a.out[i], a.in[i]);
        CHECK_EQ(b.out[i], b.in[i]);
    }
}
