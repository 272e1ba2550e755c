#!/usr/bin/env python3
"""Post-link checks of the kernel image (run by the build).

1. QEMU loads a multiboot kernel with the a.out kludge: it copies the file
   linearly to physical memory starting at the multiboot header. So every
   PT_LOAD segment must have the same (file offset - physical address), and
   the header must lie in the first 8 KiB of the file.
2. The kernel is linked twice (see kernel.cmake); the text symbols of both
   links must be at the same addresses, otherwise the embedded symbol table
   would name the wrong functions.
"""

import argparse
import re
import struct
import subprocess
import sys


def load_segments(readelf: str, path: str) -> list[tuple[int, int, int]]:
    out = subprocess.run([readelf, "-lW", path], check=True, capture_output=True, text=True).stdout
    segments = []
    for line in out.splitlines():
        fields = line.split()
        if fields and fields[0] == "LOAD":
            offset, _vaddr, paddr, filesz = (int(x, 16) for x in fields[1:5])
            segments.append((offset, paddr, filesz))
    return segments


def text_symbols(nm: str, path: str) -> list[str]:
    out = subprocess.run([nm, "-n", "--defined-only", path], check=True, capture_output=True,
                         text=True).stdout
    return [line for line in out.splitlines() if re.match(r"^[0-9a-f]+ [tTwW] ", line)]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nm", required=True)
    parser.add_argument("--readelf", required=True)
    parser.add_argument("--stage1", required=True)
    parser.add_argument("kernel")
    args = parser.parse_args()
    errors = []

    segments = load_segments(args.readelf, args.kernel)
    deltas = {offset - paddr for offset, paddr, filesz in segments if filesz > 0}
    if len(deltas) != 1:
        errors.append(f"PT_LOAD segments differ in file offset - physical address: {segments}")

    with open(args.kernel, "rb") as f:
        head = f.read(8192)
    magic = struct.pack("<I", 0x1BADB002)
    position = head.find(magic)
    if position < 0 or position % 4:
        errors.append("no multiboot header in the first 8 KiB")

    if text_symbols(args.nm, args.stage1) != text_symbols(args.nm, args.kernel):
        errors.append("text symbols moved between the two kernel links")

    for error in errors:
        print(f"check_image: {args.kernel}: {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
