#include "storage/snappy_decompress.h"

#include <cstdint>
#include <cstring>

namespace sawmill::storage {
namespace {

// Little-endian loads, whatever the host (the compiler folds them into one load on x86).
inline uint32_t Load16(const uint8_t* p) { return uint32_t{p[0]} | uint32_t{p[1]} << 8; }
inline uint32_t Load32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

// Copies 8 or 16 bytes through a register: the source may overlap the destination's
// bytes past what the copy needs (pattern copies below rely on the order: load, then store).
inline void Copy8(char* dst, const char* src) {
  uint64_t v;
  std::memcpy(&v, src, 8);
  std::memcpy(dst, &v, 8);
}
// 16 bytes in a register (GCC and clang vector extension; no alignment assumed).
typedef char Bytes16 __attribute__((vector_size(16)));
inline void Copy16(char* dst, const char* src) {
  Bytes16 v;
  std::memcpy(&v, src, 16);
  std::memcpy(dst, &v, 16);
}
// All 64 bytes are loaded before any is stored (four registers, not a stack buffer).
inline void Copy64(char* dst, const char* src) {
  Bytes16 a, b, c, d;
  std::memcpy(&a, src, 16);
  std::memcpy(&b, src + 16, 16);
  std::memcpy(&c, src + 32, 16);
  std::memcpy(&d, src + 48, 16);
  std::memcpy(dst, &a, 16);
  std::memcpy(dst + 16, &b, 16);
  std::memcpy(dst + 32, &c, 16);
  std::memcpy(dst + 48, &d, 16);
}

// In the fast loop, a tag, its (at most 4) extra bytes, and the 64 bytes every tag copies
// (a literal of up to 60 bytes is read with them) are always inside the input...
constexpr ptrdiff_t kInputSlop = 1 + 64;
// ...and a copy of up to 64 bytes may write up to 15 bytes past its end (the pattern copy
// below), so 80 bytes of output remain.
constexpr ptrdiff_t kOutputSlop = 80;

// Per tag byte: the bytes it produces (0 for a literal of more than 60 bytes, whose length
// follows the tag) and how far the input moves past the tag (for a literal, its bytes).
struct TagInfo {
  uint8_t len;
  uint8_t advance;
};
constexpr auto kTagInfo = [] {
  struct Table {
    TagInfo t[256];
  } table{};
  for (uint32_t tag = 0; tag < 256; ++tag) {
    const uint32_t high = tag >> 2;
    switch (tag & 3) {
      case 0:
        table.t[tag] =
            high < 60 ? TagInfo{static_cast<uint8_t>(high + 1), static_cast<uint8_t>(1 + high + 1)}
                      : TagInfo{0, 0};
        break;
      case 1:
        table.t[tag] = {static_cast<uint8_t>((high & 7) + 4), 2};
        break;
      case 2:
        table.t[tag] = {static_cast<uint8_t>(high + 1), 3};
        break;
      default:
        table.t[tag] = {static_cast<uint8_t>(high + 1), 5};
        break;
    }
  }
  return table;
}();
// The offset of a copy from the 4 bytes after its tag: masked by type; a 1-byte offset's
// high bits are in its tag. Literals get 0.
constexpr uint32_t kOffsetMask[4] = {0, 0xff, 0xffff, 0xffffffff};
constexpr uint32_t kOffsetHigh[4] = {0, 0x700, 0, 0};

// Copies `len` (<= 64) bytes from `op - offset` to `op`, 1 <= offset <= op - start, byte i
// reading byte i - offset of the output (so offsets below len repeat a pattern). Writes up
// to op + len + 15, which the caller keeps inside the output.
inline void CopyFromOutput(char* op, size_t offset, size_t len) {
  const char* src = op - offset;
  if (offset >= 16) {
    // Each 16-byte move reads only bytes already written.
    Copy16(op, src);
    if (len > 16) {
      Copy16(op + 16, src + 16);
      if (len > 32) {
        Copy16(op + 32, src + 32);
        Copy16(op + 48, src + 48);
      }
    }
    return;
  }
  // Double the distance until it is 16: each 8-byte move writes the distance's bytes right
  // (the rest is garbage rewritten next), and twice a period is still a period.
  char* const end = op + len;
  while (op - src < 8) {
    Copy8(op, src);
    op += op - src;
  }
  if (op - src < 16) {
    Copy8(op, src);
    Copy8(op + 8, src + 8);
    op += op - src;
  }
  while (op < end) {
    Copy16(op, src);
    op += 16;
    src += 16;
  }
}

// Decodes the tag at *ip with every bound checked, copying byte by byte.
bool DecodeTagCarefully(const uint8_t** ip_p, const uint8_t* ip_end, char** op_p, char* dst,
                        char* op_end) {
  const uint8_t* ip = *ip_p;
  char* op = *op_p;
  const uint32_t tag = *ip++;
  const size_t in_left = ip_end - ip;
  const size_t out_left = op_end - op;
  if ((tag & 3) == 0) {
    size_t len = (tag >> 2) + 1;
    if (len > 60) {
      const size_t extra = len - 60;
      if (extra > in_left) return false;
      uint32_t v = 0;
      for (size_t i = 0; i < extra; ++i) v |= uint32_t{ip[i]} << (8 * i);
      // As libsnappy: a length of 2^32 wraps to an empty literal.
      len = static_cast<uint32_t>(v + 1);
      ip += extra;
    }
    if (len > static_cast<size_t>(ip_end - ip) || len > out_left) return false;
    if (len > 0) std::memcpy(op, ip, len);
    *op_p = op + len;
    *ip_p = ip + len;
    return true;
  }
  size_t len, offset;
  if ((tag & 3) == 1) {
    if (in_left < 1) return false;
    len = ((tag >> 2) & 7) + 4;
    offset = (tag >> 5) << 8 | ip[0];
    ip += 1;
  } else if ((tag & 3) == 2) {
    if (in_left < 2) return false;
    len = (tag >> 2) + 1;
    offset = Load16(ip);
    ip += 2;
  } else {
    if (in_left < 4) return false;
    len = (tag >> 2) + 1;
    offset = Load32(ip);
    ip += 4;
  }
  // offset 0, or before the output's start.
  if (offset - 1 >= static_cast<size_t>(op - dst) || len > out_left) return false;
  const char* src = op - offset;
  for (size_t i = 0; i < len; ++i) op[i] = src[i];
  *op_p = op + len;
  *ip_p = ip;
  return true;
}

}  // namespace

bool SnappyUncompressedLength(std::string_view input, size_t* length) {
  const auto* p = reinterpret_cast<const uint8_t*>(input.data());
  const size_t n = input.size();
  uint32_t v = 0;
  for (size_t i = 0; i < 5; ++i) {
    if (i == n) return false;
    const uint32_t b = p[i];
    // The fifth byte holds bits 28-31 only.
    if (i == 4 && b >= 16) return false;
    v |= (b & 0x7f) << (7 * i);
    if (b < 128) {
      *length = v;
      return true;
    }
  }
  return false;
}

bool SnappyDecompress(std::string_view input, char* dst, size_t size) {
  size_t header_size = 0;
  size_t expected = 0;
  if (!SnappyUncompressedLength(input, &expected) || expected != size) return false;
  while (static_cast<uint8_t>(input[header_size]) >= 128) ++header_size;
  ++header_size;

  const auto* ip = reinterpret_cast<const uint8_t*>(input.data()) + header_size;
  const uint8_t* const ip_end = reinterpret_cast<const uint8_t*>(input.data()) + input.size();
  char* op = dst;
  char* const op_end = dst + size;

  for (;;) {
    // The fast loop: bounds are checked once per tag, and every tag moves 64 bytes through
    // registers, from the input (a literal) or from the output (a copy). The loop's speed
    // is the latency of finding the next tag, so both places it can be are loaded before
    // the tag's type picks one (as libsnappy does). Runs with ip past the current tag.
    if (ip_end - ip >= kInputSlop + 1 && op_end - op >= kOutputSlop) {
      size_t tag = *ip++;
      for (;;) {
        const size_t type = tag & 3;
        const size_t high = tag >> 2;
        if ((type == 0 && high >= 60) || type == 3) {
          --ip;  // a long literal or a 4-byte offset: decoded carefully below
          break;
        }
        const uint8_t* const args = ip;
        const size_t next_if_literal = ip[high + 1];
        const size_t next_if_copy = ip[type];
        ip = type == 0 ? ip + high + 2 : ip + type + 1;
        const size_t next_tag = type == 0 ? next_if_literal : next_if_copy;
        const size_t len = kTagInfo.t[tag].len;
        // A literal's bytes follow its tag, a copy's are in the output: the source is
        // selected without a branch (the kind of tag is hard to predict). Copies repeating
        // a pattern (offset below length) and invalid ones leave the straight line.
        const size_t offset =
            (Load32(args) & kOffsetMask[type]) | ((tag >> 5) << 8 & kOffsetHigh[type]);
        const char* const src = type == 0 ? reinterpret_cast<const char*>(args) : op - offset;
        if (__builtin_expect((type != 0) & (offset < len), 0)) {
          // offset 0, or before the output's start (len <= 64 fits the output slop).
          if (offset - 1 >= static_cast<size_t>(op - dst)) return false;
          CopyFromOutput(op, offset, len);
        } else {
          if (__builtin_expect((type != 0) & (offset > static_cast<size_t>(op - dst)), 0))
            return false;
          Copy64(op, src);
        }
        op += len;
        tag = next_tag;
        if (ip_end - ip < kInputSlop || op_end - op < kOutputSlop) {
          --ip;  // back on the tag
          break;
        }
      }
    }
    if (ip == ip_end) break;
    // A long literal, or the last tags: one tag, every bound checked.
    if (!DecodeTagCarefully(&ip, ip_end, &op, dst, op_end)) return false;
  }
  return op == op_end;
}

}  // namespace sawmill::storage
