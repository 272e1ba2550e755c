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
  module @8 :Text;
  # Its main thread, from the kernel's counters (the current generation).
  cpuInstructions @9 :UInt64;  # time on the CPU (instructions under ./rayos bench)
  ipcCount @10 :UInt64;        # IPC and notification calls it made
  faults @11 :UInt64;
  clients @12 :UInt32;         # programs whose manifest grants them this one
  thread @13 :Text;            # what its main thread does now: ready, receiving,
                               # calling, waiting, stopped... ("" when not running)
}

# One capability a program holds (its CSpace as the kernel sees it).
struct CapInfo {
  slot @0 :UInt32;
  type @1 :Text;             # kernel object type: Endpoint, Frame, ...
  rights @2 :UInt8;          # abi::rights bits
  badge @3 :UInt64;          # endpoints and notifications
  what @4 :Text;             # what init put there and why
}

struct ProgramMemory {
  name @0 :Text;
  quota @1 :UInt64;          # the manifest's memoryQuota
  memoryBytes @2 :UInt64;    # the untyped memory it was given
  memoryUsed @3 :UInt64;     # of that, made into objects
  imageBytes @4 :UInt64;     # init's region for its image, thread, CSpace
}

interface NameService {
  # The endpoint of a named server, with its generation: a capability from an
  # older generation gets peerRestarted instead of reaching the new instance.
  lookup @0 LookupRequest -> LookupResult;
  # For a pager: the programs whose faults and address space the caller's
  # manifest entry grants it and that declare a paged region.
  pagedClients @1 Empty -> PagedClientsResult;
  # For a fault injector: the programs whose thread and address space the
  # caller's manifest entry grants it, and where their memory is.
  injectionTargets @2 Empty -> InjectionTargetsResult;
}

struct PagedClient {
  name @0 :Text;
  faultBadge @1 :UInt64;        # the badge its faults arrive with
  faultSlot @2 :UInt32;         # grant slot: init's fault endpoint for it (to pass faults on)
  addressSpaceSlot @3 :UInt32;  # grant slot: its address space
  pages @4 :UInt32;             # its manifest's paging
  budgetFrames @5 :UInt32;
}
struct PagedClientsResult { clients @0 :List(PagedClient); }

struct InjectionTarget {
  name @0 :Text;
  threadSlot @1 :UInt32;        # grant slot: its thread (TCB), given again on restart
  addressSpaceSlot @2 :UInt32;  # grant slot: its address space, given again on restart
  generation @3 :UInt32;
  running @4 :Bool;
  # Page-aligned ranges of its address space: ELF code (executable),
  # data (writable segments, .bss included) and its stack.
  codeStart @5 :UInt64;
  codeEnd @6 :UInt64;
  dataStart @7 :UInt64;
  dataEnd @8 :UInt64;
  stackStart @9 :UInt64;
  stackEnd @10 :UInt64;
}
struct InjectionTargetsResult { targets @0 :List(InjectionTarget); }

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

# Only for programs whose manifest grants `supervisor` (the shell).
interface Supervisor {
  programs @0 Empty -> ProgramsResult;
  restart @1 ProgramName -> Result;   # tear down and start again now
  kill @2 ProgramName -> Result;      # make it crash, to watch supervision
  caps @3 ProgramName -> CapsResult;
  memory @4 Empty -> MemoryResult;
}

struct Empty {}
struct ProgramName { name @0 :Text; }
struct ProgramsResult { programs @0 :List(ProgramInfo); }
struct Result { error @0 :Common.Error; }
struct CapsResult {
  union {
    caps @0 :List(CapInfo);
    error @1 :Common.Error;
  }
}
struct MemoryResult {
  ramBytes @0 :UInt64;       # all RAM the kernel handed to init
  usedBytes @1 :UInt64;      # of that, made into objects (programs included)
  programs @2 :List(ProgramMemory);
}
