// Kernel benchmarks, run as init under QEMU's deterministic instruction
// counting (tests/bench/run_bench.py): there the time-stamp counter
// advances by exactly one per guest instruction, so every figure is a count
// of instructions, identical on every run and every machine.
//
// Output, one line per benchmark, parsed by the host:
//   BENCH name=<name> unit=instructions median=<n> min=<n> iterations=<n>
#include <rayos/runtime.h>
#include <rayos/syscall.h>

namespace {

constexpr int kSamples = 2001;
uint64_t samples[kSamples];

void sort(uint64_t* values, int count) {
    for (int i = 1; i < count; ++i) {
        uint64_t v = values[i];
        int j = i - 1;
        for (; j >= 0 && values[j] > v; --j)
            values[j + 1] = values[j];
        values[j + 1] = v;
    }
}

void report(const char* name, uint64_t* values, int count) {
    sort(values, count);
    rayos::print("BENCH name=%s unit=instructions median=%lu min=%lu iterations=%d\n", name,
                 values[count / 2], values[0], count);
}

// Instructions between two rdtsc reads with nothing in between; subtracted
// from every sample so a sample counts only the measured code.
uint64_t empty_measurement() {
    uint64_t start, end;
    asm volatile("rdtsc; shl $32, %%rdx; or %%rdx, %%rax; mov %%rax, %0\n"
                 "rdtsc; shl $32, %%rdx; or %%rdx, %%rax; mov %%rax, %1\n"
                 : "=r"(start), "=r"(end)::"rax", "rdx");
    return end - start;
}

// One null system call as user code makes it: load the number, `syscall`.
uint64_t null_syscall_sample() {
    uint64_t start, end;
    asm volatile("rdtsc; shl $32, %%rdx; or %%rdx, %%rax; mov %%rax, %0\n"
                 "xor %%eax, %%eax\n"
                 "syscall\n"
                 "rdtsc; shl $32, %%rdx; or %%rdx, %%rax; mov %%rax, %1\n"
                 : "=r"(start), "=r"(end)::"rax", "rcx", "rdx", "r11", "memory");
    return end - start;
}

} // namespace

int main(const char*) {
    uint64_t boot = rayos::start_info().tsc;
    report("boot.to_init", &boot, 1);

    uint64_t overhead = ~0ull;
    for (int i = 0; i < 100; ++i) {
        uint64_t e = empty_measurement();
        if (e < overhead) overhead = e;
    }
    for (int i = 0; i < kSamples; ++i)
        samples[i] = null_syscall_sample() - overhead;
    report("syscall.null", samples, kSamples);

    rayos::halt(rayos::abi::HaltReason::Success);
}
