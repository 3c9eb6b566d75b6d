#include "tools/sawcli/push_command.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "tools/sawcli/label_set.h"
#include "tools/sawcli/printer.h"
#include "tools/sawcli/time_text.h"

namespace sawmill::sawcli {

namespace {

struct Totals {
  int64_t lines = 0;
  int64_t bytes = 0;
  int64_t requests = 0;
  int64_t refused_lines = 0;
  int64_t unparsed_timestamps = 0;
};

class Batcher {
 public:
  Batcher(Context& ctx, const LabelSet& labels, int64_t max_bytes, Totals* totals)
      : ctx_(ctx), max_bytes_(max_bytes), totals_(totals) {
    prefix_ = "{\"streams\":[{\"stream\":{";
    bool first = true;
    for (const auto& [name, value] : labels.pairs()) {
      if (!first) prefix_.push_back(',');
      first = false;
      AppendGoJsonString(name, &prefix_);
      prefix_.push_back(':');
      AppendGoJsonString(value, &prefix_);
    }
    prefix_ += "},\"values\":[";
    body_ = prefix_;
  }

  void Add(int64_t ts, std::string_view line) {
    if (count_ > 0) body_.push_back(',');
    body_ += "[\"" + std::to_string(ts) + "\",";
    AppendGoJsonString(line, &body_);
    body_.push_back(']');
    ++count_;
    bytes_ += static_cast<int64_t>(line.size());
    if (bytes_ >= max_bytes_) Send();
  }

  void Send() {
    if (count_ == 0) return;
    body_ += "]}]}";
    Result<std::string> r =
        ctx_.client->Call("POST", "/loki/api/v1/push", body_, "application/json");
    ++totals_->requests;
    if (r.ok()) {
      totals_->lines += count_;
      totals_->bytes += bytes_;
    } else {
      totals_->refused_lines += count_;
      LogNote("push of " + std::to_string(count_) + " lines refused: " + r.status().message());
    }
    body_ = prefix_;
    count_ = 0;
    bytes_ = 0;
  }

 private:
  Context& ctx_;
  int64_t max_bytes_;
  Totals* totals_;
  std::string prefix_;
  std::string body_;
  int64_t count_ = 0;
  int64_t bytes_ = 0;
};

Result<int64_t> ParseInteger(std::string_view text) {
  if (text.empty() || text.size() > 19) return Status::InvalidArgument("not an integer");
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return Status::InvalidArgument("not an integer");
    v = v * 10 + (c - '0');
  }
  return v;
}

}  // namespace

Result<TimestampFormat> ParseTimestampFormat(const std::string& text) {
  if (text.empty()) return TimestampFormat::kNone;
  if (text == "rfc3339" || text == "rfc3339nano" || text == "RFC3339" || text == "RFC3339Nano") {
    return TimestampFormat::kRfc3339;
  }
  if (text == "unix") return TimestampFormat::kUnix;
  if (text == "unix_ms" || text == "unixms") return TimestampFormat::kUnixMs;
  if (text == "unix_us" || text == "unixus") return TimestampFormat::kUnixUs;
  if (text == "unix_ns" || text == "unixns") return TimestampFormat::kUnixNs;
  return Status::InvalidArgument(
      "--timestamp-format must be one of rfc3339, unix, unix_ms, "
      "unix_us, unix_ns; got '" +
      text + "'");
}

