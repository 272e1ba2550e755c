// A lock for the runtime's shared structures (heap, slot bitmap): a
// test-and-set flag that yields the CPU while another thread holds it.
#pragma once

#include <rayos/syscall.h>

#include <atomic>

namespace rayos::detail {

class SpinLock {
public:
    void lock() {
        while (flag_.exchange(true, std::memory_order_acquire))
            sys::yield();
    }
    void unlock() { flag_.store(false, std::memory_order_release); }

private:
    std::atomic<bool> flag_{false};
};

class Guard {
public:
    explicit Guard(SpinLock& lock) : lock_(lock) { lock_.lock(); }
    ~Guard() { lock_.unlock(); }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;

private:
    SpinLock& lock_;
};

} // namespace rayos::detail
