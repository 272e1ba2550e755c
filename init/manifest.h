// The system manifest (idl/manifest.capnp): what init starts and exactly
// which capabilities each program receives. Validation is pure logic,
// freestanding and tested on the host: init refuses a manifest with the
// first problem found, naming the program it is in.
#pragma once

#include <rayos/idl/manifest.h>

#include <cstddef>
#include <cstdint>

namespace rayos::init {

// Limits for manifests (init/manifest.h is their one place).
constexpr size_t kMaxPrograms = 32;
constexpr size_t kMaxNameLength = 31;
constexpr size_t kMaxGrants = 16;
constexpr uint8_t kMaxIrq = 15; // legacy PIC lines; 0 is the kernel's timer

// What is wrong, and where: `program` is the offending entry's name ("" for
// the manifest as a whole), `message` one line for humans.
struct ManifestError {
    const char* program = "";
    const char* message = nullptr; // nullptr: no error
    const char* detail = "";       // the name a grant refers to, if any
    bool ok() const { return message == nullptr; }
};

// Checks a decoded manifest: programs present and at most kMaxPrograms;
// names non-empty, short, printable and unique; modules named; memory
// quotas non-zero and their sum within `available_memory`; grants refer to
// programs that exist (not to the program itself); I/O port ranges ordered;
// IRQs 1..kMaxIrq and each granted once.
ManifestError validate_manifest(idl::manifest::Manifest::Reader manifest,
                                uint64_t available_memory);

} // namespace rayos::init
