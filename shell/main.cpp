// The shell: a prompt on the console server, line editing, and commands
// that ask init's Supervisor, the compression pager, the fault injector and
// the kernel about the system. Its manifest entry grants it the console
// (grant slot 8), the Supervisor (slot 9), the kernel log (slot 10), the
// Pager (slot 11) and the Injector (slot 12).
#include "completion.h"
#include "console_link.h"
#include "interpreter.h"
#include "line_editor.h"
#include "printer.h"
#include "rpc_machine.h"

#include <rayos/invoke.h>
#include <rayos/program.h>
#include <rayos/runtime.h>

using namespace rayos;

namespace {

constexpr uint64_t kSlotConsole = program::kFirstGrantSlot;
constexpr uint64_t kSlotSupervisor = program::kFirstGrantSlot + 1;
constexpr uint64_t kSlotLog = program::kFirstGrantSlot + 2;
constexpr uint64_t kSlotPager = program::kFirstGrantSlot + 3;
constexpr uint64_t kSlotInjector = program::kFirstGrantSlot + 4;
constexpr uint64_t kSlotSharedFrame = program::kFirstFreeSlot + 4;

alignas(8) uint64_t shared_words[rpc::SharedBuffer::kWords];

} // namespace

int main(const char*) {
    // A frame for the Supervisor's, the pager's and the injector's long
    // answers (copied, never mapped).
    if (inv::untyped_retype(program::kSlotMemory, uint64_t(abi::ObjectType::Frame), 12,
                            program::kSlotCNode, kSlotSharedFrame, 1) != 1) {
        print("shell: no memory for its shared frame; stopping\n");
        return 1;
    }
    static rpc::SharedBuffer shared{kSlotSharedFrame, shared_words, program::kSlotCNode, true};
    static shell::ConsoleLink console(kSlotConsole, program::kSlotNotification);
    static shell::RpcMachine machine(kSlotSupervisor, kSlotLog, kSlotPager, kSlotInjector, shared,
                                     console);
    static shell::CommandCompleter completer(&machine);
    static shell::LineEditor editor(console, "rayos> ", &completer);
    shell::Printer out(console);

    // (./rayos bench's boot.to_shell: instructions from reset to here, just
    // before the first prompt.)
    print("shell: ready at TSC %lu (instructions since reset under ./rayos bench)\n",
          uint64_t(__builtin_ia32_rdtsc()));
    out.text("RayOS shell. Type 'help' for commands.\n");
    editor.prompt();
    for (;;) {
        uint8_t bytes[64];
        size_t n = console.read(bytes, sizeof(bytes));
        if (n == 0) {
            print("shell: the console does not answer; stopping\n");
            return 1;
        }
        for (size_t i = 0; i < n; ++i) {
            auto event = editor.feed(bytes[i]);
            if (event == shell::LineEditor::Event::None) continue;
            (void)console.flush(); // the echo first, then what the command prints
            if (event == shell::LineEditor::Event::Line)
                (void)shell::execute(editor.line(), editor.length(), editor.overflowed(), machine,
                                     out);
            editor.prompt();
        }
    }
}
