// The `ip("...")` matcher of line and label filters (Loki's pkg/logql/log/ip.go): a single
// address, a range `a-b` or a CIDR prefix, IPv4 or IPv6, with Go's net/netip parsing rules
// (no leading zeros in IPv4 octets; an IPv4 prefix never contains an IPv6 address).
//
// MatchesLine() finds the address-looking tokens of a line the way Loki does (a digit followed
// by a dot within 4 bytes, or hex digits followed by a colon) and parses each.
// MatchesValue() parses a whole label value.
//
// Immutable after Parse(); thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "storage/result.h"

namespace sawmill::query::log {

struct IpAddr {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // IPv4 uses the first 4
  auto operator<=>(const IpAddr&) const = default;
};

// netip.ParseAddr: "1.2.3.4", "::1", "::ffff:1.2.3.4", "fe80::1%eth0" (zone ignored).
std::optional<IpAddr> ParseIpAddr(std::string_view s);

class IpMatcher {
 public:
  // Error (InvalidArgument): `ip: invalid pattern: "<pattern>"` as Loki.
  static Result<IpMatcher> Parse(std::string_view pattern);

  bool Contains(const IpAddr& ip) const;
  bool MatchesLine(std::string_view line) const;
  bool MatchesValue(std::string_view value) const;

 private:
  enum class Kind { kAddr, kPrefix, kRange };
  Kind kind_ = Kind::kAddr;
  IpAddr from_, to_;  // kAddr: from_; kRange: [from_, to_]
  int bits_ = 0;      // kPrefix: from_/bits_
};

}  // namespace sawmill::query::log
