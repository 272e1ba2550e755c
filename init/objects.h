// Kernel objects for init, made from its untyped memory into capability
// slots from the runtime's slot allocator, and mappings that make the page
// tables they need.
#pragma once

#include <rayos/abi/boot_info.h>
#include <rayos/abi/objects.h>

#include <result.h>

#include <cstdint>

namespace rayos::init {

class ObjectMaker {
public:
    explicit ObjectMaker(const abi::BootInfo& boot);

    // A new object of `type` (size_bits for sized types) in a fresh slot of
    // init's root CNode; its slot address.
    [[nodiscard]] Result<uint64_t> make(abi::ObjectType type, uint64_t size_bits = 0);

    // Maps `frame` at `vaddr` in `vspace` with `attributes` (abi::kMap*),
    // making the page tables that are missing.
    [[nodiscard]] VoidResult map(uint64_t frame, uint64_t vspace, uint64_t vaddr,
                                 uint64_t attributes);

private:
    const abi::BootInfo& boot_;
    uint64_t untyped_ = 0; // the largest RAM region
};

} // namespace rayos::init
