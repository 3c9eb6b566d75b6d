#include "storage/units.h"

#include <charconv>
#include <limits>
#include <utility>

namespace sawmill {

Result<std::chrono::nanoseconds> ParseDuration(std::string_view text) {
  using std::chrono::nanoseconds;
  if (text == "0") return nanoseconds(0);
  struct Unit {
    std::string_view suffix;
    int64_t ns;
  };
  static constexpr int64_t kSecond = 1'000'000'000;
  static constexpr Unit kUnits[] = {
      {"y", 365 * 24 * 3600 * kSecond},
      {"w", 7 * 24 * 3600 * kSecond},
      {"d", 24 * 3600 * kSecond},
      {"h", 3600 * kSecond},
      {"m", 60 * kSecond},
      {"s", kSecond},
      {"ms", 1'000'000},
      {"us", 1'000},
      {"ns", 1},
  };
  const Status bad = Status::InvalidArgument("not a valid duration string: \"" + std::string(text) +
                                             "\" (want e.g. 744h or 30d)");
  if (text.empty()) return bad;
  int64_t total = 0;
  int64_t previous_unit = std::numeric_limits<int64_t>::max();  // units go largest first
  while (!text.empty()) {
    int64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || n < 0) return bad;
    text.remove_prefix(end - text.data());
    const Unit* unit = nullptr;  // the longest matching suffix: "ms" rather than "m"
    for (const Unit& u : kUnits) {
      if (text.starts_with(u.suffix) &&
          (unit == nullptr || u.suffix.size() > unit->suffix.size())) {
        unit = &u;
      }
    }
    if (unit == nullptr || unit->ns >= previous_unit) return bad;
    if (n > (std::numeric_limits<int64_t>::max() - total) / unit->ns) return bad;
    total += n * unit->ns;
    text.remove_prefix(unit->suffix.size());
    previous_unit = unit->ns;
  }
  return nanoseconds(total);
}

Result<uint64_t> ParseBytes(std::string_view text) {
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end == text.data()) {
    return Status::InvalidArgument("want a size in bytes such as 262144 or 256KiB");
  }
  const std::string_view unit(end, text.data() + text.size() - end);
  static const std::pair<std::string_view, uint64_t> kUnits[] = {{"", 1},
                                                                 {"B", 1},
                                                                 {"KB", 1000},
                                                                 {"MB", 1000000},
                                                                 {"GB", 1000000000},
                                                                 {"KiB", 1ull << 10},
                                                                 {"MiB", 1ull << 20},
                                                                 {"GiB", 1ull << 30}};
  for (const auto& [name, mult] : kUnits) {
    if (unit != name) continue;
    if (n > std::numeric_limits<uint64_t>::max() / mult) {
      return Status::InvalidArgument("size too large");
    }
    return n * mult;
  }
  return Status::InvalidArgument("unknown size unit \"" + std::string(unit) +
                                 "\" (want B, KB, MB, GB, KiB, MiB or GiB)");
}

}  // namespace sawmill
