# init: the name service every program uses to find servers, and the
# supervisor that restarts crashed programs.
@0x9f1a0e53aa6d35f1;

using Common = import "common.capnp";

enum ProgramState {
  starting @0;
  running @1;
  restarting @2;   # waiting out its back-off
  stopped @3;      # exited cleanly
  failed @4;       # crashed too often; not restarted any more
}

struct ProgramInfo {
  name @0 :Text;
  state @1 :ProgramState;
  generation @2 :UInt32;     # increases with every restart
  restarts @3 :UInt32;
  priority @4 :UInt8;
  memoryQuota @5 :UInt64;
  memoryUsed @6 :UInt64;
  lastFault @7 :Text;        # "" if none
}

interface NameService {
  # The endpoint of a named server, with its generation: a capability from an
  # older generation gets peerRestarted instead of reaching the new instance.
  lookup @0 LookupRequest -> LookupResult;
}

struct LookupRequest { name @0 :Text; }
struct LookupResult {
  union {
    found :group {
      endpoint @0 :Capability;   # transferred with the reply
      generation @1 :UInt32;
    }
    error @2 :Common.Error;
  }
}

interface Supervisor {
  programs @0 Empty -> ProgramsResult;
  restart @1 ProgramName -> Result;
  kill @2 ProgramName -> Result;      # make it crash, to watch supervision
}

struct Empty {}
struct ProgramName { name @0 :Text; }
struct ProgramsResult { programs @0 :List(ProgramInfo); }
struct Result { error @0 :Common.Error; }
