// Tests for lib/format: every conversion, flag, width/precision form and
// length modifier, checked against expected strings and, where the
// behaviour is standard, against the host's snprintf.
#include "lib/format.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cinttypes>
#include <climits>
#include <cstdarg>
#include <cstdio>
#include <string>
#include <vector>

using rayos::format;
using rayos::format_to;
using rayos::FormatSink;
using rayos::vformat_to;

namespace {

// Formats with format_to into a large buffer. No format attribute, so it
// also accepts formats the compiler would reject (unknown conversions).
std::string fmt(const char* f, ...) {
    char buffer[512];
    va_list args;
    va_start(args, f);
    size_t length = vformat_to(buffer, sizeof buffer, f, args);
    va_end(args);
    CHECK(length < sizeof buffer);
    CHECK(length == std::char_traits<char>::length(buffer));
    return std::string(buffer);
}

// Formats with both format_to and the host's vsnprintf; returns an empty
// string if they agree, otherwise a description of the difference.
__attribute__((format(printf, 1, 2))) std::string compare(const char* f, ...) {
    char ours[512];
    char host[512];
    va_list args, copy;
    va_start(args, f);
    va_copy(copy, args);
    size_t our_length = vformat_to(ours, sizeof ours, f, args);
    int host_length = vsnprintf(host, sizeof host, f, copy);
    va_end(copy);
    va_end(args);
    if (host_length >= 0 && our_length == static_cast<size_t>(host_length) &&
        std::string(ours) == std::string(host))
        return "";
    return std::string("format \"") + f + "\": ours \"" + ours + "\" (" +
           std::to_string(our_length) + "), host \"" + host + "\" (" + std::to_string(host_length) +
           ")";
}

#define CHECK_SAME(...) CHECK(compare(__VA_ARGS__) == "")

// A sink that records each write.
struct Recorder {
    std::string text;
    std::vector<size_t> writes;
    static void write(void* context, const char* data, size_t length) {
        auto* self = static_cast<Recorder*>(context);
        self->text.append(data, length);
        self->writes.push_back(length);
    }
    FormatSink sink() { return FormatSink{&Recorder::write, this}; }
};

} // namespace

TEST_CASE("format: plain text and %%") {
    CHECK(fmt("") == "");
    CHECK(fmt("hello, world") == "hello, world");
    CHECK(fmt("100%%") == "100%");
    CHECK(fmt("%%%%") == "%%");
    CHECK_SAME("a%%b");
    CHECK_SAME("%%");
}

TEST_CASE("format: %d and %i") {
    CHECK(fmt("%d", 0) == "0");
    CHECK(fmt("%d", 42) == "42");
    CHECK(fmt("%d", -42) == "-42");
    CHECK(fmt("%i", -7) == "-7");
    CHECK(fmt("%d", INT_MAX) == "2147483647");
    CHECK(fmt("%d", INT_MIN) == "-2147483648");
    CHECK(fmt("%lld", static_cast<long long>(INT64_MIN)) == "-9223372036854775808");
    CHECK(fmt("%lld", static_cast<long long>(INT64_MAX)) == "9223372036854775807");
    CHECK(fmt("%ld", static_cast<long>(INT64_MIN)) == "-9223372036854775808");
    CHECK(fmt("%jd", INTMAX_MIN) == "-9223372036854775808");
    CHECK_SAME("%d %i %d", 1, -1, INT_MIN);
    CHECK_SAME("%" PRId64, INT64_MIN);
}

