// Starting and supervising the system a manifest describes. Every program
// gets its own untyped region from which init makes all of its objects —
// endpoint, address space, CSpace, thread — and the untyped memory the
// program itself may use (its quota, rounded down to a power of two), so
// it can never hold more than its manifest allows, and tearing it down is
// one revoke that frees everything for the restart. A restarted program has a new endpoint: the old
// capabilities its clients hold stop working (they look it up again and get
// the new generation). See rayos/program.h for what a program finds in its
// CSpace.
//
// A program may be granted another's faults (faultEndpointOf: a pager): the
// other's thread then reports its faults to the grantee's endpoint, badged
// program::fault_badge(its index, its generation), and the grant slot holds
// init's fault endpoint for it, to pass on the faults the grantee does not
// handle. While the grantee is down, the faults come to init.
//
// A paged region (the manifest's `paging`) lives in its pager: when the
// pager goes away, the region's contents go with it, and init counts the
// client as crashed (its policy decides); a paged client is started again
// only once its pager runs.
#pragma once

#include "loader.h"
#include "manifest.h"
#include "objects.h"

#include <rayos/abi/boot_info.h>
#include <rayos/program.h>

#include <cstdint>

namespace rayos::init {

enum class State : uint8_t { Running, Restarting, Crashed, Stopped, Failed };

struct RunningProgram {
    char name[kMaxNameLength + 1] = {};
    State state = State::Running;
    uint32_t generation = 1;
    uint32_t restarts = 0;
    uint64_t restart_due = 0;    // tick of the next restart (Restarting)
    char last_fault[64] = {};    // how its last generation ended ("" if none)
    uint64_t untyped = 0;        // its region (init's capability): its memory and image
    uint8_t memory_bits = 0;     // the untyped it gets (program::kSlotMemory)
    uint64_t memory = 0;         // that untyped, until it is moved to the program
    ObjectMaker maker;           // its objects, made from that region
    uint64_t endpoint = 0;       // this generation's endpoint (init's full copy)
    uint64_t name_service = 0;   // its badged NameService capability (in init)
    uint64_t fault_endpoint = 0; // its faults reach init here (badged)
    uint64_t handler_cap = 0;    // its faults reach its handler (faultEndpointOf) here
    Program loaded;
    uint64_t module = 0; // its boot module (the ELF file its image came from)
    // Its server grants: the program reached, the slot of the program's
    // CSpace it is in, and init's copy of what it holds there (the server's
    // endpoint with client rights, badged with this program's index + 1, so
    // the server knows who calls; the name service hands out the same).
    uint32_t grant_count = 0;
    uint32_t grant_targets[kMaxGrants] = {};
    uint64_t grant_slots[kMaxGrants] = {};
    uint64_t grant_caps[kMaxGrants] = {};
};

// Fault badges: rayos/program.h.
using program::kFaultBadge;

class System {
public:
    // Starts every program of `manifest`; `name_service` is init's endpoint
    // for NameService calls and, badged with kFaultBadge, every program's
    // faults; `timer` a notification bound to init's thread for back-off
    // (0: restarts happen at once).
    [[nodiscard]] Result<uint32_t> start(ObjectMaker& maker, const abi::BootInfo& boot,
                                         idl::manifest::Manifest::Reader manifest,
                                         uint64_t name_service, uint64_t timer);
    // The timer signalled: restart the programs that are due, and check
    // the next pages of code (the manifest's codeCheckTicks).
    void timer_fired();

    // A program's thread faulted (`label` abi::kFault*, `vector`,
    // `address`): tear it down and restart it or give up, per its policy.
    void crashed(uint32_t index, uint64_t label, uint64_t vector, uint64_t address);
    // It called thread_exit(code): an error code is a crash; 0 a clean
    // stop (restarted only under the policy `always`).
    void exited(uint32_t index, int64_t code);

    // The shell's requests (Supervisor): start it again now, whatever its
    // state (a new generation; the policy's count is not charged), or make
    // it crash (its thread jumps to the first user page, never mapped).
    [[nodiscard]] VoidResult restart_now(uint32_t index);
    [[nodiscard]] VoidResult kill(uint32_t index);
    // Whether program `index`'s manifest grants it the Supervisor.
    bool may_supervise(uint32_t index) const;
    idl::manifest::Program::Reader entry(uint32_t index) const {
        return manifest_.programs()[index];
    }
    const abi::BootInfo& boot() const { return *boot_; }

    // Which program index this name belongs to, or -1.
    int find(const char* name, uint32_t length) const;
    uint32_t count() const { return count_; }
    const RunningProgram& program(uint32_t i) const { return programs_[i]; }

private:
    VoidResult prepare(uint32_t i); // region, endpoint, address space and thread
    VoidResult equip(uint32_t i);   // its capabilities and grants
    void tear_down(uint32_t i);
    void restart(uint32_t i);
    // (Re)makes client `c`'s capability for its server grant `g` and puts it
    // in the client's CSpace.
    VoidResult grant_server(uint32_t c, uint32_t g);
    // A grant that is neither a server nor a hardware resource: another
    // program's address space or its fault messages, init's Supervisor.
    VoidResult grant_access(uint32_t i, uint64_t slot, idl::manifest::Grant::Reader grant);
    // The program whose manifest entry takes `index`'s faults, or -1.
    int fault_handler_of(uint32_t index) const;
    // Whether `index` declares a paged region (its memory lives in its
    // fault handler).
    bool paged(uint32_t index) const { return entry(index).paging().pages() > 0; }
    // Points `index`'s thread at its fault handler: the program granted its
    // faults while that one runs, init otherwise.
    void route_faults(uint32_t index);
    // After `index` restarted: the programs granted its address space or
    // its thread (addressSpaceOf, threadOf) get the new ones.
    void regrant_access(uint32_t index);
    void arm_timer();
    // Compares the next limits::kInitCodeCheckPages read-only pages (code
    // and constants) of the running programs, round robin, with their ELF
    // files (code_image.h); a page that changed is a crash of its program.
    void check_code();
    void corrupted(uint32_t index, uint64_t address);
    // After a crash or exit: restart per the policy (with back-off) or not.
    void apply_policy(uint32_t index, bool crashed);

    RunningProgram programs_[kMaxPrograms];
    uint32_t count_ = 0;
    const abi::BootInfo* boot_ = nullptr;
    ObjectMaker* init_maker_ = nullptr;
    idl::manifest::Manifest::Reader manifest_;
    uint64_t name_service_ = 0;
    uint64_t timer_ = 0;
    uint64_t check_every_ = 0; // ticks between two code checks (0: none)
    uint64_t check_due_ = 0;   // tick of the next
    uint32_t check_program_ = 0;
    uint64_t check_page_ = 0; // where the next check starts in check_program_
};

// The boot module whose file name ends in ".manifest.bin", decoded
// (Status::NotFound when there is none).
[[nodiscard]] Result<idl::manifest::Manifest::Reader> read_manifest(ObjectMaker& maker,
                                                                    const abi::BootInfo& boot,
                                                                    wire::Message& message,
                                                                    wire::Segment* segments);

} // namespace rayos::init
