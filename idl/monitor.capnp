# The monitor: collects metrics from the kernel and every server, evaluates
# alert rules (thresholds held for a duration, with hysteresis), routes and
# escalates alerts and keeps their history.
@0x836a669a044535fd;

using Common = import "common.capnp";

enum Level {
  info @0;
  warning @1;
  critical @2;
}

enum Comparison {
  above @0;
  below @1;
}

struct Metric {
  source @0 :Text;    # program or "kernel"
  name @1 :Text;      # e.g. "ipc.calls", "pager.compressedPages"
  tick @2 :Common.Ticks;
  value @3 :Float64;
}

struct Rule {
  id @0 :UInt32;            # assigned by the monitor
  metric @1 :Text;          # "source/name"
  comparison @2 :Comparison;
  threshold @3 :Float64;
  clearThreshold @4 :Float64; # hysteresis: the alert clears only past this
  durationTicks @5 :UInt32;   # must hold this long before firing
  level @6 :Level;
  escalateAfterTicks @7 :UInt32; # raise one level if still active; 0 = never
  route @8 :Text;             # where notifications go (e.g. "console")
}

struct Alert {
  rule @0 :UInt32;
  level @1 :Level;
  firedAt @2 :Common.Ticks;
  clearedAt @3 :Common.Ticks; # 0 while active
  value @4 :Float64;
}

interface Monitor {
  report @0 ReportRequest -> Result;
  addRule @1 Rule -> AddRuleResult;
  removeRule @2 RuleId -> Result;
  rules @3 Empty -> RulesResult;
  active @4 Empty -> AlertsResult;
  history @5 HistoryRequest -> AlertsResult;
  query @6 QueryRequest -> QueryResult;
}

struct ReportRequest { metrics @0 :List(Metric); }
struct AddRuleResult {
  union {
    id @0 :UInt32;
    error @1 :Common.Error;
  }
}
struct RuleId { id @0 :UInt32; }
struct Empty {}
struct RulesResult { rules @0 :List(Rule); }
struct AlertsResult { alerts @0 :List(Alert); }
struct HistoryRequest { since @0 :Common.Ticks; }
struct QueryRequest {
  metric @0 :Text;
  since @1 :Common.Ticks;
}
struct QueryResult { samples @0 :List(Metric); }
struct Result { error @0 :Common.Error; }
