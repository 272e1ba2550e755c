#include "user_memory.h"

#include "mm/physmap.h"

#include <rayos/abi/abi.h>

#include <cstring>

namespace rayos {
namespace {

bool range_in_user_half(uint64_t address, size_t length) {
    return address < abi::kUserTop && length <= abi::kUserTop - address;
}

// Calls `chunk(physical, offset, bytes)` for each page piece of the range.
template <typename F>
VoidResult for_each_page(AddressSpace& space, uint64_t address, size_t length, bool for_write,
                         F chunk) {
    if (!range_in_user_half(address, length)) return Error(Status::BadAddress);
    size_t done = 0;
    while (done < length) {
        uint64_t va = address + done;
        size_t in_page = 4096 - (va & 4095);
        size_t bytes = length - done < in_page ? length - done : in_page;
        uint64_t physical = TRY(space.resolve(va, for_write));
        chunk(physical, done, bytes);
        done += bytes;
    }
    return {};
}

} // namespace

VoidResult copy_from_user(AddressSpace& space, void* destination, uint64_t source, size_t length) {
    // Within one page (a page copy, most messages): one translation.
    if (range_in_user_half(source, length) && length > 0 && (source & 4095) + length <= 4096) {
        uint64_t physical = TRY(space.resolve(source, false));
        memcpy(destination, phys_to_virt(physical), length);
        return {};
    }
    // Validate the whole range first so a failure copies nothing.
    TRY(for_each_page(space, source, length, false, [](uint64_t, size_t, size_t) {}));
    auto* out = static_cast<char*>(destination);
    return for_each_page(space, source, length, false,
                         [out](uint64_t physical, size_t offset, size_t bytes) {
                             memcpy(out + offset, phys_to_virt(physical), bytes);
                         });
}

VoidResult copy_to_user(AddressSpace& space, uint64_t destination, const void* source,
                        size_t length) {
    if (range_in_user_half(destination, length) && length > 0 &&
        (destination & 4095) + length <= 4096) {
        uint64_t physical = TRY(space.resolve(destination, true));
        memcpy(phys_to_virt(physical), source, length);
        return {};
    }
    TRY(check_user_writable(space, destination, length));
    auto* in = static_cast<const char*>(source);
    return for_each_page(space, destination, length, true,
                         [in](uint64_t physical, size_t offset, size_t bytes) {
                             memcpy(phys_to_virt(physical), in + offset, bytes);
                         });
}

VoidResult check_user_writable(AddressSpace& space, uint64_t address, size_t length) {
    return for_each_page(space, address, length, true, [](uint64_t, size_t, size_t) {});
}

VoidResult check_user_readable(AddressSpace& space, uint64_t address, size_t length) {
    return for_each_page(space, address, length, false, [](uint64_t, size_t, size_t) {});
}

} // namespace rayos
