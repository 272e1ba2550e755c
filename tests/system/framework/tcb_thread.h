// Starting threads from TCB objects in guest tests: a TCB retyped from
// untyped memory, configured with init's CSpace and address space, a stack
// and thread block from a small pool, a priority, then resumed.
#pragma once

#include <rayos/abi/abi.h>

#include <cstdint>

namespace rayos::test {

struct TcbThread {
    uint64_t tcb = 0; // capability slot, 0 if creation failed
};

// Creates and starts fn(arg) at `priority` with fault endpoint
// `fault_endpoint` (0: none) in init's address space. The function must not
// return: end it with rayos::exit_thread(). With resume = false it stays
// inactive (e.g. to move it into another address space first).
TcbThread start_tcb_thread(void (*fn)(void*), void* arg, uint64_t priority,
                           uint64_t fault_endpoint = 0, bool resume = true);

// Page tables (PDPT, PD, PT as missing) so that 4 KiB frames can map at
// `va` in `vspace`.
bool prepare_tables(uint64_t vspace, uint64_t va);

// A fresh stack top (for fault handlers that restart a thread elsewhere).
uint64_t fresh_stack_top();

// A new VSpace holding a private copy of this program's whole image at the
// same addresses (text executable, everything else writable), so a thread
// can run the program's own functions in another address space. Copy after
// preparing the thread (its stack and thread block are part of the image).
// Copies into `vspace` if given (an empty VSpace), else into a new one.
// Returns the VSpace capability's slot, or 0.
uint64_t copy_program_vspace(uint64_t vspace = 0);

} // namespace rayos::test
