// printf-style formatting (see format.h).
//
// vformat() walks the format string once. Literal text is copied; each '%'
// conversion is parsed into a Spec (flags, width, precision, length
// modifier), its argument is fetched with va_arg, and the result is rendered
// by emit_integer() or emit_text(), which handle padding, signs, prefixes
// and precision. Every character goes through Output, which collects it in a
// 64-byte chunk and passes whole chunks to the sink, so a serial port or IPC
// sink sees a few large writes rather than one per character.
//
// format_to() is vformat() with a sink that fills a caller buffer, drops
// what does not fit and NUL-terminates, like snprintf.
//
// Freestanding: no libc calls and no floating point.
#include "format.h"

namespace rayos {
namespace {

// Buffers output and counts every character produced.
class Output {
public:
    explicit Output(FormatSink sink) : sink_(sink) {}

    void put(char c) {
        if (used_ == sizeof(chunk_)) flush();
        chunk_[used_++] = c;
        ++total_;
    }
    void put(const char* text, size_t length) {
        for (size_t i = 0; i < length; ++i)
            put(text[i]);
    }
    void repeat(char c, size_t count) {
        for (; count > 0; --count)
            put(c);
    }
    void flush() {
        if (used_ > 0 && sink_.write != nullptr) sink_.write(sink_.context, chunk_, used_);
        used_ = 0;
    }
    size_t total() const { return total_; }

private:
    FormatSink sink_;
    char chunk_[64];
    size_t used_ = 0;
    size_t total_ = 0;
};

enum class Length { Int, Char, Short, Long, LongLong, Size, Ptrdiff, Max };

struct Spec {
    bool left = false;  // '-': pad on the right
    bool zero = false;  // '0': pad numbers with zeros
    bool plus = false;  // '+': always print a sign
    bool space = false; // ' ': a space instead of '+'
    bool alt = false;   // '#': 0x prefix / leading octal 0
    size_t width = 0;
    int precision = -1; // -1: none given
    Length length = Length::Int;
};

// Width and precision digits; saturates instead of overflowing.
int parse_number(const char*& p) {
    int value = 0;
    for (; *p >= '0' && *p <= '9'; ++p) {
        int digit = *p - '0';
        value = value > (0x7fffffff - digit) / 10 ? 0x7fffffff : value * 10 + digit;
    }
    return value;
}

size_t bounded_length(const char* s, int precision) {
    size_t length = 0;
    while ((precision < 0 || length < static_cast<size_t>(precision)) && s[length] != '\0')
        ++length;
    return length;
}

int64_t next_signed(Length length, va_list* args) {
    switch (length) {
    case Length::Char:
        return static_cast<signed char>(va_arg(*args, int));
    case Length::Short:
        return static_cast<short>(va_arg(*args, int));
    case Length::Long:
        return va_arg(*args, long);
    case Length::LongLong:
        return va_arg(*args, long long);
    case Length::Size:
    case Length::Ptrdiff:
        return va_arg(*args, ptrdiff_t);
    case Length::Max:
        return va_arg(*args, intmax_t);
    case Length::Int:
        break;
    }
    return va_arg(*args, int);
}

uint64_t next_unsigned(Length length, va_list* args) {
    switch (length) {
    case Length::Char:
        return static_cast<unsigned char>(va_arg(*args, unsigned));
    case Length::Short:
        return static_cast<unsigned short>(va_arg(*args, unsigned));
    case Length::Long:
        return va_arg(*args, unsigned long);
    case Length::LongLong:
        return va_arg(*args, unsigned long long);
    case Length::Size:
        return va_arg(*args, size_t);
    case Length::Ptrdiff:
        return static_cast<uint64_t>(va_arg(*args, ptrdiff_t));
    case Length::Max:
        return va_arg(*args, uintmax_t);
    case Length::Int:
        break;
    }
    return va_arg(*args, unsigned);
}

// Text (%s, %c), padded to the field width.
void emit_text(Output& out, const Spec& spec, const char* text, size_t length) {
    size_t pad = spec.width > length ? spec.width - length : 0;
    if (!spec.left) out.repeat(' ', pad);
    out.put(text, length);
    if (spec.left) out.repeat(' ', pad);
}

// A number: [spaces] prefix [zeros] digits [spaces]. `prefix` is the sign or
// the 0x of %#x and %p.
void emit_integer(Output& out, const Spec& spec, uint64_t value, unsigned base, bool upper,
                  const char* prefix) {
    const char* digit_chars = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char digits[24]; // 64-bit octal needs 22
    size_t count = 0;
    if (value != 0 || spec.precision != 0) {
        do {
            digits[count++] = digit_chars[value % base];
            value /= base;
        } while (value != 0);
    }

    size_t zeros = 0;
    if (spec.precision > 0 && static_cast<size_t>(spec.precision) > count)
        zeros = static_cast<size_t>(spec.precision) - count;
    // %#o: the first digit must be 0.
    if (base == 8 && spec.alt && zeros == 0 && (count == 0 || digits[count - 1] != '0')) zeros = 1;

    size_t prefix_length = bounded_length(prefix, -1);
    size_t length = prefix_length + zeros + count;
    size_t pad = spec.width > length ? spec.width - length : 0;
    if (spec.zero && !spec.left && spec.precision < 0) {
        zeros += pad;
        pad = 0;
    }

    if (!spec.left) out.repeat(' ', pad);
    out.put(prefix, prefix_length);
    out.repeat('0', zeros);
    while (count > 0)
        out.put(digits[--count]);
    if (spec.left) out.repeat(' ', pad);
}

// Parses flags, width, precision and length modifier after the '%'.
// `p` is left at the conversion character.
Spec parse_spec(const char*& p, va_list* args) {
    Spec spec;
    for (;; ++p) {
        if (*p == '-')
            spec.left = true;
        else if (*p == '0')
            spec.zero = true;
        else if (*p == '+')
            spec.plus = true;
        else if (*p == ' ')
            spec.space = true;
        else if (*p == '#')
            spec.alt = true;
        else
            break;
    }

    if (*p == '*') {
        ++p;
        int width = va_arg(*args, int);
        if (width < 0) {
            spec.left = true;
            spec.width = static_cast<size_t>(-static_cast<int64_t>(width));
        } else {
            spec.width = static_cast<size_t>(width);
        }
    } else {
        spec.width = static_cast<size_t>(parse_number(p));
    }

    if (*p == '.') {
        ++p;
        if (*p == '*') {
            ++p;
            int precision = va_arg(*args, int);
            spec.precision = precision < 0 ? -1 : precision;
        } else {
            spec.precision = parse_number(p); // "." alone means 0
        }
    }

    switch (*p) {
    case 'h':
        ++p;
        spec.length = Length::Short;
        if (*p == 'h') {
            ++p;
            spec.length = Length::Char;
        }
        break;
    case 'l':
        ++p;
        spec.length = Length::Long;
        if (*p == 'l') {
            ++p;
            spec.length = Length::LongLong;
        }
        break;
    case 'z':
        ++p;
        spec.length = Length::Size;
        break;
    case 't':
        ++p;
        spec.length = Length::Ptrdiff;
        break;
    case 'j':
        ++p;
        spec.length = Length::Max;
        break;
    default:
        break;
    }
    return spec;
}

// Formats one conversion starting at `p` (just after '%'); returns false for
// an unknown conversion, whose text the caller then prints literally.
bool convert(Output& out, const char*& p, va_list* args) {
    Spec spec = parse_spec(p, args);
    char conversion = *p;
    switch (conversion) {
    case 'd':
    case 'i': {
        int64_t value = next_signed(spec.length, args);
        // Negate in unsigned arithmetic so that INT64_MIN works.
        uint64_t magnitude = static_cast<uint64_t>(value);
        if (value < 0) magnitude = 0 - magnitude;
        const char* sign = value < 0 ? "-" : spec.plus ? "+" : spec.space ? " " : "";
        emit_integer(out, spec, magnitude, 10, false, sign);
        break;
    }
    case 'u':
        emit_integer(out, spec, next_unsigned(spec.length, args), 10, false, "");
        break;
    case 'o':
        emit_integer(out, spec, next_unsigned(spec.length, args), 8, false, "");
        break;
    case 'x':
    case 'X': {
        uint64_t value = next_unsigned(spec.length, args);
        bool upper = conversion == 'X';
        const char* prefix = spec.alt && value != 0 ? (upper ? "0X" : "0x") : "";
        emit_integer(out, spec, value, 16, upper, prefix);
        break;
    }
    case 'p': {
        uint64_t value = reinterpret_cast<uintptr_t>(va_arg(*args, void*));
        spec.precision = 16; // always all 16 digits
        emit_integer(out, spec, value, 16, false, "0x");
        break;
    }
    case 's': {
        const char* text = va_arg(*args, const char*);
        if (text == nullptr) text = "(null)";
        emit_text(out, spec, text, bounded_length(text, spec.precision));
        break;
    }
    case 'c': {
        char c = static_cast<char>(va_arg(*args, int));
        emit_text(out, spec, &c, 1);
        break;
    }
    case '%':
        out.put('%');
        break;
    default:
        return false;
    }
    ++p;
    return true;
}

// Fills a caller buffer, leaving room for the NUL.
struct BufferSink {
    char* buffer;
    size_t capacity; // size - 1, or 0 if size is 0
    size_t used;

