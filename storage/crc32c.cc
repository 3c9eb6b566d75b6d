#include "storage/crc32c.h"

#include <array>
#include <cstring>

namespace sawmill::crc32c {
namespace {

constexpr uint32_t kPoly = 0x82f63b78;  // reversed Castagnoli polynomial

constexpr std::array<uint32_t, 256> MakeTable() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kPoly : c >> 1;
    t[i] = c;
  }
  return t;
}
constexpr std::array<uint32_t, 256> kTable = MakeTable();

uint32_t ExtendSoftware(uint32_t crc, const char* data, size_t n) {
  const auto* p = reinterpret_cast<const unsigned char*>(data);
  for (size_t i = 0; i < n; ++i) crc = kTable[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  return crc;
}

#if defined(__x86_64__)
// The crc32 instruction has a latency of 3 cycles and a throughput of 1: three independent
// streams over three stretches of a long input run three times as fast as one. The three
// registers are then combined: the register after A followed by B (|B| = L) is the register
// after A moved over L zero bytes, xor the register of B alone (the update is linear).
constexpr size_t kLong = 8192;
constexpr size_t kShort = 256;

// Moving a register over a fixed number of zero bytes, as four tables (one per register
// byte) of the linear map.
struct ZeroShift {
  uint32_t t[4][256];
};

// A 32x32 matrix over GF(2): m[i] is the image of bit i.
using Matrix = std::array<uint32_t, 32>;

uint32_t Apply(const Matrix& m, uint32_t v) {
  uint32_t r = 0;
  for (int i = 0; v != 0; ++i, v >>= 1) {
    if (v & 1) r ^= m[i];
  }
  return r;
}

Matrix Compose(const Matrix& a, const Matrix& b) {  // a after b
  Matrix r{};
  for (int i = 0; i < 32; ++i) r[i] = Apply(a, b[i]);
  return r;
}

ZeroShift MakeZeroShift(size_t bytes) {
  Matrix bit{};  // one zero bit: shift right, xor the polynomial when bit 0 falls out
  bit[0] = kPoly;
  for (int i = 1; i < 32; ++i) bit[i] = 1u << (i - 1);
  Matrix op{};
  for (int i = 0; i < 32; ++i) op[i] = 1u << i;
  for (uint64_t bits = uint64_t{8} * bytes; bits != 0; bits >>= 1) {
    if (bits & 1) op = Compose(bit, op);
    bit = Compose(bit, bit);
  }
  ZeroShift z{};
  for (int k = 0; k < 4; ++k) {
    for (uint32_t b = 0; b < 256; ++b) z.t[k][b] = Apply(op, b << (8 * k));
  }
  return z;
}

inline uint32_t Shift(const ZeroShift& z, uint32_t c) {
  return z.t[0][c & 0xff] ^ z.t[1][(c >> 8) & 0xff] ^ z.t[2][(c >> 16) & 0xff] ^ z.t[3][c >> 24];
}

inline uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// Three streams over 3 * `len` bytes at *data, while at least that much is left.
template <size_t len>
__attribute__((target("sse4.2"))) inline uint64_t ThreeWay(uint64_t c0, const char** data,
                                                           size_t* n, const ZeroShift& z) {
  while (*n >= 3 * len) {
    const char* p = *data;
    uint64_t c1 = 0, c2 = 0;
    for (size_t i = 0; i < len; i += 8) {
      c0 = __builtin_ia32_crc32di(c0, Load64(p + i));
      c1 = __builtin_ia32_crc32di(c1, Load64(p + len + i));
      c2 = __builtin_ia32_crc32di(c2, Load64(p + 2 * len + i));
    }
    c0 = Shift(z, static_cast<uint32_t>(c0)) ^ c1;
    c0 = Shift(z, static_cast<uint32_t>(c0)) ^ c2;
    *data += 3 * len;
    *n -= 3 * len;
  }
  return c0;
}

__attribute__((target("sse4.2"))) uint32_t ExtendHardware(uint32_t crc, const char* data,
                                                          size_t n) {
  uint64_t c = crc;
  if (n >= 3 * kShort) {
    static const ZeroShift kLongShift = MakeZeroShift(kLong);
    static const ZeroShift kShortShift = MakeZeroShift(kShort);
    c = ThreeWay<kLong>(c, &data, &n, kLongShift);
    c = ThreeWay<kShort>(c, &data, &n, kShortShift);
  }
  while (n >= 8) {
    c = __builtin_ia32_crc32di(c, Load64(data));
    data += 8;
    n -= 8;
  }
  uint32_t c32 = static_cast<uint32_t>(c);
  while (n > 0) {
    c32 = __builtin_ia32_crc32qi(c32, static_cast<unsigned char>(*data++));
    --n;
  }
  return c32;
}
const bool kHasSse42 = __builtin_cpu_supports("sse4.2");
#endif

}  // namespace

uint32_t Extend(uint32_t init, const char* data, size_t n) {
  uint32_t crc = ~init;
#if defined(__x86_64__)
  if (kHasSse42) return ~ExtendHardware(crc, data, n);
#endif
  return ~ExtendSoftware(crc, data, n);
}

}  // namespace sawmill::crc32c
