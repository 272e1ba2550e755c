// Page encoding (see codec.h).
#include "codec.h"

#include <lz4.h>
#include <lz4hc.h>

namespace rayos::pager {
namespace {

// LZ4's working state lives here, not on the (small) stack.
LZ4_stream_t fast_state;
LZ4_streamHC_t hc_state;

constexpr int kFastAcceleration = 8;

bool same_filled(const uint8_t* page, uint64_t& fill) {
    const auto* words = reinterpret_cast<const uint64_t*>(page);
    for (size_t i = 1; i < kPageSize / sizeof(uint64_t); ++i)
        if (words[i] != words[0]) return false;
    fill = words[0];
    return true;
}

void copy(uint8_t* to, const uint8_t* from, size_t n) {
    for (size_t i = 0; i < n; ++i)
        to[i] = from[i];
}

} // namespace

Encoded encode(const uint8_t* page, Level level, uint8_t* out) {
    Encoded e;
    if (same_filled(page, e.fill)) {
        e.encoding = Encoding::SameFilled;
        return e;
    }
    const auto* src = reinterpret_cast<const char*>(page);
    auto* dst = reinterpret_cast<char*>(out);
    const int capacity = int(kPageSize - kMinSaving); // anything longer is not worth it
    int size = 0;
    switch (level) {
    case Level::None:
        break;
    case Level::Fast:
        size = LZ4_compress_fast_extState(&fast_state, src, dst, int(kPageSize), capacity,
                                          kFastAcceleration);
        break;
    case Level::Balanced:
        size = LZ4_compress_fast_extState(&fast_state, src, dst, int(kPageSize), capacity, 1);
        break;
    case Level::Best:
        size = LZ4_compress_HC_extStateHC(&hc_state, src, dst, int(kPageSize), capacity,
                                          LZ4HC_CLEVEL_DEFAULT);
        break;
    }
    if (size > 0) {
        e.encoding = Encoding::Lz4;
        e.size = uint32_t(size);
        return e;
    }
    // Incompressible (or level None): the page as it is.
    copy(out, page, kPageSize);
    e.encoding = Encoding::Raw;
    e.size = kPageSize;
    return e;
}

bool decode(const Encoded& e, const uint8_t* stored, uint8_t* page) {
    switch (e.encoding) {
    case Encoding::SameFilled: {
        auto* words = reinterpret_cast<uint64_t*>(page);
        for (size_t i = 0; i < kPageSize / sizeof(uint64_t); ++i)
            words[i] = e.fill;
        return true;
    }
    case Encoding::Raw:
        if (e.size != kPageSize) return false;
        copy(page, stored, kPageSize);
        return true;
    case Encoding::Lz4: {
        if (e.size == 0 || e.size > kPageSize) return false;
        int n = LZ4_decompress_safe(reinterpret_cast<const char*>(stored),
                                    reinterpret_cast<char*>(page), int(e.size), int(kPageSize));
        return n == int(kPageSize);
    }
    }
    return false;
}

const char* level_name(Level level) {
    switch (level) {
    case Level::None:
        return "none";
    case Level::Fast:
        return "fast";
    case Level::Balanced:
        return "balanced";
    case Level::Best:
        return "best";
    }
    return "unknown";
}

const char* encoding_name(Encoding encoding) {
    switch (encoding) {
    case Encoding::SameFilled:
        return "same-filled";
    case Encoding::Raw:
        return "raw";
    case Encoding::Lz4:
        return "lz4";
    }
    return "unknown";
}

} // namespace rayos::pager