TEST_CASE("format: %u %x %X %o") {
    CHECK(fmt("%u", 0u) == "0");
    CHECK(fmt("%u", UINT_MAX) == "4294967295");
    CHECK(fmt("%x", 0xdeadbeefu) == "deadbeef");
    CHECK(fmt("%X", 0xdeadbeefu) == "DEADBEEF");
    CHECK(fmt("%o", 8u) == "10");
    CHECK(fmt("%o", 0u) == "0");
    CHECK(fmt("%llu", static_cast<unsigned long long>(UINT64_MAX)) == "18446744073709551615");
    CHECK(fmt("%llx", static_cast<unsigned long long>(UINT64_MAX)) == "ffffffffffffffff");
    CHECK(fmt("%llX", static_cast<unsigned long long>(UINT64_MAX)) == "FFFFFFFFFFFFFFFF");
    CHECK(fmt("%llo", static_cast<unsigned long long>(UINT64_MAX)) == "1777777777777777777777");
    CHECK(fmt("%zu", SIZE_MAX) == "18446744073709551615");
    CHECK(fmt("%u", -1) == "4294967295"); // int reinterpreted as unsigned
    CHECK_SAME("%" PRIu64 " %" PRIx64 " %" PRIX64 " %" PRIo64, UINT64_MAX, UINT64_MAX, UINT64_MAX,
               UINT64_MAX);
}

TEST_CASE("format: length modifiers truncate to their type") {
    CHECK(fmt("%hhd", 0x17f) == "127");
    CHECK(fmt("%hhd", 0x180) == "-128");
    CHECK(fmt("%hhu", 0x1ff) == "255");
    CHECK(fmt("%hhx", -1) == "ff");
    CHECK(fmt("%hd", 0x18000) == "-32768");
    CHECK(fmt("%hu", 0x1ffff) == "65535");
    CHECK(fmt("%hx", -1) == "ffff");
    CHECK(fmt("%lx", 0x123456789abcdef0ul) == "123456789abcdef0");
    CHECK(fmt("%zd", static_cast<ptrdiff_t>(-5)) == "-5");
    CHECK(fmt("%zx", static_cast<size_t>(0xabc)) == "abc");
    CHECK(fmt("%td", static_cast<ptrdiff_t>(PTRDIFF_MIN)) == "-9223372036854775808");
    CHECK(fmt("%tu", static_cast<ptrdiff_t>(-1)) == "18446744073709551615");
    CHECK(fmt("%jx", UINTMAX_MAX) == "ffffffffffffffff");
    CHECK(fmt("%ju", UINTMAX_MAX) == "18446744073709551615");
    // Arguments after a 64-bit one are fetched correctly.
    CHECK(fmt("%llx %d %hhd %lu", 0x1122334455667788ull, -3, 65, 7ul) ==
          "1122334455667788 -3 65 7");
}

TEST_CASE("format: flags") {
    CHECK(fmt("%+d", 5) == "+5");
    CHECK(fmt("%+d", -5) == "-5");
    CHECK(fmt("%+d", 0) == "+0");
    CHECK(fmt("% d", 5) == " 5");
    CHECK(fmt("% d", -5) == "-5");
    CHECK(fmt("%+ d", 5) == "+5"); // '+' wins over ' '
    CHECK(fmt("%-5d|", 42) == "42   |");
    CHECK(fmt("%05d", 42) == "00042");
    CHECK(fmt("%05d", -42) == "-0042");
    CHECK(fmt("%+05d", 42) == "+0042");
    CHECK(fmt("% 05d", 42) == " 0042");
    CHECK(fmt("%-05d|", 42) == "42   |"); // '-' wins over '0'
    CHECK(fmt("%#x", 0x1fu) == "0x1f");
    CHECK(fmt("%#X", 0x1fu) == "0X1F");
    CHECK(fmt("%#x", 0u) == "0"); // no prefix for zero
    CHECK(fmt("%#o", 8u) == "010");
    CHECK(fmt("%#o", 0u) == "0");
    CHECK(fmt("%#010x", 0xabu) == "0x000000ab");
    CHECK(fmt("%#10x|", 0xabu) == "      0xab|");
    CHECK(fmt("%-#10x|", 0xabu) == "0xab      |");
    CHECK(fmt("%#.5o", 8u) == "00010");
    CHECK(fmt("%#.0o", 0u) == "0");
    // Flags that do not apply to a conversion are ignored (fmt() is not
    // format-checked, so these compile).
    CHECK(fmt("%+u", 5u) == "5");
    CHECK(fmt("% x", 5u) == "5");
    CHECK(fmt("%#d", 5) == "5");
    CHECK(fmt("%05s|", "ab") == "   ab|");
    CHECK(fmt("%+p", reinterpret_cast<void*>(1)) == "0x0000000000000001");
    CHECK(fmt("%#.3p", reinterpret_cast<void*>(1)) == "0x0000000000000001");
    CHECK(fmt("%020p", reinterpret_cast<void*>(1)) == "  0x0000000000000001");
}

