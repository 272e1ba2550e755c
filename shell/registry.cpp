// The list of command families (each defined in commands/<family>.cpp).
#include "registry.h"

#include <rayos/string.h>

namespace rayos::shell {

extern const CommandFamily kHelpCommands;
extern const CommandFamily kProgramCommands;
extern const CommandFamily kCapsCommands;
extern const CommandFamily kMemoryCommands;
extern const CommandFamily kSuperviseCommands;
extern const CommandFamily kCompressCommands;
extern const CommandFamily kInjectCommands;
extern const CommandFamily kSystemCommands;
extern const CommandFamily kBenchCommands;

namespace {

const CommandFamily* const kFamilies[] = {
    &kHelpCommands,     &kProgramCommands, &kCapsCommands,   &kMemoryCommands, &kSuperviseCommands,
    &kCompressCommands, &kInjectCommands,  &kSystemCommands, &kBenchCommands,
};

} // namespace

const CommandSpec* find_command(const char* name) {
    for (const CommandFamily* family : kFamilies)
        for (uint32_t i = 0; i < family->count; ++i)
            if (strcmp(family->specs[i].name, name) == 0) return &family->specs[i];
    return nullptr;
}

void for_each_command(void (*f)(const CommandSpec&, void*), void* context) {
    for (const CommandFamily* family : kFamilies)
        for (uint32_t i = 0; i < family->count; ++i)
            f(family->specs[i], context);
}

} // namespace rayos::shell