Result<int64_t> ParseLineTimestamp(std::string_view line, TimestampFormat format) {
  const size_t end = line.find_first_of(" \t");
  const std::string_view field = line.substr(0, end);
  switch (format) {
    case TimestampFormat::kNone:
      return Status::InvalidArgument("no timestamp format");
    case TimestampFormat::kRfc3339:
      return ParseRfc3339(field);
    case TimestampFormat::kUnix: {
      // Seconds with an optional fraction: "1700000000" or "1700000000.123".
      const size_t dot = field.find('.');
      SAW_ASSIGN_OR_RETURN(int64_t secs, ParseInteger(field.substr(0, dot)));
      if (secs > 9'000'000'000) return Status::InvalidArgument("seconds out of range");
      int64_t frac = 0;
      if (dot != std::string_view::npos) {
        std::string_view f = field.substr(dot + 1);
        if (f.size() > 9) f = f.substr(0, 9);
        SAW_ASSIGN_OR_RETURN(frac, ParseInteger(f));
        for (size_t i = f.size(); i < 9; ++i) frac *= 10;
      }
      return secs * 1'000'000'000 + frac;
    }
    case TimestampFormat::kUnixMs: {
      SAW_ASSIGN_OR_RETURN(int64_t v, ParseInteger(field));
      if (v > 9'000'000'000'000) return Status::InvalidArgument("out of range");
      return v * 1'000'000;
    }
    case TimestampFormat::kUnixUs: {
      SAW_ASSIGN_OR_RETURN(int64_t v, ParseInteger(field));
      if (v > 9'000'000'000'000'000) return Status::InvalidArgument("out of range");
      return v * 1'000;
    }
    case TimestampFormat::kUnixNs:
      return ParseInteger(field);
  }
  return Status::InvalidArgument("unknown format");
}

Status RunPush(Context& ctx, const PushOptions& o) {
  if (o.labels.empty()) {
    return Status::InvalidArgument("push needs --labels, e.g. --labels='{job=\"import\"}'");
  }
  Result<LabelSet> labels = LabelSet::Parse(o.labels);
  if (!labels.ok()) return Status::InvalidArgument("--labels: " + labels.status().message());
  if (labels->empty()) return Status::InvalidArgument("--labels: at least one label is needed");
  if (o.batch_bytes <= 0) return Status::InvalidArgument("--batch-size must be positive");

  Totals totals;
  Batcher batcher(ctx, *labels, o.batch_bytes, &totals);
  std::vector<std::string> files = o.files;
  if (files.empty()) files.push_back("-");
  int64_t last_ts = 0;
  std::string line;
  for (const std::string& path : files) {
    std::FILE* in = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
    if (in == nullptr) {
      batcher.Send();
      return Status::IOError("open " + path + ": " + std::strerror(errno));
    }
    char* buf = nullptr;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&buf, &cap, in)) >= 0) {
      std::string_view text(buf, static_cast<size_t>(n));
      if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
      if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
      int64_t ts;
      if (o.format == TimestampFormat::kNone) {
        ts = std::max(NowUnixNs(), last_ts);
      } else {
        Result<int64_t> parsed = ParseLineTimestamp(text, o.format);
        if (parsed.ok()) {
          ts = *parsed;
        } else {
          ++totals.unparsed_timestamps;
          ts = last_ts != 0 ? last_ts : NowUnixNs();
        }
      }
      last_ts = ts;
      batcher.Add(ts, text);
    }
    std::free(buf);
    const bool read_error = std::ferror(in) != 0;
    if (in != stdin) std::fclose(in);
    if (read_error) {
      batcher.Send();
      return Status::IOError("read " + path + " failed");
    }
  }
  batcher.Send();
  if (!ctx.quiet) {
    std::string msg = "pushed " + std::to_string(totals.lines) + " lines (" +
                      std::to_string(totals.bytes) + " bytes) in " +
                      std::to_string(totals.requests) + " requests";
    if (totals.unparsed_timestamps > 0) {
      msg += "; " + std::to_string(totals.unparsed_timestamps) +
             " lines had no parsable timestamp and took the previous line's";
    }
    LogNote(msg);
  }
  if (totals.refused_lines > 0) {
    return Status::InvalidArgument("the server refused " + std::to_string(totals.refused_lines) +
                                   " of " + std::to_string(totals.lines + totals.refused_lines) +
                                   " lines");
  }
  return Status::OK();
}

}  // namespace sawmill::sawcli
