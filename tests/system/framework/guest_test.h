// A small test framework for programs that run inside RayOS (in the spirit
// of sel4test): tests register themselves with a stable id, run in
// registration order, can be selected with `filter=<pattern>[,<pattern>...]`
// on the program's command line ('*' at the end matches any suffix), and the
// run ends with the summary line "N passed, N failed" that the host harness
// (tests/harness/qemu.py) checks. The program then powers the machine off
// with success or failure.
#pragma once

#include <cstdint>

namespace rayos::test {

class Context {
public:
    void fail(const char* file, int line, const char* fmt, ...)
        __attribute__((format(printf, 4, 5)));
    bool failed() const { return failed_; }

private:
    bool failed_ = false;
};

using TestFunction = void (*)(Context&);

struct Registrar {
    Registrar(const char* id, TestFunction function);
};

// Runs the selected tests; returns the number that failed (or -1 when the
// filter selects nothing).
int run_all(const char* args);

} // namespace rayos::test

#define RAYOS_TEST_CONCAT2(a, b) a##b
#define RAYOS_TEST_CONCAT(a, b) RAYOS_TEST_CONCAT2(a, b)
#define RAYOS_TEST(id)                                                                             \
    static void RAYOS_TEST_CONCAT(test_function_,                                                  \
                                  __LINE__)(::rayos::test::Context & rayos_test_context);          \
    static ::rayos::test::Registrar RAYOS_TEST_CONCAT(test_registrar_, __LINE__)(                  \
        id, RAYOS_TEST_CONCAT(test_function_, __LINE__));                                          \
    static void RAYOS_TEST_CONCAT(test_function_,                                                  \
                                  __LINE__)(::rayos::test::Context & rayos_test_context)

// Checks stop the test at the first failure.
#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            rayos_test_context.fail(__FILE__, __LINE__, "CHECK(%s)", #cond);                       \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define CHECK_EQ(a, b)                                                                             \
    do {                                                                                           \
        auto check_a_ = (a);                                                                       \
        auto check_b_ = (b);                                                                       \
        if (!(check_a_ == check_b_)) {                                                             \
            rayos_test_context.fail(__FILE__, __LINE__, "CHECK_EQ(%s, %s): %#lx != %#lx", #a, #b,  \
                                    static_cast<uint64_t>(check_a_),                               \
                                    static_cast<uint64_t>(check_b_));                              \
            return;                                                                                \
        }                                                                                          \
    } while (0)
