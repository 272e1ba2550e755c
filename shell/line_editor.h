// The shell's line editor: turns the bytes a terminal sends into edited
// lines, and says what to write back so the terminal shows them. Pure
// logic (no I/O), freestanding, tested on the host.
//
// Keys: printable characters insert at the cursor; Backspace (DEL or ^H)
// and Delete (ESC [ 3 ~) erase; Left/Right, Home/End (ESC [ H / F,
// ESC [ 1 ~ / 4 ~, ^A / ^E) move; ^U erases to the start of the line; ^C
// cancels the line; Up/Down walk the history; Tab completes through the
// Completer; Enter (CR or LF) ends the line. Anything else (other control
// bytes, bytes >= 0x80, unknown escape sequences) is ignored with a bell.
// A line longer than kMaxLine is not truncated silently: the excess is
// refused with a bell and the finished line reports overflowed() — unless
// the line was erased completely (Backspace, ^U) before it ended.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rayos::shell {

// Where the editor's terminal output goes.
class Output {
public:
    virtual void write(const char* bytes, size_t length) = 0;
    void put(char c) { write(&c, 1); }
    void text(const char* s);

protected:
    ~Output() = default;
};

// Offers completions for the word being typed.
class Completer {
public:
    // Calls `offer(candidate)` for every completion of the last word of
    // line[0, length) (the text up to the cursor).
    virtual void complete(const char* line, size_t length, void (*offer)(void*, const char*),
                          void* context) = 0;

protected:
    ~Completer() = default;
};

class LineEditor {
public:
    static constexpr size_t kMaxLine = 255;   // characters in a line
    static constexpr size_t kHistory = 32;    // lines remembered
    static constexpr size_t kMaxMatches = 64; // completions considered

    enum class Event : uint8_t {
        None,   // keep feeding
        Line,   // a line is complete: line(), length(), overflowed()
        Cancel, // ^C: the line was dropped
    };

    LineEditor(Output& out, const char* prompt, Completer* completer = nullptr)
        : out_(out), prompt_(prompt), completer_(completer) {}

    // Shows the prompt (at start, and after a Line or Cancel event).
    void prompt();
    // Processes one byte from the terminal.
    Event feed(uint8_t byte);

    // The finished line (after Event::Line), NUL-terminated.
    const char* line() const { return done_; }
    size_t length() const { return done_length_; }
    bool overflowed() const { return done_overflowed_; }

    // The line being edited and the cursor (for tests).
    const char* buffer() const { return buffer_; }
    size_t cursor() const { return cursor_; }
    size_t history_size() const { return history_count_; }

private:
    Event key(uint8_t byte);
    Event escape(uint8_t byte);
    void insert(char c);
    void erase_before();
    void erase_at();
    void move_to(size_t position);
    void set_line(const char* text);
    void redraw();
    void complete();
    Event finish();
    void remember(const char* text, size_t length);
    void bell() { out_.put('\a'); }

    Output& out_;
    const char* prompt_;
    Completer* completer_;

    char buffer_[kMaxLine + 1] = {};
    size_t length_ = 0;
    size_t cursor_ = 0;
    bool overflowed_ = false;

    char done_[kMaxLine + 1] = {};
    size_t done_length_ = 0;
    bool done_overflowed_ = false;

    // Escape sequences: 0 none, 1 after ESC, 2 after ESC [, 3 after ESC [ digit.
    uint8_t escape_state_ = 0;
    uint8_t escape_digit_ = 0;
    bool last_was_cr_ = false;

    char history_[kHistory][kMaxLine + 1] = {};
    size_t history_count_ = 0; // lines stored (at most kHistory)
    size_t history_next_ = 0;  // ring position of the next line to store
    size_t browsing_ = 0;      // 0: editing the draft; k: k-th most recent line
    char draft_[kMaxLine + 1] = {};
};

} // namespace rayos::shell
