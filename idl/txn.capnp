# The transaction manager: atomic, durable transactions across participant
# servers with two-phase commit and a write-ahead log on a virtio disk.
@0x96e3ce564e69ec24;

using Common = import "common.capnp";

enum Isolation {
  readUncommitted @0;
  readCommitted @1;
  serializable @2;
}

enum Vote {
  commit @0;
  abort @1;
}

enum Outcome {
  active @0;
  committed @1;
  aborted @2;
  inDoubt @3;     # prepared, decision not yet known (recovery)
}

struct Write {
  key @0 :Data;
  value @1 :Data;
}

# A server whose data takes part in transactions.
interface Participant {
  read @0 ParticipantRead -> ReadResult;
  prepare @1 PrepareRequest -> PrepareResult;
  commit @2 TxId -> Result;
  abort @3 TxId -> Result;
}

struct ParticipantRead {
  tx @0 :UInt64;
  key @1 :Data;
  isolation @2 :Isolation;
}
struct PrepareRequest {
  tx @0 :UInt64;
  writes @1 :List(Write);
}
struct PrepareResult { vote @0 :Vote; }

interface TransactionManager {
  begin @0 BeginRequest -> BeginResult;
  read @1 ReadRequest -> ReadResult;
  write @2 WriteRequest -> Result;
  commit @3 TxId -> CommitResult;
  abort @4 TxId -> Result;
  status @5 TxId -> StatusResult;
  addParticipant @6 AddParticipantRequest -> Result;
}

struct BeginRequest { isolation @0 :Isolation; }
struct BeginResult {
  union {
    tx @0 :UInt64;
    error @1 :Common.Error;
  }
}
struct TxId { tx @0 :UInt64; }
struct ReadRequest {
  tx @0 :UInt64;
  participant @1 :Text;
  key @2 :Data;
}
struct ReadResult {
  union {
    value @0 :Data;
    missing @1 :Void;
    error @2 :Common.Error;
  }
}
struct WriteRequest {
  tx @0 :UInt64;
  participant @1 :Text;
  write @2 :Write;
}
struct CommitResult {
  union {
    outcome @0 :Outcome;     # committed, or aborted when a participant voted no
    error @1 :Common.Error;
  }
}
struct StatusResult {
  union {
    outcome @0 :Outcome;
    error @1 :Common.Error;
  }
}
struct AddParticipantRequest {
  name @0 :Text;
  participant @1 :Participant;   # the capability is transferred with the call
}
struct Result { error @0 :Common.Error; }
