#include "boot_cspace.h"

#include "kernel/log.h"
#include "mm/physmap.h"
#include "object/address_space.h"

#include <rayos/abi/boot_info.h>

#include <cstring>

namespace rayos {
namespace {

Capability make_cap(ObjectType type, uint64_t object, uint8_t size_bits = 0, uint64_t word = 0,
                    uint8_t rights = abi::rights::kAll) {
    Capability cap;
    cap.type = type;
    cap.rights = rights;
    cap.object = object;
    cap.size_bits = size_bits;
    cap.word = word;
    return cap;
}

// Read-only frames over each boot module, from slot `slot` on; returns the
// next free slot. Modules that do not fit the CNode are left out (and said).
uint64_t add_modules(Slot* slots, uint64_t slot, abi::BootInfo& info,
                     const multiboot::BootInfo& boot) {
    constexpr uint64_t kSlots = 1ull << abi::kInitCNodeRadix;
    for (size_t i = 0; i < boot.module_count && i < abi::kMaxBootModules; ++i) {
        const multiboot::Module& m = boot.modules[i];
        uint64_t first_page = m.start & ~(kPageSize - 1);
        uint64_t pages = (m.end - first_page + kPageSize - 1) / kPageSize;
        if (slot + pages > kSlots) {
            kprintf("boot: module %lu does not fit init's CNode; not passed on\n", i);
            break;
        }
        abi::ModuleInfo& out = info.modules[info.module_count++];
        for (size_t c = 0; c + 1 < sizeof out.cmdline && m.cmdline[c]; ++c)
            out.cmdline[c] = m.cmdline[c];
        out.size = m.end - m.start;
        out.offset = m.start - first_page;
        out.frames_first = slot;
        out.frame_count = pages;
        for (uint64_t p = 0; p < pages; ++p)
            cdt::insert(
                nullptr, slots[slot++],
                make_cap(ObjectType::Frame, first_page + p * kPageSize, 12, 0, abi::rights::kRead));
    }
    return slot;
}

} // namespace

VoidResult build_init_cspace(FrameAllocator& frames, Thread& init,
                             const multiboot::BootInfo& boot) {
    constexpr uint8_t radix = abi::kInitCNodeRadix;
    constexpr uint64_t bytes = 1ull << (radix + abi::kSlotBits);
    uint64_t cnode_physical = TRY(frames.allocate_run(bytes / kPageSize, bytes));
    memset(phys_to_virt(cnode_physical), 0, bytes);
    Slot* slots = phys_to_virt<Slot>(cnode_physical);

    // The root CNode: its guard (64 - radix zero bits) makes cptr i name slot i.
    Capability root = make_cap(ObjectType::CNode, reinterpret_cast<uint64_t>(slots), radix);
    root.guard_bits = 64 - radix;
    cdt::insert(nullptr, slots[abi::kInitSlotCNode], root);
    init.keep_reference(init.cspace_root, slots[abi::kInitSlotCNode]);
    cdt::insert(nullptr, slots[abi::kInitSlotTcb],
                make_cap(ObjectType::Tcb, reinterpret_cast<uint64_t>(&init)));
    cdt::insert(nullptr, slots[abi::kInitSlotIrqControl], make_cap(ObjectType::IrqControl, 0));
    cdt::insert(nullptr, slots[abi::kInitSlotVSpace],
                make_cap(ObjectType::VSpace, reinterpret_cast<uint64_t>(init.space)));
    cdt::insert(nullptr, slots[abi::kInitSlotLog], make_cap(ObjectType::Log, 0));
    cdt::insert(nullptr, slots[abi::kInitSlotIoPorts],
                make_cap(ObjectType::IoPort, 0, 0, /*ports 0..0xFFFF*/ 0xFFFFull << 16));

    // The BootInfo page (read-only for init) must be mapped before the rest
    // of memory is handed out: mapping it may need page-table frames.
    uint64_t info_physical =
        TRY(init.space->map_new_page(abi::kBootInfoAddress, Rights{false, false}));
    auto* info = phys_to_virt<abi::BootInfo>(info_physical);
    info->magic = abi::kBootInfoMagic;
    info->cnode_radix = radix;
    info->untyped_first = abi::kInitFirstUntypedSlot;

    uint64_t slot = abi::kInitFirstUntypedSlot, ram = 0;
    for (size_t r = 0; r < frames.range_count(); ++r) {
        const PhysRange range = frames.range(r);
        bool fits = FrameAllocator::split_aligned(
            range.base, range.end, abi::kMaxUntypedBits, [&](uint64_t base, uint8_t bits) {
                if (info->untyped_count == abi::kMaxBootUntyped) return false;
                info->untyped[info->untyped_count++] = {base, bits, 0, {}};
                cdt::insert(nullptr, slots[slot++], make_cap(ObjectType::Untyped, base, bits));
                ram += 1ull << bits;
                return true;
            });
        if (!fits) {
            kprintf("boot: more untyped blocks than kMaxBootUntyped; the rest stays unused\n");
            break;
        }
    }
    slot = add_modules(slots, slot, *info, boot);
    info->first_free_slot = slot;
    frames.clear();
    kprintf("init: %lu untyped capabilities (%lu KiB) in slots %lu-%lu; first free slot %lu\n",
            info->untyped_count, ram >> 10, abi::kInitFirstUntypedSlot, slot - 1, slot);
    return {};
}

} // namespace rayos
