// Splitting a command line into words (see words.h).
#include "words.h"

#include <rayos/string.h>

namespace rayos::shell {

bool Words::is(uint32_t i, const char* text) const {
    return i < count && strcmp(word[i], text) == 0;
}

SplitError split_words(const char* line, size_t length, Words& out) {
    out.count = 0;
    if (length > Words::kMaxLine) return SplitError::TooLong;
    size_t used = 0;
    bool in_word = false;
    for (size_t i = 0; i < length; ++i) {
        unsigned char c = static_cast<unsigned char>(line[i]);
        if (c == ' ' || c == '\t') {
            if (in_word) out.storage[used++] = '\0';
            in_word = false;
            continue;
        }
        if (c < 0x20 || c > 0x7E) return SplitError::ControlCharacter;
        if (!in_word) {
            if (out.count == limits::kShellMaxWords) return SplitError::TooManyWords;
            out.word[out.count++] = out.storage + used;
            in_word = true;
        }
        out.storage[used++] = static_cast<char>(c);
    }
    out.storage[used] = '\0';
    return SplitError::Ok;
}

const char* split_error_text(SplitError e) {
    switch (e) {
    case SplitError::Ok:
        return "ok";
    case SplitError::TooLong:
        return "line too long (at most 255 characters)";
    case SplitError::TooManyWords:
        return "too many words in the line";
    case SplitError::ControlCharacter:
        return "the line contains control characters or non-ASCII bytes";
    }
    return "bad line";
}

} // namespace rayos::shell
