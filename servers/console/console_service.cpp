// The Console interface (see console_service.h).
#include "console_service.h"

namespace rayos::console {

RpcError ConsoleService::write(rpc::CallContext& call, idl::console::WriteRequest::Reader params,
                               idl::console::WriteResult::Builder result) {
    wire::Text text = params.text();
    if (text.size > limits::kConsoleMaxWrite) return RpcError::NoSpace;
    if (text.size == 0) return RpcError::Ok;
    if (mid_line_ && line_owner_ != call.badge()) uart_.write("\n", 1);
    uart_.write(text.ptr, text.size);
    mid_line_ = text.ptr[text.size - 1] != '\n';
    line_owner_ = call.badge();
    result.set_written(text.size);
    return RpcError::Ok;
}

uint32_t ConsoleService::peek(uint8_t* out, uint32_t max) const {
    uint32_t n = 0;
    for (; n < max && n < input_count_; ++n)
        out[n] = input_[(input_head_ + n) % limits::kConsoleInputBytes];
    return n;
}

void ConsoleService::consume(uint32_t n) {
    input_head_ = (input_head_ + n) % limits::kConsoleInputBytes;
    input_count_ -= n;
    if (receiving_paused_) receive(); // room again: what waited in the UART
}

RpcError ConsoleService::read(rpc::CallContext& call, idl::console::ReadRequest::Reader params,
                              idl::console::ReadResult::Builder result) {
    uint32_t max = params.maxBytes();
    if (max > limits::kConsoleMaxRead) max = limits::kConsoleMaxRead;
    if (input_count_ > 0 || max == 0) {
        uint8_t bytes[limits::kConsoleMaxRead];
        uint32_t n = peek(bytes, max);
        consume(n);
        result.set_data(bytes, n);
        return RpcError::Ok;
    }
    // Nothing typed yet: the caller waits for the next interrupt. One
    // waiting read per caller: a new one replaces the old (a caller that
    // was restarted, or one that sent instead of calling, cannot pile up).
    for (uint32_t i = 0; i < waiting_count_; ++i) {
        if (waiting_[i].badge != call.badge()) continue;
        if (server_) (void)server_->answer_error(waiting_[i].call, RpcError::Busy);
        waiting_[i] = waiting_[--waiting_count_];
        break;
    }
    if (waiting_count_ == limits::kConsoleWaitingReaders) return RpcError::Busy;
    auto deferred = call.defer();
    if (!deferred) return deferred.error();
    waiting_[waiting_count_++] = {deferred.value(), call.badge(), max};
    return RpcError::Ok;
}

RpcError ConsoleService::other(rpc::Incoming& in) {
    if (in.method_label() != abi::kLabelNotification) return RpcError::UnknownMethod;
    receive();
    uart_.ack();
    answer_waiting();
    return RpcError::Ok;
}

void ConsoleService::receive() {
    // Only as much as the buffer holds: the rest waits in the UART (and the
    // host), with the interrupt off until a read makes room.
    while (input_count_ < limits::kConsoleInputBytes) {
        uint32_t tail = (input_head_ + input_count_) % limits::kConsoleInputBytes;
        uint32_t room = limits::kConsoleInputBytes - input_count_;
        if (room > limits::kConsoleInputBytes - tail) room = limits::kConsoleInputBytes - tail;
        size_t n = uart_.drain(input_ + tail, room);
        if (n == 0) break;
        input_count_ += uint32_t(n);
    }
    bool full = input_count_ == limits::kConsoleInputBytes;
    if (full != receiving_paused_) {
        uart_.receive_interrupt(!full);
        receiving_paused_ = full;
    }
}

void ConsoleService::answer_waiting() {
    // In order of arrival; bytes leave the buffer only when the answer
    // reached its caller (one that has gone away loses nothing).
    while (waiting_count_ > 0 && input_count_ > 0 && server_) {
        Waiting w = waiting_[0];
        for (uint32_t i = 1; i < waiting_count_; ++i)
            waiting_[i - 1] = waiting_[i];
        --waiting_count_;
        uint32_t n = 0;
        RpcError sent = server_->answer<idl::console::ReadResult>(
            w.call, [&](idl::console::ReadResult::Builder result) {
                uint8_t bytes[limits::kConsoleMaxRead];
                n = peek(bytes, w.max_bytes);
                result.set_data(bytes, n);
                return RpcError::Ok;
            });
        if (sent == RpcError::Ok) consume(n);
    }
}

} // namespace rayos::console
