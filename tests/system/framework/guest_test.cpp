#include "guest_test.h"

#include <rayos/runtime.h>

#include "format.h"

#include <cstdarg>

namespace rayos::test {
namespace {

struct Case {
    const char* id;
    TestFunction function;
    Case* next;
};

constexpr int kMaxCases = 256;
Case cases[kMaxCases];
int case_count = 0;

bool starts_with(const char* text, const char* prefix) {
    while (*prefix)
        if (*text++ != *prefix++) return false;
    return true;
}

// "filter=a.*,b.c" -> does `id` match one of the patterns?
bool selected(const char* args, const char* id) {
    const char* filter = nullptr;
    for (const char* p = args; *p; ++p) {
        if ((p == args || p[-1] == ' ') && starts_with(p, "filter=")) {
            filter = p + 7;
            break;
        }
    }
    if (!filter) return true;
    const char* pattern = filter;
    while (*pattern && *pattern != ' ') {
        const char* end = pattern;
        while (*end && *end != ',' && *end != ' ')
            ++end;
        const char* i = id;
        const char* q = pattern;
        bool match = true;
        for (; q < end; ++q, ++i) {
            if (*q == '*' && q + 1 == end) break; // prefix match
            if (*q != *i) {
                match = false;
                break;
            }
        }
        if (match && (q < end || *i == '\0')) return true;
        pattern = *end == ',' ? end + 1 : end;
    }
    return false;
}

} // namespace

Registrar::Registrar(const char* id, TestFunction function) {
    if (case_count < kMaxCases) cases[case_count++] = Case{id, function, nullptr};
}

void Context::fail(const char* file, int line, const char* fmt, ...) {
    char message[256];
    va_list args;
    va_start(args, fmt);
    vformat_to(message, sizeof(message), fmt, args);
    va_end(args);
    print("  %s:%d: %s\n", file, line, message);
    failed_ = true;
}

int run_all(const char* args) {
    int passed = 0, failed = 0;
    for (int i = 0; i < case_count; ++i) {
        if (!selected(args, cases[i].id)) continue;
        Context context;
        cases[i].function(context);
        if (context.failed()) {
            print("[FAIL] %s\n", cases[i].id);
            ++failed;
        } else {
            print("[PASS] %s\n", cases[i].id);
            ++passed;
        }
    }
    if (passed + failed == 0) {
        print("no test matches the filter in '%s'\n", args);
        return -1;
    }
    print("%d passed, %d failed\n", passed, failed);
    return failed;
}

} // namespace rayos::test

int main(const char* args) {
    int failed = rayos::test::run_all(args);
    rayos::halt(failed == 0 ? rayos::abi::HaltReason::Success : rayos::abi::HaltReason::Failure);
}
