// The compressed store (see store.h).
#include "store.h"

namespace rayos::pager {
namespace {

// Class sizes: every 32 bytes up to 1 KiB, then every 128 bytes up to 4 KiB.
constexpr uint32_t class_size(uint32_t c) {
    return c < 32 ? (c + 1) * 32 : 1024 + (c - 31) * 128;
}

// Handles: span page + 1 (so 0 is no handle) in the high bits, slot in the low 7.
constexpr uint32_t make_handle(uint32_t page, uint32_t slot) {
    return (page + 1) << 7 | slot;
}

} // namespace

Store::Store(uint8_t* arena, uint32_t pages)
    : arena_(arena), pages_(pages < kMaxPages ? pages : kMaxPages) {
    static_assert(class_size(kClasses - 1) == kPage);
    for (uint32_t c = 0; c < kClasses; ++c) {
        SizeClass& k = classes_[c];
        k.slot = class_size(c);
        // The span length (1-4 pages) that wastes the least, within kMaxSlots.
        uint32_t best_waste = ~0u;
        for (uint8_t p = 1; p <= 4; ++p) {
            uint32_t bytes = p * uint32_t(kPage);
            uint32_t slots = bytes / k.slot;
            if (slots > kMaxSlots) break;
            uint32_t waste = (bytes - slots * k.slot) * 4 / p; // per 4 pages
            if (waste < best_waste) {
                best_waste = waste;
                k.pages = p;
                k.slots = uint16_t(slots);
            }
        }
    }
}

uint32_t Store::class_of(uint32_t size) {
    if (size <= 1024) return (size + 31) / 32 - 1;
    return 31 + (size - 1024 + 127) / 128;
}

uint32_t Store::slot_size(uint32_t size) {
    return size == 0 || size > kPage ? 0 : class_size(class_of(size));
}

void Store::set_pages(uint32_t first, uint32_t count, bool used) {
    for (uint32_t p = first; p < first + count; ++p) {
        if (used)
            page_used_[p / 64] |= 1ull << (p % 64);
        else
            page_used_[p / 64] &= ~(1ull << (p % 64));
    }
}

void Store::link(uint32_t span) {
    Span& s = spans_[span];
    SizeClass& k = classes_[s.size_class];
    s.prev = kNone;
    s.next = k.partial;
    if (k.partial != kNone) spans_[k.partial].prev = span;
    k.partial = span;
}

void Store::unlink(uint32_t span) {
    Span& s = spans_[span];
    SizeClass& k = classes_[s.size_class];
    if (s.prev != kNone)
        spans_[s.prev].next = s.next;
    else
        k.partial = s.next;
    if (s.next != kNone) spans_[s.next].prev = s.prev;
    s.next = s.prev = kNone;
}

uint32_t Store::new_span(uint32_t size_class) {
    const SizeClass& k = classes_[size_class];
    // First fit: k.pages free pages in a row.
    for (uint32_t first = 0; first + k.pages <= pages_; ++first) {
        uint32_t n = 0;
        while (n < k.pages && page_free(first + n))
            ++n;
        if (n < k.pages) {
            first += n; // (the loop's ++first moves past the used page)
            continue;
        }
        set_pages(first, k.pages, true);
        Span& s = spans_[first];
        s = Span{};
        s.size_class = uint8_t(size_class);
        s.pages = k.pages;
        span_pages_ += k.pages;
        link(first);
        return first;
    }
    return kNone;
}

void Store::release_span(uint32_t first) {
    unlink(first);
    span_pages_ -= spans_[first].pages;
    set_pages(first, spans_[first].pages, false);
    spans_[first] = Span{};
}

uint32_t Store::put(const uint8_t* data, uint32_t size) {
    if (size == 0 || size > kPage) return kNoHandle;
    uint32_t c = class_of(size);
    uint32_t span = classes_[c].partial;
    if (span == kNone && (span = new_span(c)) == kNone) return kNoHandle;
    Span& s = spans_[span];
    const SizeClass& k = classes_[c];
    uint32_t slot = 0;
    while (s.taken[slot / 64] >> (slot % 64) & 1)
        ++slot; // (there is room: the span is on the partial list)
    s.taken[slot / 64] |= 1ull << (slot % 64);
    if (++s.used == k.slots) unlink(span);
    uint8_t* to = arena_ + span * kPage + slot * k.slot;
    for (uint32_t i = 0; i < size; ++i)
        to[i] = data[i];
    ++objects_;
    stored_bytes_ += size;
    slot_bytes_ += k.slot;
    return make_handle(span, slot);
}

bool Store::resolve(uint32_t handle, uint32_t& span, uint32_t& slot) const {
    if (handle == kNoHandle) return false;
    span = (handle >> 7) - 1;
    slot = handle & 0x7F;
    if (span >= pages_ || spans_[span].size_class == kNotSpan) return false;
    const Span& s = spans_[span];
    if (slot >= classes_[s.size_class].slots) return false;
    return s.taken[slot / 64] >> (slot % 64) & 1;
}

const uint8_t* Store::get(uint32_t handle) const {
    uint32_t span, slot;
    if (!resolve(handle, span, slot)) return nullptr;
    return arena_ + span * kPage + slot * classes_[spans_[span].size_class].slot;
}

bool Store::free(uint32_t handle, uint32_t size) {
    uint32_t span, slot;
    if (!resolve(handle, span, slot)) return false;
    Span& s = spans_[span];
    const SizeClass& k = classes_[s.size_class];
    if (class_of(size) != s.size_class) return false; // not the size it was put with
    bool was_full = s.used == k.slots;
    s.taken[slot / 64] &= ~(1ull << (slot % 64));
    --s.used;
    --objects_;
    stored_bytes_ -= size;
    slot_bytes_ -= k.slot;
    if (s.used == 0) {
        if (was_full) link(span); // (release_span unlinks it)
        release_span(span);
    } else if (was_full) {
        link(span);
    }
    return true;
}

StoreStats Store::stats() const {
    StoreStats st;
    st.objects = objects_;
    st.stored_bytes = stored_bytes_;
    st.slot_bytes = slot_bytes_;
    st.span_bytes = span_pages_ * kPage;
    st.capacity_bytes = uint64_t(pages_) * kPage;
    if (st.span_bytes)
        st.fragmentation_permille =
            uint32_t((st.span_bytes - st.stored_bytes) * 1000 / st.span_bytes);
    return st;
}

} // namespace rayos::pager
