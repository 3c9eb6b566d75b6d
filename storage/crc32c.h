// CRC32C (Castagnoli), the checksum of chunk blocks and headers. Uses the SSE4.2 crc32
// instruction when the CPU has it, else a table-driven software loop. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sawmill::crc32c {

// Returns the CRC32C of data[0, n) continuing from `init` (0 to start).
uint32_t Extend(uint32_t init, const char* data, size_t n);
inline uint32_t Value(const char* data, size_t n) { return Extend(0, data, n); }
inline uint32_t Value(std::string_view s) { return Extend(0, s.data(), s.size()); }

}  // namespace sawmill::crc32c
