// Init's initial capabilities: its root CNode (made from boot memory), the
// capabilities to its own thread and CNode, IRQ control and the I/O ports,
// every byte of free memory as Untyped capabilities — after this the
// kernel's boot allocator is empty and the kernel allocates nothing more —
// and read-only frames covering each boot module.
// The layout is described to init by the BootInfo page
// (rayos/abi/boot_info.h).
#pragma once

#include "mm/frame_allocator.h"
#include "multiboot.h"
#include "object/thread.h"
#include "result.h"

namespace rayos {

VoidResult build_init_cspace(FrameAllocator& frames, Thread& init, const multiboot::BootInfo& boot);

} // namespace rayos
