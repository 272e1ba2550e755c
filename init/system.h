// Starting the system a manifest describes: every program loaded from its
// boot module, given exactly what its manifest entry grants (see
// rayos/program.h for where things land), and the table init's name
// service answers from.
#pragma once

#include "manifest.h"
#include "objects.h"

#include <rayos/abi/boot_info.h>

#include <cstdint>

namespace rayos::init {

struct RunningProgram {
    char name[kMaxNameLength + 1] = {};
    uint64_t endpoint = 0;        // its endpoint (init's full copy)
    uint64_t client_endpoint = 0; // what clients get: Write, Grant, GrantReply
    uint64_t tcb = 0;
    uint32_t generation = 1;
    uint32_t grant_count = 0;
    uint32_t grant_targets[kMaxGrants] = {}; // program indices it may reach (server grants)
};

struct System {
    RunningProgram programs[kMaxPrograms];
    uint32_t count = 0;
    // Which program index this name belongs to, or -1.
    int find(const char* name, uint32_t length) const;
};

// The boot module whose file name ends in ".manifest.bin", decoded and
// validated; nullptr-like error when there is none (Status::NotFound).
[[nodiscard]] Result<idl::manifest::Manifest::Reader> read_manifest(ObjectMaker& maker,
                                                                    const abi::BootInfo& boot,
                                                                    wire::Message& message,
                                                                    wire::Segment* segments);

// Loads and starts every program; `name_service` is init's NameService
// endpoint (each program gets a copy badged with its index + 1).
[[nodiscard]] Result<uint32_t> start_system(ObjectMaker& maker, const abi::BootInfo& boot,
                                            idl::manifest::Manifest::Reader manifest,
                                            uint64_t name_service, System& system);

} // namespace rayos::init
