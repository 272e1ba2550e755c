// memhog: a pager client that checks its own memory. It writes every page
// of its paged region (rayos/paging.h) with contents derived from the page
// number and a version, then reads every page back and checks it, for a
// number of rounds; the pager keeps only part of the region resident.
// Arguments: "<pages> <rounds> <zero|text|binary|random|mixed>". Ends the
// test: powers off with success if nothing was wrong.
#include "page_content.h"

#include <rayos/paging.h>
#include <rayos/runtime.h>

#include <initializer_list>

using namespace rayos;
using workload::Content;

namespace {

uint32_t number(const char*& s) {
    while (*s == ' ')
        ++s;
    uint32_t n = 0;
    while (*s >= '0' && *s <= '9')
        n = n * 10 + uint32_t(*s++ - '0');
    return n;
}

bool word_is(const char* s, const char* word) {
    while (*s == ' ')
        ++s;
    while (*word && *s == *word) {
        ++s;
        ++word;
    }
    return *word == 0 && (*s == 0 || *s == ' ');
}

} // namespace

int main(const char* args) {
    const char* rest = args;
    uint32_t pages = number(rest), rounds = number(rest);
    Content kind = Content::Mixed;
    for (Content k : {Content::Zero, Content::Text, Content::Binary, Content::Random})
        if (word_is(rest, workload::content_name(k))) kind = k;
    if (pages == 0 || rounds == 0) {
        print("memhog: usage: <pages> <rounds> <content>\n");
        return 2;
    }
    auto* region = reinterpret_cast<uint8_t*>(paging::kRegionBase);
    uint64_t errors = 0;
    for (uint32_t round = 1; round <= rounds; ++round) {
        for (uint32_t p = 0; p < pages; ++p)
            workload::fill_page(kind, p, round, region + uint64_t(p) * paging::kPageSize);
        // Backwards, so the pages read first are the ones evicted longest ago.
        for (uint32_t p = pages; p-- > 0;)
            if (!workload::page_matches(kind, p, round, region + uint64_t(p) * paging::kPageSize))
                ++errors;
    }
    print("memhog: %u pages of %s, %u rounds: %lu verification errors\n", pages,
          workload::content_name(kind), rounds, errors);
    halt(errors == 0 ? abi::HaltReason::Success : abi::HaltReason::Failure);
}
