# Types shared by every RayOS interface.
@0x914d7c5f1c513e87;

# Why a call failed. Every method that can fail returns its result in a
# union with this, so callers never have to guess.
enum ErrorCode {
  ok @0;
  invalidArgument @1;   # an argument is out of range or malformed
  notFound @2;          # no such client, backend, rule, transaction, ...
  busy @3;              # the object is in use; try again later
  limitReached @4;      # a configured limit (see the server's limits) was hit
  outOfMemory @5;       # the server's own memory quota is exhausted
  peerRestarted @6;     # the server restarted since the capability was issued
  notSupported @7;
  internal @8;          # the server detected a broken invariant and says so
}

struct Error {
  code @0 :ErrorCode;
  message @1 :Text;     # one line for humans (shell, logs)
}

# Instructions (guest TSC ticks under deterministic counting) or ticks of the
# kernel timer, as stated by each field.
using Instructions = UInt64;
using Ticks = UInt64;
