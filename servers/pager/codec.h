// How the pager stores one 4 KiB page: as the value it is filled with
// (same-filled pages, e.g. zero pages), compressed with LZ4 at the client's
// level, or raw when compression would not save enough. Pure logic over
// the distribution's liblz4; tested on the host against the same library.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rayos::pager {

constexpr size_t kPageSize = 4096;

// Compression levels (idl/pager.capnp): None stores pages raw, Fast is LZ4
// with acceleration, Balanced LZ4's default, Best LZ4HC.
enum class Level : uint8_t { None, Fast, Balanced, Best };

enum class Encoding : uint8_t {
    SameFilled, // every 8-byte word equal: `fill` holds it, nothing stored
    Raw,        // the page as it is (kPageSize bytes)
    Lz4,        // LZ4 block format, `size` bytes
};

struct Encoded {
    Encoding encoding = Encoding::Raw;
    uint32_t size = 0; // bytes to store (0 for SameFilled)
    uint64_t fill = 0; // SameFilled: the word repeated
};

// A compressed page must save at least this much to be kept compressed
// (below, the bytes and the decompression are not worth it).
constexpr uint32_t kMinSaving = kPageSize / 8;

// Encodes `page` into `out` (room for kPageSize bytes). `out` holds the
// bytes to store afterwards (the page itself for Raw).
Encoded encode(const uint8_t* page, Level level, uint8_t* out);

// Restores a page; false if the stored bytes are not a valid encoding of a
// whole page (a corrupted store: the pager reports it, never maps garbage).
[[nodiscard]] bool decode(const Encoded& encoded, const uint8_t* stored, uint8_t* page);

const char* level_name(Level level);
const char* encoding_name(Encoding encoding);

} // namespace rayos::pager
