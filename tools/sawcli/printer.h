// Writes log entries to stdout in logcli's three output modes, buffered (one write per
// 64 KiB) so a large download is not bound by syscalls:
//   default  "<RFC3339 timestamp> <labels padded to the widest> <line, spaces trimmed>"
//   raw      the line as stored (one trailing newline dropped)
//   jsonl    {"labels":{...},"line":"...","timestamp":"<RFC3339Nano>"} (Go's json.Marshal of a
//            map: keys sorted, <>& escaped as \u003c \u003e \u0026)
// Colours (timestamp blue, labels red) only when asked, i.e. when stdout is a terminal.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "storage/result.h"
#include "tools/sawcli/label_set.h"
#include "tools/sawcli/time_text.h"

namespace sawmill::sawcli {

enum class OutputMode { kDefault, kRaw, kJsonl };

Result<OutputMode> ParseOutputMode(std::string_view text);

struct PrinterOptions {
  OutputMode mode = OutputMode::kDefault;
  TimeZone zone = TimeZone::kLocal;
  bool no_labels = false;
  bool color = false;           // ANSI colours (stdout is a terminal and NO_COLOR unset)
  bool colored_labels = false;  // --colored-output: a colour per label set instead of red
};

class Printer {
 public:
  Printer(const PrinterOptions& options, std::FILE* out);
  ~Printer();  // flushes
  Printer(const Printer&) = delete;
  Printer& operator=(const Printer&) = delete;

  // `labels` has already had common/excluded labels removed; `max_labels_len` pads them.
  void Entry(int64_t ts_ns, const LabelSet& labels, size_t max_labels_len, std::string_view line);
  // Text written as is (metric results, label lists).
  void Text(std::string_view text);
  // IOError when stdout is closed (e.g. `| head`); callers stop early then.
  Status Flush();
  bool failed() const { return failed_; }

  const PrinterOptions& options() const { return options_; }

 private:
  void MaybeFlush();

  PrinterOptions options_;
  std::FILE* out_;
  std::string buf_;
  bool failed_ = false;
};

// Appends `s` as a JSON string the way Go's encoding/json writes it.
void AppendGoJsonString(std::string_view s, std::string* out);

}  // namespace sawmill::sawcli
