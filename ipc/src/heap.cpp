// The program heap (rayos/heap.h): blocks carry a 16-byte header with their
// size; free blocks form an address-ordered list so that freeing merges a
// block with its neighbours in one pass.
#include "lock.h"

#include <rayos/heap.h>
#include <rayos/limits.h>
#include <rayos/string.h>

#include <cstdint>
#include <new>

namespace rayos::heap {
namespace {

struct Block {
    size_t size; // whole block, header included
    Block* next; // free list (free blocks only)
};
static_assert(sizeof(Block) == 16);
constexpr size_t kAlign = 16;
constexpr size_t kMinBlock = 32;

alignas(kAlign) uint8_t arena[limits::kHeapBytes];
Block* free_list = nullptr;
bool initialised = false;
size_t in_use = 0, allocations = 0;
detail::SpinLock lock;

void initialise() {
    free_list = reinterpret_cast<Block*>(arena);
    free_list->size = sizeof arena;
    free_list->next = nullptr;
    initialised = true;
}

void* allocate(size_t size) {
    if (size > sizeof arena) return nullptr;
    size_t need = (size + sizeof(Block) + kAlign - 1) & ~(kAlign - 1);
    if (need < kMinBlock) need = kMinBlock;
    detail::Guard guard(lock);
    if (!initialised) initialise();
    for (Block** link = &free_list; *link; link = &(*link)->next) {
        Block* b = *link;
        if (b->size < need) continue;
        if (b->size - need >= kMinBlock) { // split: the rest stays free
            auto* rest = reinterpret_cast<Block*>(reinterpret_cast<uint8_t*>(b) + need);
            rest->size = b->size - need;
            rest->next = b->next;
            *link = rest;
            b->size = need;
        } else {
            *link = b->next;
        }
        in_use += b->size;
        ++allocations;
        return b + 1;
    }
    return nullptr;
}

} // namespace

bool owns(const void* p) {
    auto a = reinterpret_cast<uintptr_t>(p);
    auto base = reinterpret_cast<uintptr_t>(arena);
    return a >= base + sizeof(Block) && a < base + sizeof arena && (a - base) % kAlign == 0;
}

namespace {

void release(void* p) {
    if (!p) return;
    if (!owns(p)) __builtin_trap(); // not from this heap: a bug, stop loudly
    Block* b = static_cast<Block*>(p) - 1;
    detail::Guard guard(lock);
    in_use -= b->size;
    --allocations;
    Block* prev = nullptr;
    Block* next = free_list;
    while (next && next < b) {
        prev = next;
        next = next->next;
    }
    if (next == b ||
        (prev && reinterpret_cast<uint8_t*>(prev) + prev->size > reinterpret_cast<uint8_t*>(b)))
        __builtin_trap(); // double free
    b->next = next;
    if (next && reinterpret_cast<uint8_t*>(b) + b->size == reinterpret_cast<uint8_t*>(next)) {
        b->size += next->size;
        b->next = next->next;
    }
    if (prev && reinterpret_cast<uint8_t*>(prev) + prev->size == reinterpret_cast<uint8_t*>(b)) {
        prev->size += b->size;
        prev->next = b->next;
    } else if (prev) {
        prev->next = b;
    } else {
        free_list = b;
    }
}

} // namespace

Stats stats() {
    detail::Guard guard(lock);
    if (!initialised) initialise();
    size_t largest = 0;
    for (Block* b = free_list; b; b = b->next)
        if (b->size > largest) largest = b->size;
    return {sizeof arena, in_use, allocations,
            largest > sizeof(Block) ? largest - sizeof(Block) : 0};
}

} // namespace rayos::heap

extern "C" {
void* malloc(size_t size) {
    return rayos::heap::allocate(size);
}
void free(void* p) {
    rayos::heap::release(p);
}
void* calloc(size_t count, size_t size) {
    if (size && count > SIZE_MAX / size) return nullptr;
    void* p = malloc(count * size);
    if (p) memset(p, 0, count * size);
    return p;
}
void* realloc(void* p, size_t size) {
    if (!p) return malloc(size);
    if (!rayos::heap::owns(p)) __builtin_trap(); // not from this heap
    size_t old = (static_cast<size_t*>(p))[-2] - 16;
    if (size <= old) return p;
    void* q = malloc(size);
    if (!q) return nullptr;
    memcpy(q, p, old);
    free(p);
    return q;
}
}

void* operator new(size_t size) {
    void* p = malloc(size);
    if (!p) __builtin_trap();
    return p;
}
void* operator new[](size_t size) {
    return operator new(size);
}
void* operator new(size_t size, const std::nothrow_t&) noexcept {
    return malloc(size);
}
void operator delete(void* p) noexcept {
    free(p);
}
void operator delete[](void* p) noexcept {
    free(p);
}
void operator delete(void* p, size_t) noexcept {
    free(p);
}
void operator delete[](void* p, size_t) noexcept {
    free(p);
}
