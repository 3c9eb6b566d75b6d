#include "ingest/protobuf_push.h"

#include <snappy.h>

#include <string>
#include <utility>

#include "ingest/proto_wire.h"
#include "storage/coding.h"

namespace sawmill::ingest {
namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;

// Merges one occurrence of a Timestamp message into (*seconds, *nanos): an embedded message
// that occurs twice is merged, so a field missing from the later one keeps its earlier value.
Status MergeTimestamp(std::string_view data, int64_t* seconds, int64_t* nanos) {
  WireReader r(data, "google.protobuf.Timestamp");
  while (!r.done()) {
    uint32_t field;
    WireType type;
    SAW_RETURN_IF_ERROR(r.ReadKey(&field, &type));
    if (field == 1 || field == 2) {
      uint64_t v;
      SAW_RETURN_IF_ERROR(r.ReadVarint(type, &v));
      if (field == 1) {
        *seconds = static_cast<int64_t>(v);
      } else {
        *nanos = static_cast<int32_t>(static_cast<uint32_t>(v));  // int32 is sign-extended
      }
    } else {
      SAW_RETURN_IF_ERROR(r.Skip(type));
    }
  }
  return Status::OK();
}

Status TimestampToNanos(int64_t seconds, int64_t nanos, int64_t* ts_ns) {
  // 128-bit so that e.g. {seconds: -9223372037, nanos: 145224192} (INT64_MIN ns) fits.
  __int128 ns = static_cast<__int128>(seconds) * kNanosPerSecond + nanos;
  if (ns < INT64_MIN || ns > INT64_MAX) {
    return Status::InvalidArgument("invalid protobuf: timestamp " + std::to_string(seconds) + "s " +
                                   std::to_string(nanos) +
                                   "ns is outside the range of int64 nanoseconds");
  }
  *ts_ns = static_cast<int64_t>(ns);
  return Status::OK();
}

Status DecodeLabelPair(std::string_view data, std::pair<std::string_view, std::string_view>* out) {
  WireReader r(data, "logproto.LabelPairAdapter");
  while (!r.done()) {
    uint32_t field;
    WireType type;
    SAW_RETURN_IF_ERROR(r.ReadKey(&field, &type));
    if (field == 1) {
      SAW_RETURN_IF_ERROR(r.ReadLengthDelimited(type, &out->first));
    } else if (field == 2) {
      SAW_RETURN_IF_ERROR(r.ReadLengthDelimited(type, &out->second));
    } else {
      SAW_RETURN_IF_ERROR(r.Skip(type));
    }
  }
  return Status::OK();
}

Status DecodeEntry(std::string_view data, PushItemBudget* budget, PushEntry* out) {
  WireReader r(data, "logproto.EntryAdapter");
  int64_t seconds = 0;
  int64_t nanos = 0;
  while (!r.done()) {
    uint32_t field;
    WireType type;
    SAW_RETURN_IF_ERROR(r.ReadKey(&field, &type));
    std::string_view bytes;
    switch (field) {
      case 1:
        SAW_RETURN_IF_ERROR(r.ReadLengthDelimited(type, &bytes));
        SAW_RETURN_IF_ERROR(MergeTimestamp(bytes, &seconds, &nanos));
        break;
      case 2:
        SAW_RETURN_IF_ERROR(r.ReadLengthDelimited(type, &out->line));
        break;
      case 3:
        SAW_RETURN_IF_ERROR(r.ReadLengthDelimited(type, &bytes));
        SAW_RETURN_IF_ERROR(budget->Take());
        SAW_RETURN_IF_ERROR(DecodeLabelPair(bytes, &out->metadata.emplace_back()));
        break;
      default:
        SAW_RETURN_IF_ERROR(r.Skip(type));
    }
  }
  return TimestampToNanos(seconds, nanos, &out->ts_ns);
}

Status DecodeStream(std::string_view data, PushItemBudget* budget, PushStream* out) {
  WireReader r(data, "logproto.StreamAdapter");
  while (!r.done()) {
    uint32_t field;
    WireType type;
    SAW_RETURN_IF_ERROR(r.ReadKey(&field, &type));
    if (field == 1) {
      SAW_RETURN_IF_ERROR(r.ReadLengthDelimited(type, &out->labels));
    } else if (field == 2) {
      std::string_view bytes;
      SAW_RETURN_IF_ERROR(r.ReadLengthDelimited(type, &bytes));
      SAW_RETURN_IF_ERROR(budget->Take());
      SAW_RETURN_IF_ERROR(DecodeEntry(bytes, budget, &out->entries.emplace_back()));
    } else {
      SAW_RETURN_IF_ERROR(r.Skip(type));
    }
  }
  return Status::OK();
}

}  // namespace

