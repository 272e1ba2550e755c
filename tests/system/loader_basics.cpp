// Init's program loader: a program started from a boot module in its own
// address space and CSpace, with only the capabilities it is given, whose
// faults reach the fault endpoint init chose. Boots with the modules
// loader_child.elf and not-an-elf.txt (tests/system/cases.py).
#include "framework/caps.h"
#include "framework/guest_test.h"

#include <loader.h>
#include <rayos/invoke.h>
#include <rayos/ipc.h>
#include <rayos/runtime.h>

using namespace rayos;
using abi::MessageInfo;
using abi::Status;
using test::boot;

namespace {

init::ObjectMaker& maker() {
    static init::ObjectMaker instance(boot());
    return instance;
}

struct Started {
    init::Program program;
    uint64_t endpoint = 0;
};

// Loads loader_child.elf with `args`, gives it an endpoint in slot 1 and
// starts it.
Started start_child(const char* args, uint64_t fault_endpoint = 0) {
    Started s;
    auto endpoint = maker().make(abi::ObjectType::Endpoint);
    if (!endpoint) return s;
    init::LoadRequest request;
    request.module_index = 1;
    request.args = args;
    request.fault_endpoint = fault_endpoint;
    auto program = init::load(maker(), boot(), request);
    if (!program) {
        print("load failed: %s\n", abi::status_name(program.error()));
        return s;
    }
    s.program = program.value();
    if (inv::cnode_copy(s.program.cnode, 1, s.program.cnode_radix, endpoint.value(),
                        abi::rights::kWrite) != 0 ||
        !init::start(s.program))
        return s;
    s.endpoint = endpoint.value();
    return s;
}

} // namespace

RAYOS_TEST("loader.starts_a_program_from_a_boot_module") {
    auto s = start_child("hello world");
    CHECK(s.endpoint);
    Message m;
    CHECK_EQ(ipc::recv(s.endpoint, 0, m), 0);
    CHECK_EQ(m.words[0], 0x600du);
    CHECK_EQ(m.words[1], 11u);   // strlen("hello world")
    CHECK_EQ(m.words[2], 0x3Fu); // every check the child makes passed
}

RAYOS_TEST("loader.a_crash_reaches_the_chosen_fault_endpoint") {
    auto faults = maker().make(abi::ObjectType::Endpoint);
    CHECK(faults.ok());
    auto reply = maker().make(abi::ObjectType::Reply); // a fault arrives as a call
    CHECK(reply.ok());
    auto s = start_child("crash", faults.value());
    CHECK(s.endpoint);
    Message m;
    CHECK_EQ(ipc::recv(faults.value(), reply.value(), m), 0);
    CHECK_EQ(MessageInfo::label(m.info), abi::kFaultPage);
    CHECK_EQ(m.words[0], 14u);   // #PF
    CHECK_EQ(m.words[2], 0x10u); // the address it touched
}

RAYOS_TEST("loader.a_module_that_is_not_an_elf_is_refused") {
    init::LoadRequest request;
    request.module_index = 2; // not-an-elf.txt
    auto program = init::load(maker(), boot(), request);
    CHECK(!program.ok());
    CHECK(program.error() == Status::InvalidArgument);
    request.module_index = 9; // no such module
    CHECK(init::load(maker(), boot(), request).error() == Status::NotFound);
}
