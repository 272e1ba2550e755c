// Manifest validation: manifests written in capnp text form and encoded
// with `capnp encode` at build time, and hand-built ones for every rule.
#include "manifest.h"

#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using namespace rayos;
namespace manifest = rayos::idl::manifest;

namespace {

constexpr uint64_t kMemory = 64ull << 20;

// A file from `capnp encode` (stream framing), decoded.
struct Encoded {
    std::vector<uint64_t> words;
    wire::Segment segments[limits::kWireMaxSegments];
    wire::Message message;
    explicit Encoded(const std::string& name) {
        std::ifstream in(std::string(RAYOS_TEST_MANIFEST_DIR) + "/" + name, std::ios::binary);
        std::vector<char> bytes{std::istreambuf_iterator<char>(in), {}};
        words.resize((bytes.size() + 7) / 8);
        std::copy(bytes.begin(), bytes.end(), reinterpret_cast<char*>(words.data()));
        uint32_t count = 0;
        REQUIRE(wire::parse_flat(reinterpret_cast<const uint8_t*>(words.data()), bytes.size(),
                                 segments, limits::kWireMaxSegments, count) == RpcError::Ok);
        message = wire::Message{segments, count, nullptr, 0};
    }
    manifest::Manifest::Reader root() {
        auto decoded = wire::decode<manifest::Manifest>(message);
        REQUIRE(decoded.ok());
        return decoded.value();
    }
};

// Builds manifests program by program.
struct Builder {
    std::vector<uint64_t> words = std::vector<uint64_t>(4096);
    wire::Arena arena{words.data(), uint32_t(words.size())};
    manifest::Manifest::Builder root = wire::init_message<manifest::Manifest>(arena);
    wire::ListBuilderOf<wire::StructKind<manifest::Program>> programs;
    wire::Segment segment;
    wire::Message message;

    explicit Builder(uint32_t count) { programs = root.init_programs(count); }
    manifest::Program::Builder program(uint32_t i, const char* name, uint64_t quota = 4096) {
        auto p = programs[i];
        p.set_name(name);
        p.set_module("x.elf");
        p.set_memoryQuota(quota);
        return p;
    }
    init::ManifestError validate(uint64_t memory = kMemory) {
        REQUIRE(arena.error == RpcError::Ok);
        segment = {words.data(), arena.used};
        message = {&segment, 1, nullptr, 0};
        auto decoded = wire::decode<manifest::Manifest>(message);
        REQUIRE(decoded.ok());
        return init::validate_manifest(decoded.value(), memory);
    }
};

std::string text(const init::ManifestError& e) {
    return std::string(e.program) + ": " + (e.message ? e.message : "ok") + " " + e.detail;
}

} // namespace

TEST_CASE("manifest: the text-form sample encodes, decodes and validates") {
    Encoded file("manifest_ok.manifest.bin");
    auto m = file.root();
    REQUIRE(m.programs().size() == 3);
    CHECK(m.programs()[1].name().equals("pager"));
    CHECK(m.programs()[1].args().equals("store=64"));
    CHECK(m.programs()[1].restart().maxRestarts() == 3);
    CHECK(m.programs()[0].restart().backoffTicks() == 10); // the schema default
    CHECK(m.programs()[0].grants()[0].ioPorts().first() == 1016);
    auto e = init::validate_manifest(m, kMemory);
    CHECK_MESSAGE(e.ok(), text(e));
    // The same manifest with less memory than its quotas ask for.
    auto small = init::validate_manifest(m, 4ull << 20);
    CHECK(std::string(small.program) == "pager");
}

TEST_CASE("manifest: an error names the offending program and what it refers to") {
    Encoded file("manifest_bad_grant.manifest.bin");
    auto e = init::validate_manifest(file.root(), kMemory);
    REQUIRE_FALSE(e.ok());
    CHECK(std::string(e.program) == "shell");
    CHECK(std::string(e.detail) == "consol");
}

TEST_CASE("manifest: names must be present, short, plain and unique") {
    {
        Builder b(0);
        CHECK_FALSE(b.validate().ok()); // no programs
    }
    {
        Builder b(1);
        b.program(0, "");
        CHECK_FALSE(b.validate().ok());
    }
    {
        Builder b(1);
        b.program(0, "a-name-that-is-far-too-long-to-use-x");
        CHECK(std::string(b.validate().program).size() > 31);
    }
    {
        Builder b(1);
        b.program(0, "bad name");
        CHECK_FALSE(b.validate().ok());
    }
    {
        Builder b(2);
        b.program(0, "twin");
        b.program(1, "twin");
        auto e = b.validate();
        CHECK(std::string(e.program) == "twin");
        CHECK(std::string(e.message) == "name used twice");
    }
}

