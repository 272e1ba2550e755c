// A guest test program whose outcome is chosen on its command line, used to
// prove that the host harness reports guest test failures: with `fail=1`
// one of its two tests fails.
#include "framework/guest_test.h"

#include <rayos/runtime.h>

namespace {
bool has_word(const char* args, const char* word) {
    for (const char* p = args; *p; ++p) {
        const char* a = p;
        const char* w = word;
        while (*w && *a == *w)
            ++a, ++w;
        if (!*w && (*a == ' ' || *a == '\0') && (p == args || p[-1] == ' ')) return true;
    }
    return false;
}
const char* program_args = "";
} // namespace

RAYOS_TEST("probe.passes") {
    CHECK(true);
}

RAYOS_TEST("probe.fails_on_request") {
    program_args = rayos::start_info().args;
    CHECK(!has_word(program_args, "fail=1"));
}
