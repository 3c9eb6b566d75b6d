// UTF-8 encoding of one code point, shared by every decoder that turns an escape (\u00e9,
// \U0001F600, a JSON surrogate pair) into bytes: push bodies, label values, LogQL strings,
// templates and the json parser. Callers pass code points they decoded themselves; values
// above 0x10FFFF are not checked here.
#pragma once

#include <cstdint>
#include <string>

namespace sawmill {

// Writes `r` as 1-4 bytes at `out` (room for 4 is the caller's) and returns how many.
inline int EncodeUtf8(uint32_t r, char* out) {
  if (r < 0x80) {
    out[0] = static_cast<char>(r);
    return 1;
  }
  if (r < 0x800) {
    out[0] = static_cast<char>(0xC0 | (r >> 6));
    out[1] = static_cast<char>(0x80 | (r & 0x3F));
    return 2;
  }
  if (r < 0x10000) {
    out[0] = static_cast<char>(0xE0 | (r >> 12));
    out[1] = static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out[2] = static_cast<char>(0x80 | (r & 0x3F));
    return 3;
  }
  out[0] = static_cast<char>(0xF0 | (r >> 18));
  out[1] = static_cast<char>(0x80 | ((r >> 12) & 0x3F));
  out[2] = static_cast<char>(0x80 | ((r >> 6) & 0x3F));
  out[3] = static_cast<char>(0x80 | (r & 0x3F));
  return 4;
}

inline void AppendUtf8(std::string* out, uint32_t r) {
  char buf[4];
  out->append(buf, static_cast<size_t>(EncodeUtf8(r, buf)));
}

}  // namespace sawmill
