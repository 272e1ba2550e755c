// The pager's compressed store: objects of any size up to a page, packed
// densely by size class, like Linux's zsmalloc. The arena is split into
// spans of 1-4 pages; a span holds objects of one class, as many as fit, and
// its page count is chosen per class to waste the least. Spans are made
// when a class needs room and given back when their last object goes.
// Pure logic, tested on the host. Every handle is checked: a bad one is an
// error, never a crash.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rayos::pager {

struct StoreStats {
    uint64_t objects = 0;
    uint64_t stored_bytes = 0; // the objects' own sizes
    uint64_t slot_bytes = 0;   // what their size classes take
    uint64_t span_bytes = 0;   // pages in use by spans
    uint64_t capacity_bytes = 0;
    // Bytes of spans not holding object data, per mille of span bytes.
    uint32_t fragmentation_permille = 0;
};

class Store {
public:
    static constexpr size_t kPage = 4096;
    static constexpr uint32_t kMaxPages = 4096; // 16 MiB of arena
    static constexpr uint32_t kMaxSlots = 128;  // objects in one span
    static constexpr uint32_t kNoHandle = 0;

    // `arena`: `pages` pages (at most kMaxPages) the store owns.
    Store(uint8_t* arena, uint32_t pages);

    // Stores `size` bytes (1..kPage); its handle, or kNoHandle when no
    // span of its class has room and no free pages are left for one.
    [[nodiscard]] uint32_t put(const uint8_t* data, uint32_t size);
    // The object's bytes (nullptr for a handle that names no object).
    const uint8_t* get(uint32_t handle) const;
    // Frees an object (`size` as it was put); false for a bad handle.
    bool free(uint32_t handle, uint32_t size);

    StoreStats stats() const;
    // The class an object of `size` bytes goes to: its slot size.
    static uint32_t slot_size(uint32_t size);

private:
    struct Span {
        uint8_t size_class = kNotSpan; // kNotSpan: not the first page of a span
        uint8_t pages = 0;
        uint16_t used = 0;
        uint32_t next = kNone, prev = kNone; // in its class's list of spans with room
        uint64_t taken[kMaxSlots / 64] = {};
    };
    struct SizeClass {
        uint32_t slot = 0;        // bytes per object
        uint8_t pages = 0;        // per span
        uint16_t slots = 0;       // objects per span
        uint32_t partial = kNone; // first span with room
    };
    static constexpr uint8_t kNotSpan = 0xFF;
    static constexpr uint32_t kNone = ~0u;
    static constexpr uint32_t kClasses = 56;

    static uint32_t class_of(uint32_t size);
    uint32_t new_span(uint32_t size_class);
    void release_span(uint32_t first);
    void link(uint32_t span);
    void unlink(uint32_t span);
    bool page_free(uint32_t page) const { return !(page_used_[page / 64] >> (page % 64) & 1); }
    void set_pages(uint32_t first, uint32_t count, bool used);
    // The object a handle names: its span and slot; false if none.
    bool resolve(uint32_t handle, uint32_t& span, uint32_t& slot) const;

    uint8_t* arena_;
    uint32_t pages_;
    SizeClass classes_[kClasses];
    Span spans_[kMaxPages];
    uint64_t page_used_[kMaxPages / 64] = {};
    uint64_t objects_ = 0, stored_bytes_ = 0, slot_bytes_ = 0, span_pages_ = 0;
};

} // namespace rayos::pager