TEST_CASE("format: width and precision") {
    CHECK(fmt("%5d|", 42) == "   42|");
    CHECK(fmt("%1d", 12345) == "12345"); // width never truncates
    CHECK(fmt("%.5d", 42) == "00042");
    CHECK(fmt("%.5d", -42) == "-00042");
    CHECK(fmt("%8.5d|", -42) == "  -00042|");
    CHECK(fmt("%-8.5d|", 42) == "00042   |");
    CHECK(fmt("%08.5d|", 42) == "   00042|"); // precision disables '0'
    CHECK(fmt("%.0d|", 0) == "|");            // zero with precision 0: no digits
    CHECK(fmt("%5.0d|", 0) == "     |");
    CHECK(fmt("%+.0d|", 0) == "+|");
    CHECK(fmt("%.d|", 0) == "|"); // "." alone is precision 0
    CHECK(fmt("%.0x|", 0u) == "|");
    CHECK(fmt("%#.0x|", 0u) == "|");
    CHECK(fmt("%.3x", 0xau) == "00a");
    CHECK(fmt("%#.3x", 0xau) == "0x00a");
    CHECK(fmt("%.20llu", 1ull) == "00000000000000000001");
    CHECK(fmt("%30d|", 1) == "                             1|");
    CHECK(fmt("%.3s|", "abcdef") == "abc|");
    CHECK(fmt("%.0s|", "abcdef") == "|");
    CHECK(fmt("%.10s|", "abc") == "abc|");
    CHECK(fmt("%6.2s|", "abc") == "    ab|");
    CHECK(fmt("%-6.2s|", "abc") == "ab    |");
}

TEST_CASE("format: '*' width and precision") {
    CHECK(fmt("%*d|", 5, 42) == "   42|");
    CHECK(fmt("%-*d|", 5, 42) == "42   |");
    CHECK(fmt("%*d|", -5, 42) == "42   |"); // negative width: left-justify
    CHECK(fmt("%.*d|", 4, 7) == "0007|");
    CHECK(fmt("%.*d|", -1, 7) == "7|"); // negative precision: none
    CHECK(fmt("%0*d|", 4, 7) == "0007|");
    CHECK(fmt("%0.*d|", -1, 7) == "7|");
    CHECK(fmt("%*.*d|", 6, 3, 7) == "   007|");
    CHECK(fmt("%*.*s|", -6, 2, "abc") == "ab    |");
    CHECK(fmt("%.*s|", 3, "abcdef") == "abc|");
    CHECK(fmt("%*c|", 3, 'x') == "  x|");
    CHECK_SAME("%*d|%-*d|%*d", 4, 1, 4, 2, -4, 3);
    CHECK_SAME("%.*d|%.*d|%*.*x", 3, 5, -3, 5, 8, 4, 0xabu);
    CHECK_SAME("%*s|%.*s|%*.*s", -7, "left", 2, "truncate", 7, 3, "abcdef");
}

TEST_CASE("format: precision on strings reads no further than needed") {
    // Not NUL-terminated: only the first 3 bytes may be read.
    const char letters[3] = {'x', 'y', 'z'};
    CHECK(fmt("%.3s", letters) == "xyz");
    CHECK(fmt("%.*s", 2, letters) == "xy");
}

