// Memory and string functions for programs (implemented in
// microkernel/lib/mem.cpp, shared with the kernel).
#pragma once

#include <cstddef>

extern "C" {
void* memcpy(void* destination, const void* source, size_t count);
void* memmove(void* destination, const void* source, size_t count);
void* memset(void* destination, int value, size_t count);
int memcmp(const void* a, const void* b, size_t count);
int strcmp(const char* a, const char* b);
size_t strlen(const char* s);
}
