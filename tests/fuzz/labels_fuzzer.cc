// libFuzzer target for the label-set parser: any input parses or returns a non-OK Status, and
// a parsed set prints to text that parses back to the same set (round trip).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "index/labels.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto parsed = sawmill::index::LabelSet::Parse(in);
  if (!parsed.ok()) return 0;
  auto again = sawmill::index::LabelSet::Parse(parsed->ToString());
  if (!again.ok() || !(*again == *parsed)) __builtin_trap();
  return 0;
}