TEST_CASE("format: %s and %c") {
    CHECK(fmt("%s", "text") == "text");
    CHECK(fmt("%s", "") == "");
    CHECK(fmt("[%8s]", "right") == "[   right]");
    CHECK(fmt("[%-8s]", "left") == "[left    ]");
    CHECK(fmt("[%2s]", "longer") == "[longer]");
    const char* null_string = nullptr;
    CHECK(fmt("%s", null_string) == "(null)");
    CHECK(fmt("[%8s]", null_string) == "[  (null)]");
    CHECK(fmt("%c", 'A') == "A");
    CHECK(fmt("%c%c%c", 'a', 'b', 'c') == "abc");
    CHECK(fmt("[%3c]", 'A') == "[  A]");
    CHECK(fmt("[%-3c]", 'A') == "[A  ]");
    CHECK(fmt("%c", 0x141) == "A"); // converted to char
    CHECK_SAME("%s|%10s|%-10s|%.2s|%c|%5c|%-5c", "abc", "abc", "abc", "abc", 'q', 'r', 's');
}

TEST_CASE("format: %c of NUL is output and counted") {
    char buffer[8];
    std::fill(buffer, buffer + sizeof buffer, '#');
    CHECK(format_to(buffer, sizeof buffer, "a%cb", 0) == 3);
    CHECK(buffer[0] == 'a');
    CHECK(buffer[1] == '\0');
    CHECK(buffer[2] == 'b');
    CHECK(buffer[3] == '\0');
    CHECK(buffer[4] == '#');
}

TEST_CASE("format: %p") {
    int object = 0;
    CHECK(fmt("%p", static_cast<void*>(nullptr)) == "0x0000000000000000");
    CHECK(fmt("%p", reinterpret_cast<void*>(0x1234)) == "0x0000000000001234");
    CHECK(fmt("%p", reinterpret_cast<void*>(~uintptr_t{0})) == "0xffffffffffffffff");
    CHECK(fmt("%p", reinterpret_cast<void*>(0xffffffff80001000)) == "0xffffffff80001000");
    CHECK(fmt("[%20p]", reinterpret_cast<void*>(0xab)) == "[  0x00000000000000ab]");
    CHECK(fmt("[%-20p]", reinterpret_cast<void*>(0xab)) == "[0x00000000000000ab  ]");
    CHECK(fmt("[%5p]", reinterpret_cast<void*>(0xab)) == "[0x00000000000000ab]");
    char expected[32];
    snprintf(expected, sizeof expected, "0x%016" PRIxPTR, reinterpret_cast<uintptr_t>(&object));
    CHECK(fmt("%p", static_cast<void*>(&object)) == expected);
}

TEST_CASE("format: unknown conversions are printed literally") {
    CHECK(fmt("%y") == "%y");
    CHECK(fmt("a%yb") == "a%yb");
    CHECK(fmt("%-5y|") == "%-5y|");
    CHECK(fmt("%lly") == "%lly");
    CHECK(fmt("%n") == "%n"); // never writes through a pointer
    CHECK(fmt("%Lf") == "%Lf");
    CHECK(fmt("%q%d", 5) == "%q5"); // no argument consumed
    // The string ends inside a directive.
    CHECK(fmt("abc%") == "abc%");
    CHECK(fmt("%5") == "%5");
    CHECK(fmt("%-0.3l") == "%-0.3l");
    CHECK(fmt("%hh") == "%hh");
}

TEST_CASE("format: mixed directives") {
    CHECK(fmt("%s=%d (%#x) at %p%c", "x", 26, 26u, reinterpret_cast<void*>(0x1000), '!') ==
          "x=26 (0x1a) at 0x0000000000001000!");
    CHECK_SAME("[%-10s|%8.3d|%+05d|%#o|%X]", "name", 7, 12, 64u, 0xbeefu);
}

