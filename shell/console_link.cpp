// The shell's terminal over the console server (see console_link.h).
#include "console_link.h"

#include <rayos/abi/abi.h>
#include <rayos/idl/console.rpc.h>
#include <rayos/invoke.h>
#include <rayos/ipc.h>

namespace rayos::shell {
namespace {

// How long the console may be away (restarting) before the shell gives up.
constexpr uint64_t kRetryTicks = 2;
constexpr uint32_t kMaxRetries = 30 * abi::kClockHz / kRetryTicks;

} // namespace

void ConsoleLink::sleep(uint64_t ticks) {
    uint64_t word = 0;
    if (inv::notification_set_timer(notification_, ticks, 1) == 0)
        (void)notification::wait(notification_, word);
}

void ConsoleLink::write(const char* bytes, size_t length) {
    while (length > 0) {
        if (used_ == sizeof(pending_)) (void)flush();
        size_t n = sizeof(pending_) - used_;
        if (n > length) n = length;
        for (size_t i = 0; i < n; ++i)
            pending_[used_ + i] = bytes[i];
        used_ += uint32_t(n);
        bytes += n;
        length -= n;
    }
}

bool ConsoleLink::flush() {
    bool ok = used_ == 0 || send(pending_, used_);
    used_ = 0;
    return ok;
}

bool ConsoleLink::send(const char* text, uint32_t length) {
    idl::console::ConsoleClient console(console_);
    for (uint32_t attempt = 0; attempt < kMaxRetries; ++attempt) {
        auto call = console.write();
        call.params().set_text(text, length);
        if (call.send()) return true;
        sleep(kRetryTicks);
    }
    return false;
}

size_t ConsoleLink::read(uint8_t* out, uint32_t capacity) {
    (void)flush();
    idl::console::ConsoleClient console(console_);
    for (uint32_t attempt = 0; attempt < kMaxRetries; ++attempt) {
        auto call = console.read();
        call.params().set_maxBytes(capacity);
        auto result = call.send();
        if (result) {
            wire::Data data = result->data();
            uint32_t n = data.size < capacity ? data.size : capacity;
            for (uint32_t i = 0; i < n; ++i)
                out[i] = data.ptr[i];
            if (n > 0) return n;
            continue; // (an empty answer: ask again)
        }
        sleep(kRetryTicks);
    }
    return 0;
}

} // namespace rayos::shell
