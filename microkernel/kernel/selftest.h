// Boot-time self-tests chosen on the kernel command line
// (`selftest=<name>`). They make the kernel fail on purpose, in each way the
// host test harness must recognise: a panic (panic, ubsan, stack-smash), a
// CPU exception in kernel mode (kernel-fault, and stack-overflow: a double
// fault on the guard page), a triple fault (triple-fault), a hang (hang).
// tests/system/cases.py proves that each one is reported as a failure.
#pragma once

namespace rayos {

// Runs the self-test named in `cmdline`, if any (those that fail do not
// return). Returns false for an unknown name.
bool run_boot_selftest(const char* cmdline);

} // namespace rayos
