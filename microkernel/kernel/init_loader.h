// Starts the first user program (init) from its boot module: a fresh address
// space, the ELF's segments with their rights, a stack with a guard page, a
// thread block for FS (canary at %fs:0x28), and its command line.
#pragma once

#include "mm/frame_allocator.h"
#include "multiboot.h"
#include "object/thread.h"
#include "result.h"

namespace rayos {

Result<Thread*> load_init(FrameAllocator& frames, const multiboot::Module& module);

} // namespace rayos