TEST_CASE("manifest: modules and quotas") {
    {
        Builder b(1);
        b.program(0, "a").set_module("");
        CHECK(std::string(b.validate().message) == "no boot module named");
    }
    {
        Builder b(1);
        b.program(0, "a", 0);
        CHECK(std::string(b.validate().message) == "memory quota is zero");
    }
    {
        Builder b(2);
        b.program(0, "a", 3ull << 20);
        b.program(1, "b", 2ull << 20);
        CHECK(b.validate(5ull << 20).ok());
        auto e = b.validate((5ull << 20) - 1);
        CHECK(std::string(e.program) == "b");
    }
    {
        Builder b(2); // sums that would wrap around are refused too
        b.program(0, "a", ~0ull);
        b.program(1, "b", 2);
        CHECK_FALSE(b.validate().ok());
    }
}

TEST_CASE("manifest: grants refer to other programs; ports ordered; IRQs once, in range") {
    {
        Builder b(1);
        b.program(0, "self").init_grants(1)[0].set_server("self");
        CHECK(std::string(b.validate().message) == "a grant names the program itself");
    }
    {
        Builder b(2);
        b.program(0, "a");
        b.program(1, "b").init_grants(1)[0].set_faultEndpointOf("c");
        auto e = b.validate();
        CHECK(std::string(e.program) == "b");
        CHECK(std::string(e.detail) == "c");
    }
    {
        Builder b(1);
        auto ports = b.program(0, "a").init_grants(1)[0].init_ioPorts();
        ports.set_first(0x3FF);
        ports.set_last(0x3F8);
        CHECK_FALSE(b.validate().ok());
    }
    for (uint8_t irq : {uint8_t(0), uint8_t(16), uint8_t(255)}) {
        Builder b(1);
        b.program(0, "a").init_grants(1)[0].set_irq(irq);
        CHECK_FALSE(b.validate().ok());
    }
    {
        Builder b(2);
        b.program(0, "a").init_grants(1)[0].set_irq(4);
        b.program(1, "b").init_grants(1)[0].set_irq(4);
        auto e = b.validate();
        CHECK(std::string(e.message) == "an IRQ granted twice");
        CHECK(std::string(e.program) == "b");
    }
    {
        Builder b(3); // a program's faults go to one place
        b.program(0, "client");
        b.program(1, "pager").init_grants(1)[0].set_faultEndpointOf("client");
        b.program(2, "other").init_grants(1)[0].set_faultEndpointOf("client");
        auto e = b.validate();
        CHECK(std::string(e.program) == "pager");
        CHECK(std::string(e.message) == "another grant already takes the faults of");
        CHECK(std::string(e.detail) == "client");
    }
    {
        Builder b(2);
        b.program(0, "client");
        auto grants = b.program(1, "pager").init_grants(3);
        grants[0].set_faultEndpointOf("client");
        grants[1].set_addressSpaceOf("client");
        grants[2].set_supervisor();
        CHECK(b.validate().ok());
    }
    {
        Builder b(1); // an unknown grant kind (a newer format) is refused, not ignored
        b.program(0, "a").init_grants(1)[0].set_which(manifest::Grant::Which(9));
        CHECK_FALSE(b.validate().ok());
    }
}

TEST_CASE("manifest: a paged region needs a pager and a budget within it") {
    auto paged = [](uint32_t pages, uint32_t budget, bool faults, bool space) {
        Builder b(2);
        auto client = b.program(0, "client").init_paging();
        client.set_pages(pages);
        client.set_budgetFrames(budget);
        auto grants = b.program(1, "pager").init_grants(2);
        grants[0].set_supervisor();
        grants[1].set_supervisor();
        if (faults) grants[0].set_faultEndpointOf("client");
        if (space) grants[1].set_addressSpaceOf("client");
        auto e = b.validate(); // (its strings live in the builder: copied)
        struct {
            bool ok_;
            std::string message, program;
            bool ok() const { return ok_; }
        } result{e.ok(), e.ok() ? "" : e.message, e.program};
        return result;
    };
    CHECK(paged(64, 16, true, true).ok());
    CHECK(paged(64, 64, true, true).ok());
    CHECK(paged(limits::kPagerMaxRegionPages, 1, true, true).ok());
    CHECK(paged(64, 16, true, false).message ==
          "a paged region, but no program is granted its faults and address space");
    CHECK_FALSE(paged(64, 16, false, true).ok());
    CHECK(paged(64, 16, true, false).program == "client");
    CHECK_FALSE(paged(64, 0, true, true).ok());  // no budget
    CHECK_FALSE(paged(16, 17, true, true).ok()); // more frames than pages
    CHECK_FALSE(paged(4096, limits::kPagerMaxBudget + 1, true, true).ok());
    CHECK(paged(limits::kPagerMaxRegionPages + 1, 16, true, true).message ==
          "a paged region larger than kPagerMaxRegionPages");
    {
        Builder b(1); // no paged region: nothing to check
        b.program(0, "plain");
        CHECK(b.validate().ok());
    }
}
