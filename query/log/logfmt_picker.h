// Picks the values of a few label names out of a logfmt line without decoding the rest: what
// the logfmt stage in Loki 2.8 mode (logfmt_parser.h: stops at the first syntax error and sets
// __error__) would set for those names, for the engine's `| logfmt | unwrap x` fast path.
//
// The line is walked with LogfmtDecoder's grammar (logfmt_decoder.h): key boundaries, bare
// keys, quoted values ended by the first unescaped '"' (found with memchr). Only the wanted
// keys' values are unquoted; the other quoted values with escapes are checked without being
// copied. Keys are sanitised as the stage sanitises them (`to.ok` is `to_ok`).
//
// Not thread-safe; one per scanning thread.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sawmill::query::log {

class LogfmtPicker {
 public:
  // REQUIRES: every name is a valid label name that does not start with "__".
  explicit LogfmtPicker(std::span<const std::string> names);
  LogfmtPicker(const LogfmtPicker&) = delete;
  LogfmtPicker& operator=(const LogfmtPicker&) = delete;

  // Scans `line`. False when the stage would do more than set the wanted names: a syntax error
  // (it would set __error__ and __error_details__) or a key whose label name starts with "__"
  // (it would set a reserved label); the caller must then run the general stage. The line
  // must stay alive while values are read.
  bool Pick(std::string_view line);

  // After a Pick that returned true: the value the stage would give names[i], the last
  // occurrence's (a bare `key` gives ""), "" when the key is absent or its value holds an
  // invalid UTF-8 sequence. Valid until the next Pick.
  std::string_view value(size_t i) const { return wants_[i].value; }

 private:
  struct Want {
    std::string name;
    std::string_view value;
    std::string buf;  // an unquoted value with escapes
  };

  // The index of the wanted name a key that is not a plain label name sanitises to, -1 when
  // none, -2 for a "__" name.
  int MatchSanitized(std::string_view key);

  std::vector<Want> wants_;
  std::string name_buf_;
  std::string scratch_;
};

}  // namespace sawmill::query::log
