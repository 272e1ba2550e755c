// The shell's line editor (see line_editor.h).
#include "line_editor.h"

namespace rayos::shell {
namespace {

constexpr uint8_t kCtrlA = 0x01, kCtrlC = 0x03, kCtrlE = 0x05, kBackspace = 0x08, kTab = 0x09,
                  kLf = 0x0A, kCr = 0x0D, kCtrlU = 0x15, kEscape = 0x1B, kDelete = 0x7F;

size_t length_of(const char* s) {
    size_t n = 0;
    while (s[n])
        ++n;
    return n;
}

void copy_text(char* to, const char* from, size_t length) {
    for (size_t i = 0; i < length; ++i)
        to[i] = from[i];
    to[length] = 0;
}

// "\x1b[<n>D": the cursor n columns left.
void cursor_left(Output& out, size_t n) {
    if (n == 0) return;
    char sequence[24] = {'\x1b', '['};
    size_t at = 2;
    char digits[20];
    size_t count = 0;
    do {
        digits[count++] = char('0' + n % 10);
        n /= 10;
    } while (n);
    while (count)
        sequence[at++] = digits[--count];
    sequence[at++] = 'D';
    out.write(sequence, at);
}

struct Matches {
    const char* items[LineEditor::kMaxMatches];
    size_t count = 0;
    const char* prefix;
    size_t prefix_length;
    static void offer(void* context, const char* candidate) {
        auto* m = static_cast<Matches*>(context);
        for (size_t i = 0; i < m->prefix_length; ++i)
            if (candidate[i] != m->prefix[i]) return; // not a completion of this word
        if (m->count < LineEditor::kMaxMatches) m->items[m->count++] = candidate;
    }
};

} // namespace

void Output::text(const char* s) {
    write(s, length_of(s));
}

void LineEditor::prompt() {
    out_.text(prompt_);
}

LineEditor::Event LineEditor::feed(uint8_t byte) {
    if (escape_state_) return escape(byte);
    bool after_cr = last_was_cr_;
    last_was_cr_ = byte == kCr;
    if (byte == kLf && after_cr) return Event::None; // the LF of a CR LF
    return key(byte);
}

LineEditor::Event LineEditor::key(uint8_t byte) {
    switch (byte) {
    case kCr:
    case kLf:
        return finish();
    case kCtrlC:
        out_.text("^C\r\n");
        length_ = cursor_ = 0;
        buffer_[0] = 0;
        overflowed_ = false;
        browsing_ = 0;
        return Event::Cancel;
    case kDelete:
    case kBackspace:
        erase_before();
        if (length_ == 0) overflowed_ = false;
        return Event::None;
    case kCtrlA:
        move_to(0);
        return Event::None;
    case kCtrlE:
        move_to(length_);
        return Event::None;
    case kCtrlU:
        if (cursor_ == 0) return Event::None;
        for (size_t i = cursor_; i <= length_; ++i)
            buffer_[i - cursor_] = buffer_[i];
        length_ -= cursor_;
        cursor_ = 0;
        if (length_ == 0) overflowed_ = false; // nothing of the long line is left
        redraw();
        return Event::None;
    case kTab:
        complete();
        return Event::None;
    case kEscape:
        escape_state_ = 1;
        return Event::None;
    default:
        if (byte >= 0x20 && byte < 0x7F)
            insert(char(byte));
        else
            bell();
        return Event::None;
    }
}

LineEditor::Event LineEditor::escape(uint8_t byte) {
    if (escape_state_ == 1) {
        escape_state_ = (byte == '[' || byte == 'O') ? 2 : 0;
        if (!escape_state_) bell();
        return Event::None;
    }
    if (escape_state_ == 2 && byte >= '0' && byte <= '9') {
        escape_state_ = 3;
        escape_digit_ = uint8_t(byte - '0');
        return Event::None;
    }
    uint8_t state = escape_state_;
    escape_state_ = 0;
    if (state == 3) { // ESC [ digit ~
        if (byte != '~') return bell(), Event::None;
        switch (escape_digit_) {
        case 1:
        case 7:
            move_to(0);
            break;
        case 4:
        case 8:
            move_to(length_);
            break;
        case 3:
            erase_at();
            break;
        default:
            bell();
        }
        return Event::None;
    }
    switch (byte) {
    case 'A': // up: an older line
        if (browsing_ == history_count_) return bell(), Event::None;
        if (browsing_ == 0) copy_text(draft_, buffer_, length_);
        ++browsing_;
        set_line(history_[(history_next_ + kHistory - browsing_) % kHistory]);
        break;
    case 'B': // down: a newer line, then the draft
        if (browsing_ == 0) return bell(), Event::None;
        --browsing_;
        set_line(browsing_ ? history_[(history_next_ + kHistory - browsing_) % kHistory] : draft_);
        break;
    case 'C':
        if (cursor_ < length_) move_to(cursor_ + 1);
        break;
    case 'D':
        if (cursor_ > 0) move_to(cursor_ - 1);
        break;
    case 'H':
        move_to(0);
        break;
    case 'F':
        move_to(length_);
        break;
    default:
        bell();
    }
    return Event::None;
}

void LineEditor::insert(char c) {
    if (length_ == kMaxLine) {
        overflowed_ = true;
        bell();
        return;
    }
    for (size_t i = length_ + 1; i > cursor_; --i)
        buffer_[i] = buffer_[i - 1];
    buffer_[cursor_++] = c;
    ++length_;
    if (cursor_ == length_)
        out_.put(c); // appended: echo it
    else
        redraw();
}

void LineEditor::erase_before() {
    if (cursor_ == 0) return bell();
    --cursor_;
    erase_at();
}

void LineEditor::erase_at() {
    if (cursor_ == length_) return bell();
    for (size_t i = cursor_; i < length_; ++i)
        buffer_[i] = buffer_[i + 1];
    --length_;
    redraw();
}

void LineEditor::move_to(size_t position) {
    if (position == cursor_) return;
    cursor_ = position;
    redraw();
}

void LineEditor::set_line(const char* text) {
    length_ = length_of(text);
    if (length_ > kMaxLine) length_ = kMaxLine;
    copy_text(buffer_, text, length_);
    cursor_ = length_;
    redraw();
}

void LineEditor::redraw() {
    out_.put('\r');
    out_.text(prompt_);
    out_.write(buffer_, length_);
    out_.text("\x1b[K");
    cursor_left(out_, length_ - cursor_);
}

void LineEditor::complete() {
    if (!completer_) return bell();
    size_t start = cursor_;
    while (start > 0 && buffer_[start - 1] != ' ')
        --start;
    Matches matches;
    matches.prefix = buffer_ + start;
    matches.prefix_length = cursor_ - start;
    completer_->complete(buffer_, cursor_, &Matches::offer, &matches);
    if (matches.count == 0) return bell();
    // The longest prefix all candidates share.
    size_t common = length_of(matches.items[0]);
    for (size_t m = 1; m < matches.count; ++m) {
        size_t i = 0;
        while (i < common && matches.items[m][i] == matches.items[0][i])
            ++i;
        common = i;
    }
    for (size_t i = matches.prefix_length; i < common; ++i)
        insert(matches.items[0][i]);
    if (matches.count == 1) {
        insert(' ');
    } else if (common == matches.prefix_length) {
        // Nothing more to add: show the choices, then the line again.
        out_.text("\r\n");
        for (size_t m = 0; m < matches.count; ++m) {
            out_.text(matches.items[m]);
            out_.text(m + 1 < matches.count ? "  " : "\r\n");
        }
        redraw();
    }
}

LineEditor::Event LineEditor::finish() {
    out_.text("\r\n");
    copy_text(done_, buffer_, length_);
    done_length_ = length_;
    done_overflowed_ = overflowed_;
    if (length_ && !overflowed_) remember(buffer_, length_);
    length_ = cursor_ = 0;
    buffer_[0] = 0;
    overflowed_ = false;
    browsing_ = 0;
    return Event::Line;
}

void LineEditor::remember(const char* text, size_t length) {
    if (history_count_) {
        const char* last = history_[(history_next_ + kHistory - 1) % kHistory];
        size_t i = 0;
        while (i < length && last[i] == text[i])
            ++i;
        if (i == length && last[i] == 0) return; // the same as the last one
    }
    copy_text(history_[history_next_], text, length);
    history_next_ = (history_next_ + 1) % kHistory;
    if (history_count_ < kHistory) ++history_count_;
}

} // namespace rayos::shell
