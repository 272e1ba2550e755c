// Splitting a command line into words: runs of printable characters
// separated by spaces or tabs. Pure logic, tested on the host.
#pragma once

#include <rayos/limits.h>

#include <cstddef>
#include <cstdint>

namespace rayos::shell {

struct Words {
    static constexpr size_t kMaxLine = 255;

    const char* word[limits::kShellMaxWords] = {};
    uint32_t count = 0;
    char storage[kMaxLine + 1] = {}; // the words, NUL-separated

    bool is(uint32_t i, const char* text) const;
};

enum class SplitError : uint8_t {
    Ok,
    TooLong,          // more than Words::kMaxLine characters
    TooManyWords,     // more than limits::kShellMaxWords
    ControlCharacter, // a byte outside printable ASCII (other than space, tab)
};

[[nodiscard]] SplitError split_words(const char* line, size_t length, Words& out);
const char* split_error_text(SplitError e);

} // namespace rayos::shell
