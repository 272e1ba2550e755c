# The console server: owns COM1 through an I/O-port capability and its IRQ,
# serialises output from many programs line by line.
@0x9e570b60d155b7e5;

interface Console {
  # Writes text; whole lines from one caller are never interleaved with
  # another caller's output.
  write @0 WriteRequest -> WriteResult;
  # Reads up to maxBytes of input, waiting until at least one byte arrives.
  read @1 ReadRequest -> ReadResult;
}

struct WriteRequest { text @0 :Text; }
struct WriteResult { written @0 :UInt32; }
struct ReadRequest { maxBytes @0 :UInt32; }
struct ReadResult { data @0 :Data; }
