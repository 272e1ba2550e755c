#include "selftest.h"

#include "arch/x86_64/cpu.h"
#include "kernel/log.h"
#include "kernel/panic.h"

#include <cstring>

namespace rayos {
namespace {

// Finds "selftest=<value>" in the command line; copies value into `out`.
bool option_value(const char* cmdline, const char* key, char* out, size_t size) {
    size_t key_length = strlen(key);
    for (const char* p = cmdline; *p;) {
        while (*p == ' ')
            ++p;
        const char* word = p;
        while (*p && *p != ' ')
            ++p;
        if (static_cast<size_t>(p - word) > key_length && memcmp(word, key, key_length) == 0 &&
            word[key_length] == '=') {
            size_t n = 0;
            for (const char* v = word + key_length + 1; v < p && n + 1 < size; ++v)
                out[n++] = *v;
            out[n] = '\0';
            return true;
        }
    }
    return false;
}

volatile int ubsan_shift = 70;
volatile int smash_length = 64;

// Writes past the end of a local array; the stack protector must notice when
// the function returns.
__attribute__((noinline)) void fill(volatile char* out, int length) {
    for (int i = 0; i < length; ++i)
        out[i] = 'x'; // no object size known here
}
__attribute__((noinline)) void smash_stack() {
    char buffer[16];
    fill(buffer, smash_length);
}

// Recurses until the kernel stack runs into its guard page: the page fault
// cannot be delivered on the broken stack, so the CPU raises a double fault,
// which runs on its own IST stack and reports.
volatile uint64_t recursion_limit = ~0ull;
__attribute__((noinline)) uint64_t recurse_forever(uint64_t depth) {
    volatile char frame[256];
    frame[0] = static_cast<char>(depth);
    if (depth == recursion_limit) return 0;
    return recurse_forever(depth + 1) + frame[0];
}
volatile uint64_t unmapped_address = 0x10; // nothing is mapped at 0

} // namespace

bool run_boot_selftest(const char* cmdline) {
    char name[32];
    if (!option_value(cmdline, "selftest", name, sizeof(name))) return true;
    kprintf("selftest: %s\n", name);
    if (strcmp(name, "panic") == 0) panic("selftest: deliberate panic");
    if (strcmp(name, "ubsan") == 0) {
#ifdef RAYOS_DEBUG
        volatile uint64_t one = 1;
        kprintf("selftest: shifted %lu\n", one << ubsan_shift);
#endif
        panic("selftest: UBSan did not catch an out-of-range shift (release build?)");
    }
    if (strcmp(name, "stack-smash") == 0) {
        smash_stack();
        panic("selftest: stack smashing was not detected (release build?)");
    }
    if (strcmp(name, "stack-overflow") == 0) {
        kprintf("selftest: %lu\n", recurse_forever(0));
        panic("selftest: unbounded recursion returned");
    }
    if (strcmp(name, "kernel-fault") == 0) {
        *reinterpret_cast<volatile uint64_t*>(unmapped_address) = 1;
        panic("selftest: kernel-mode write to 0x10 did not fault");
    }
    if (strcmp(name, "triple-fault") == 0) {
        struct __attribute__((packed)) {
            uint16_t limit;
            uint64_t base;
        } empty{0, 0};
        asm volatile("lidt %0; int3" ::"m"(empty));
    }
    if (strcmp(name, "hang") == 0) arch::halt_forever();
    kprintf("selftest: unknown self-test '%s'\n", name);
    return false;
}

} // namespace rayos
