// Page contents for workloads (see page_content.h).
#include "page_content.h"

namespace rayos::workload {
namespace {

// SplitMix64: a small, good generator from one 64-bit state.

constexpr const char* kWords[] = {
    "the ",    "pager ",    "keeps ",   "cold ",  "pages ",   "compressed ", "in ",  "its ",
    "store; ", "a ",        "client ",  "never ", "sees ",    "anything ",   "but ", "time. ",
    "init ",   "restarts ", "servers ", "that ",  "crash.\n", "error: ",     "ok ",  "42 "};
constexpr size_t kWordCount = sizeof(kWords) / sizeof(kWords[0]);

Content resolve(Content kind, uint64_t page) {
    if (kind != Content::Mixed) return kind;
    // A quarter each of zero, text, binary and random pages.
    switch (page % 4) {
    case 0:
        return Content::Zero;
    case 1:
        return Content::Text;
    case 2:
        return Content::Binary;
    default:
        return Content::Random;
    }
}

} // namespace

void fill_page(Content kind, uint64_t page, uint64_t version, uint8_t* out) {
    Random rng{page * 0x100000001B3ull ^ version * 0xC2B2AE3D27D4EB4Full ^ 0x5EED};
    switch (resolve(kind, page)) {
    case Content::Zero:
        for (size_t i = 0; i < kPageBytes; ++i)
            out[i] = 0;
        break;
    case Content::Text: {
        size_t n = 0;
        while (n < kPageBytes)
            for (const char* w = kWords[rng.next() % kWordCount]; *w && n < kPageBytes; ++w)
                out[n++] = uint8_t(*w);
        break;
    }
    case Content::Binary:
        // Records of 16 bytes: an index, a small value, a flag word.
        for (size_t i = 0; i < kPageBytes; i += 16) {
            uint64_t index = page * (kPageBytes / 16) + i / 16;
            uint64_t value = rng.next() % 1000;
            for (size_t b = 0; b < 8; ++b) {
                out[i + b] = uint8_t(index >> (8 * b));
                out[i + 8 + b] = b < 2 ? uint8_t(value >> (8 * b)) : uint8_t(b == 7 ? version : 0);
            }
        }
        break;
    case Content::Random:
    case Content::Mixed:
        for (size_t i = 0; i < kPageBytes; i += 8) {
            uint64_t v = rng.next();
            for (size_t b = 0; b < 8; ++b)
                out[i + b] = uint8_t(v >> (8 * b));
        }
        break;
    }
    // The version is in every page (zero pages stay same-filled at version 0).
    if (version != 0)
        for (size_t b = 0; b < 8; ++b)
            out[b] = uint8_t(version >> (8 * b));
}

bool page_matches(Content kind, uint64_t page, uint64_t version, const uint8_t* bytes) {
    static uint8_t expected[kPageBytes];
    fill_page(kind, page, version, expected);
    for (size_t i = 0; i < kPageBytes; ++i)
        if (bytes[i] != expected[i]) return false;
    return true;
}

const char* content_name(Content kind) {
    switch (kind) {
    case Content::Zero:
        return "zero";
    case Content::Text:
        return "text";
    case Content::Binary:
        return "binary";
    case Content::Random:
        return "random";
    case Content::Mixed:
        return "mixed";
    }
    return "unknown";
}

} // namespace rayos::workload
