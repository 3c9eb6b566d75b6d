// libFuzzer target for storage/snappy_decompress.h, the decoder of every chunk section: on
// any input it must give libsnappy's verdict (header and body) and, when both accept, the
// same bytes; it must never touch memory outside its input and exactly-sized output (ASan).
// The first byte picks how the rest is used:
//   0: as a compressed block;
//   1: as text, compressed by libsnappy, which the decoder must give back;
//   2: bytes 1-3 as a position and a value written into the compressed form of the rest
//      (damage deep inside a block that is otherwise valid, past the decoder's fast loop
//      entry checks).
#include <snappy.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "storage/snappy_decompress.h"

namespace {

void Compare(std::string_view block) {
  size_t ours_len = 0, theirs_len = 0;
  const bool ours_header = sawmill::storage::SnappyUncompressedLength(block, &ours_len);
  const bool theirs_header = snappy::GetUncompressedLength(block.data(), block.size(), &theirs_len);
  if (ours_header != theirs_header) __builtin_trap();
  if (!ours_header) return;
  if (ours_len != theirs_len) __builtin_trap();
  if (ours_len > (size_t{1} << 20)) return;
  std::vector<char> ours(ours_len), theirs(ours_len);
  const bool ours_ok = sawmill::storage::SnappyDecompress(block, ours.data(), ours_len);
  const bool theirs_ok = snappy::RawUncompress(block.data(), block.size(), theirs.data());
  if (ours_ok != theirs_ok) __builtin_trap();
  if (ours_ok && ours != theirs) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      Compare(rest);
      break;
    case 1: {
      std::string block;
      snappy::Compress(rest.data(), rest.size(), &block);
      std::vector<char> out(rest.size());
      if (!sawmill::storage::SnappyDecompress(block, out.data(), out.size())) __builtin_trap();
      if (rest.size() > 0 && std::memcmp(out.data(), rest.data(), rest.size()) != 0) {
        __builtin_trap();
      }
      Compare(block);
      break;
    }
    default: {
      if (rest.size() < 3) return 0;
      std::string block;
      snappy::Compress(rest.data() + 3, rest.size() - 3, &block);
      const size_t at = (size_t{data[1]} | size_t{data[2]} << 8) % block.size();
      block[at] = static_cast<char>(data[3]);
      Compare(block);
      break;
    }
  }
  return 0;
}
