// Helpers of the command families (see command.h).
#include "command.h"

#include "format.h"

#include <rayos/string.h>

#include <cstdarg>

namespace rayos::shell {

Parsed parse_error(const char* fmt, ...) {
    Parsed p;
    va_list args;
    va_start(args, fmt);
    vformat_to(p.error, sizeof(p.error), fmt, args);
    va_end(args);
    return p;
}

uint32_t parse_number(const char* word, uint32_t max) {
    uint64_t value = 0;
    if (!*word) return 0;
    for (; *word; ++word) {
        if (*word < '0' || *word > '9') return 0;
        value = value * 10 + uint64_t(*word - '0');
        if (value > max) return 0;
    }
    return uint32_t(value);
}

bool copy_name(char (&out)[32], const char* word) {
    size_t n = 0;
    while (word[n]) {
        if (n + 1 >= sizeof(out)) return false;
        out[n] = word[n];
        ++n;
    }
    out[n] = '\0';
    return true;
}

int index_of(const char* const* names, const char* word) {
    for (int i = 0; names[i]; ++i)
        if (strcmp(names[i], word) == 0) return i;
    return -1;
}

} // namespace rayos::shell
