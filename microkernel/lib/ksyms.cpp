// Kernel symbol lookup (see ksyms.h for the table layout).
//
// The table is validated before use: the entry array must fit in
// `table_size`, and the chosen name must start inside the names area and be
// NUL-terminated there. Anything else is treated as "not found", so a
// corrupt or truncated table can never cause an out-of-bounds read. Fields
// are read byte by byte, so the table needs no particular alignment. The
// entry is found by binary search for the last address <= the one wanted.
#include "ksyms.h"

namespace rayos::ksyms {
namespace {

constexpr size_t kHeaderSize = 8; // uint64_t count
constexpr size_t kEntrySize = 16; // uint64_t address, name_offset

uint64_t read_u64(const unsigned char* bytes) {
    uint64_t value = 0;
    for (int i = 7; i >= 0; --i)
        value = (value << 8) | bytes[i];
    return value;
}

} // namespace

Symbol lookup(const void* table, size_t table_size, uint64_t text_end, uint64_t address) {
    const Symbol not_found{nullptr, 0};
    if (table == nullptr || table_size < kHeaderSize || address >= text_end) return not_found;

    const auto* bytes = static_cast<const unsigned char*>(table);
    uint64_t count = read_u64(bytes);
    if (count == 0 || count > (table_size - kHeaderSize) / kEntrySize) return not_found;
    const unsigned char* entries = bytes + kHeaderSize;
    auto entry_address = [&](uint64_t i) { return read_u64(entries + i * kEntrySize); };

    // Find the first entry above `address`; the one before it is the match.
    uint64_t low = 0, high = count;
    while (low < high) {
        uint64_t middle = low + (high - low) / 2;
        if (entry_address(middle) <= address)
            low = middle + 1;
        else
            high = middle;
    }
    if (low == 0) return not_found; // below the first symbol
    uint64_t index = low - 1;

    const char* names = reinterpret_cast<const char*>(entries + count * kEntrySize);
    size_t names_size = table_size - kHeaderSize - count * kEntrySize;
    uint64_t name_offset = read_u64(entries + index * kEntrySize + 8);
    if (name_offset >= names_size) return not_found;
    for (size_t i = name_offset; names[i] != '\0';) {
        if (++i == names_size) return not_found; // unterminated
    }
    return Symbol{names + name_offset, address - entry_address(index)};
}

} // namespace rayos::ksyms
