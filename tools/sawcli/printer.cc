#include "tools/sawcli/printer.h"

namespace sawmill::sawcli {

namespace {

constexpr size_t kFlushBytes = 64 * 1024;
constexpr std::string_view kBlue = "\x1b[34m";
constexpr std::string_view kRed = "\x1b[31m";
constexpr std::string_view kReset = "\x1b[0m";

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// A stable colour per label set for --colored-output (fatih/color's 8 foreground colours,
// black and white left out as logcli does).
std::string_view ColorFor(const std::string& labels) {
  static constexpr std::string_view kColors[] = {"\x1b[31m", "\x1b[32m", "\x1b[33m",
                                                 "\x1b[34m", "\x1b[35m", "\x1b[36m"};
  uint32_t h = 2166136261u;
  for (char c : labels) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  return kColors[h % 6];
}

}  // namespace

Result<OutputMode> ParseOutputMode(std::string_view text) {
  if (text == "default") return OutputMode::kDefault;
  if (text == "raw") return OutputMode::kRaw;
  if (text == "jsonl") return OutputMode::kJsonl;
  return Status::InvalidArgument("enum value must be one of default,raw,jsonl, got '" +
                                 std::string(text) + "'");
}

void AppendGoJsonString(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    const char* esc = nullptr;
    switch (c) {
      case '"':
        esc = "\\\"";
        break;
      case '\\':
        esc = "\\\\";
        break;
      case '\n':
        esc = "\\n";
        break;
      case '\r':
        esc = "\\r";
        break;
      case '\t':
        esc = "\\t";
        break;
      default:
        break;
    }
    const bool other = esc == nullptr && (c < 0x20 || c == '<' || c == '>' || c == '&');
    if (esc == nullptr && !other) continue;
    out->append(s.substr(start, i - start));
    if (esc != nullptr) {
      out->append(esc);
    } else {
      out->append("\\u00");
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
    }
    start = i + 1;
  }
  out->append(s.substr(start));
  out->push_back('"');
}

Printer::Printer(const PrinterOptions& options, std::FILE* out) : options_(options), out_(out) {
  buf_.reserve(kFlushBytes * 2);
}

Printer::~Printer() { (void)Flush(); }

void Printer::Entry(int64_t ts_ns, const LabelSet& labels, size_t max_labels_len,
                    std::string_view line) {
  switch (options_.mode) {
    case OutputMode::kRaw:
      if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
      buf_.append(line);
      buf_.push_back('\n');
      break;
    case OutputMode::kJsonl: {
      buf_.push_back('{');
      if (!options_.no_labels) {
        buf_.append("\"labels\":{");
        bool first = true;
        for (const auto& [name, value] : labels.pairs()) {
          if (!first) buf_.push_back(',');
          first = false;
          AppendGoJsonString(name, &buf_);
          buf_.push_back(':');
          AppendGoJsonString(value, &buf_);
        }
        buf_.append("},");
      }
      buf_.append("\"line\":");
      AppendGoJsonString(line, &buf_);
      buf_.append(",\"timestamp\":\"");
      buf_.append(FormatRfc3339Nano(ts_ns, options_.zone));
      buf_.append("\"}\n");
      break;
    }
    case OutputMode::kDefault: {
      const std::string ts = FormatRfc3339(ts_ns, options_.zone);
      if (options_.color) {
        buf_.append(kBlue).append(ts).append(kReset);
      } else {
        buf_.append(ts);
      }
      buf_.push_back(' ');
      if (!options_.no_labels) {
        std::string text = labels.String();
        if (text.size() < max_labels_len) text.append(max_labels_len - text.size(), ' ');
        if (options_.color) {
          buf_.append(options_.colored_labels ? ColorFor(labels.String()) : kRed)
              .append(text)
              .append(kReset);
        } else {
          buf_.append(text);
        }
        buf_.push_back(' ');
      }
      buf_.append(TrimSpace(line));
      buf_.push_back('\n');
      break;
    }
  }
  MaybeFlush();
}

void Printer::Text(std::string_view text) {
  buf_.append(text);
  MaybeFlush();
}

void Printer::MaybeFlush() {
  if (buf_.size() >= kFlushBytes) (void)Flush();
}

Status Printer::Flush() {
  if (!buf_.empty() && !failed_) {
    if (std::fwrite(buf_.data(), 1, buf_.size(), out_) != buf_.size()) failed_ = true;
  }
  buf_.clear();
  if (!failed_ && std::fflush(out_) != 0) failed_ = true;
  if (failed_) return Status::IOError("write to stdout failed");
  return Status::OK();
}

}  // namespace sawmill::sawcli
