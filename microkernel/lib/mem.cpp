// memcpy, memmove, memset, memcmp, strcmp and strlen for the kernel and userspace (the
// compiler emits calls to them even in freestanding code). Not built for host
// tests, which use the C library's.
//
// Bulk work uses `rep movsq` / `rep stosq` so that copying a 4 KiB page costs
// 512 iterations, not 4096 (each iteration of a rep instruction counts under
// deterministic instruction counting, and costs time on real CPUs). Inline
// asm also keeps the compiler from turning these loops back into calls to
// themselves.
#if defined(RAYOS_KERNEL) || defined(RAYOS_USER)

#include <cstddef>
#include <cstdint>

extern "C" {

void* memcpy(void* destination, const void* source, size_t count) {
    void* d = destination;
    size_t words = count / 8, rest = count % 8;
    asm volatile("rep movsq" : "+D"(d), "+S"(source), "+c"(words)::"memory");
    asm volatile("rep movsb" : "+D"(d), "+S"(source), "+c"(rest)::"memory");
    return destination;
}

void* memmove(void* destination, const void* source, size_t count) {
    auto* d = static_cast<unsigned char*>(destination);
    auto* s = static_cast<const unsigned char*>(source);
    if (d <= s || d >= s + count) return memcpy(destination, source, count);
    // Overlapping with destination above source: copy backwards.
    const unsigned char* s_end = s + count - 1;
    unsigned char* d_end = d + count - 1;
    asm volatile("std; rep movsb; cld" : "+D"(d_end), "+S"(s_end), "+c"(count)::"memory");
    return destination;
}

void* memset(void* destination, int value, size_t count) {
    void* d = destination;
    uint64_t pattern = 0x0101010101010101ull * static_cast<unsigned char>(value);
    size_t words = count / 8, rest = count % 8;
    asm volatile("rep stosq" : "+D"(d), "+c"(words) : "a"(pattern) : "memory");
    asm volatile("rep stosb" : "+D"(d), "+c"(rest) : "a"(pattern) : "memory");
    return destination;
}

int memcmp(const void* a, const void* b, size_t count) {
    auto* x = static_cast<const unsigned char*>(a);
    auto* y = static_cast<const unsigned char*>(b);
    for (size_t i = 0; i < count; ++i)
        if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
}

int strcmp(const char* a, const char* b) {
    while (*a && *a == *b)
        ++a, ++b;
    return static_cast<unsigned char>(*a) - static_cast<unsigned char>(*b);
}

size_t strlen(const char* text) {
    size_t n = 0;
    while (text[n])
        ++n;
    return n;
}

} // extern "C"

#endif
