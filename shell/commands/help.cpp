// help, help <command>.
#include "command.h"
#include "registry.h"

namespace rayos::shell {
namespace {

class Help final : public Command {
public:
    explicit Help(const CommandSpec* topic) : topic_(topic) {}

    bool run(Machine&, Printer& out) override {
        if (topic_) {
            out.print("usage: %s\n  %s\n", topic_->usage, topic_->description);
            return true;
        }
        out.text("Commands (help <command> for more; Tab completes, Up/Down recall):\n");
        for_each_command(
            [](const CommandSpec& spec, void* context) {
                static_cast<Printer*>(context)->print("  %-10s %s\n", spec.name, spec.summary);
            },
            &out);
        return true;
    }

private:
    const CommandSpec* topic_;
};

Parsed parse_help(const Words& words) {
    if (words.count == 1) return parsed(new Help(nullptr));
    if (words.count != 2) return usage_error();
    const CommandSpec* topic = find_command(words.word[1]);
    if (!topic) return parse_error("no command '%s'", words.word[1]);
    return parsed(new Help(topic));
}

const CommandSpec kSpecs[] = {
    {"help", "help [command]", "list the commands, or explain one",
     "Without an argument, lists every command; with one, shows its usage.", nullptr,
     Completes::Commands, parse_help, nullptr},
};

} // namespace

extern const CommandFamily kHelpCommands{kSpecs, 1};

} // namespace rayos::shell
