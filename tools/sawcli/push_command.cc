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

}  // namespace

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