Status DecodeLogprotoPush(std::string wire, PushRequest* out, size_t max_items) {
  PushItemBudget budget(max_items);
  out->streams.clear();
  out->storage.clear();
  std::string_view data = out->Own(std::move(wire));
  WireReader r(data, "logproto.PushRequest");
  while (!r.done()) {
    uint32_t field;
    WireType type;
    SAW_RETURN_IF_ERROR(r.ReadKey(&field, &type));
    if (field == 1) {
      std::string_view bytes;
      SAW_RETURN_IF_ERROR(r.ReadLengthDelimited(type, &bytes));
      SAW_RETURN_IF_ERROR(budget.Take());
      SAW_RETURN_IF_ERROR(DecodeStream(bytes, &budget, &out->streams.emplace_back()));
    } else {
      SAW_RETURN_IF_ERROR(r.Skip(type));
    }
  }
  return Status::OK();
}

Status DecodeProtobufPush(std::string_view snappy_body, PushRequest* out, size_t max_uncompressed,
                          size_t max_items) {
  size_t length = 0;
  if (!snappy::GetUncompressedLength(snappy_body.data(), snappy_body.size(), &length)) {
    return Status::InvalidArgument(
        "invalid snappy body: cannot read the uncompressed length (is the body Snappy "
        "block-compressed protobuf?)");
  }
  if (length > max_uncompressed) {
    return Status::ResourceExhausted("push body decompresses to " + std::to_string(length) +
                                     " bytes, over the limit of " +
                                     std::to_string(max_uncompressed));
  }
  std::string wire;
  wire.resize(length);
  if (!snappy::RawUncompress(snappy_body.data(), snappy_body.size(), wire.data())) {
    return Status::InvalidArgument("invalid snappy body: corrupt input");
  }
  return DecodeLogprotoPush(std::move(wire), out, max_items);
}

std::string EncodeLogprotoPush(const PushRequest& req) {
  std::string out, stream, entry, tmp;
  for (const PushStream& s : req.streams) {
    stream.clear();
    PutProtoBytesField(&stream, 1, s.labels);
    for (const PushEntry& e : s.entries) {
      entry.clear();
      int64_t seconds = e.ts_ns / kNanosPerSecond;
      int64_t nanos = e.ts_ns % kNanosPerSecond;
      if (nanos < 0) {
        nanos += kNanosPerSecond;
        --seconds;
      }
      tmp.clear();
      if (seconds != 0) PutProtoVarintField(&tmp, 1, static_cast<uint64_t>(seconds));
      if (nanos != 0) PutProtoVarintField(&tmp, 2, static_cast<uint64_t>(nanos));
      PutProtoBytesField(&entry, 1, tmp);
      PutProtoBytesField(&entry, 2, e.line);
      for (const auto& [name, value] : e.metadata) {
        tmp.clear();
        PutProtoBytesField(&tmp, 1, name);
        PutProtoBytesField(&tmp, 2, value);
        PutProtoBytesField(&entry, 3, tmp);
      }
      PutProtoBytesField(&stream, 2, entry);
    }
    PutProtoBytesField(&out, 1, stream);
  }
  return out;
}

}  // namespace sawmill::ingest
