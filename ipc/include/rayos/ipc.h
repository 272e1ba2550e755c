// IPC for userspace: the receiving side of the IPC and notification system
// calls (send, nb_send, reply and signal have plain wrappers in
// rayos/syscall.h).
//
//   rayos::Message m{rayos::abi::MessageInfo::make(label, 2), {a, b}};
//   int64_t r = rayos::ipc::call(endpoint, m);   // m now holds the reply
//
// A server loop:
//   rayos::ipc::recv(endpoint, reply_object, m);
//   for (;;) { ...handle m, put the answer in m...; rayos::ipc::reply_recv(endpoint, reply_object,
//   m); }
#pragma once

#include <rayos/abi/abi.h>
#include <rayos/syscall.h>

#include <cstdint>

namespace rayos {

struct Message {
    uint64_t info = 0;                           // abi::MessageInfo
    uint64_t words[abi::kMessageRegisters] = {}; // message registers
    uint64_t badge = 0;                          // on receive: the sender's badge
};

namespace ipc {
namespace detail {
// One IPC system call: message in (rsi = info, rdx, r10, r8, r9 = words
// 0-3), message out in the same registers plus the badge in rdi, into `m`.
inline int64_t exchange_from(uint64_t number, uint64_t first, uint64_t r12_value, uint64_t info,
                             const uint64_t* words, Message& m) {
    int64_t result;
    register uint64_t r10 asm("r10") = words[1];
    register uint64_t r8 asm("r8") = words[2];
    register uint64_t r9 asm("r9") = words[3];
    register uint64_t r12 asm("r12") = r12_value;
    uint64_t rdi = first, rsi = info, rdx = words[0];
    asm volatile("syscall"
                 : "=a"(result), "+D"(rdi), "+S"(rsi), "+d"(rdx), "+r"(r10), "+r"(r8), "+r"(r9)
                 : "a"(number), "r"(r12)
                 : "rcx", "r11", "memory");
    if (result >= 0) {
        m.badge = rdi;
        m.info = rsi;
        m.words[0] = rdx;
        m.words[1] = r10;
        m.words[2] = r8;
        m.words[3] = r9;
    }
    return result;
}
inline int64_t exchange(uint64_t number, uint64_t first, uint64_t r12_value, Message& m) {
    return exchange_from(number, first, r12_value, m.info, m.words, m);
}
} // namespace detail

// Sends `m` and waits for the reply, which replaces `m`.
inline int64_t call(uint64_t endpoint, Message& m) {
    return detail::exchange(sys::number::call, endpoint, 0, m);
}

// Waits for a message; a caller's reply right is bound to the Reply object
// `reply` (0: none). On error `m` is unspecified.
inline int64_t recv(uint64_t endpoint, uint64_t reply, Message& m) {
    m.info = reply; // rsi carries the Reply object's address on the way in
    return detail::exchange(sys::number::recv, endpoint, 0, m);
}

// Like recv, but WouldBlock at once when no sender waits.
inline int64_t nb_recv(uint64_t endpoint, uint64_t reply, Message& m) {
    m.info = reply;
    return detail::exchange(sys::number::nb_recv, endpoint, 0, m);
}

// Replies with `m` to the caller bound to `reply` (if any), then waits for
// the next message on `endpoint`, which replaces `m`.
inline int64_t reply_recv(uint64_t endpoint, uint64_t reply, Message& m) {
    return detail::exchange(sys::number::reply_recv, endpoint, reply, m);
}
// The same with the reply's info and words 0-3 taken from elsewhere (a
// server's reply buffer); the next message lands in `m`.
inline int64_t reply_recv(uint64_t endpoint, uint64_t reply, uint64_t info, const uint64_t* words,
                          Message& m) {
    return detail::exchange_from(sys::number::reply_recv, endpoint, reply, info, words, m);
}

} // namespace ipc

// Notifications: signal with rayos::sys::signal(ntfn).
namespace notification {
namespace detail {
inline int64_t word_call(uint64_t number, uint64_t ntfn, uint64_t& word) {
    int64_t result;
    uint64_t rdi = ntfn;
    asm volatile("syscall" : "=a"(result), "+D"(rdi) : "a"(number) : "rcx", "r11", "memory");
    if (result >= 0) word = rdi;
    return result;
}
} // namespace detail

// Waits until `ntfn` is signalled; `word` receives the OR of the badges.
inline int64_t wait(uint64_t ntfn, uint64_t& word) {
    return detail::word_call(sys::number::wait, ntfn, word);
}
// Returns 1 and the word if a signal was pending, 0 (word 0) if not.
inline int64_t poll(uint64_t ntfn, uint64_t& word) {
    return detail::word_call(sys::number::poll, ntfn, word);
}
} // namespace notification
} // namespace rayos
