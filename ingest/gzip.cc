#include "ingest/gzip.h"

#include <zlib.h>

#include <algorithm>
#include <string>

namespace sawmill::ingest {
namespace {

// Ends the zlib stream on every exit path.
class Inflater {
 public:
  Inflater() = default;
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
  ~Inflater() {
    if (initialized_) inflateEnd(&stream_);
  }

  bool Init() {
    // 15 window bits + 16: gzip wrapper only (no raw deflate, no zlib wrapper).
    initialized_ = inflateInit2(&stream_, 15 + 16) == Z_OK;
    return initialized_;
  }
  z_stream* stream() { return &stream_; }

 private:
  z_stream stream_{};
  bool initialized_ = false;
};

Status GzipError(std::string_view what, const z_stream& s) {
  std::string msg = "invalid gzip body: ";
  msg.append(what);
  if (s.msg != nullptr) {
    msg.append(": ");
    msg.append(s.msg);
  }
  return Status::InvalidArgument(std::move(msg));
}

}  // namespace

Status Gunzip(std::string_view in, size_t max_out, std::string* out) {
  out->clear();
  if (in.empty()) return Status::InvalidArgument("invalid gzip body: empty");
  Inflater inflater;
  if (!inflater.Init()) return Status::Internal("gzip: cannot initialise zlib");
  z_stream* s = inflater.stream();
  s->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  // Bodies over 4 GiB are refused long before this by the HTTP layer; stay within uInt.
  if (in.size() > UINT32_MAX) return Status::ResourceExhausted("gzip body over 4 GiB");
  s->avail_in = static_cast<uInt>(in.size());

  // Grow geometrically from a guess, never past max_out (+1 to detect the overflow).
  size_t cap = std::min<size_t>(std::max<size_t>(in.size() * 4, 4096), max_out + 1);
  out->resize(cap);
  size_t produced = 0;
  while (true) {
    if (produced == out->size()) {
      if (out->size() > max_out) break;
      out->resize(std::min<size_t>(out->size() * 2, max_out + 1));
    }
    size_t room = std::min<size_t>(out->size() - produced, UINT32_MAX);
    s->next_out = reinterpret_cast<Bytef*>(out->data() + produced);
    s->avail_out = static_cast<uInt>(room);
    int rc = inflate(s, Z_NO_FLUSH);
    produced += room - s->avail_out;
    if (rc == Z_STREAM_END) {
      if (s->avail_in == 0) break;
      // Another gzip member follows (Go's gzip.Reader reads multistream by default).
      if (inflateReset(s) != Z_OK) return GzipError("cannot reset", *s);
      continue;
    }
    if (rc == Z_BUF_ERROR && s->avail_in == 0) return GzipError("truncated input", *s);
    if (rc == Z_NEED_DICT) return GzipError("needs a preset dictionary", *s);
    if (rc != Z_OK && rc != Z_BUF_ERROR) return GzipError("corrupt input", *s);
    if (rc == Z_OK && s->avail_in == 0 && s->avail_out != 0) {
      return GzipError("truncated input", *s);
    }
  }
  if (produced > max_out) {
    out->clear();
    return Status::ResourceExhausted("gzip body decompresses to more than " +
                                     std::to_string(max_out) + " bytes");
  }
  out->resize(produced);
  return Status::OK();
}

}  // namespace sawmill::ingest
