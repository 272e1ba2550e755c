// Page contents for the pager's host tests (pager_core_test.cpp,
// pager_client_test.cpp): a text-like page and an incompressible one.
#pragma once

#include "codec.h"

#include <cstdint>
#include <random>
#include <vector>

namespace rayos::pager::test {

using Page = std::vector<uint8_t>;

inline Page text_page(uint32_t seed) {
    static const char* words[] = {"the ",  "pager ", "compresses ", "cold ",  "pages ",    "with ",
                                  "LZ4; ", "a ",     "client ",     "never ", "notices.\n"};
    std::mt19937 rng(seed);
    Page p;
    while (p.size() < kPageSize)
        for (const char* c = words[rng() % 11]; *c && p.size() < kPageSize; ++c)
            p.push_back(uint8_t(*c));
    return p;
}

inline Page random_page(uint32_t seed) {
    std::mt19937 rng(seed);
    Page p(kPageSize);
    for (auto& b : p)
        b = uint8_t(rng());
    return p;
}

} // namespace rayos::pager::test
