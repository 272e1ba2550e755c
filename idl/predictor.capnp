# The resource predictor: keeps per-resource history, forecasts use
# (memory, CPU, request rates) and recommends allocations.
@0xf2af84eec021ef06;

using Common = import "common.capnp";

enum Model {
  linear @0;          # least-squares linear regression
  holt @1;            # double exponential smoothing (trend)
  holtWinters @2;     # triple exponential smoothing (trend + season)
}

enum AllocationPolicy {
  conservative @0;    # 100% of the forecast
  balanced @1;        # 115%
  aggressive @2;      # 150%
}

struct Sample {
  tick @0 :Common.Ticks;
  value @1 :Float64;
}

struct Forecast {
  model @0 :Model;
  values @1 :List(Float64);   # one per future step
  lower @2 :List(Float64);    # confidence interval bounds
  upper @3 :List(Float64);
  confidence @4 :Float64;     # e.g. 0.95
}

struct Analysis {
  trendPerTick @0 :Float64;
  volatility @1 :Float64;     # standard deviation of residuals
  anomalies @2 :List(Sample); # samples outside the expected band
}

struct Accuracy {
  model @0 :Model;
  meanAbsoluteError @1 :Float64;
  meanAbsolutePercentError @2 :Float64;
}

interface Predictor {
  record @0 RecordRequest -> Result;
  forecast @1 ForecastRequest -> ForecastResult;
  analyze @2 ResourceRequest -> AnalysisResult;
  recommend @3 RecommendRequest -> RecommendResult;
  backtest @4 ResourceRequest -> BacktestResult;
}

struct RecordRequest {
  resource @0 :Text;
  samples @1 :List(Sample);
}
struct ForecastRequest {
  resource @0 :Text;
  model @1 :Model;
  horizon @2 :UInt32;          # steps ahead
  seasonLength @3 :UInt32;     # Holt-Winters only
}
struct ForecastResult {
  union {
    forecast @0 :Forecast;
    error @1 :Common.Error;
  }
}
struct ResourceRequest { resource @0 :Text; }
struct AnalysisResult {
  union {
    analysis @0 :Analysis;
    error @1 :Common.Error;
  }
}
struct RecommendRequest {
  resource @0 :Text;
  policy @1 :AllocationPolicy;
  horizon @2 :UInt32;
}
struct RecommendResult {
  union {
    allocation @0 :Float64;
    error @1 :Common.Error;
  }
}
struct BacktestResult {
  union {
    accuracy @0 :List(Accuracy);   # every model, best first
    error @1 :Common.Error;
  }
}
struct Result { error @0 :Common.Error; }
