// Every struct of every schema in idl/, both ways, against the official
// libcapnp: random messages built with libcapnp (in many small segments,
// so far pointers appear) must read the same through the generated readers,
// and messages built by the generated builders must read the same through
// libcapnp.
#include "dynamic.h"

#include <rayos/idl/common.h>
#include <rayos/idl/console.h>
#include <rayos/idl/init.h>
#include <rayos/idl/lb.h>
#include <rayos/idl/manifest.h>
#include <rayos/idl/monitor.h>
#include <rayos/idl/pager.h>
#include <rayos/idl/predictor.h>
#include <rayos/idl/profiler.h>
#include <rayos/idl/txn.h>
#include <rayos/idl/inject.h>

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <doctest/doctest.h>

#include <vector>

namespace {

using namespace rayos;
constexpr int kTrials = 60;

// libcapnp -> generated reader.
template <typename S> void libcapnp_to_generated(std::mt19937_64& rng) {
    auto schema = idltest::struct_schema(S::kTypeId);
    // Small fixed segments force multi-segment messages and far pointers.
    uint32_t first = uint32_t(1 + rng() % 16);
    capnp::MallocMessageBuilder builder(first, capnp::AllocationStrategy::FIXED_SIZE);
    auto root = builder.initRoot<capnp::DynamicStruct>(schema);
    idltest::randomize(root, rng);

    auto output = builder.getSegmentsForOutput();
    std::vector<wire::Segment> segments;
    for (auto s : output)
        segments.push_back({reinterpret_cast<const uint64_t*>(s.begin()), uint32_t(s.size())});
    wire::Message message{segments.data(), uint32_t(segments.size()), nullptr, 0};
    auto decoded = wire::decode<S>(message);
    REQUIRE_MESSAGE(decoded.ok(), std::string(S::kName), ": ", rpc_error_name(decoded.error()));

    idltest::Compare compare(root.asReader());
    S::reflect(decoded.value(), compare);
    for (auto& e : compare.errors())
        FAIL_CHECK(std::string(S::kName), ": ", e);
}

// Generated builder -> libcapnp.
template <typename S> void generated_to_libcapnp(std::mt19937_64& rng) {
    auto schema = idltest::struct_schema(S::kTypeId);
    capnp::MallocMessageBuilder original;
    auto root = original.initRoot<capnp::DynamicStruct>(schema);
    idltest::randomize(root, rng);

    std::vector<uint64_t> words(1 << 16);
    wire::Arena arena(words.data(), uint32_t(words.size()));
    idltest::Source source(root.asReader());
    S::fill(wire::init_message<S>(arena), source);
    REQUIRE(arena.error == RpcError::Ok);

    kj::ArrayPtr<const capnp::word> segment(reinterpret_cast<const capnp::word*>(words.data()),
                                            arena.used);
    capnp::SegmentArrayMessageReader reader(kj::arrayPtr(&segment, 1));
    std::string why;
    bool same = idltest::equal(root.asReader(), reader.getRoot<capnp::DynamicStruct>(schema), why);
    CHECK_MESSAGE(same, std::string(S::kName), ": ", why);
}

template <typename S> void round_trip(uint64_t seed) {
    std::mt19937_64 rng(seed ^ S::kTypeId);
    for (int i = 0; i < kTrials; ++i) {
        libcapnp_to_generated<S>(rng);
        generated_to_libcapnp<S>(rng);
    }
}

#define RAYOS_ROUND_TRIP(S) round_trip<S>(seed), ++structs;

} // namespace

TEST_CASE("every idl struct round-trips with libcapnp in both directions") {
    uint64_t seed = 0x5eed;
    int structs = 0;
    RAYOS_IDL_STRUCTS_common(RAYOS_ROUND_TRIP);
    RAYOS_IDL_STRUCTS_console(RAYOS_ROUND_TRIP);
    RAYOS_IDL_STRUCTS_init(RAYOS_ROUND_TRIP);
    RAYOS_IDL_STRUCTS_lb(RAYOS_ROUND_TRIP);
    RAYOS_IDL_STRUCTS_manifest(RAYOS_ROUND_TRIP);
    RAYOS_IDL_STRUCTS_monitor(RAYOS_ROUND_TRIP);
    RAYOS_IDL_STRUCTS_pager(RAYOS_ROUND_TRIP);
    RAYOS_IDL_STRUCTS_predictor(RAYOS_ROUND_TRIP);
    RAYOS_IDL_STRUCTS_profiler(RAYOS_ROUND_TRIP);
    RAYOS_IDL_STRUCTS_txn(RAYOS_ROUND_TRIP);
    RAYOS_IDL_STRUCTS_inject(RAYOS_ROUND_TRIP);
    // Every struct of every schema file is listed above: a new schema file
    // must be added here, which this count makes impossible to forget.
    size_t expected = 0;
    for (auto schema : idltest::schemas().getAllLoaded())
        if (schema.getProto().isStruct() && !schema.getProto().getStruct().getIsGroup() &&
            schema.getProto().getScopeId() != 0)
            ++expected;
    CHECK(size_t(structs) == expected);
}
