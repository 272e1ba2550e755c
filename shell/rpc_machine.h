// The shell's Machine: init's Supervisor for programs, capabilities and
// memory; the compression pager's Pager interface; the fault injector's
// Injector interface; the kernel for time, the log and power-off; a thread
// of its own for the IPC benchmark.
#pragma once

#include "console_link.h"
#include "machine.h"

#include <rayos/rpc.h>

namespace rayos::shell {

class RpcMachine final : public Machine {
public:
    // `supervisor`: the grant slot of init's Supervisor; `log`: of the Log
    // capability; `pager`: of the Pager; `injector`: of the Injector;
    // `shared`: a shared buffer for long answers; `console`: flushed before
    // power-off.
    RpcMachine(uint64_t supervisor, uint64_t log, uint64_t pager, uint64_t injector,
               rpc::SharedBuffer& shared, ConsoleLink& console)
        : supervisor_(supervisor), log_(log), pager_(pager), injector_(injector), shared_(shared),
          console_(console) {}

    bool programs(ProgramRow* rows, uint32_t& count, Failure& why) override;
    bool caps(const char* program, CapRow* rows, uint32_t& count, Failure& why) override;
    bool memory(MemorySummary& summary, MemoryRow* rows, uint32_t& count, Failure& why) override;
    bool restart(const char* program, uint32_t& generation, Failure& why) override;
    bool kill(const char* program, Failure& why) override;
    bool pager_status(PagerStoreRow& store, PagerClientRow* rows, uint32_t& count,
                      Failure& why) override;
    bool pager_stats(const char* client, PagerClientRow& row, Failure& why) override;
    bool pager_set_level(const char* client, PagerLevel level, Failure& why) override;
    bool pager_set_policy(const char* client, const PagerPolicy& policy, Failure& why) override;
    bool pager_set_budget(const char* client, uint32_t frames, Failure& why) override;
    bool inject(const FaultRequest& request, InjectionRow* done, uint32_t& count,
                Failure& why) override;
    bool injection_log(uint32_t last, InjectionRow* rows, uint32_t& count, Failure& why) override;
    uint64_t fresh_seed() override;
    uint64_t ticks() override;
    uint32_t ticks_per_second() override;
    size_t recent_log(char* out, size_t capacity) override;
    bool bench_ipc(uint32_t rounds, uint64_t& cycles, Failure& why) override;
    void shutdown(Failure& why) override;

private:
    uint64_t supervisor_;
    uint64_t log_;
    uint64_t pager_;
    uint64_t injector_;
    rpc::SharedBuffer& shared_;
    ConsoleLink& console_;
    uint64_t bench_endpoint_ = 0; // made at the first `bench ipc`
};

} // namespace rayos::shell
