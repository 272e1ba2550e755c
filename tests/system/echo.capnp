# A sample interface for the IDL system test and benchmarks: small integer
# calls, Data both ways, and a capability passed as a parameter.
@0xd5dfd14a318ebf7b;

interface Echo {
  # a + b (+ the server's offset, so callers can tell servers apart).
  add @0 AddRequest -> AddResult;
  # The payload reversed (inline up to the IPC buffer, else a shared frame).
  reverse @1 Payload -> Payload;
  # Calls `add` on the Echo capability passed in `target` and returns its sum:
  # proves the parameter really granted the capability.
  forward @2 ForwardRequest -> AddResult;
  # A capability to this server in the result: proves replies carry
  # capabilities to callers whose endpoint capability has GrantReply.
  self @3 SelfRequest -> SelfResult;
  # The badge of the caller's capability: who the server thinks is calling.
  whoami @4 SelfRequest -> WhoResult;
}

struct AddRequest {
  a @0 :UInt64;
  b @1 :UInt64;
}
struct AddResult { sum @0 :UInt64; }
struct Payload { bytes @0 :Data; }
struct SelfRequest {}
struct SelfResult { echo @0 :Echo; }
struct WhoResult { badge @0 :UInt64; }
struct ForwardRequest {
  target @0 :Echo;
  a @1 :UInt64;
  b @2 :UInt64;
}
