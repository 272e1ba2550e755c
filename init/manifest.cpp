// Manifest validation (see manifest.h).
#include "manifest.h"

#include <rayos/limits.h>

namespace rayos::init {
namespace {

using idl::manifest::Grant;
using idl::manifest::Program;

bool same(wire::Text a, wire::Text b) {
    if (a.size != b.size) return false;
    for (uint32_t i = 0; i < a.size; ++i)
        if (a.ptr[i] != b.ptr[i]) return false;
    return true;
}

bool printable_name(wire::Text name) {
    for (uint32_t i = 0; i < name.size; ++i) {
        char c = name.ptr[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.';
        if (!ok) return false;
    }
    return true;
}

// Whether `name` is one of the programs, other than `self`.
bool names_other_program(wire::List<wire::StructKind<Program>> programs, uint32_t self,
                         wire::Text name) {
    for (uint32_t i = 0; i < programs.size(); ++i)
        if (i != self && same(programs[i].name(), name)) return true;
    return false;
}

// Whether a faultEndpointOf grant other than grant `g` of program `self`
// names `target`: a program's faults go to one place.
bool faults_granted_elsewhere(wire::List<wire::StructKind<Program>> programs, uint32_t self,
                              uint32_t g, wire::Text target) {
    for (uint32_t i = 0; i < programs.size(); ++i) {
        auto grants = programs[i].grants();
        for (uint32_t k = 0; k < grants.size(); ++k)
            if ((i != self || k != g) && grants[k].which() == Grant::Which::faultEndpointOf &&
                same(grants[k].faultEndpointOf(), target))
                return true;
    }
    return false;
}

// Whether one program is granted both the faults and the address space of
// `target` (its pager).
bool has_pager(wire::List<wire::StructKind<Program>> programs, wire::Text target) {
    for (uint32_t i = 0; i < programs.size(); ++i) {
        bool faults = false, space = false;
        auto grants = programs[i].grants();
        for (uint32_t k = 0; k < grants.size(); ++k) {
            Grant::Reader g = grants[k];
            if (g.which() == Grant::Which::faultEndpointOf && same(g.faultEndpointOf(), target))
                faults = true;
            if (g.which() == Grant::Which::addressSpaceOf && same(g.addressSpaceOf(), target))
                space = true;
        }
        if (faults && space) return true;
    }
    return false;
}

ManifestError error(const char* program, const char* message, const char* detail = "") {
    return {program, message, detail};
}

ManifestError check_grants(wire::List<wire::StructKind<Program>> programs, uint32_t index,
                           uint32_t& irq_mask) {
    Program::Reader p = programs[index];
    const char* name = p.name().c_str();
    auto grants = p.grants();
    if (grants.size() > kMaxGrants) return error(name, "more grants than kMaxGrants");
    for (uint32_t g = 0; g < grants.size(); ++g) {
        Grant::Reader grant = grants[g];
        switch (grant.which()) {
        case Grant::Which::server:
        case Grant::Which::faultEndpointOf:
        case Grant::Which::addressSpaceOf:
        case Grant::Which::threadOf: {
            wire::Text target = grant.which() == Grant::Which::server ? grant.server()
                                : grant.which() == Grant::Which::faultEndpointOf
                                    ? grant.faultEndpointOf()
                                : grant.which() == Grant::Which::threadOf ? grant.threadOf()
                                                                          : grant.addressSpaceOf();
            if (same(target, p.name())) return error(name, "a grant names the program itself");
            if (!names_other_program(programs, index, target))
                return error(name, "a grant names no program in the manifest", target.c_str());
            if (grant.which() == Grant::Which::faultEndpointOf &&
                faults_granted_elsewhere(programs, index, g, target))
                return error(name, "another grant already takes the faults of", target.c_str());
            break;
        }
        case Grant::Which::ioPorts:
            if (grant.ioPorts().first() > grant.ioPorts().last())
                return error(name, "an I/O port range ends before it starts");
            break;
        case Grant::Which::irq: {
            uint8_t irq = grant.irq();
            if (irq == 0 || irq > kMaxIrq) return error(name, "an IRQ outside 1..15");
            if (irq_mask & (1u << irq)) return error(name, "an IRQ granted twice");
            irq_mask |= 1u << irq;
            break;
        }
        case Grant::Which::supervisor:
        case Grant::Which::log:
            break;
        default:
            return error(name, "a grant of an unknown kind (a newer manifest format?)");
        }
    }
    return {};
}

} // namespace

ManifestError validate_manifest(idl::manifest::Manifest::Reader manifest,
                                uint64_t available_memory) {
    auto programs = manifest.programs();
    if (programs.size() == 0) return error("", "the manifest lists no programs");
    if (programs.size() > kMaxPrograms) return error("", "more programs than kMaxPrograms");
    uint64_t total_quota = 0;
    uint32_t irq_mask = 0;
    for (uint32_t i = 0; i < programs.size(); ++i) {
        Program::Reader p = programs[i];
        wire::Text program_name = p.name();
        const char* name = program_name.c_str();
        if (program_name.size == 0) return error("", "a program without a name");
        if (program_name.size > kMaxNameLength)
            return error(name, "name longer than 31 characters");
        if (!printable_name(program_name))
            return error(name, "name has characters other than letters, digits, '-', '_', '.'");
        for (uint32_t j = 0; j < i; ++j)
            if (same(programs[j].name(), program_name)) return error(name, "name used twice");
        if (p.module().size == 0) return error(name, "no boot module named");
        if (p.memoryQuota() == 0) return error(name, "memory quota is zero");
        if (p.memoryQuota() > available_memory - total_quota || total_quota > available_memory)
            return error(name, "memory quotas add up to more than there is");
        total_quota += p.memoryQuota();
    }
    for (uint32_t i = 0; i < programs.size(); ++i)
        if (auto e = check_grants(programs, i, irq_mask); !e.ok()) return e;
    for (uint32_t i = 0; i < programs.size(); ++i) {
        Program::Reader p = programs[i];
        auto paging = p.paging();
        if (paging.pages() == 0) continue;
        const char* name = p.name().c_str();
        if (paging.pages() > limits::kPagerMaxRegionPages)
            return error(name, "a paged region larger than kPagerMaxRegionPages");
        if (paging.budgetFrames() == 0 || paging.budgetFrames() > paging.pages() ||
            paging.budgetFrames() > limits::kPagerMaxBudget)
            return error(name, "a paged region's budget outside 1..pages (and kPagerMaxBudget)");
        if (!has_pager(programs, p.name()))
            return error(name, "a paged region, but no program is granted its faults and "
                               "address space");
    }
    return {};
}

} // namespace rayos::init
