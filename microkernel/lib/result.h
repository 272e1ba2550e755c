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
// well and cannot be confused with a value.
struct Error {
    Status status;
    constexpr explicit Error(Status s) : status(s) {}
};

template <typename T> class [[nodiscard]] Result {
public:
    constexpr Result(const T& value) : ok_(true) { new (&storage_) T(value); }
    constexpr Result(T&& value) : ok_(true) { new (&storage_) T(std::move(value)); }
    constexpr Result(Error e) : ok_(false), error_(e.status) {}

    Result(const Result& o) : ok_(o.ok_), error_(o.error_) {
        if (ok_) new (&storage_) T(o.value());
    }
    Result& operator=(const Result&) = delete;
    ~Result() {
        if (ok_) value().~T();
    }

    constexpr bool ok() const { return ok_; }
    constexpr explicit operator bool() const { return ok_; }
    constexpr Status error() const { return ok_ ? Status::Ok : error_; }

    T& value() { return *std::launder(reinterpret_cast<T*>(&storage_)); }
    const T& value() const { return *std::launder(reinterpret_cast<const T*>(&storage_)); }
    T& operator*() { return value(); }
    T* operator->() { return &value(); }
    T take() { return std::move(value()); }
    T value_or(T fallback) const { return ok_ ? value() : fallback; }

private:
    bool ok_;
    Status error_ = Status::Ok;
    alignas(T) unsigned char storage_[sizeof(T)];
};

// Result of an operation that yields no value.
template <> class [[nodiscard]] Result<void> {
public:
    constexpr Result() = default;
    constexpr Result(Error e) : error_(e.status) {}
    constexpr bool ok() const { return error_ == Status::Ok; }
    constexpr explicit operator bool() const { return ok(); }
    constexpr Status error() const { return error_; }
    void take() const {}

private:
    Status error_ = Status::Ok;
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
