// The system zlib (zlib1g-dev on Debian/Ubuntu, part of the SDK on macOS), used to read gzipped
// Kineto traces (`*.pt.trace.json.gz`). See Sources/Ridge/Support/Gzip.swift.
#include <zlib.h>
