// Kernel benchmarks, run as init under QEMU's deterministic instruction
// counting (tests/bench/run_bench.py): there the time-stamp counter
// advances by exactly one per guest instruction, so every figure is a count
// of instructions, identical on every run and every machine.
//
// Output, one line per benchmark, parsed by the host:
//   BENCH name=<name> unit=instructions median=<n> min=<n> iterations=<n>
#include <rayos/invoke.h>
#include <rayos/ipc.h>
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

inline uint64_t rdtsc_now() {
    uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi)::"memory");
    return (uint64_t(hi) << 32) | lo;
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

// --- IPC ---------------------------------------------------------------------

uint64_t next_slot = 0;
uint64_t make_object(rayos::abi::ObjectType type) {
    const auto& boot = *rayos::start_info().boot_info;
    if (next_slot == 0) next_slot = boot.first_free_slot;
    uint64_t slot = next_slot++;
    int64_t r = rayos::inv::untyped_retype(boot.untyped_first, uint64_t(type), 0,
                                           rayos::abi::kInitSlotCNode, slot, 1);
    return r == 1 ? slot : 0;
}

struct EchoServer {
    uint64_t endpoint;
    uint64_t reply;
};

// Replies to every call with the message it got.
void echo_server(void* arg) {
    auto* s = static_cast<EchoServer*>(arg);
    rayos::Message m;
    if (rayos::ipc::recv(s->endpoint, s->reply, m) != 0) return;
    for (;;)
        if (rayos::ipc::reply_recv(s->endpoint, s->reply, m) != 0) return;
}

uint64_t call_sample(uint64_t endpoint, uint64_t words) {
    rayos::Message m{rayos::abi::MessageInfo::make(1, words), {1, 2, 3, 4}};
    uint64_t start = rdtsc_now();
    rayos::ipc::call(endpoint, m);
    return rdtsc_now() - start;
}

void bench_call_reply(const char* name, uint64_t words, uint64_t overhead) {
    static EchoServer server;
    server.endpoint = make_object(rayos::abi::ObjectType::Endpoint);
    server.reply = make_object(rayos::abi::ObjectType::Reply);
    rayos::Thread::spawn(echo_server, &server);
    for (int i = 0; i < 100; ++i)
        call_sample(server.endpoint, words); // warm up
    for (int i = 0; i < kSamples; ++i)
        samples[i] = call_sample(server.endpoint, words) - overhead;
    report(name, samples, kSamples);
}

// --- scheduler -----------------------------------------------------------------

void yield_forever(void*) {
    for (;;)
        rayos::sys::yield();
}

// One yield from here to the other thread and its yield back, halved: the
// cost of one switch between two threads of equal priority.
void bench_yield(uint64_t overhead) {
    rayos::Thread::spawn(yield_forever, nullptr);
    for (int i = 0; i < 100; ++i)
        rayos::sys::yield();
    for (int i = 0; i < kSamples; ++i) {
        uint64_t start = rdtsc_now();
        rayos::sys::yield();
        samples[i] = (rdtsc_now() - start - overhead) / 2;
    }
    report("sched.yield_switch", samples, kSamples);
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

    uint64_t pair = ~0ull;
    for (int i = 0; i < 100; ++i) {
        uint64_t start = rdtsc_now();
        uint64_t e = rdtsc_now() - start;
        if (e < pair) pair = e;
    }
    bench_call_reply("ipc.call_reply.same_as", 0, pair);
    bench_call_reply("ipc.call_reply.words4", 4, pair);
    bench_yield(pair);

    rayos::halt(rayos::abi::HaltReason::Success);
}
