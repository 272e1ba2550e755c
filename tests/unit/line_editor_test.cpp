// The shell's line editor: keys in, lines and terminal output out.
#include "line_editor.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using rayos::shell::Completer;
using rayos::shell::LineEditor;
using rayos::shell::Output;
using Event = LineEditor::Event;

namespace {

struct Screen final : Output {
    std::string bytes;
    void write(const char* data, size_t length) override { bytes.append(data, length); }
};

struct Commands final : Completer {
    std::vector<std::string> words = {"help", "halt", "history", "ps", "restart"};
    void complete(const char* line, size_t length, void (*offer)(void*, const char*),
                  void* context) override {
        // Only the first word completes here.
        for (size_t i = 0; i < length; ++i)
            if (line[i] == ' ') return;
        for (auto& w : words)
            offer(context, w.c_str());
    }
};

struct Fixture {
    Screen screen;
    Commands commands;
    LineEditor editor{screen, "> ", &commands};
    std::vector<std::string> lines;
    int cancels = 0;
    bool overflowed = false;

    void type(const std::string& keys) {
        for (unsigned char c : keys) {
            Event e = editor.feed(c);
            if (e == Event::Line) {
                lines.emplace_back(editor.line(), editor.length());
                overflowed = editor.overflowed();
            }
            if (e == Event::Cancel) ++cancels;
        }
    }
};

const std::string kUp = "\x1b[A", kDown = "\x1b[B", kRight = "\x1b[C", kLeft = "\x1b[D",
                  kHome = "\x1b[H", kEnd = "\x1b[F", kDeleteKey = "\x1b[3~";

} // namespace

TEST_CASE("line editor: typing and Enter give the line, CR LF counts once") {
    Fixture f;
    f.type("ps\r\nuptime\n");
    REQUIRE(f.lines.size() == 2);
    CHECK(f.lines[0] == "ps");
    CHECK(f.lines[1] == "uptime");
    CHECK(f.screen.bytes.find("ps\r\n") != std::string::npos);
}

TEST_CASE("line editor: backspace, left/right, home/end, delete, ^U, ^A/^E edit in place") {
    Fixture f;
    f.type("helo" + kLeft + "l" + kEnd + "!" + "\x7f" + "\r");
    CHECK(f.lines.back() == "hello");
    f.type("world" + kHome + "hello " + "\r");
    CHECK(f.lines.back() == "hello world");
    f.type("abc" + kHome + kDeleteKey + kRight + "X\r");
    CHECK(f.lines.back() == "bXc");
    f.type("junk junk\x15kept\r"); // ^U erases to the start
    CHECK(f.lines.back() == "kept");
    f.type("bc\x01"
           "a\x05"
           "d\r"); // ^A home, ^E end
    CHECK(f.lines.back() == "abcd");
    f.type("ab\b\r"); // ^H is backspace too
    CHECK(f.lines.back() == "a");
}

TEST_CASE("line editor: the screen shows the edited line and the cursor") {
    Fixture f;
    f.type("ab" + kLeft + "X");
    // Redrawn: CR, prompt, the line, erase to end, cursor one left.
    CHECK(f.screen.bytes.substr(f.screen.bytes.rfind('\r')) == "\r> aXb\x1b[K\x1b[1D");
    CHECK(f.editor.cursor() == 2);
}

TEST_CASE("line editor: ^C cancels the line") {
    Fixture f;
    f.type("shutdown\x03");
    CHECK(f.cancels == 1);
    CHECK(f.lines.empty());
    CHECK(std::string(f.editor.buffer()).empty());
    f.type("ps\r");
    CHECK(f.lines.back() == "ps");
}

TEST_CASE("line editor: history up and down, the draft comes back") {
    Fixture f;
    f.type("one\rtwo\rtwo\rthree\r");
    CHECK(f.editor.history_size() == 3); // repeats are remembered once
    f.type("dra" + kUp);
    CHECK(std::string(f.editor.buffer()) == "three");
    f.type(kUp + kUp);
    CHECK(std::string(f.editor.buffer()) == "one");
    f.type(kUp); // nothing older: a bell, no change
    CHECK(std::string(f.editor.buffer()) == "one");
    CHECK(f.screen.bytes.back() == '\a');
    f.type(kDown + kDown + kDown);
    CHECK(std::string(f.editor.buffer()) == "dra");
    f.type(kUp + "\r");
    CHECK(f.lines.back() == "three");
}

TEST_CASE("line editor: history keeps the last kHistory lines") {
    Fixture f;
    for (size_t i = 0; i < LineEditor::kHistory + 5; ++i)
        f.type("cmd" + std::to_string(i) + "\r");
    CHECK(f.editor.history_size() == LineEditor::kHistory);
    for (size_t i = 0; i < LineEditor::kHistory; ++i)
        f.type(kUp);
    CHECK(std::string(f.editor.buffer()) == "cmd5");
}

TEST_CASE("line editor: tab completes a unique match, extends a common prefix, lists the rest") {
    Fixture f;
    f.type("res\t");
    CHECK(std::string(f.editor.buffer()) == "restart ");
    f.type("\x15hi\t");
    CHECK(std::string(f.editor.buffer()) == "history ");
    f.type("\x15h\t"); // help, halt, history: common prefix is just "h"
    CHECK(std::string(f.editor.buffer()) == "h");
    CHECK(f.screen.bytes.find("help  halt  history\r\n") != std::string::npos);
    f.type("e\t");
    CHECK(std::string(f.editor.buffer()) == "help ");
    f.type("\x15zz\t"); // no match: a bell
    CHECK(std::string(f.editor.buffer()) == "zz");
    CHECK(f.screen.bytes.back() == '\a');
}

TEST_CASE("line editor: a 10,000-character line is reported, not truncated silently") {
    Fixture f;
    f.type(std::string(10000, 'x') + "\r");
    REQUIRE(f.lines.size() == 1);
    CHECK(f.overflowed);
    CHECK(f.lines[0].size() == LineEditor::kMaxLine);
    f.type("ps\r"); // the next line is fine again
    CHECK_FALSE(f.overflowed);
    CHECK(f.editor.history_size() == 1); // overflowed lines are not remembered
}

TEST_CASE("line editor: control bytes, binary garbage and unknown escapes change nothing") {
    Fixture f;
    std::string garbage;
    for (int i = 0; i < 256; ++i)
        if (i != '\r' && i != '\n' && i != 0x03 && i != 0x1b && i != 0x15 && i != 0x7f &&
            i != 0x08 && i != 0x09 && i != 0x01 && i != 0x05 && (i < 0x20 || i >= 0x7f))
            garbage.push_back(char(i));
    f.type("ok" + garbage + "\x1b[Z" + "\x1bx" + "\x1b[9~" + "\r");
    REQUIRE(f.lines.size() == 1);
    CHECK(f.lines[0] == "ok"); // ESC x is an unknown (Alt-x) sequence: dropped whole
}