    static void write(void* context, const char* text, size_t length) {
        auto* self = static_cast<BufferSink*>(context);
        for (size_t i = 0; i < length && self->used < self->capacity; ++i)
            self->buffer[self->used++] = text[i];
    }
};

} // namespace

size_t vformat(FormatSink sink, const char* fmt, va_list args) {
    va_list ap;
    va_copy(ap, args);
    Output out(sink);
    const char* p = fmt;
    while (*p != '\0') {
        if (*p != '%') {
            out.put(*p++);
            continue;
        }
        const char* start = p++;
        if (!convert(out, p, &ap)) {
            // Unknown conversion (or the string ended inside one): print the
            // directive as written, including the unknown character.
            if (*p != '\0') ++p;
            out.put(start, static_cast<size_t>(p - start));
        }
    }
    va_end(ap);
    out.flush();
    return out.total();
}

size_t format(FormatSink sink, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    size_t length = vformat(sink, fmt, args);
    va_end(args);
    return length;
}

size_t vformat_to(char* buffer, size_t size, const char* fmt, va_list args) {
    BufferSink state{buffer, size > 0 ? size - 1 : 0, 0};
    size_t length = vformat(FormatSink{&BufferSink::write, &state}, fmt, args);
    if (size > 0) buffer[state.used] = '\0';
    return length;
}

size_t format_to(char* buffer, size_t size, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    size_t length = vformat_to(buffer, size, fmt, args);
    va_end(args);
    return length;
}

} // namespace rayos
