// libFuzzer target for the bounded zlib decompressors (Content-Encoding gzip and deflate):
// any input decompresses within the 1 MiB bound or returns a non-OK Status.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ingest/gzip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr size_t kMaxOut = size_t{1} << 20;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string out;
  if (sawmill::ingest::Gunzip(in, kMaxOut, &out).ok() && out.size() > kMaxOut) __builtin_trap();
  if (sawmill::ingest::Inflate(in, kMaxOut, &out).ok() && out.size() > kMaxOut) __builtin_trap();
  return 0;
}
