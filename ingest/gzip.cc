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

  // window_bits as inflateInit2 takes them: 15 + 16 gzip only, 15 zlib, -15 raw DEFLATE.
  bool Init(int window_bits) {
    initialized_ = inflateInit2(&stream_, window_bits) == Z_OK;
    return initialized_;
  }
  z_stream* stream() { return &stream_; }

 private:
  z_stream stream_{};
  bool initialized_ = false;
};

Status ZError(std::string_view format, std::string_view what, const z_stream& s) {
  std::string msg = "invalid ";
  msg.append(format);
  msg.append(" body: ");
  msg.append(what);
  if (s.msg != nullptr) {
    msg.append(": ");
    msg.append(s.msg);
  }
  return Status::InvalidArgument(std::move(msg));
}

// Decompresses `in` with the given zlib window_bits, bounded by max_out. `multi_member`:
// after the end of a stream, more input starts another one (gzip members).
Status Decompress(std::string_view in, size_t max_out, std::string* out, int window_bits,
                  bool multi_member, std::string_view format) {
  auto Error = [format](std::string_view what, const z_stream& s) {
    return ZError(format, what, s);
  };
  out->clear();
  if (in.empty()) return Status::InvalidArgument("invalid " + std::string(format) + " body: empty");
  Inflater inflater;
  if (!inflater.Init(window_bits)) return Status::Internal("cannot initialise zlib");
  z_stream* s = inflater.stream();
  s->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  // Bodies over 4 GiB are refused long before this by the HTTP layer; stay within uInt.
  if (in.size() > UINT32_MAX) return Status::ResourceExhausted("body over 4 GiB");
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
      if (!multi_member) return Error("data after the end of the stream", *s);
      // Another gzip member follows (Go's gzip.Reader reads multistream by default).
      if (inflateReset(s) != Z_OK) return Error("cannot reset", *s);
      continue;
    }
    if (rc == Z_BUF_ERROR && s->avail_in == 0) return Error("truncated input", *s);
    if (rc == Z_NEED_DICT) return Error("needs a preset dictionary", *s);
    if (rc != Z_OK && rc != Z_BUF_ERROR) return Error("corrupt input", *s);
    if (rc == Z_OK && s->avail_in == 0 && s->avail_out != 0) {
      return Error("truncated input", *s);
    }
  }
  if (produced > max_out) {
    out->clear();
    return Status::ResourceExhausted(std::string(format) + " body decompresses to more than " +
                                     std::to_string(max_out) + " bytes");
  }
  out->resize(produced);
  return Status::OK();
}

}  // namespace

Status Gunzip(std::string_view in, size_t max_out, std::string* out) {
  return Decompress(in, max_out, out, 15 + 16, /*multi_member=*/true, "gzip");
}

Status Inflate(std::string_view in, size_t max_out, std::string* out) {
  // A zlib header: CM = 8 (deflate), CINFO <= 7, and (CMF * 256 + FLG) % 31 == 0. A raw
  // DEFLATE stream starts with such bytes only when its first block is a non-final stored
  // block with non-zero padding bits, which encoders do not write.
  if (in.size() >= 2) {
    const unsigned cmf = static_cast<unsigned char>(in[0]);
    const unsigned flg = static_cast<unsigned char>(in[1]);
    if ((cmf & 0x0f) == 8 && (cmf >> 4) <= 7 && (cmf * 256 + flg) % 31 == 0) {
      return Decompress(in, max_out, out, 15, /*multi_member=*/false, "deflate");
    }
  }
  return Decompress(in, max_out, out, -15, /*multi_member=*/false, "deflate");
}

}  // namespace sawmill::ingest
