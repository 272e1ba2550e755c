# The compression pager: compressed memory for client address spaces (like
# zram/zswap). Clients are declared in the manifest with a paged region and
# a resident-frame budget; cold pages are compressed with LZ4 and faulted
# back in transparently.
@0xa6e39997b8c41aeb;

using Common = import "common.capnp";

enum Level {
  none @0;      # store pages raw
  fast @1;      # LZ4 with acceleration
  balanced @2;  # LZ4 default
  best @3;      # LZ4HC
}

enum Eviction {
  lru @0;
  clock @1;
}

struct Policy {
  union {
    threshold :group {
      lowWatermark @0 :UInt32;   # compress when free resident frames fall below
    }
    idle :group {
      idleTicks @1 :UInt32;      # compress pages not accessed for this long
    }
    demand @2 :Void;             # compress only when a fault needs a frame
  }
  eviction @3 :Eviction;
}

# One client's pages, or the totals. Ratio = originalBytes / compressedBytes;
# memory saved = originalBytes - compressedBytes (same-filled pages take 0).
struct ClientStats {
  client @0 :Text;
  residentPages @1 :UInt64;
  compressedPages @2 :UInt64;
  sameFilledPages @3 :UInt64;   # stored as a value, not compressed
  rawPages @4 :UInt64;          # incompressible, stored uncompressed
  originalBytes @5 :UInt64;
  compressedBytes @6 :UInt64;
  pageIns @7 :UInt64;
  pageOuts @8 :UInt64;
  pageInCost @9 :Common.Instructions;   # average per page-in
  pageOutCost @10 :Common.Instructions; # average per page-out
  level @11 :Level;
  policy @12 :Policy;
  budgetFrames @13 :UInt32;
  zeroFills @14 :UInt64;        # first touches, served with a zeroed page
  refusedFaults @15 :UInt64;    # faults it could not serve (passed on to init)
}

struct StoreStats {
  capacityBytes @0 :UInt64;
  usedBytes @1 :UInt64;
  fragmentationPercent @2 :UInt8; # of usedBytes, not holding object data
  storedBytes @3 :UInt64;          # the stored objects' own bytes
}

interface Pager {
  status @0 StatusRequest -> StatusResult;
  stats @1 StatsRequest -> StatsResult;
  setLevel @2 SetLevelRequest -> SetResult;
  setPolicy @3 SetPolicyRequest -> SetResult;
  setBudget @4 SetBudgetRequest -> SetResult;
}

struct StatusRequest {}
struct StatusResult {
  clients @0 :List(ClientStats);
  store @1 :StoreStats;
}
struct StatsRequest { client @0 :Text; }   # "" = totals over all clients (client "total")
struct StatsResult {
  union {
    stats @0 :ClientStats;
    error @1 :Common.Error;
  }
}
struct SetLevelRequest {
  client @0 :Text;
  level @1 :Level;
}
struct SetPolicyRequest {
  client @0 :Text;
  policy @1 :Policy;
}
struct SetBudgetRequest {
  client @0 :Text;
  frames @1 :UInt32;
}
struct SetResult { error @0 :Common.Error; }   # code ok on success
