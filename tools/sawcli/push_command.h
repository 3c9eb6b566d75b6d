// `sawcli push`: sends lines from files or stdin to /loki/api/v1/push as one stream with the
// given labels, in batches of about --batch-size bytes. Each line's timestamp is read from its
// first whitespace-separated field when --timestamp-format is given (a line whose field does not
// parse takes the previous line's timestamp, e.g. a stack trace's continuation lines), otherwise
// it is the time the line was read. Batches the server refuses (4xx, or 429/5xx after the
// retries) are reported on stderr with the server's message, the rest are still sent, and the
// command then fails.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/status.h"
#include "tools/sawcli/context.h"
#include "tools/sawcli/line_timestamp.h"

namespace sawmill::sawcli {

struct PushOptions {
  std::string labels;              // {job="x"}
  std::vector<std::string> files;  // empty or "-": stdin
  TimestampFormat format = TimestampFormat::kNone;
  int64_t batch_bytes = 1 << 20;
};

Status RunPush(Context& ctx, const PushOptions& options);

}  // namespace sawmill::sawcli
