// LZ4 on a text-like page (tests/workload), run as init under QEMU's
// instruction counting: the reference the pager's page-in and page-out
// costs are compared with (pager.lz4.compress.text, .decompress.text).
#include "bench_report.h"
#include "page_content.h"

#include <lz4.h>
#include <rayos/runtime.h>

using namespace rayos;

namespace {

constexpr int kSamples = 301;
uint64_t samples[kSamples];
uint8_t page[workload::kPageBytes];
uint8_t packed[LZ4_COMPRESSBOUND(workload::kPageBytes)];
uint8_t unpacked[workload::kPageBytes];
LZ4_stream_t state;

[[noreturn]] void fail(const char* what) {
    print("bench_lz4: %s\n", what);
    halt(abi::HaltReason::Failure);
}

} // namespace

int main(const char*) {
    workload::fill_page(workload::Content::Text, 1, 0, page);
    const auto* src = reinterpret_cast<const char*>(page);
    auto* dst = reinterpret_cast<char*>(packed);
    int size = 0;
    for (int i = 0; i < kSamples; ++i) {
        uint64_t start = __builtin_ia32_rdtsc();
        size = LZ4_compress_fast_extState(&state, src, dst, int(workload::kPageBytes),
                                          int(sizeof packed), 1);
        samples[i] = __builtin_ia32_rdtsc() - start;
    }
    if (size <= 0) fail("LZ4 did not compress the page");
    bench::report("pager.lz4.compress.text", samples, kSamples);
    for (int i = 0; i < kSamples; ++i) {
        uint64_t start = __builtin_ia32_rdtsc();
        int n = LZ4_decompress_safe(dst, reinterpret_cast<char*>(unpacked), size,
                                    int(workload::kPageBytes));
        samples[i] = __builtin_ia32_rdtsc() - start;
        if (n != int(workload::kPageBytes)) fail("LZ4 did not restore the page");
    }
    if (!workload::page_matches(workload::Content::Text, 1, 0, unpacked))
        fail("the restored page differs");
    bench::report("pager.lz4.decompress.text", samples, kSamples);
    print("bench_lz4: a text-like page compresses to %d of %zu bytes\n", size,
          workload::kPageBytes);
    halt(abi::HaltReason::Success);
}
