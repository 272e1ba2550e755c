// The shell's terminal: the console server (idl/console.capnp), reached
// through the capability of its manifest grant. Output is buffered and
// written in pieces the console takes; when the console is gone (it
// crashed and init is restarting it), calls are retried until it is back.
#pragma once

#include "line_editor.h"

#include <rayos/limits.h>

#include <cstddef>
#include <cstdint>

namespace rayos::shell {

class ConsoleLink final : public Output {
public:
    // `console`: the grant slot; `notification`: the shell's own, for
    // sleeping between retries.
    ConsoleLink(uint64_t console, uint64_t notification)
        : console_(console), notification_(notification) {}

    void write(const char* bytes, size_t length) override;
    // Sends what is buffered. False if the console stayed away too long.
    bool flush();
    // Waits for typed bytes; how many (0: the console stayed away).
    size_t read(uint8_t* out, uint32_t capacity);

private:
    bool send(const char* text, uint32_t length);
    void sleep(uint64_t ticks);

    uint64_t console_;
    uint64_t notification_;
    char pending_[limits::kConsoleMaxWrite] = {};
    uint32_t used_ = 0;
};

} // namespace rayos::shell
