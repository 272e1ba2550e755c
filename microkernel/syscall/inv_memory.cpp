// PageTable and Frame invocations: userspace maps its own memory into an
// address space (VSpace capability), reads and clears accessed/dirty bits.
#include "dispatch.h"
#include "invoke.h"

#include "mm/kernel_space.h"
#include "mm/paging.h"
#include "mm/physmap.h"
#include "mm/user_memory.h"
#include "object/address_space.h"
#include "object/vspace.h"

#include <rayos/abi/abi.h>

#include <cstring>

namespace rayos::syscall {
namespace {

Result<AddressSpace*> vspace_at(Thread& self, uint64_t cptr) {
    const Capability* cap = TRY(typed_cap(self, cptr, ObjectType::VSpace, 0));
    return reinterpret_cast<AddressSpace*>(cap->object);
}

Result<uint64_t> page_flags(Thread& self, const Capability& frame, uint64_t attributes) {
    if (attributes & ~(abi::kMapWritable | abi::kMapExecutable))
        return reject(self, Status::InvalidArgument, "unknown mapping attributes");
    if (!frame.has_rights(abi::rights::kRead))
        return reject(self, Status::MissingRights, "frame capability cannot be read");
    if ((attributes & abi::kMapWritable) && !frame.has_rights(abi::rights::kWrite))
        return reject(self, Status::MissingRights, "frame capability cannot be written");
    return paging::kUser | ((attributes & abi::kMapWritable) ? paging::kWritable : 0) |
           ((attributes & abi::kMapExecutable) ? 0 : paging::kNoExecute);
}

void record_mapping(Capability& cap, const AddressSpace& space, uint64_t vaddr,
                    uint64_t level_bits) {
    cap.word = vaddr | vspace::kMappedBit | level_bits;
    cap.reserved = space.asid();
}

} // namespace

Result<uint64_t> inv_page_table_map(Thread& self, Slot& invoked, InvocationArgs args) {
    Capability& cap = invoked.cap;
    if (vspace::mapped_root(cap)) return reject(self, Status::Busy, "page table is already mapped");
    AddressSpace* space = TRY(vspace_at(self, args[0]));
    uint64_t vaddr = args[1] & ~0xFFFull;
    if (args[1] >= abi::kUserTop) return reject(self, Status::BadAddress, "not a user address");
    // Never install leftovers: a table is empty when it goes in.
    memset(phys_to_virt(cap.object), 0, paging::kPageSize4K);
    auto level = vspace::map_table(space->root(), vaddr, cap.object);
    if (!level) return reject(self, level.error(), "every table on this path exists already");
    record_mapping(cap, *space, vaddr, uint64_t(level.value()) << 1);
    return level.value();
}

Result<uint64_t> inv_page_table_unmap(Thread&, Slot& invoked, InvocationArgs) {
    vspace::unmap(invoked.cap);
    return 0;
}

Result<uint64_t> inv_frame_map(Thread& self, Slot& invoked, InvocationArgs args) {
    Capability& cap = invoked.cap;
    if (vspace::mapped_root(cap)) return reject(self, Status::Busy, "frame is already mapped");
    AddressSpace* space = TRY(vspace_at(self, args[0]));
    uint64_t vaddr = args[1], size = 1ull << cap.size_bits;
    if (vaddr % size)
        return reject(self, Status::InvalidArgument, "address not aligned to the frame");
    if (!is_user_address(vaddr) || size > abi::kUserTop - vaddr)
        return reject(self, Status::BadAddress, "not a user address range");
    uint64_t flags = TRY(page_flags(self, cap, args[2]));
    auto mapped = vspace::map_frame(space->root(), vaddr, cap.object, cap.size_bits, flags);
    if (!mapped)
        return reject(self, mapped.error(),
                      mapped.error() == Status::NotFound ? "a page table is missing"
                                                         : "something is mapped there");
    record_mapping(cap, *space, vaddr, 0);
    return 0;
}

Result<uint64_t> inv_frame_unmap(Thread&, Slot& invoked, InvocationArgs) {
    vspace::unmap(invoked.cap);
    return 0;
}

Result<uint64_t> inv_frame_remap(Thread& self, Slot& invoked, InvocationArgs args) {
    Capability& cap = invoked.cap;
    uint64_t flags = TRY(page_flags(self, cap, args[0]));
    uint64_t* entry = vspace::frame_entry(cap);
    if (!entry) return reject(self, Status::NotFound, "frame is not mapped");
    constexpr uint64_t kRights = paging::kWritable | paging::kNoExecute;
    *entry = (*entry & ~kRights) | (flags & kRights);
    vspace::flush(vspace::mapped_root(cap), vspace::mapped_address(cap));
    return 0;
}

Result<uint64_t> inv_frame_status(Thread& self, Slot& invoked, InvocationArgs args) {
    Capability& cap = invoked.cap;
    uint64_t* entry = vspace::frame_entry(cap);
    if (!entry) return reject(self, Status::NotFound, "frame is not mapped");
    uint64_t status = ((*entry & paging::kAccessed) ? abi::kFrameAccessed : 0) |
                      ((*entry & paging::kDirty) ? abi::kFrameDirty : 0);
    if (args[0]) {
        *entry &= ~(paging::kAccessed | paging::kDirty);
        vspace::flush(vspace::mapped_root(cap), vspace::mapped_address(cap));
    }
    return status;
}

namespace {

// The frame bytes [offset, offset + length), or an error.
Result<uint8_t*> frame_range(Thread& self, const Capability& cap, uint64_t offset,
                             uint64_t length) {
    uint64_t size = 1ull << cap.size_bits;
    if (offset > size || length > size - offset)
        return reject(self, Status::InvalidArgument, "range is outside the frame");
    return phys_to_virt<uint8_t>(cap.object + offset);
}

} // namespace

Result<uint64_t> inv_frame_read(Thread& self, Slot& invoked, InvocationArgs args) {
    const Capability& cap = invoked.cap;
    if (!cap.has_rights(abi::rights::kRead))
        return reject(self, Status::MissingRights, "frame capability cannot be read");
    uint8_t* bytes = TRY(frame_range(self, cap, args[0], args[2]));
    // (The copy checks the whole range before it copies anything.)
    if (!copy_to_user(*self.space, args[1], bytes, args[2]))
        return reject(self, Status::BadAddress, "destination is not writable user memory");
    return args[2];
}

Result<uint64_t> inv_frame_write(Thread& self, Slot& invoked, InvocationArgs args) {
    const Capability& cap = invoked.cap;
    if (!cap.has_rights(abi::rights::kWrite))
        return reject(self, Status::MissingRights, "frame capability cannot be written");
    uint8_t* bytes = TRY(frame_range(self, cap, args[0], args[2]));
    if (!copy_from_user(*self.space, bytes, args[1], args[2]))
        return reject(self, Status::BadAddress, "source is not readable user memory");
    return args[2];
}

namespace {

// Another address space's memory, for vspace_read/vspace_write: a copy of
// at most a page goes through this buffer (the kernel is not preempted).
alignas(4096) uint8_t bounce[4096];

// The physical address of every page piece of [vaddr, vaddr + length) in
// `space` (user pages only, whatever their write and execute rights).
template <typename F>
VoidResult each_target_piece(const AddressSpace& space, uint64_t vaddr, uint64_t length, F piece) {
    PhysTableMemory memory;
    uint64_t done = 0;
    while (done < length) {
        uint64_t va = vaddr + done;
        uint64_t in_page = 4096 - (va & 4095);
        uint64_t bytes = length - done < in_page ? length - done : in_page;
        auto translation = paging::translate(memory, space.root(), va);
        if (!translation || !(translation->flags & paging::kUser)) return Error(Status::BadAddress);
        piece(translation->physical, done, bytes);
        done += bytes;
    }
    return {};
}

Result<const AddressSpace*> other_space(Thread& self, const Capability& cap, uint8_t right,
                                        uint64_t vaddr, uint64_t length) {
    if (!cap.has_rights(right))
        return reject(self, Status::MissingRights, "VSpace capability lacks the right");
    if (length == 0 || length > sizeof(bounce))
        return reject(self, Status::InvalidArgument, "length must be 1 .. 4096");
    if (vaddr >= abi::kUserTop || length > abi::kUserTop - vaddr)
        return reject(self, Status::BadAddress, "range is not in user memory");
    const auto* space = reinterpret_cast<const AddressSpace*>(cap.object);
    // All or nothing: every page must be there before a byte moves.
    if (!each_target_piece(*space, vaddr, length, [](uint64_t, uint64_t, uint64_t) {}))
        return reject(self, Status::BadAddress, "range is not mapped in that address space");
    return space;
}

} // namespace

Result<uint64_t> inv_vspace_read(Thread& self, Slot& invoked, InvocationArgs args) {
    uint64_t vaddr = args[0], address = args[1], length = args[2];
    const AddressSpace* space =
        TRY(other_space(self, invoked.cap, abi::rights::kRead, vaddr, length));
    if (!check_user_writable(*self.space, address, length))
        return reject(self, Status::BadAddress, "destination is not writable user memory");
    (void)each_target_piece(*space, vaddr, length, [](uint64_t physical, uint64_t at, uint64_t n) {
        memcpy(bounce + at, phys_to_virt(physical), n);
    });
    TRY(copy_to_user(*self.space, address, bounce, length));
    return length;
}

Result<uint64_t> inv_vspace_write(Thread& self, Slot& invoked, InvocationArgs args) {
    uint64_t vaddr = args[0], address = args[1], length = args[2];
    const AddressSpace* space =
        TRY(other_space(self, invoked.cap, abi::rights::kWrite, vaddr, length));
    if (!copy_from_user(*self.space, bounce, address, length))
        return reject(self, Status::BadAddress, "source is not readable user memory");
    (void)each_target_piece(*space, vaddr, length, [](uint64_t physical, uint64_t at, uint64_t n) {
        memcpy(phys_to_virt(physical), bounce + at, n);
    });
    // (A changed instruction is seen: the target's TLB entries stay valid,
    // the bytes change underneath, and x86 keeps code coherent.)
    return length;
}

} // namespace rayos::syscall
