// Paged memory (the compression pager, servers/pager): where a pager's
// client finds its paged region. The pager maps pages there on demand and
// takes them away (compressed) when the client's resident budget is full.
#pragma once

#include <cstdint>

namespace rayos::paging {

constexpr uint64_t kRegionBase = 0x0000500000000000ull;
constexpr uint64_t kPageSize = 4096;

} // namespace rayos::paging
