# The profiler: samples what every thread executes (on the timer), and
# memory and lock-contention events; finds hotspots, builds call trees from
# frame pointers, compares profiles and exports them.
@0xf4ad02273f97995c;

using Common = import "common.capnp";

enum Kind {
  cpu @0;
  memory @1;       # allocations
  contention @2;   # lock waits
}

enum Format {
  folded @0;       # "a;b;c count" lines (flame graphs)
  pprof @1;        # later
}

struct Frame {
  address @0 :UInt64;
  symbol @1 :Text;  # "" when unknown
}

struct Hotspot {
  frame @0 :Frame;
  selfSamples @1 :UInt64;
  totalSamples @2 :UInt64;
}

struct CallTreeNode {
  frame @0 :Frame;
  samples @1 :UInt64;
  children @2 :List(CallTreeNode);
}

struct ProfileId { id @0 :UInt32; }

interface Profiler {
  start @0 StartRequest -> StartResult;
  stop @1 ProfileId -> Result;
  hotspots @2 HotspotsRequest -> HotspotsResult;
  callTree @3 ProfileId -> CallTreeResult;
  compare @4 CompareRequest -> CompareResult;
  export @5 ExportRequest -> ExportResult;
}

struct StartRequest {
  kind @0 :Kind;
  programs @1 :List(Text);    # empty = all
  periodTicks @2 :UInt32 = 1;
}
struct StartResult {
  union {
    profile @0 :ProfileId;
    error @1 :Common.Error;
  }
}
struct HotspotsRequest {
  profile @0 :ProfileId;
  count @1 :UInt32 = 10;
}
struct HotspotsResult {
  union {
    hotspots @0 :List(Hotspot);
    error @1 :Common.Error;
  }
}
struct CallTreeResult {
  union {
    root @0 :CallTreeNode;
    error @1 :Common.Error;
  }
}
struct CompareRequest {
  baseline @0 :ProfileId;
  candidate @1 :ProfileId;
  thresholdPercent @2 :UInt8 = 5;
}
struct Regression {
  frame @0 :Frame;
  baselineShare @1 :Float64;
  candidateShare @2 :Float64;
}
struct CompareResult {
  union {
    regressions @0 :List(Regression);
    error @1 :Common.Error;
  }
}
struct ExportRequest {
  profile @0 :ProfileId;
  format @1 :Format;
}
struct ExportResult {
  union {
    data @0 :Data;   # large: travels in shared frames
    error @1 :Common.Error;
  }
}
struct Result { error @0 :Common.Error; }
