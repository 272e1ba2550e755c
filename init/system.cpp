// Starting the system a manifest describes (see system.h).
#include "system.h"

#include "loader.h"

#include <rayos/abi/abi.h>
#include <rayos/cap_alloc.h>
#include <rayos/invoke.h>
#include <rayos/program.h>
#include <rayos/runtime.h>
#include <rayos/syscall.h>

namespace rayos::init {
namespace {

using idl::manifest::Grant;
using Entry = idl::manifest::Program;

constexpr uint64_t kDepth = 64;
constexpr uint8_t kClientRights =
    abi::rights::kWrite | abi::rights::kGrant | abi::rights::kGrantReply;

bool equal(const char* a, uint32_t a_length, const char* b, uint32_t b_length) {
    if (a_length != b_length) return false;
    for (uint32_t i = 0; i < a_length; ++i)
        if (a[i] != b[i]) return false;
    return true;
}

bool ends_with(const char* s, const char* suffix) {
    uint32_t n = 0, m = 0;
    while (s[n] && s[n] != ' ')
        ++n;
    while (suffix[m])
        ++m;
    return n >= m && equal(s + n - m, m, suffix, m);
}

// The boot module whose file name is `name`.
Result<uint64_t> find_module(const abi::BootInfo& boot, wire::Text name) {
    for (uint64_t i = 0; i < boot.module_count; ++i) {
        const char* file;
        uint32_t length;
        module_name(boot.modules[i], file, length);
        if (equal(file, length, name.ptr, name.size)) return i;
    }
    return Error(abi::Status::NotFound);
}

VoidResult check(int64_t result) {
    if (result < 0) return Error(sys::status(result));
    return {};
}

// Puts a copy of `cap` (with `rights`) in slot `slot` of the program.
VoidResult give(const init::Program& p, uint64_t slot, uint64_t cap, uint8_t rights) {
    return check(inv::cnode_copy(p.cnode, slot, p.cnode_radix, cap, rights));
}

// One grant of a manifest entry, into the program's slot `slot`.
VoidResult carry_out(const init::Program& p, uint64_t slot, Grant::Reader grant,
                     const System& system, RunningProgram& r) {
    switch (grant.which()) {
    case Grant::Which::server: {
        wire::Text target = grant.server();
        int t = system.find(target.ptr, target.size);
        if (t < 0) return Error(abi::Status::NotFound); // (validated before)
        TRY(give(p, slot, system.programs[t].client_endpoint, kClientRights));
        r.grant_targets[r.grant_count++] = uint32_t(t);
        return {};
    }
    case Grant::Which::ioPorts: {
        // A narrower copy of init's all-ports capability.
        uint64_t range = uint64_t(grant.ioPorts().first()) | uint64_t(grant.ioPorts().last()) << 16;
        return check(inv::cnode_mint(p.cnode, slot, p.cnode_radix, abi::kInitSlotIoPorts,
                                     abi::rights::kAll, range));
    }
    case Grant::Which::irq: {
        uint64_t handler = TRY(slots::allocate());
        TRY(check(inv::irq_control_get(abi::kInitSlotIrqControl, grant.irq(), handler)));
        return check(inv::cnode_move(p.cnode, slot, p.cnode_radix, handler));
    }
    default:
        print("init: program '%s': fault-endpoint and address-space grants come with "
              "supervision (not yet)\n",
              r.name);
        return Error(abi::Status::NotSupported);
    }
}

} // namespace

int System::find(const char* name, uint32_t length) const {
    for (uint32_t i = 0; i < count; ++i) {
        uint32_t n = 0;
        while (programs[i].name[n])
            ++n;
        if (equal(programs[i].name, n, name, length)) return int(i);
    }
    return -1;
}

Result<idl::manifest::Manifest::Reader> read_manifest(ObjectMaker& maker, const abi::BootInfo& boot,
                                                      wire::Message& message,
                                                      wire::Segment* segments) {
    for (uint64_t i = 0; i < boot.module_count; ++i) {
        if (!ends_with(boot.modules[i].cmdline, ".manifest.bin")) continue;
        const uint8_t* bytes = TRY(module_bytes(maker, boot, i));
        // capnp's stream framing needs 8-byte alignment: modules are page
        // aligned by the loader, but check.
        uint32_t count = 0;
        if (wire::parse_flat(bytes, boot.modules[i].size, segments, limits::kWireMaxSegments,
                             count) != RpcError::Ok)
            return Error(abi::Status::InvalidArgument);
        message = wire::Message{segments, count, nullptr, 0};
        auto decoded = wire::decode<idl::manifest::Manifest>(message);
        if (!decoded) return Error(abi::Status::InvalidArgument);
        return decoded.value();
    }
    return Error(abi::Status::NotFound);
}

Result<uint32_t> start_system(ObjectMaker& maker, const abi::BootInfo& boot,
                              idl::manifest::Manifest::Reader manifest, uint64_t name_service,
                              System& system) {
    auto entries = manifest.programs();
    init::Program loaded[kMaxPrograms];
    // First every program's endpoint and address space, so that grants can
    // name programs later in the manifest.
    for (uint32_t i = 0; i < entries.size(); ++i) {
        Entry::Reader entry = entries[i];
        RunningProgram& r = system.programs[i];
        wire::Text name = entry.name();
        for (uint32_t c = 0; c < name.size && c < kMaxNameLength; ++c)
            r.name[c] = name.ptr[c];
        r.endpoint = TRY(maker.make(abi::ObjectType::Endpoint));
        r.client_endpoint = TRY(slots::allocate());
        TRY(check(inv::cnode_copy(abi::kInitSlotCNode, r.client_endpoint, kDepth, r.endpoint,
                                  kClientRights)));
        LoadRequest request;
        request.module_index = TRY(find_module(boot, entry.module()));
        request.args = entry.args().c_str();
        request.priority = entry.priority();
        request.cnode_radix = program::kCNodeRadix;
        loaded[i] = TRY(load(maker, boot, request));
        r.tcb = loaded[i].tcb;
        system.count = i + 1;
    }
    // Then what each may hold, and go.
    for (uint32_t i = 0; i < entries.size(); ++i) {
        const init::Program& p = loaded[i];
        RunningProgram& r = system.programs[i];
        TRY(give(p, program::kSlotEndpoint, r.endpoint, abi::rights::kRead));
        uint64_t badged = TRY(slots::allocate());
        TRY(check(inv::cnode_mint(abi::kInitSlotCNode, badged, kDepth, name_service, kClientRights,
                                  i + 1)));
        TRY(give(p, program::kSlotNameService, badged, kClientRights));
        uint64_t reply = TRY(maker.make(abi::ObjectType::Reply));
        TRY(give(p, program::kSlotReply, reply, abi::rights::kAll));
        // Its own root CNode, as its CSpace sees it (guarded).
        TRY(check(inv::cnode_copy(p.cnode, program::kSlotCNode, p.cnode_radix, loaded[i].cnode_root,
                                  abi::rights::kAll)));
        auto grants = entries[i].grants();
        for (uint32_t g = 0; g < grants.size(); ++g) {
            TRY(carry_out(p, program::kFirstGrantSlot + g, grants[g], system, r));
        }
    }
    for (uint32_t i = 0; i < entries.size(); ++i)
        TRY(start(loaded[i]));
    return system.count;
}

} // namespace rayos::init
