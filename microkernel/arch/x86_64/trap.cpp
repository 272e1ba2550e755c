// C++ side of kernel entry (entry.S): interrupts, exceptions and system calls
// from user mode, and interrupts/exceptions in kernel mode.
//
// User-mode exceptions never stop the kernel: a thread with a fault handler
// sends it a fault message and waits for the verdict (object/endpoint.cpp);
// without one, the thread is stopped and the event reported on the console
// and to a joining thread. A kernel-mode exception is a kernel bug: full
// report, then panic.
#include "cpu.h"
#include "idt.h"
#include "percpu.h"
#include "pic.h"
#include "trap_frame.h"

#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/scheduler.h"
#include "object/endpoint.h"
#include "object/irq.h"

namespace rayos::arch {
namespace {

void print_registers(const TrapFrame& f) {
    kprintf("  rax=%016lx rbx=%016lx rcx=%016lx rdx=%016lx\n", f.rax, f.rbx, f.rcx, f.rdx);
    kprintf("  rsi=%016lx rdi=%016lx rbp=%016lx rsp=%016lx\n", f.rsi, f.rdi, f.rbp, f.rsp);
    kprintf("  r8 =%016lx r9 =%016lx r10=%016lx r11=%016lx\n", f.r8, f.r9, f.r10, f.r11);
    kprintf("  r12=%016lx r13=%016lx r14=%016lx r15=%016lx\n", f.r12, f.r13, f.r14, f.r15);
    kprintf("  rip=%016lx cs=%04lx rflags=%016lx ss=%04lx\n", f.rip, f.cs, f.rflags, f.ss);
}

// Page-fault error code bits (Intel SDM Vol.3 §4.7).
void print_page_fault_cause(uint64_t error) {
    kprintf("  cause: %s, %s, %s mode%s%s\n",
            error & 1 ? "protection violation" : "page not present",
            error & 16 ? "instruction fetch" : (error & 2 ? "write" : "read"),
            error & 4 ? "user" : "kernel", error & 8 ? ", reserved bit set" : "",
            error & 32 ? ", protection key" : "");
}

void handle_irq(uint64_t vector) {
    auto irq = static_cast<uint8_t>(vector - kIrqBase);
    if (pic_is_spurious(irq)) return;
    if (vector == kVectorTimer)
        sched::on_timer_tick();
    else
        irq::deliver(irq); // to its userspace handler (masked until acked)
    pic_end_of_interrupt(irq);
}

bool is_pic_irq(uint64_t vector) {
    return vector >= kIrqBase && vector < kIrqBase + 16;
}

} // namespace

} // namespace rayos::arch

using namespace rayos;
using namespace rayos::arch;

extern "C" [[noreturn]] void trap_from_user(TrapFrame* frame) {
    Thread* thread = sched::current();
    if (is_pic_irq(frame->vector)) {
        handle_irq(frame->vector);
        sched::resume();
    }
    if (frame->vector >= 32) {
        // Not reachable from ring 3 (every gate has DPL 0); report and go on.
        kprintf("kernel: unexpected vector %lu from user mode ignored\n", frame->vector);
        sched::resume();
    }
    uint64_t address = frame->vector == 14 ? read_cr2() : 0;
    thread->counters.faults++;
    // A thread with a fault handler waits for its verdict (fault IPC).
    if (ipc::deliver_fault(*thread, frame->vector, frame->error_code, address)) sched::resume();
    kprintf("user fault: thread '%s' (id %#lx): %s %s, error code %#lx\n", thread->name, thread->id,
            exception_mnemonic(frame->vector), exception_name(frame->vector), frame->error_code);
    if (frame->vector == 14) {
        kprintf("  address %016lx\n", address);
        print_page_fault_cause(frame->error_code);
    }
    print_registers(*frame);
    kprintf("  thread stopped; the kernel continues.\n");
    abi::ThreadStopInfo info{};
    info.kind = abi::StopKind::Faulted;
    info.vector = frame->vector;
    info.error_code = frame->error_code;
    info.fault_address = address;
    info.rip = frame->rip;
    sched::stop(thread, info);
    sched::resume();
}

extern "C" void trap_from_kernel(TrapFrame* frame) {
    if (is_pic_irq(frame->vector)) {
        handle_irq(frame->vector);
        return;
    }
    if (frame->vector == kVectorSpurious) return;
    uint64_t cr2 = read_cr2();
    kprintf("\nkernel exception: %s %s (vector %lu), error code %#lx\n",
            exception_mnemonic(frame->vector), exception_name(frame->vector), frame->vector,
            frame->error_code);
    kprintf("  at ");
    print_symbol(frame->rip);
    kprintf("\n");
    if (frame->vector == 14) {
        kprintf("  address %016lx\n", cr2);
        print_page_fault_cause(frame->error_code);
    }
    kprintf("  cr2=%016lx cr3=%016lx\n", cr2, read_cr3());
    print_registers(*frame);
    print_backtrace(frame->rbp);
    panic("%s in kernel mode at %016lx", exception_name(frame->vector), frame->rip);
}
