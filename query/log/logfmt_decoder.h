// Loki's logfmt decoder (pkg/logql/log/logfmt/decode.go, adapted from go-logfmt): scans
// `key=value key="quoted value" bare` pairs and reports syntax errors the way Loki prints
// them: "logfmt syntax error at pos 130 : unexpected '\"'".
// Not thread-safe; cheap to make.
#pragma once

#include <string>
#include <string_view>

namespace sawmill::query::log {

class LogfmtDecoder {
 public:
  explicit LogfmtDecoder(std::string_view line) : line_(line) {}

  // Advances to the next pair. Returns false at the end of the line or on an error (err()).
  bool ScanKeyval();
  bool Eol() const { return pos_ >= line_.size(); }
  std::string_view key() const { return key_; }
  // Valid until the next ScanKeyval (may point into an internal buffer).
  std::string_view value() const { return value_; }
  const std::string& err() const { return err_; }

 private:
  void SyntaxError(std::string_view msg);
  void UnexpectedByte(char c);

  std::string_view line_;
  size_t pos_ = 0;
  std::string_view key_, value_;
  std::string err_;
  std::string buf_;
};

// go-logfmt's unquote of a quoted value `"..."` (quotes included) that has escapes: JSON's
// rules plus `\'`. False when it is invalid (a control byte, an unknown escape).
bool LogfmtUnquote(std::string_view quoted, std::string* out);

}  // namespace sawmill::query::log
