// The compression pager's costs, measured by its client under QEMU's
// instruction counting (started by init beside the pager; its first grant
// is the Pager, its paged region 256 pages with a budget of 16 frames):
//   pager.fault.zero     first touch of a page: fault delivery, zero fill,
//                        map, resume (a free frame waiting)
//   pager.pageout.text   choosing, unmapping and compressing one text-like
//                        page (the pager's own count, read per page-out)
//   pager.pagein.text    a fault on a compressed text-like page: delivery,
//                        decompression, map, resume (a free frame waiting)
//   pager.pagein.overhead  the same minus LZ4's own decompression of that
//                        very page, measured here (the target:
//                        at most 3,000)
//   pager.ratio.mix      original / compressed bytes of the standard mixed
//                        workload (unit "ratio")
#include "bench_report.h"
#include "page_content.h"

#include <lz4.h>
#include <rayos/idl/pager.rpc.h>
#include <rayos/paging.h>
#include <rayos/program.h>
#include <rayos/runtime.h>

using namespace rayos;

namespace {

constexpr uint32_t kRegionPages = 256;
constexpr uint32_t kBudget = 16;
constexpr int kSamples = 32;
uint64_t samples[kSamples];
uint64_t overheads[kSamples];
uint8_t plain[workload::kPageBytes], packed[LZ4_COMPRESSBOUND(workload::kPageBytes)],
    unpacked[workload::kPageBytes];

idl::pager::PagerClient pager(program::kFirstGrantSlot);

[[noreturn]] void fail(const char* what) {
    print("pager_bench: %s\n", what);
    halt(abi::HaltReason::Failure);
}

// LZ4's own decompression of text page `p` (version 1), as the pager
// stores it (LZ4's default level: the same bytes).
uint64_t decompress_cost(uint32_t p) {
    workload::fill_page(workload::Content::Text, p, 1, plain);
    static LZ4_stream_t state; // (16 KiB: not on the stack)
    int size = LZ4_compress_fast_extState(&state, reinterpret_cast<const char*>(plain),
                                          reinterpret_cast<char*>(packed),
                                          int(workload::kPageBytes), int(sizeof packed), 1);
    uint64_t start = __builtin_ia32_rdtsc();
    int n = LZ4_decompress_safe(reinterpret_cast<const char*>(packed),
                                reinterpret_cast<char*>(unpacked), size, int(workload::kPageBytes));
    uint64_t cost = __builtin_ia32_rdtsc() - start;
    if (size <= 0 || n != int(workload::kPageBytes)) fail("LZ4 fails on a text page");
    return cost;
}

volatile uint8_t* page_at(uint32_t p) {
    return reinterpret_cast<volatile uint8_t*>(paging::kRegionBase) +
           uint64_t(p) * paging::kPageSize;
}

uint8_t* bytes_at(uint32_t p) {
    return const_cast<uint8_t*>(page_at(p));
}

struct Totals {
    uint64_t page_outs = 0, page_out_cost = 0, original = 0, compressed = 0;
};

Totals totals() {
    auto call = pager.stats();
    call.params().set_client("pager_bench");
    auto answer = call.send();
    if (!answer || !answer.value().is_stats()) fail("the pager gives no statistics");
    auto s = answer.value().stats();
    // (The pager reports averages: the total is average x count, exact
    // enough per single page-out when read before and after it.)
    return {s.pageOuts(), s.pageOutCost() * s.pageOuts(), s.originalBytes(), s.compressedBytes()};
}

void set_budget(uint32_t frames) {
    auto call = pager.setBudget();
    call.params().set_client("pager_bench");
    call.params().set_frames(frames);
    auto answer = call.send();
    if (!answer || answer.value().error().code() != idl::common::ErrorCode::ok)
        fail("the pager refused the budget");
}

} // namespace

int main(const char*) {
    using workload::Content;
    // Zero fills: pages 0..kSamples-1 (budget kSamples: each finds a free frame).
    set_budget(kSamples);
    for (int i = 0; i < kSamples; ++i) {
        uint64_t start = __builtin_ia32_rdtsc();
        *page_at(uint32_t(i)) = 1;
        samples[i] = __builtin_ia32_rdtsc() - start;
    }
    bench::report("pager.fault.zero", samples, kSamples);

    // Page-outs: the budget back to kBudget (its first page-outs), text in
    // every resident page, then first touches that each push one out.
    set_budget(kBudget);
    for (uint32_t p = kSamples - kBudget; p < uint32_t(kSamples); ++p)
        workload::fill_page(Content::Text, p, 1, bytes_at(p));
    for (int i = 0; i < kSamples; ++i) {
        uint32_t p = uint32_t(kSamples + i);
        Totals before = totals();
        workload::fill_page(Content::Text, p, 1, bytes_at(p)); // (a fault: one page out)
        Totals after = totals();
        if (after.page_outs != before.page_outs + 1) fail("a touch did not page one out");
        samples[i] = after.page_out_cost - before.page_out_cost;
    }
    bench::report("pager.pageout.text", samples, kSamples);

    // Page-ins: kSamples text pages are in the store; make room, fault them in.
    set_budget(kBudget + kSamples);
    for (int i = 0; i < kSamples; ++i) {
        uint32_t p = uint32_t(kSamples - kBudget + i); // stored, text, version 1
        uint64_t start = __builtin_ia32_rdtsc();
        (void)*page_at(p);
        samples[i] = __builtin_ia32_rdtsc() - start;
        if (!workload::page_matches(Content::Text, p, 1, bytes_at(p)))
            fail("a page came back different");
        uint64_t reference = decompress_cost(p);
        overheads[i] = samples[i] > reference ? samples[i] - reference : 0;
    }
    bench::report("pager.pagein.text", samples, kSamples);
    bench::report("pager.pagein.overhead", overheads, kSamples);

    // The ratio: the whole region written with the mixed workload through
    // kBudget frames.
    set_budget(kBudget);
    for (uint32_t p = 0; p < kRegionPages; ++p)
        workload::fill_page(Content::Mixed, p, 2, bytes_at(p));
    Totals mix = totals();
    if (mix.compressed == 0) fail("nothing was stored");
    uint64_t ratio100 = mix.original * 100 / mix.compressed;
    print("BENCH name=pager.ratio.mix unit=ratio median=%lu.%02lu min=%lu.%02lu iterations=1\n",
          ratio100 / 100, ratio100 % 100, ratio100 / 100, ratio100 % 100);
    for (uint32_t p = 0; p < kRegionPages; ++p)
        if (!workload::page_matches(Content::Mixed, p, 2, bytes_at(p)))
            fail("a page of the mixed workload came back different");
    halt(abi::HaltReason::Success);
}
