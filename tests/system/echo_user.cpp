// A program started by init from the manifest: looks up "echo" through
// init's name service, calls it, checks that it cannot look up a server its
// manifest entry does not grant, and powers the machine off with the
// verdict (the system test's result).
#include <rayos/idl/echo.rpc.h>
#include <rayos/idl/init.rpc.h>
#include <rayos/invoke.h>
#include <rayos/program.h>
#include <rayos/rpc.h>
#include <rayos/runtime.h>
#include <rayos/syscall.h>

namespace {

using namespace rayos;

[[noreturn]] void verdict(bool ok, const char* what) {
    print("echo_user: %s\n", what);
    halt(ok ? abi::HaltReason::Success : abi::HaltReason::Failure);
}

} // namespace

int main(const char*) {
    if (!rpc::ipc_buffer()) verdict(false, "no IPC buffer");
    idl::init::NameServiceClient names(program::kSlotNameService);
    constexpr uint64_t kLanding = program::kFirstFreeSlot;

    auto lookup = names.lookup();
    lookup.params().set_name("echo");
    lookup.accept_capabilities(program::kSlotCNode, kLanding);
    auto found = lookup.send();
    if (!found) verdict(false, rpc_error_name(found.error()));
    if (!found->is_found()) verdict(false, "'echo' not found");
    print("echo_user: found 'echo', generation %u\n", found->found().generation());

    idl::echo::EchoClient echo(found->found().endpoint().slot);
    auto add = echo.add();
    add.params().set_a(40);
    add.params().set_b(2);
    auto sum = add.send();
    if (!sum || sum->sum() != 42) verdict(false, "echo.add failed");
    print("echo_user: 40 + 2 = %lu through 'echo'\n", sum->sum());

    // The server knows who calls: the capability from the name service and
    // the one in its grant slot carry its badge (its index in the manifest
    // + 1 = 3).
    for (uint64_t cap : {found->found().endpoint().slot, program::kFirstGrantSlot}) {
        idl::echo::EchoClient who(cap);
        auto call = who.whoami();
        auto badge = call.send();
        if (!badge || badge->badge() != 3) verdict(false, "the server does not see its badge");
    }
    print("echo_user: the server sees it as client 3\n");

    // Not granted to it (it exists), and not there at all: the same answer.
    for (const char* name : {"secret", "nothing"}) {
        auto other = names.lookup();
        other.params().set_name(name);
        other.accept_capabilities(program::kSlotCNode, kLanding + 1);
        auto answer = other.send();
        if (!answer || !answer->is_error() ||
            answer->error().code() != idl::common::ErrorCode::notFound)
            verdict(false, "a lookup beyond its grants succeeded");
        print("echo_user: '%s': %s\n", name, answer->error().message().c_str());
    }
    // Its other grants (slots 9 and 10): COM1's ports, nothing else; IRQ 4.
    constexpr uint64_t kPorts = program::kFirstGrantSlot + 1, kIrq = program::kFirstGrantSlot + 2;
    if (inv::ioport_in(kPorts, 0x3FD, 1) < 0) verdict(false, "COM1 line status unreadable");
    if (sys::status(inv::ioport_in(kPorts, 0x3F7, 1)) != abi::Status::InvalidArgument &&
        sys::status(inv::ioport_in(kPorts, 0x3F7, 1)) != abi::Status::MissingRights)
        verdict(false, "a port outside the grant was readable");
    if (inv::irq_handler_set_notification(kIrq, 0) != 0) verdict(false, "no IRQ 4 handler");
    print("echo_user: COM1 ports and IRQ 4 as granted, nothing more\n");

    // Its memory: exactly its quota (1 MiB), in 64 KiB pieces, then no more.
    uint64_t pieces = 0;
    while (pieces < 32 &&
           inv::untyped_retype(program::kSlotMemory, uint64_t(abi::ObjectType::Untyped), 16,
                               program::kSlotCNode, program::kFirstFreeSlot + 8 + pieces, 1) == 1)
        ++pieces;
    if (pieces != 16) verdict(false, "its memory is not exactly its quota");
    if (inv::untyped_retype(program::kSlotMemory, uint64_t(abi::ObjectType::Frame), 12,
                            program::kSlotCNode, program::kFirstFreeSlot + 60, 1) >= 0)
        verdict(false, "memory beyond its quota");
    print("echo_user: %lu KiB of memory, as its quota says, and no more\n", pieces * 64);
    verdict(true, "all checks passed");
}
