// Reading little-endian integers from byte buffers of any alignment (file
// formats and firmware tables). The caller has checked that the bytes exist.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rayos::le {

template <typename T> inline T read(const uint8_t* p) {
    T value = 0;
    for (size_t i = 0; i < sizeof(T); ++i)
        value = static_cast<T>(value | static_cast<T>(static_cast<T>(p[i]) << (8 * i)));
    return value;
}

inline uint16_t read16(const uint8_t* p) {
    return read<uint16_t>(p);
}
inline uint32_t read32(const uint8_t* p) {
    return read<uint32_t>(p);
}
inline uint64_t read64(const uint8_t* p) {
    return read<uint64_t>(p);
}

} // namespace rayos::le
