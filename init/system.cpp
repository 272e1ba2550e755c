// Starting the system a manifest describes (see system.h).
#include "system.h"

#include "code_image.h"
#include "loader.h"

#include "format.h"

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

// One grant of a manifest entry other than a server, into the program's
// slot `slot`.
VoidResult carry_out(const init::Program& p, uint64_t slot, Grant::Reader grant,
                     RunningProgram& r) {
    switch (grant.which()) {
    case Grant::Which::ioPorts: {
        // A narrower copy of init's all-ports capability.
        uint64_t range = uint64_t(grant.ioPorts().first()) | uint64_t(grant.ioPorts().last()) << 16;
        return check(inv::cnode_mint(p.cnode, slot, p.cnode_radix, abi::kInitSlotIoPorts,
                                     abi::rights::kAll, range));
    }
    case Grant::Which::irq: {
        uint64_t handler = TRY(slots::allocate());
        int64_t made = inv::irq_control_get(abi::kInitSlotIrqControl, grant.irq(), handler);
        if (made == 0) made = inv::cnode_move(p.cnode, slot, p.cnode_radix, handler);
        // Moved away, or never made: the slot is empty again (and a handler
        // that could not be moved is deleted, so the line can be granted).
        inv::SlotInfo held{};
        if (inv::slot_info(abi::kInitSlotCNode, handler, kDepth, held) > 0)
            (void)inv::cnode_delete(abi::kInitSlotCNode, handler, kDepth);
        slots::free(handler);
        return check(made);
    }
    default:
        print("init: program '%s': a grant of an unknown kind\n", r.name);
        return Error(abi::Status::NotSupported);
    }
}

} // namespace

