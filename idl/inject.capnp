# The fault injector: software-implemented fault injection into a named
# program, as MINIX 3 did for its drivers, reproducible from a seed. Its
# manifest entry grants it each target's thread and address space
# (threadOf, addressSpaceOf); init tells it where each target's code, data
# and stack are (NameService.injectionTargets).
@0xa065df73e2690cdc;

using Common = import "common.capnp";

enum FaultKind {
  crash @0;    # a fault it cannot handle: its thread jumps to an unmapped page
  stop @1;     # its thread is suspended for stopTicks, then resumed
  bitflip @2;  # one random bit flipped in a random page of its code, data or stack
  # Its next `count` IPC messages (one request arms them all, from its seed):
  corrupt @3;  # received with one bit of the label or a register word flipped
  truncate @4; # received cut to a random shorter length
  drop @5;     # replies it sends are lost: the caller's call fails as if it had gone
  delay @6;    # replies it sends reach the caller delayTicks late: silence, then the answer
  starve @7;   # memory it asks for (untyped_retype) is refused, as if its quota had run out
}

enum Region {
  any @0;      # code, data or stack, chosen by the seed
  code @1;
  data @2;
  stack @3;
}

struct InjectRequest {
  target @0 :Text;
  kind @1 :FaultKind;
  count @2 :UInt32;        # 1 .. 32 injections (a crash ends the request: the target is
                           # gone); for corrupt, truncate, drop and delay the messages
                           # armed, for starve the memory requests refused
  seed @3 :UInt64;         # the same seed, target and state give the same injections
  region @4 :Region;       # bitflip only
  stopTicks @5 :UInt32;    # stop only (0: 50 ticks)
  address @6 :UInt64;      # bitflip only, count 1: flip bit `bit` (0 .. 7) of this byte of
  bit @7 :UInt8;           #   its code, data or stack (a log line repeated); 0: the seed picks
  delayTicks @8 :UInt32;   # delay only (0: 20 ticks; at most 1000)
}

# One injection as it was done (also in the log).
struct Injection {
  sequence @0 :UInt32;     # since the injector started
  target @1 :Text;
  kind @2 :FaultKind;
  seed @3 :UInt64;         # the seed that reproduces this one injection
  region @4 :Region;       # where a bit was flipped
  address @5 :UInt64;      # the byte flipped (bitflip), the rip it left (crash, stop),
                           # the messages or requests armed (corrupt ... starve)
  bit @6 :UInt8;
  generation @7 :UInt32;   # of the target when it was injected
}

struct InjectResult {
  union {
    done @0 :List(Injection);
    error @1 :Common.Error;
  }
}

struct LogRequest { last @0 :UInt32; }       # the most recent `last`, at most 32 (0: 32)
struct LogResult { injections @0 :List(Injection); }

interface Injector {
  inject @0 InjectRequest -> InjectResult;
  log @1 LogRequest -> LogResult;
}