TEST_CASE("format_to: truncation and return value") {
    char buffer[16];
    auto fill = [&] { std::fill(buffer, buffer + sizeof buffer, '#'); };

    SUBCASE("size 0 writes nothing") {
        fill();
        CHECK(format_to(buffer, 0, "hello %d", 42) == 8);
        CHECK(buffer[0] == '#');
        CHECK(format_to(nullptr, 0, "hello %d", 42) == 8);
    }
    SUBCASE("size 1 writes only the NUL") {
        fill();
        CHECK(format_to(buffer, 1, "hello") == 5);
        CHECK(buffer[0] == '\0');
        CHECK(buffer[1] == '#');
    }
    SUBCASE("one byte short truncates the last character") {
        fill();
        CHECK(format_to(buffer, 5, "hello") == 5);
        CHECK(std::string(buffer) == "hell");
        CHECK(buffer[5] == '#');
    }
    SUBCASE("exact size fits") {
        fill();
        CHECK(format_to(buffer, 6, "hello") == 5);
        CHECK(std::string(buffer) == "hello");
        CHECK(buffer[6] == '#');
    }
    SUBCASE("larger buffer is left alone after the NUL") {
        fill();
        CHECK(format_to(buffer, sizeof buffer, "%d", 123) == 3);
        CHECK(std::string(buffer) == "123");
        CHECK(buffer[4] == '#');
    }
    SUBCASE("empty output") {
        fill();
        CHECK(format_to(buffer, sizeof buffer, "%s", "") == 0);
        CHECK(buffer[0] == '\0');
        CHECK(buffer[1] == '#');
    }
    SUBCASE("truncation inside a padded conversion") {
        fill();
        CHECK(format_to(buffer, 4, "%10d", 5) == 10);
        CHECK(std::string(buffer) == "   ");
        CHECK(buffer[4] == '#');
    }
    SUBCASE("long output: full length is returned") {
        std::string expected(300, 'z');
        fill();
        CHECK(format_to(buffer, sizeof buffer, "%s", expected.c_str()) == 300);
        CHECK(std::string(buffer) == std::string(15, 'z'));
    }
    SUBCASE("matches snprintf at every size") {
        const char* f = "%-6s|%+04d|%#x";
        char host[64];
        for (size_t size = 0; size <= 24; ++size) {
            char ours[32];
            std::fill(ours, ours + sizeof ours, '#');
            std::fill(host, host + sizeof host, '#');
            size_t our_length = format_to(ours, size, "%-6s|%+04d|%#x", "ab", 7, 0x2au);
            int host_length = snprintf(host, size, "%-6s|%+04d|%#x", "ab", 7, 0x2au);
            INFO("size ", size, " format ", f);
            CHECK(our_length == static_cast<size_t>(host_length));
            CHECK(std::string(ours, sizeof ours) == std::string(host, sizeof ours));
        }
    }
}

TEST_CASE("format: sink receives buffered chunks") {
    SUBCASE("short output: a single write") {
        Recorder recorder;
        CHECK(format(recorder.sink(), "x=%d y=%s", 5, "abc") == 9);
        CHECK(recorder.text == "x=5 y=abc");
        CHECK(recorder.writes == std::vector<size_t>{9});
    }
    SUBCASE("long output is split into 64-byte chunks") {
        Recorder recorder;
        std::string long_text(150, 'k');
        CHECK(format(recorder.sink(), "<%s>%60d", long_text.c_str(), 1) == 212);
        CHECK(recorder.text == "<" + long_text + ">" + std::string(59, ' ') + "1");
        CHECK(recorder.writes == std::vector<size_t>{64, 64, 64, 20});
    }
    SUBCASE("exactly one chunk") {
        Recorder recorder;
        CHECK(format(recorder.sink(), "%64s", "") == 64);
        CHECK(recorder.writes == std::vector<size_t>{64});
    }
    SUBCASE("empty output: no empty writes") {
        Recorder recorder;
        CHECK(format(recorder.sink(), "%s", "") == 0);
        CHECK(recorder.writes.empty());
    }
}

