# The system manifest: what init starts and exactly which capabilities each
# program receives. Written in capnp text form, encoded at build time with
# `capnp encode`, passed to init as a boot module.
@0xec8f695c95e2b50c;

struct Manifest {
  programs @0 :List(Program);
  # Every codeCheckTicks ticks init compares the next few read-only pages
  # (code and constants, rayos::limits::kInitCodeCheckPages) of the running
  # programs with their ELF files; a page that changed (a hardware fault, a
  # bit the fault injector flipped) counts as a crash of its program.
  # 0: no checks.
  codeCheckTicks @1 :UInt32;
}

struct Program {
  name @0 :Text;             # unique; the name clients look up
  module @1 :Text;           # boot module file name, e.g. "pager.elf"
  args @2 :Text;             # command line after the module name
  priority @3 :UInt8;        # 0 (lowest) .. 255
  memoryQuota @4 :UInt64;    # bytes of untyped memory it may hold
  restart @5 :RestartPolicy;
  grants @6 :List(Grant);    # everything it may hold, nothing more
  paging @7 :PagedRegion;    # memory a pager serves (see below)
}

# A paged region (rayos/paging.h): virtual memory at paging::kRegionBase that
# the program granted this program's faultEndpointOf and addressSpaceOf (its
# pager) fills on demand, keeping at most budgetFrames pages resident and
# the rest compressed. If the pager goes away, the region's contents are
# lost with it: init counts the program as crashed.
struct PagedRegion {
  pages @0 :UInt32;          # 0: no paged region
  budgetFrames @1 :UInt32;   # 1 .. pages, at most rayos::limits::kPagerMaxBudget
}

struct RestartPolicy {
  union {
    never @0 :Void;          # a crash is reported, the program stays down
    always @1 :Void;
    onFailure @2 :Void;      # restart after a crash, not after a clean exit
  }
  maxRestarts @3 :UInt32 = 5;      # then it is marked failed
  backoffTicks @4 :UInt32 = 10;    # doubled after each restart
}

struct Grant {
  union {
    server @0 :Text;         # an endpoint capability to the named program
    ioPorts :group {
      first @1 :UInt16;
      last @2 :UInt16;
    }
    irq @3 :UInt8;           # a handler for this legacy IRQ line
    faultEndpointOf @4 :Text; # receive the named program's faults (pagers)
    addressSpaceOf @5 :Text;  # map memory into the named program (pagers)
    supervisor @6 :Void;      # init's Supervisor interface (the shell)
    log @7 :Void;             # read the kernel console's recent output (the shell)
    threadOf @8 :Text;        # the named program's thread (a fault injector)
  }
}
