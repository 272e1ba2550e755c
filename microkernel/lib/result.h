// Errors as values: Result<T> holds either a T or a Status error, and must be
// looked at ([[nodiscard]]). TRY(expr) unwraps a Result or returns its error
// from the enclosing function, so error paths stay one line long.
//
// Freestanding: used by the kernel, the userspace runtime and host tests.
#pragma once

#include <rayos/abi/status.h>

#include <new>
#include <type_traits>
#include <utility>

namespace rayos {

using abi::Status;

// An error, explicitly constructed so that `return Error(Status::X)` reads
// well and cannot be confused with a value. The error type is the kernel's
// Status unless a layer has its own (the IDL runtime's RpcError); its zero
// value means "no error".
template <typename E = Status> struct Error {
    E status;
    constexpr explicit Error(E s) : status(s) {}
};

// For trivially copyable T (ids, addresses, small structs) Result<T> is
// itself trivially copyable, so a Result<uint64_t> comes back in two
// registers: no hidden memory, which matters on the system-call path.
template <typename T, typename E = Status> class [[nodiscard]] Result {
public:
    constexpr Result(const T& value) : value_(value), error_(E{}) {}
    constexpr Result(T&& value) : value_(std::move(value)), error_(E{}) {}
    constexpr Result(Error<E> e) : empty_(), error_(e.status) {}

    Result(const Result&) requires std::is_trivially_copy_constructible_v<T>
    = default;
    Result(const Result& o) : empty_(), error_(o.error_) {
        if (ok()) new (&value_) T(o.value_);
    }
    Result& operator=(const Result&) = delete;
    ~Result() requires std::is_trivially_destructible_v<T>
    = default;
    ~Result() {
        if (ok()) value_.~T();
    }

    constexpr bool ok() const { return error_ == E{}; }
    constexpr explicit operator bool() const { return ok(); }
    constexpr E error() const { return error_; }

    T& value() { return value_; }
    const T& value() const { return value_; }
    T& operator*() { return value_; }
    T* operator->() { return &value_; }
    T take() { return std::move(value_); }
    T value_or(T fallback) const { return ok() ? value_ : fallback; }

private:
    struct Empty {};
    union {
        T value_;
        Empty empty_;
    };
    E error_;
};

// Result of an operation that yields no value.
template <typename E> class [[nodiscard]] Result<void, E> {
public:
    constexpr Result() = default;
    constexpr Result(Error<E> e) : error_(e.status) {}
    constexpr bool ok() const { return error_ == E{}; }
    constexpr explicit operator bool() const { return ok(); }
    constexpr E error() const { return error_; }
    void take() const {}

private:
    E error_ = E{};
};

using VoidResult = Result<void>;

} // namespace rayos

// Unwraps a Result, or returns its error from the current function.
// (A GNU statement expression: g++ and clang both support it.)
#define TRY(expr)                                                                                  \
    ({                                                                                             \
        auto _try_result = (expr);                                                                 \
        if (!_try_result.ok()) return ::rayos::Error(_try_result.error());                         \
        _try_result.take();                                                                        \
    })
