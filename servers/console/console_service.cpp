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

uint32_t ConsoleService::take(uint8_t* out, uint32_t max) {
    uint32_t n = 0;
    while (n < max && input_count_ > 0) {
        out[n++] = input_[input_head_];
        input_head_ = (input_head_ + 1) % limits::kConsoleInputBytes;
        --input_count_;
    }
    return n;
}

RpcError ConsoleService::read(rpc::CallContext& call, idl::console::ReadRequest::Reader params,
                              idl::console::ReadResult::Builder result) {
    uint32_t max = params.maxBytes();
    if (max > limits::kConsoleMaxRead) max = limits::kConsoleMaxRead;
    if (input_count_ > 0 || max == 0) {
        uint8_t bytes[limits::kConsoleMaxRead];
        uint32_t n = take(bytes, max);
        result.set_data(bytes, n);
        return RpcError::Ok;
    }
    // Nothing typed yet: the caller waits for the next interrupt.
    if (waiting_count_ == limits::kConsoleWaitingReaders) return RpcError::Busy;
    auto deferred = call.defer();
    if (!deferred) return deferred.error();
    waiting_[waiting_count_++] = {deferred.value(), max};
    return RpcError::Ok;
}

RpcError ConsoleService::other(rpc::Incoming& in) {
    if (in.method_label() != abi::kLabelNotification) return RpcError::UnknownMethod;
    uint8_t bytes[64];
    for (;;) {
        size_t n = uart_.drain(bytes, sizeof(bytes));
        for (size_t i = 0; i < n; ++i) {
            if (input_count_ == limits::kConsoleInputBytes) {
                ++dropped_;
                continue;
            }
            input_[(input_head_ + input_count_) % limits::kConsoleInputBytes] = bytes[i];
            ++input_count_;
        }
        if (n < sizeof(bytes)) break;
    }
    uart_.ack();
    answer_waiting();
    return RpcError::Ok;
}

void ConsoleService::answer_waiting() {
    while (waiting_count_ > 0 && input_count_ > 0 && server_) {
        Waiting w = waiting_[0];
        for (uint32_t i = 1; i < waiting_count_; ++i)
            waiting_[i - 1] = waiting_[i];
        --waiting_count_;
        (void)server_->answer<idl::console::ReadResult>(
            w.call, [&](idl::console::ReadResult::Builder result) {
                uint8_t bytes[limits::kConsoleMaxRead];
                uint32_t n = take(bytes, w.max_bytes);
                result.set_data(bytes, n);
                return RpcError::Ok;
            });
    }
}

} // namespace rayos::console