TEST_CASE("format: va_list can be reused by the caller after vformat_to") {
    // vformat_to must not consume the caller's va_list (it copies it), so a
    // second pass over the same list (after va_copy) gives the same result.
    auto twice = [](const char* f, ...) {
        va_list args, copy;
        va_start(args, f);
        va_copy(copy, args);
        char first[64], second[64];
        vformat_to(first, sizeof first, f, args);
        vformat_to(second, sizeof second, f, copy);
        va_end(copy);
        va_end(args);
        return std::string(first) == std::string(second);
    };
    CHECK(twice("%d %s %llx", 1, "two", 3ull));
}

// Every combination of flags, width, precision, integer conversion and
// length modifier, compared with the host's snprintf.
TEST_CASE("format: integer conversions match snprintf exhaustively") {
    const char* flag_chars = "-0+ #";
    const char* widths[] = {"", "1", "6", "24"};
    const char* precisions[] = {"", ".", ".0", ".1", ".4", ".22"};
    const char* lengths[] = {"", "hh", "h", "l", "ll", "z", "t", "j"};
    const char conversions[] = {'d', 'i', 'u', 'x', 'X', 'o'};
    const uint64_t values[] = {0,
                               1,
                               7,
                               8,
                               0x7f,
                               0x80,
                               0xff,
                               0x7fff,
                               0x8000,
                               0x12345678,
                               0x80000000,
                               0xffffffff,
                               uint64_t{1} << 32,
                               0x7fffffffffffffff,
                               0x8000000000000000,
                               0xffffffffffffffff,
                               static_cast<uint64_t>(-2),
                               static_cast<uint64_t>(-1000000)};
    size_t cases = 0, mismatches = 0;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat"
    for (unsigned flag_set = 0; flag_set < 32; ++flag_set) {
        std::string flags;
        for (unsigned bit = 0; bit < 5; ++bit)
            if (flag_set & (1u << bit)) flags += flag_chars[bit];
        for (const char* width : widths)
            for (const char* precision : precisions)
                for (const char* length : lengths)
                    for (char conversion : conversions) {
                        std::string f =
                            "[%" + flags + width + precision + length + conversion + "]";
                        std::string l(length);
                        for (uint64_t v : values) {
                            std::string difference;
                            if (l == "" || l == "hh" || l == "h")
                                difference = compare(f.c_str(), static_cast<int>(v));
                            else if (l == "l")
                                difference = compare(f.c_str(), static_cast<long>(v));
                            else if (l == "ll")
                                difference = compare(f.c_str(), static_cast<long long>(v));
                            else if (l == "z")
                                difference = compare(f.c_str(), static_cast<size_t>(v));
                            else if (l == "t")
                                difference = compare(f.c_str(), static_cast<ptrdiff_t>(v));
                            else
                                difference = compare(f.c_str(), static_cast<intmax_t>(v));
                            ++cases;
                            if (!difference.empty() && ++mismatches <= 20) FAIL_CHECK(difference);
                        }
                    }
    }
#pragma GCC diagnostic pop
    MESSAGE("compared ", cases, " integer formats with snprintf");
    CHECK(mismatches == 0);
}

TEST_CASE("format: string and character conversions match snprintf") {
    const char* flag_sets[] = {"", "-"};
    const char* widths[] = {"", "1", "3", "9"};
    const char* precisions[] = {"", ".", ".0", ".2", ".8"};
    const char* strings[] = {"", "a", "abc", "abcdefgh", "with spaces\tand tabs"};
    size_t mismatches = 0;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    for (const char* flags : flag_sets)
        for (const char* width : widths) {
            for (const char* precision : precisions)
                for (const char* s : strings) {
                    std::string f = std::string("[%") + flags + width + precision + "s]";
                    std::string difference = compare(f.c_str(), s);
                    if (!difference.empty() && ++mismatches <= 20) FAIL_CHECK(difference);
                }
            std::string f = std::string("[%") + flags + width + "c]";
            for (int c : {'a', ' ', '~'}) {
                std::string difference = compare(f.c_str(), c);
                if (!difference.empty() && ++mismatches <= 20) FAIL_CHECK(difference);
            }
        }
#pragma GCC diagnostic pop
    CHECK(mismatches == 0);
}
