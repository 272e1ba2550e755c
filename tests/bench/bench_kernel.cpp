// Kernel benchmarks, run as init under QEMU's deterministic instruction
// counting (tests/bench/run_bench.py): there the time-stamp counter
// advances by exactly one per guest instruction, so every figure is a count
// of instructions, identical on every run and every machine.
//
// Output, one line per benchmark, parsed by the host:
//   BENCH name=<name> unit=instructions median=<n> min=<n> iterations=<n>
#include "bench_report.h"
#include "framework/caps.h"
#include "framework/echo_server.h"
#include "framework/tcb_thread.h"

#include <rayos/invoke.h>
#include <rayos/ipc.h>
#include <rayos/rpc.h>
#include <rayos/runtime.h>
#include <rayos/syscall.h>

namespace {

constexpr int kSamples = 2001;
uint64_t samples[kSamples];

using rayos::bench::report;

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

using rayos::test::make_object;

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

// The same with the server in another address space (a private copy of
// this program): every call and reply switches page tables.
void echo_server_thread(void* arg) {
    echo_server(arg);
    rayos::exit_thread(0);
}

void bench_call_reply_cross_as(uint64_t overhead) {
    static EchoServer server;
    server.endpoint = make_object(rayos::abi::ObjectType::Endpoint);
    server.reply = make_object(rayos::abi::ObjectType::Reply);
    auto t = rayos::test::start_tcb_thread(echo_server_thread, &server, 100, 0, false);
    uint64_t vspace = rayos::test::copy_program_vspace();
    if (!t.tcb || !vspace || rayos::inv::tcb_configure(t.tcb, 0, vspace, 0) != 0 ||
        rayos::inv::tcb_resume(t.tcb) != 0) {
        rayos::print("bench: cannot start a server in another address space\n");
        rayos::halt(rayos::abi::HaltReason::Failure);
    }
    for (int i = 0; i < 100; ++i)
        call_sample(server.endpoint, 0);
    for (int i = 0; i < kSamples; ++i)
        samples[i] = call_sample(server.endpoint, 0) - overhead;
    report("ipc.call_reply.cross_as", samples, kSamples);
}

// --- scheduler -----------------------------------------------------------------

volatile bool stop_yielding = false;
void yield_until_stopped(void*) {
    while (!stop_yielding)
        rayos::sys::yield();
}

// One yield from here to the other thread and its yield back, halved: the
// cost of one switch between two threads of equal priority.
void bench_yield(uint64_t overhead) {
    int64_t other = rayos::Thread::spawn(yield_until_stopped, nullptr);
    for (int i = 0; i < 100; ++i)
        rayos::sys::yield();
    for (int i = 0; i < kSamples; ++i) {
        uint64_t start = rdtsc_now();
        rayos::sys::yield();
        samples[i] = (rdtsc_now() - start - overhead) / 2;
    }
    report("sched.yield_switch", samples, kSamples);
    stop_yielding = true;
    rayos::abi::ThreadStopInfo info;
    rayos::Thread::join(uint64_t(other), info);
}

[[noreturn]] void fail(const char* what);

// --- memory -------------------------------------------------------------------

// Mapping one 4 KiB frame, per page over a batch of 1,024 (page tables in
// place beforehand).
void bench_map_page(uint64_t overhead) {
    using rayos::abi::ObjectType;
    constexpr uint64_t kPages = 1024;
    static uint64_t map_samples[kPages];
    const uint64_t base = 0x0000600000000000ull;
    uint64_t first = 0;
    for (uint64_t batch = 0; batch < kPages / 256; ++batch) {
        uint64_t slot = rayos::test::fresh_slot();
        for (int i = 1; i < 256; ++i)
            rayos::test::fresh_slot();
        if (batch == 0) first = slot;
        rayos::inv::untyped_retype(rayos::test::big_untyped(), uint64_t(ObjectType::Frame), 12,
                                   rayos::abi::kInitSlotCNode, slot, 256);
    }
    for (uint64_t va = base; va < base + kPages * 4096; va += 2ull << 20)
        if (!rayos::test::prepare_tables(rayos::abi::kInitSlotVSpace, va))
            fail("cannot build page tables");
    uint64_t failed = 0;
    for (uint64_t i = 0; i < kPages; ++i) {
        uint64_t start = rdtsc_now();
        int64_t r = rayos::inv::frame_map(first + i, rayos::abi::kInitSlotVSpace, base + i * 4096,
                                          rayos::abi::kMapWritable);
        map_samples[i] = rdtsc_now() - start - overhead;
        if (r != 0) ++failed;
    }
    if (failed) {
        rayos::print("bench: vspace.map_page: %lu of %lu mappings failed\n", failed, kPages);
        rayos::halt(rayos::abi::HaltReason::Failure);
    }
    report("vspace.map_page", map_samples, kPages);
}

// --- shared memory for threads in other address spaces ---------------------------

extern "C" char __program_end[];

// Measurements made by a thread in another address space land in pages
// mapped into both spaces right after the program image (the page tables
// for that 2 MiB region exist in both).
constexpr uint64_t kSharedPages = 5;
struct Shared {
    volatile uint64_t start;    // rdtsc before the measured operation
    volatile uint64_t overhead; // cost of an rdtsc pair
    volatile uint64_t endpoint;
    volatile uint64_t notification;
    uint64_t samples[kSamples];
};
static_assert(sizeof(Shared) <= kSharedPages * 4096);

Shared& shared() {
    static uint64_t base = (reinterpret_cast<uint64_t>(__program_end) + 4095) & ~4095ull;
    return *reinterpret_cast<Shared*>(base);
}

// Maps the shared pages into init (first call, vspace 0) or, as copies of
// the same frames, into `vspace`.
bool map_shared(uint64_t vspace) {
    static uint64_t frames[kSharedPages];
    auto base = reinterpret_cast<uint64_t>(&shared());
    for (uint64_t i = 0; i < kSharedPages; ++i) {
        uint64_t va = base + i * 4096;
        if (!vspace) {
            frames[i] = make_object(rayos::abi::ObjectType::Frame, 12);
            if (!frames[i] || rayos::inv::frame_map(frames[i], rayos::abi::kInitSlotVSpace, va,
                                                    rayos::abi::kMapWritable) != 0)
                return false;
            continue;
        }
        uint64_t copy = rayos::test::copy_cap(frames[i], rayos::abi::rights::kAll);
        if (!copy || rayos::inv::frame_map(copy, vspace, va, rayos::abi::kMapWritable) != 0)
            return false;
    }
    return true;
}

// A thread running `fn` at priority 100, in init's address space or (cross)
// in a private copy of the program that shares the measurement pages.
bool start_thread(void (*fn)(void*), uint64_t fault_endpoint, bool cross) {
    auto t = rayos::test::start_tcb_thread(fn, nullptr, 100, fault_endpoint, false);
    if (!t.tcb) return false;
    if (cross) {
        uint64_t vspace = rayos::test::copy_program_vspace();
        if (!vspace || !map_shared(vspace) ||
            rayos::inv::tcb_configure(t.tcb, 0, vspace, fault_endpoint) != 0)
            return false;
    }
    return rayos::inv::tcb_resume(t.tcb) == 0;
}

[[noreturn]] void fail(const char* what) {
    rayos::print("bench: %s\n", what);
    rayos::halt(rayos::abi::HaltReason::Failure);
}

// --- faults -------------------------------------------------------------------

volatile uint64_t* const kUnmapped = reinterpret_cast<volatile uint64_t*>(0x10000000);

// Reads an unmapped address between two rdtsc reads; the handler resumes it
// after the 3-byte load (mov (%rcx), %rbx).
void faulting_thread(void*) {
    Shared& sh = shared();
    for (int i = 0; i < kSamples + 100; ++i) {
        uint64_t start, end;
        asm volatile("rdtsc; shl $32, %%rdx; or %%rdx, %%rax; mov %%rax, %0\n"
                     ".byte 0x48, 0x8b, 0x19\n" // mov (%rcx), %rbx
                     "rdtsc; shl $32, %%rdx; or %%rdx, %%rax; mov %%rax, %1\n"
                     : "=r"(start), "=r"(end)
                     : "c"(kUnmapped)
                     : "rax", "rdx", "rbx", "memory");
        if (i >= 100) sh.samples[i - 100] = end - start - sh.overhead;
    }
    rayos::sys::send(sh.endpoint, rayos::abi::MessageInfo::make(99, 0), 0, 0, 0, 0);
    rayos::exit_thread(0);
}

// A user page fault delivered to a fault handler (init), answered with
// "resume after the faulting instruction".
void bench_fault(const char* name, bool cross, uint64_t overhead) {
    using rayos::abi::MessageInfo;
    Shared& sh = shared();
    sh.overhead = overhead;
    sh.endpoint = make_object(rayos::abi::ObjectType::Endpoint);
    uint64_t reply = make_object(rayos::abi::ObjectType::Reply);
    if (!start_thread(faulting_thread, sh.endpoint, cross))
        fail("cannot start the faulting thread");
    rayos::Message m;
    int64_t r = rayos::ipc::recv(sh.endpoint, reply, m);
    while (r == 0 && MessageInfo::label(m.info) == rayos::abi::kFaultPage) {
        uint64_t next_rip = m.words[3] + 3;
        m.info = MessageInfo::make(rayos::abi::kFaultResume, 1);
        m.words[0] = next_rip;
        r = rayos::ipc::reply_recv(sh.endpoint, reply, m);
    }
    if (r != 0 || MessageInfo::label(m.info) != 99) fail("unexpected fault message");
    report(name, sh.samples, kSamples);
}

// --- notifications -----------------------------------------------------------------

void waiting_thread(void*) {
    Shared& sh = shared();
    const uint64_t notification = sh.notification; // read once: it changes for the next waiter
    uint64_t word;
    for (int i = 0; i < kSamples + 100; ++i) {
        rayos::notification::wait(notification, word);
        uint64_t end = rdtsc_now();
        if (i >= 100) sh.samples[i - 100] = end - sh.start - sh.overhead;
    }
    rayos::exit_thread(0);
}

// Signal to a waiting thread of higher priority, which runs at once (from
// before signal to after its wait returns). Lowers init's own priority, so
// both waiters are started first and this runs last.
void bench_signal(uint64_t overhead) {
    Shared& sh = shared();
    sh.overhead = overhead;
    uint64_t local = make_object(rayos::abi::ObjectType::Notification);
    uint64_t remote = make_object(rayos::abi::ObjectType::Notification);
    sh.notification = local;
    if (!start_thread(waiting_thread, 0, false)) fail("cannot start a waiter");
    for (int i = 0; i < 8; ++i)
        rayos::sys::yield(); // it waits on `local`
    sh.notification = remote;
    if (!start_thread(waiting_thread, 0, true)) fail("cannot start a waiter");
    for (int i = 0; i < 8; ++i)
        rayos::sys::yield();
    rayos::inv::tcb_set_priority(rayos::abi::kInitSlotTcb, 50);
    const struct {
        const char* name;
        uint64_t notification;
    } runs[] = {{"notification.signal_wait.same_as", local},
                {"notification.signal_wait.cross_as", remote}};
    for (const auto& run : runs) {
        for (int i = 0; i < kSamples + 100; ++i) {
            sh.start = rdtsc_now();
            rayos::sys::signal(run.notification);
        }
        report(run.name, sh.samples, kSamples);
    }
}

// --- IDL calls ------------------------------------------------------------------

alignas(rayos::abi::kIpcBufferAlignment) rayos::abi::IpcBuffer idl_buffer;
volatile uint64_t idl_sink;

// A generated-stub call to the sample Echo server in another address space:
// build the parameters, send, decode and read the result.
uint64_t idl_small_sample(rayos::idl::echo::EchoClient& client, uint64_t i) {
    uint64_t start = rdtsc_now();
    {
        auto call = client.add();
        call.params().set_a(i);
        call.params().set_b(2);
        auto result = call.send();
        idl_sink = result ? result->sum() : ~0ull;
    }
    return rdtsc_now() - start;
}

// 1 KiB of Data each way through a shared frame.
uint64_t idl_bytes_sample(rayos::idl::echo::EchoClient& client, rayos::rpc::SharedBuffer& shared,
                          const uint8_t* payload) {
    uint64_t start = rdtsc_now();
    {
        auto call = client.reverse(shared);
        call.params().set_bytes(payload, 1024);
        auto result = call.send();
        idl_sink = result ? result->bytes().size : ~0ull;
    }
    return rdtsc_now() - start;
}

void bench_idl(uint64_t overhead) {
    static rayos::test::EchoInstance echo;
    static rayos::rpc::SharedBuffer shared;
    static uint8_t payload[1024];
    if (!rayos::rpc::attach_ipc_buffer(rayos::abi::kInitSlotTcb, &idl_buffer) ||
        !rayos::test::start_echo_server(echo, 0) || !rayos::test::make_shared_buffer(shared))
        fail("cannot start the Echo server");
    rayos::idl::echo::EchoClient client(echo.endpoint);
    for (int i = 0; i < 100; ++i)
        idl_small_sample(client, i);
    if (idl_sink != 99 + 2) fail("Echo.add returned a wrong sum");
    for (int i = 0; i < kSamples; ++i)
        samples[i] = idl_small_sample(client, i) - overhead;
    report("idl.call.small", samples, kSamples);

    for (int i = 0; i < 20; ++i)
        idl_bytes_sample(client, shared, payload);
    if (idl_sink != 1024) fail("Echo.reverse returned a wrong size");
    constexpr int kBytesSamples = 501;
    for (int i = 0; i < kBytesSamples; ++i)
        samples[i] = idl_bytes_sample(client, shared, payload) - overhead;
    report("idl.call.bytes1k", samples, kBytesSamples);
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
    bench_call_reply_cross_as(pair);
    // (Early: the later benchmarks use up most of the root CNode's slots.)
    bench_idl(pair);
    bench_yield(pair);
    bench_map_page(pair);
    if (!map_shared(0)) fail("cannot map the shared measurement pages");
    bench_fault("fault.roundtrip.same_as", false, pair);
    bench_fault("fault.roundtrip.cross_as", true, pair);
    bench_signal(pair);

    rayos::halt(rayos::abi::HaltReason::Success);
}
