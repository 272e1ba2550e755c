# Golden test of capnpc-rayos: a schema that uses every feature the
# generator supports. The build regenerates its bindings and compares them
# with the committed sample.h and sample.rpc.h (tests/idl/CMakeLists.txt);
# golden_test.cpp compiles the generated sample.h and reads messages back.
@0x85e4334dc34d2c6c;

enum Color {
  red @0;
  green @1;
  blue @2;
}

struct Inner {
  id @0 :UInt32;
  label @1 :Text;
}

struct Sample {
  # Every primitive type, an enum, Text and Data.
  flag @0 :Bool;
  i8 @1 :Int8;
  i16 @2 :Int16;
  i32 @3 :Int32;
  i64 @4 :Int64;
  u8 @5 :UInt8;
  u16 @6 :UInt16;
  u32 @7 :UInt32;
  u64 @8 :UInt64;
  f32 @9 :Float32;
  f64 @10 :Float64;
  nothing @11 :Void;
  color @12 :Color;
  text @13 :Text;
  data @14 :Data;

  # Lists of primitives, Text, structs and lists.
  shorts @15 :List(UInt16);
  names @16 :List(Text);
  inners @17 :List(Inner);
  matrix @18 :List(List(Int32));

  # A nested struct.
  inner @19 :Inner;

  # Defaults (XOR-ed on the wire).
  count @20 :UInt32 = 42;
  enabled @21 :Bool = true;
  ratio @22 :Float64 = 2.5;
  offset @23 :Int8 = -7;
  greeting @24 :Text = "hello";

  # An unnamed union with a Void member.
  union {
    none @25 :Void;
    number @26 :Int64;
    word @27 :Text;
  }

  # A group.
  position :group {
    x @28 :Int32;
    y @29 :Int32;
  }

  # A named union containing groups.
  shape :union {
    circle :group {
      radius @30 :Float32;
    }
    rect :group {
      width @31 :UInt16;
      height @32 :UInt16;
    }
    empty @33 :Void;
    # A group with a union of its own.
    labelled :group {
      union {
        plain @35 :Void;
        tagged @36 :UInt16;
      }
    }
    big @37 :UInt64;
  }

  # A capability.
  service @34 :Service;
}

interface Service {
  get @0 GetRequest -> GetResult;
  put @1 PutRequest -> PutResult;
}

struct GetRequest {
  key @0 :Text;
}

struct GetResult {
  value @0 :Data;
  found @1 :Bool;
}

struct PutRequest {
  key @0 :Text;
  value @1 :Data;
}

struct PutResult {
  replaced @0 :Bool;
}