int System::find(const char* name, uint32_t length) const {
    for (uint32_t i = 0; i < count_; ++i) {
        uint32_t n = 0;
        while (programs_[i].name[n])
            ++n;
        if (equal(programs_[i].name, n, name, length)) return int(i);
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

Result<uint32_t> System::start(ObjectMaker& maker, const abi::BootInfo& boot,
                               idl::manifest::Manifest::Reader manifest, uint64_t name_service,
                               uint64_t timer) {
    timer_ = timer;
    boot_ = &boot;
    init_maker_ = &maker;
    manifest_ = manifest;
    name_service_ = name_service;
    auto entries = manifest.programs();
    for (uint32_t i = 0; i < entries.size(); ++i) {
        RunningProgram& r = programs_[i];
        wire::Text name = entries[i].name();
        for (uint32_t c = 0; c < name.size && c < kMaxNameLength; ++c)
            r.name[c] = name.ptr[c];
        // Its region: room for its memory (the quota rounded down to a
        // power of two) and for its image (segments in memory, page
        // tables, stack, CSpace, thread).
        uint8_t memory_bits = 12;
        while ((2ull << memory_bits) <= entries[i].memoryQuota())
            ++memory_bits;
        uint64_t module = TRY(find_module(boot, entries[i].module()));
        r.module = module;
        uint64_t image = TRY(image_bytes(maker, boot, module, program::kCNodeRadix));
        uint8_t image_bits = 12;
        while ((1ull << image_bits) < image)
            ++image_bits;
        r.memory_bits = memory_bits;
        uint8_t bits = uint8_t((memory_bits > image_bits ? memory_bits : image_bits) + 1);
        r.untyped = TRY(maker.make(abi::ObjectType::Untyped, bits));
        r.maker = ObjectMaker(r.untyped);
        r.name_service = TRY(slots::allocate());
        TRY(check(inv::cnode_mint(abi::kInitSlotCNode, r.name_service, kDepth, name_service,
                                  kClientRights, i + 1)));
        r.fault_endpoint = TRY(slots::allocate());
        TRY(check(inv::cnode_mint(abi::kInitSlotCNode, r.fault_endpoint, kDepth, name_service,
                                  abi::rights::kWrite, program::fault_badge(i))));
        count_ = i + 1;
    }
    // Every endpoint first, so that grants can name programs later in the
    // manifest; then their capabilities; then go.
    for (uint32_t i = 0; i < count_; ++i)
        TRY(prepare(i));
    for (uint32_t i = 0; i < count_; ++i)
        TRY(equip(i));
    for (uint32_t i = 0; i < count_; ++i)
        route_faults(i);
    for (uint32_t i = 0; i < count_; ++i)
        TRY(init::start(programs_[i].loaded));
    check_every_ = timer_ ? manifest.codeCheckTicks() : 0;
    if (check_every_) {
        check_due_ = uint64_t(sys::clock_ticks()) + check_every_;
        arm_timer();
    }
    return count_;
}

VoidResult System::prepare(uint32_t i) {
    RunningProgram& r = programs_[i];
    Entry::Reader entry = manifest_.programs()[i];
    r.memory = TRY(r.maker.make(abi::ObjectType::Untyped, r.memory_bits)); // first: aligned
    r.endpoint = TRY(r.maker.make(abi::ObjectType::Endpoint));
    LoadRequest request;
    request.module_index = TRY(find_module(*boot_, entry.module()));
    request.name = r.name;
    request.args = entry.args().c_str();
    request.priority = entry.priority();
    request.cnode_radix = program::kCNodeRadix;
    request.fault_endpoint = r.fault_endpoint;
    request.init_maker = init_maker_;
    r.loaded = TRY(load(r.maker, *boot_, request));
    return {};
}

VoidResult System::equip(uint32_t i) {
    RunningProgram& r = programs_[i];
    const init::Program& p = r.loaded;
    TRY(give(p, program::kSlotEndpoint, r.endpoint, abi::rights::kRead));
    TRY(give(p, program::kSlotNameService, r.name_service, kClientRights));
    uint64_t reply = TRY(r.maker.make(abi::ObjectType::Reply));
    TRY(give(p, program::kSlotReply, reply, abi::rights::kAll));
    // Its own root CNode, as its CSpace sees it (guarded).
    TRY(check(inv::cnode_copy(p.cnode, program::kSlotCNode, p.cnode_radix, p.cnode_root,
                              abi::rights::kAll)));
    // Its memory: moved (untyped capabilities are never copied).
    TRY(check(inv::cnode_move(p.cnode, program::kSlotMemory, p.cnode_radix, r.memory)));
    // Its notification, bound to its thread.
    uint64_t notification = TRY(r.maker.make(abi::ObjectType::Notification));
    TRY(check(inv::tcb_bind_notification(p.tcb, notification)));
    TRY(give(p, program::kSlotNotification, notification, abi::rights::kAll));
    auto grants = manifest_.programs()[i].grants();
    r.grant_count = 0;
    for (uint32_t g = 0; g < grants.size(); ++g) {
        uint64_t slot = program::kFirstGrantSlot + g;
        using Which = Grant::Which;
        Which kind = grants[g].which();
        if (kind == Which::supervisor || kind == Which::log || kind == Which::faultEndpointOf ||
            kind == Which::addressSpaceOf || kind == Which::threadOf) {
            TRY(grant_access(i, slot, grants[g]));
            continue;
        }
        if (kind != Which::server) {
            TRY(carry_out(p, slot, grants[g], r));
            continue;
        }
        wire::Text target = grants[g].server();
        int t = find(target.ptr, target.size);
        if (t < 0) return Error(abi::Status::NotFound); // (validated before)
        uint32_t n = r.grant_count++;
        r.grant_targets[n] = uint32_t(t);
        r.grant_slots[n] = slot;
        TRY(grant_server(i, n));
    }
    return {};
}

VoidResult System::grant_access(uint32_t i, uint64_t slot, Grant::Reader grant) {
    const init::Program& p = programs_[i].loaded;
    switch (grant.which()) {
    case Grant::Which::supervisor:
        // Its NameService capability again: init knows it by the badge and
        // checks the grant on every Supervisor call.
        return give(p, slot, programs_[i].name_service, kClientRights);
    case Grant::Which::log:
        return give(p, slot, abi::kInitSlotLog, abi::rights::kAll);
    case Grant::Which::faultEndpointOf: {
        // Init's fault endpoint for that program: to pass faults on.
        wire::Text target = grant.faultEndpointOf();
        int t = find(target.ptr, target.size);
        if (t < 0) return Error(abi::Status::NotFound);
        return give(p, slot, programs_[t].fault_endpoint, abi::rights::kWrite);
    }
    case Grant::Which::addressSpaceOf:
    case Grant::Which::threadOf: {
        bool space = grant.which() == Grant::Which::addressSpaceOf;
        wire::Text target = space ? grant.addressSpaceOf() : grant.threadOf();
        int t = find(target.ptr, target.size);
        if (t < 0) return Error(abi::Status::NotFound);
        const RunningProgram& other = programs_[t];
        uint64_t cap = space ? other.loaded.vspace : other.loaded.tcb;
        if (other.state != State::Running || !cap) return {}; // (given later)
        return give(p, slot, cap, abi::rights::kAll);
    }
    default:
        return Error(abi::Status::InvalidArgument);
    }
}

int System::fault_handler_of(uint32_t index) const {
    wire::Text name = manifest_.programs()[index].name();
    for (uint32_t h = 0; h < count_; ++h) {
        auto grants = manifest_.programs()[h].grants();
        for (uint32_t g = 0; g < grants.size(); ++g)
            if (grants[g].which() == Grant::Which::faultEndpointOf &&
                equal(grants[g].faultEndpointOf().ptr, grants[g].faultEndpointOf().size, name.ptr,
                      name.size))
                return int(h);
    }
    return -1;
}

void System::route_faults(uint32_t index) {
    RunningProgram& r = programs_[index];
    if (r.state != State::Running) return;
    uint64_t handler = r.fault_endpoint;
    int h = fault_handler_of(index);
    if (h >= 0 && programs_[h].state == State::Running) {
        if (!r.handler_cap) {
            auto slot = slots::allocate();
            if (!slot) return;
            r.handler_cap = slot.value();
        }
        inv::SlotInfo held{};
        if (inv::slot_info(abi::kInitSlotCNode, r.handler_cap, kDepth, held) > 0)
            (void)inv::cnode_delete(abi::kInitSlotCNode, r.handler_cap, kDepth);
        if (inv::cnode_mint(abi::kInitSlotCNode, r.handler_cap, kDepth, programs_[h].endpoint,
                            abi::rights::kWrite, program::fault_badge(index, r.generation)) == 0)
            handler = r.handler_cap;
    }
    if (inv::tcb_configure(r.loaded.tcb, 0, 0, handler) != 0)
        print("init: cannot route the faults of '%s'\n", r.name);
}

void System::regrant_access(uint32_t index) {
    wire::Text name = manifest_.programs()[index].name();
    for (uint32_t c = 0; c < count_; ++c) {
        if (c == index || programs_[c].state != State::Running) continue;
        auto grants = manifest_.programs()[c].grants();
        for (uint32_t g = 0; g < grants.size(); ++g) {
            bool space = grants[g].which() == Grant::Which::addressSpaceOf;
            if (!space && grants[g].which() != Grant::Which::threadOf) continue;
            wire::Text target = space ? grants[g].addressSpaceOf() : grants[g].threadOf();
            if (equal(target.ptr, target.size, name.ptr, name.size))
                (void)give(programs_[c].loaded, program::kFirstGrantSlot + g,
                           space ? programs_[index].loaded.vspace : programs_[index].loaded.tcb,
                           abi::rights::kAll);
        }
    }
}

VoidResult System::grant_server(uint32_t c, uint32_t g) {
    RunningProgram& client = programs_[c];
    const RunningProgram& server = programs_[client.grant_targets[g]];
    // A server that is down gives nothing: the slot stays empty until it
    // runs again (restart() grants its clients then).
    if (server.state != State::Running || !server.endpoint) return {};
    if (!client.grant_caps[g]) client.grant_caps[g] = TRY(slots::allocate());
    // (Empty after the server's last teardown, or the old generation's.)
    inv::SlotInfo held{};
    if (inv::slot_info(abi::kInitSlotCNode, client.grant_caps[g], kDepth, held) > 0)
        (void)inv::cnode_delete(abi::kInitSlotCNode, client.grant_caps[g], kDepth);
    TRY(check(inv::cnode_mint(abi::kInitSlotCNode, client.grant_caps[g], kDepth, server.endpoint,
                              kClientRights, c + 1)));
    return give(client.loaded, client.grant_slots[g], client.grant_caps[g], kClientRights);
}

void System::tear_down(uint32_t i) {
    RunningProgram& r = programs_[i];
    State was = r.state;
    r.state = State::Crashed; // (until its policy decides)
    // Everything it had came from its region: one revoke takes it all (its
    // thread, address space, CSpace, endpoint and every copy of it).
    while (inv::cnode_revoke(abi::kInitSlotCNode, r.untyped, kDepth) ==
           int64_t(abi::Status::Preempted)) {
    }
    r.maker.forget_all();
    r.loaded = Program{};
    r.endpoint = 0; // (its slot is free now and may be reused)
    // The programs whose faults it took report to init again. One that was
    // waiting for it to answer a fault has stopped, and one whose paged
    // region it held has lost that memory: both are crashes.
    for (uint32_t c = 0; c < count_; ++c) {
        if (c == i || fault_handler_of(c) != int(i) || programs_[c].state != State::Running)
            continue;
        route_faults(c);
        inv::TcbRegisters regs{};
        RunningProgram& client = programs_[c];
        if (paged(c))
            format_to(client.last_fault, sizeof(client.last_fault),
                      "its pager '%s' went away with its paged memory", r.name);
        else if (inv::tcb_registers(client.loaded.tcb, regs) == 0)
            format_to(client.last_fault, sizeof(client.last_fault),
                      "its fault handler '%s' went away", r.name);
        else
            continue;
        print("init: '%s' crashed (%s)\n", programs_[c].name, programs_[c].last_fault);
        apply_policy(c, true);
    }
    // A thread it held (threadOf: a fault injector) and left suspended
    // would stay so with nobody to resume it: it is resumed now.
    auto grants = manifest_.programs()[i].grants();
    for (uint32_t g = 0; g < grants.size(); ++g) {
        if (grants[g].which() != Grant::Which::threadOf) continue;
        int t = find(grants[g].threadOf().ptr, grants[g].threadOf().size);
        if (t < 0 || programs_[t].state != State::Running) continue;
        uint64_t tcb = programs_[t].loaded.tcb;
        if (inv::tcb_read_state(tcb) == int64_t(abi::ThreadActivity::Inactive) &&
            inv::tcb_resume(tcb) == 0)
            print("init: resumed '%s', which '%s' had left stopped\n", programs_[t].name, r.name);
    }
    r.state = was;
}

void System::crashed(uint32_t index, uint64_t label, uint64_t vector, uint64_t address) {
    if (index >= count_) return;
    RunningProgram& r = programs_[index];
    if (r.state != State::Running) return;
    format_to(r.last_fault, sizeof(r.last_fault), "%s, vector %lu, address %#lx",
              label == abi::kFaultPage ? "page fault" : "exception", vector, address);
    print("init: '%s' crashed (%s)\n", r.name, r.last_fault);
    apply_policy(index, true);
}

void System::exited(uint32_t index, int64_t code) {
    if (index >= count_) return;
    RunningProgram& r = programs_[index];
    if (r.state != State::Running) return;
    format_to(r.last_fault, sizeof(r.last_fault), "exit code %ld", code);
    if (code != 0)
        print("init: '%s' exited with an error (%s)\n", r.name, r.last_fault);
    else
        print("init: '%s' exited cleanly\n", r.name);
    apply_policy(index, code != 0);
}

void System::apply_policy(uint32_t index, bool crashed) {
    RunningProgram& r = programs_[index];
    tear_down(index);
    auto policy = manifest_.programs()[index].restart();
    using Which = idl::manifest::RestartPolicy::Which;
    if (!crashed && policy.which() != Which::always) {
        r.state = State::Stopped;
        return;
    }
    if (policy.which() == Which::never) {
        r.state = State::Crashed;
        print("init: '%s' stays down (restart policy: never)\n", r.name);
        return;
    }
    if (r.restarts >= policy.maxRestarts()) {
        r.state = State::Failed;
        print("init: '%s' failed: it crashed after %u restarts\n", r.name, r.restarts);
        return;
    }
    ++r.restarts;
    ++r.generation;
    // Back-off: the policy's ticks, doubled after each restart.
    uint64_t wait = uint64_t(policy.backoffTicks()) << (r.restarts - 1 < 20 ? r.restarts - 1 : 20);
    if (!timer_) wait = 0;
    print("init: restarting '%s' in %lu ticks (restart %u of %u, generation %u)\n", r.name, wait,
          r.restarts, policy.maxRestarts(), r.generation);
    if (wait == 0) return restart(index);
    r.state = State::Restarting;
    r.restart_due = uint64_t(sys::clock_ticks()) + wait;
    arm_timer();
}

VoidResult System::restart_now(uint32_t index) {
    if (index >= count_) return Error(abi::Status::NotFound);
    RunningProgram& r = programs_[index];
    if (r.state == State::Running) tear_down(index);
    ++r.generation;
    print("init: restarting '%s' on request (generation %u)\n", r.name, r.generation);
    restart(index);
    if (r.state != State::Running) return Error(abi::Status::OutOfMemory);
    arm_timer();
    return {};
}

VoidResult System::kill(uint32_t index) {
    if (index >= count_) return Error(abi::Status::NotFound);
    RunningProgram& r = programs_[index];
    if (r.state != State::Running) return Error(abi::Status::InvalidArgument);
    // A real crash: the thread continues at the first user page, which is
    // never mapped, and its page fault reaches init like any other.
    inv::TcbRegisters regs{};
    TRY(check(inv::tcb_crash(r.loaded.tcb, regs)));
    print("init: killing '%s' (it jumps to %#lx, never mapped)\n", r.name, abi::kUserBase);
    return {};
}

bool System::may_supervise(uint32_t index) const {
    if (index >= count_) return false;
    auto grants = manifest_.programs()[index].grants();
    for (uint32_t g = 0; g < grants.size(); ++g)
        if (grants[g].which() == Grant::Which::supervisor) return true;
    return false;
}

void System::restart(uint32_t index) {
    RunningProgram& r = programs_[index];
    // A paged client starts only when its pager runs (its first touch of
    // the region would fault to init).
    int pager = paged(index) ? fault_handler_of(index) : -1;
    if (pager >= 0 && programs_[pager].state != State::Running) {
        if (programs_[pager].state == State::Restarting) {
            r.state = State::Restarting;
            r.restart_due = programs_[pager].restart_due + 1;
            print("init: '%s' waits for its pager '%s'\n", r.name, programs_[pager].name);
            return;
        }
        r.state = State::Failed;
        print("init: '%s' failed: its pager '%s' is down\n", r.name, programs_[pager].name);
        return;
    }
    r.state = State::Running;
    bool ready = prepare(index) && equip(index);
    // Before it runs (its first fault may come at once): where its faults
    // go, and its address space to the programs granted it.
    if (ready) {
        route_faults(index);
        regrant_access(index);
    }
    if (!ready || !init::start(r.loaded)) {
        tear_down(index);
        r.state = State::Failed;
        print("init: '%s' failed: it could not be started again\n", r.name);
        return;
    }
    // Its running clients get a capability to the new generation in the
    // slot of their grant (the old one went with the old generation); the
    // programs it takes faults from report to its new endpoint; those
    // granted its address space get the new one.
    for (uint32_t c = 0; c < count_; ++c) {
        if (c == index || programs_[c].state != State::Running) continue;
        for (uint32_t g = 0; g < programs_[c].grant_count; ++g)
            if (programs_[c].grant_targets[g] == index) (void)grant_server(c, g);
        if (fault_handler_of(c) == int(index)) route_faults(c);
    }
}

void System::timer_fired() {
    uint64_t now = uint64_t(sys::clock_ticks());
    for (uint32_t i = 0; i < count_; ++i)
        if (programs_[i].state == State::Restarting && programs_[i].restart_due <= now) restart(i);
    if (check_every_ && check_due_ <= now) {
        check_code();
        check_due_ = now + check_every_;
    }
    arm_timer();
}

void System::check_code() {
    alignas(4096) static uint8_t page[4096];
    uint32_t left = limits::kInitCodeCheckPages;
    // Each program once at most (the cursor may start in the middle of one).
    for (uint32_t visited = 0; left > 0 && visited <= count_; ++visited) {
        uint32_t index = check_program_;
        RunningProgram& r = programs_[index];
        auto file = r.state == State::Running ? program_file(*init_maker_, *boot_, r.module)
                                              : Result<ProgramFile>(Error(abi::Status::NotFound));
        for (; file && left > 0; --left) {
            ReadOnlyPage next = next_read_only_page(file.value().image, check_page_);
            if (next.page == 0) break;
            check_page_ = next.page + sizeof page;
            if (inv::vspace_read(r.loaded.vspace, next.page, reinterpret_cast<uint64_t>(page),
                                 sizeof page) < 0)
                continue; // (not mapped: nothing to compare)
            int64_t offset = first_difference(file.value().bytes, *next.segment, next.page, page);
            if (offset >= 0) return corrupted(index, next.page + uint64_t(offset));
        }
        if (left == 0) return;                 // (this program goes on from check_page_ next time)
        check_program_ = (index + 1) % count_; // done: the next one from its start
        check_page_ = 0;
    }
}

void System::corrupted(uint32_t index, uint64_t address) {
    RunningProgram& r = programs_[index];
    format_to(r.last_fault, sizeof(r.last_fault), "its code changed at %#lx", address);
    print("init: '%s' crashed (%s: memory corrupted)\n", r.name, r.last_fault);
    apply_policy(index, true);
    check_program_ = (index + 1) % count_;
    check_page_ = 0;
}

void System::arm_timer() {
    uint64_t next = check_every_ ? check_due_ : 0;
    for (uint32_t i = 0; i < count_; ++i)
        if (programs_[i].state == State::Restarting &&
            (next == 0 || programs_[i].restart_due < next))
            next = programs_[i].restart_due;
    if (next == 0) return;
    uint64_t now = uint64_t(sys::clock_ticks());
    (void)inv::notification_set_timer(timer_, next > now ? next - now : 1, 1);
}

} // namespace rayos::init
