// Writes the fuzz target's seed corpus: for every struct of idl_structs.h,
// a few random messages built by libcapnp (some in one segment, some in many
// small ones, so far pointers appear), each prefixed with the selector bytes
// fuzz_decoders.cpp expects (struct index, capability count).
//
//   make_corpus <directory> [messages per struct, default 3]
//
// Files are named <schema file>.<Struct>-<n>.bin. The seed is fixed, so the
// corpus is reproducible; tests/idl/corpus/ holds a committed copy.
#include "dynamic.h"
#include "idl_structs.h"

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace rayos;

struct Writer {
    std::filesystem::path dir;
    int per_struct;
    std::mt19937_64 rng{0xc0dec0de};
    uint32_t index = 0; // the struct's selector byte
    int written = 0;
    bool ok = true;

    template <typename S> void add() {
        auto schema = idltest::struct_schema(S::kTypeId);
        // "pager.capnp:StatusResult" -> "pager.StatusResult"
        std::string name = schema.getProto().getDisplayName();
        if (auto colon = name.find(".capnp:"); colon != std::string::npos)
            name.replace(colon, 7, ".");
        for (int n = 0; n < per_struct; ++n) {
            // The first message in one segment, the others in small fixed
            // segments (at most kWireMaxSegments of them).
            uint32_t first = n == 0 ? 8192 : uint32_t(1 + rng() % 8);
            std::unique_ptr<capnp::MallocMessageBuilder> builder;
            do {
                builder = std::make_unique<capnp::MallocMessageBuilder>(
                    first, capnp::AllocationStrategy::FIXED_SIZE);
                idltest::randomize(builder->initRoot<capnp::DynamicStruct>(schema), rng);
                first *= 2;
            } while (builder->getSegmentsForOutput().size() > limits::kWireMaxSegments);
            check<S>(*builder, name);
            auto flat = capnp::messageToFlatArray(*builder);
            auto bytes = flat.asBytes();
            std::vector<uint8_t> out{uint8_t(index), uint8_t(rng() % 4)};
            out.insert(out.end(), bytes.begin(), bytes.end());
            auto path = dir / (name + "-" + std::to_string(n) + ".bin");
            std::ofstream(path, std::ios::binary)
                .write(reinterpret_cast<const char*>(out.data()), std::streamsize(out.size()));
            ++written;
        }
        ++index;
    }

    // Every seed decodes: seeds that fail validation would only fuzz the
    // error paths.
    template <typename S>
    void check(capnp::MallocMessageBuilder& builder, const std::string& name) {
        std::vector<wire::Segment> segments;
        for (auto s : builder.getSegmentsForOutput())
            segments.push_back({reinterpret_cast<const uint64_t*>(s.begin()), uint32_t(s.size())});
        wire::Message m{segments.data(), uint32_t(segments.size()), nullptr, 0};
        auto decoded = wire::decode<S>(m);
        if (!decoded.ok()) {
            fprintf(stderr, "make_corpus: %s does not decode: %s\n", name.c_str(),
                    rpc_error_name(decoded.error()));
            ok = false;
        }
    }
};

#define RAYOS_CORPUS_ADD(S) writer.add<S>();

} // namespace

int main(int argc, char** argv) {
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s <directory> [messages per struct]\n", argv[0]);
        return 2;
    }
    Writer writer{argv[1], argc == 3 ? std::stoi(argv[2]) : 3};
    std::filesystem::create_directories(writer.dir);
    RAYOS_IDL_ALL_STRUCTS(RAYOS_CORPUS_ADD)

    // idl_structs.h must list every struct of every schema file, and the
    // selector is one byte.
    size_t expected = 0;
    for (auto schema : idltest::schemas().getAllLoaded())
        if (schema.getProto().isStruct() && !schema.getProto().getStruct().getIsGroup() &&
            schema.getProto().getScopeId() != 0)
            ++expected;
    if (writer.index != expected || writer.index > 256) {
        fprintf(stderr, "make_corpus: idl_structs.h lists %u structs, the schemas have %zu\n",
                writer.index, expected);
        return 1;
    }
    printf("make_corpus: %d messages for %u structs in %s\n", writer.written, writer.index,
           argv[1]);
    return writer.ok ? 0 : 1;
}
