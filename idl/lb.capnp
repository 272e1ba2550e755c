# The IPC load balancer: spreads calls from clients over replicated backend
# servers, with health checks, failover and retries so that a dying backend
# loses no request.
@0xa144df527a5dc60a;

using Common = import "common.capnp";

# What a backend serves: one request, one reply (payload opaque to the
# balancer; large payloads travel in shared frames).
interface Backend {
  handle @0 BackendRequest -> BackendReply;
  health @1 HealthRequest -> HealthReply;
}

struct BackendRequest { payload @0 :Data; }
struct BackendReply {
  union {
    payload @0 :Data;
    error @1 :Common.Error;
  }
}
struct HealthRequest {}
struct HealthReply { healthy @0 :Bool; }

enum Strategy {
  roundRobin @0;
  leastConnections @1;
  clientHash @2;       # on the caller's unforgeable IPC badge
  weighted @3;
  random @4;
  powerOfTwoChoices @5;
}

enum BackendState {
  healthy @0;
  unhealthy @1;
  draining @2;         # finishes what it has, gets nothing new
  offline @3;
}

struct HealthCheck {
  intervalTicks @0 :UInt32;
  timeoutTicks @1 :UInt32;
  rise @2 :UInt8;      # successes to become healthy
  fall @3 :UInt8;      # failures to become unhealthy
}

struct BackendInfo {
  id @0 :UInt32;
  name @1 :Text;
  weight @2 :UInt32;
  state @3 :BackendState;
  activeRequests @4 :UInt32;
  requests @5 :UInt64;
  errors @6 :UInt64;
}

struct Metrics {
  requestsPerSecond @0 :Float64;
  latencyP50 @1 :Common.Instructions;
  latencyP95 @2 :Common.Instructions;
  latencyP99 @3 :Common.Instructions;
  errorRate @4 :Float64;    # 0 .. 1
  retries @5 :UInt64;
  backends @6 :List(BackendInfo);
}

interface LoadBalancer extends(Backend) {
  # (Clients call handle/health as if the balancer were one backend.)
  addBackend @0 AddBackendRequest -> AddBackendResult;
  removeBackend @1 BackendId -> Result;
  setState @2 SetStateRequest -> Result;
  setStrategy @3 SetStrategyRequest -> Result;
  setHealthCheck @4 HealthCheck -> Result;
  setAffinity @5 AffinityRequest -> Result;
  metrics @6 MetricsRequest -> Metrics;
}

struct AddBackendRequest {
  backend @0 :Backend;      # the capability is transferred with the call
  name @1 :Text;
  weight @2 :UInt32 = 1;
}
struct AddBackendResult {
  union {
    id @0 :UInt32;
    error @1 :Common.Error;
  }
}
struct BackendId { id @0 :UInt32; }
struct SetStateRequest {
  id @0 :UInt32;
  state @1 :BackendState;
}
struct SetStrategyRequest { strategy @0 :Strategy; }
struct AffinityRequest { timeoutTicks @0 :UInt32; }   # 0 = no session affinity
struct MetricsRequest {}
struct Result { error @0 :Common.Error; }
