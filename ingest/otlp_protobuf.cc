#include "ingest/otlp_protobuf.h"

#include <bit>
#include <string>

#include "index/labels.h"
#include "ingest/proto_wire.h"

namespace sawmill::ingest {
namespace {

// Reads a `string` field and checks it is UTF-8, as proto3 requires of strings.
Status ReadString(WireReader& r, uint32_t field, WireType type, std::string_view* out) {
  SAW_RETURN_IF_ERROR(r.ReadLengthDelimited(type, out));
  if (!index::IsValidUtf8(*out)) return r.FieldError(field, "string is not valid UTF-8");
  return Status::OK();
}

class Decoder {
 public:
  explicit Decoder(size_t max_items) : budget_(max_items) {}

  Status Request(std::string_view data, OtlpLogs* out) {
    WireReader r(data, "ExportLogsServiceRequest");
    while (!r.done()) {
      uint32_t field;
      WireType type;
      SAW_RETURN_IF_ERROR(r.ReadKey(&field, &type));
      if (field != 1) {
        SAW_RETURN_IF_ERROR(r.Skip(type));
        continue;
      }
      std::string_view bytes;
      SAW_RETURN_IF_ERROR(r.ReadLengthDelimited(type, &bytes));
      SAW_RETURN_IF_ERROR(budget_.Take());
      SAW_RETURN_IF_ERROR(ResourceLogs(bytes, &out->resource_logs.emplace_back()));
    }
    return Status::OK();
  }

 private:
  Status ResourceLogs(std::string_view data, OtlpResourceLogs* out) {
    WireReader r(data, "ResourceLogs");
    while (!r.done()) {
      uint32_t field;
      WireType type;
      SAW_RETURN_IF_ERROR(r.ReadKey(&field, &type));
      std::string_view bytes;
      if (field == 1) {
        SAW_RETURN_IF_ERROR(r.ReadLengthDelimited(type, &bytes));
        SAW_RETURN_IF_ERROR(Resource(bytes, out));
      } else if (field == 2) {
        SAW_RETURN_IF_ERROR(r.ReadLengthDelimited(type, &bytes));
        SAW_RETURN_IF_ERROR(budget_.Take());
        SAW_RETURN_IF_ERROR(ScopeLogs(bytes, &out->scope_logs.emplace_back()));
      } else {
        SAW_RETURN_IF_ERROR(r.Skip(type));
      }
    }
    return Status::OK();
  }

  Status Resource(std::string_view data, OtlpResourceLogs* out) {
    WireReader r(data, "Resource");
    while (!r.done()) {
      uint32_t field;
      WireType type;
      SAW_RETURN_IF_ERROR(r.ReadKey(&field, &type));
      if (field == 1) {
        SAW_RETURN_IF_ERROR(KeyValueField(r, type, 0, &out->resource_attributes));
      } else {
        SAW_RETURN_IF_ERROR(r.Skip(type));
      }
    }
    return Status::OK();
  }

  Status ScopeLogs(std::string_view data, OtlpScopeLogs* out) {
    WireReader r(data, "ScopeLogs");
    while (!r.done()) {
      uint32_t field;
      WireType type;
      SAW_RETURN_IF_ERROR(r.ReadKey(&field, &type));
      std::string_view bytes;
      if (field == 1) {
        SAW_RETURN_IF_ERROR(r.ReadLengthDelimited(type, &bytes));
        SAW_RETURN_IF_ERROR(Scope(bytes, out));
      } else if (field == 2) {
        SAW_RETURN_IF_ERROR(r.ReadLengthDelimited(type, &bytes));
        SAW_RETURN_IF_ERROR(budget_.Take(kOtlpRecordItems));
        SAW_RETURN_IF_ERROR(LogRecord(bytes, &out->log_records.emplace_back()));
      } else {
        SAW_RETURN_IF_ERROR(r.Skip(type));
      }
    }
    return Status::OK();
  }

  Status Scope(std::string_view data, OtlpScopeLogs* out) {
    WireReader r(data, "InstrumentationScope");
    while (!r.done()) {
      uint32_t field;
      WireType type;
      SAW_RETURN_IF_ERROR(r.ReadKey(&field, &type));
      uint64_t v;
      switch (field) {
        case 1:
          SAW_RETURN_IF_ERROR(ReadString(r, field, type, &out->scope_name));
          break;
        case 2:
          SAW_RETURN_IF_ERROR(ReadString(r, field, type, &out->scope_version));
          break;
        case 3:
          SAW_RETURN_IF_ERROR(KeyValueField(r, type, 0, &out->scope_attributes));
          break;
        case 4:
          SAW_RETURN_IF_ERROR(r.ReadVarint(type, &v));
          out->scope_dropped_attributes_count = static_cast<uint32_t>(v);
          break;
        default:
          SAW_RETURN_IF_ERROR(r.Skip(type));
      }
    }
    return Status::OK();
  }

  Status LogRecord(std::string_view data, OtlpLogRecord* out) {
    WireReader r(data, "LogRecord");
    while (!r.done()) {
      uint32_t field;
      WireType type;
      SAW_RETURN_IF_ERROR(r.ReadKey(&field, &type));
      uint64_t v;
      uint32_t v32;
      std::string_view bytes;
      switch (field) {
        case 1:
          SAW_RETURN_IF_ERROR(r.ReadFixed64(type, &out->time_unix_nano));
          break;
        case 11:
          SAW_RETURN_IF_ERROR(r.ReadFixed64(type, &out->observed_time_unix_nano));
          break;
        case 2:
          SAW_RETURN_IF_ERROR(r.ReadVarint(type, &v));
          out->severity_number = static_cast<int32_t>(static_cast<uint32_t>(v));  // enum: int32
          break;
        case 3:
          SAW_RETURN_IF_ERROR(ReadString(r, field, type, &out->severity_text));
          break;
        case 5:
          SAW_RETURN_IF_ERROR(r.ReadLengthDelimited(type, &bytes));
          SAW_RETURN_IF_ERROR(AnyValue(bytes, 0, &out->body));
          break;
        case 6:
          SAW_RETURN_IF_ERROR(KeyValueField(r, type, 0, &out->attributes));
          break;
        case 7:
          SAW_RETURN_IF_ERROR(r.ReadVarint(type, &v));
          out->dropped_attributes_count = static_cast<uint32_t>(v);
          break;
        case 8:
          SAW_RETURN_IF_ERROR(r.ReadFixed32(type, &v32));
          out->flags = v32;
          break;
        case 9:
          SAW_RETURN_IF_ERROR(r.ReadLengthDelimited(type, &bytes));
          if (!bytes.empty() && bytes.size() != 16) {
            return r.FieldError(field,
                                "trace_id must be 16 bytes, got " + std::to_string(bytes.size()));
          }
          out->trace_id = bytes;
          break;
        case 10:
          SAW_RETURN_IF_ERROR(r.ReadLengthDelimited(type, &bytes));
          if (!bytes.empty() && bytes.size() != 8) {
            return r.FieldError(field,
                                "span_id must be 8 bytes, got " + std::to_string(bytes.size()));
          }
          out->span_id = bytes;
          break;
        default:
          SAW_RETURN_IF_ERROR(r.Skip(type));
      }
    }
    return Status::OK();
  }

  // A `repeated KeyValue` field whose key was just read: appends one pair to *out.
  Status KeyValueField(WireReader& r, WireType type, int depth, std::vector<OtlpKeyValue>* out) {
    std::string_view bytes;
    SAW_RETURN_IF_ERROR(r.ReadLengthDelimited(type, &bytes));
    SAW_RETURN_IF_ERROR(budget_.Take(kOtlpValueItems));
    return KeyValue(bytes, depth, &out->emplace_back());
  }

  Status KeyValue(std::string_view data, int depth, OtlpKeyValue* out) {
    WireReader r(data, "KeyValue");
    while (!r.done()) {
      uint32_t field;
      WireType type;
      SAW_RETURN_IF_ERROR(r.ReadKey(&field, &type));
      if (field == 1) {
        SAW_RETURN_IF_ERROR(ReadString(r, field, type, &out->key));
      } else if (field == 2) {
        std::string_view bytes;
        SAW_RETURN_IF_ERROR(r.ReadLengthDelimited(type, &bytes));
        SAW_RETURN_IF_ERROR(AnyValue(bytes, depth, &out->value));
      } else {
        SAW_RETURN_IF_ERROR(r.Skip(type));
      }
    }
    return Status::OK();
  }

  // Decodes (merges) one AnyValue. Of a oneof, the last member present wins; a list that
  // occurs again is merged (its elements appended).
  Status AnyValue(std::string_view data, int depth, OtlpValue* out) {
    WireReader r(data, "AnyValue");
    if (depth >= kMaxOtlpValueDepth) {
      return Status::InvalidArgument("invalid protobuf: AnyValue: values nest deeper than " +
                                     std::to_string(kMaxOtlpValueDepth) + " levels");
    }
    using Kind = OtlpValue::Kind;
    while (!r.done()) {
      uint32_t field;
      WireType type;
      SAW_RETURN_IF_ERROR(r.ReadKey(&field, &type));
      uint64_t v;
      std::string_view bytes;
      switch (field) {
        case 1:
          SAW_RETURN_IF_ERROR(ReadString(r, field, type, &out->bytes));
          Reset(out, Kind::kString);
          break;
        case 2:
          SAW_RETURN_IF_ERROR(r.ReadVarint(type, &v));
          Reset(out, Kind::kBool);
          out->bool_value = v != 0;
          break;
        case 3:
          SAW_RETURN_IF_ERROR(r.ReadVarint(type, &v));
          Reset(out, Kind::kInt);
          out->int_value = static_cast<int64_t>(v);
          break;
        case 4:
          SAW_RETURN_IF_ERROR(r.ReadFixed64(type, &v));
          Reset(out, Kind::kDouble);
          out->double_value = std::bit_cast<double>(v);
          break;
        case 5:
          SAW_RETURN_IF_ERROR(r.ReadLengthDelimited(type, &bytes));
          Reset(out, Kind::kArray);
          SAW_RETURN_IF_ERROR(ArrayValue(bytes, depth + 1, &out->array));
          break;
        case 6:
          SAW_RETURN_IF_ERROR(r.ReadLengthDelimited(type, &bytes));
          Reset(out, Kind::kKvList);
          SAW_RETURN_IF_ERROR(KeyValueList(bytes, depth + 1, &out->kvlist));
          break;
        case 7:
          SAW_RETURN_IF_ERROR(r.ReadLengthDelimited(type, &out->bytes));
          Reset(out, Kind::kBytes);
          break;
        default:
          SAW_RETURN_IF_ERROR(r.Skip(type));
      }
    }
    return Status::OK();
  }

  // Switches *v to `kind`, dropping another member's lists (a oneof holds one member).
  static void Reset(OtlpValue* v, OtlpValue::Kind kind) {
    if (v->kind == kind) return;
    v->kind = kind;
    v->array.clear();
    v->kvlist.clear();
  }

  Status ArrayValue(std::string_view data, int depth, std::vector<OtlpValue>* out) {
    WireReader r(data, "ArrayValue");
    while (!r.done()) {
      uint32_t field;
      WireType type;
      SAW_RETURN_IF_ERROR(r.ReadKey(&field, &type));
      if (field == 1) {
        std::string_view bytes;
        SAW_RETURN_IF_ERROR(r.ReadLengthDelimited(type, &bytes));
        SAW_RETURN_IF_ERROR(budget_.Take(kOtlpValueItems));
        SAW_RETURN_IF_ERROR(AnyValue(bytes, depth, &out->emplace_back()));
      } else {
        SAW_RETURN_IF_ERROR(r.Skip(type));
      }
    }
    return Status::OK();
  }

  Status KeyValueList(std::string_view data, int depth, std::vector<OtlpKeyValue>* out) {
    WireReader r(data, "KeyValueList");
    while (!r.done()) {
      uint32_t field;
      WireType type;
      SAW_RETURN_IF_ERROR(r.ReadKey(&field, &type));
      if (field == 1) {
        SAW_RETURN_IF_ERROR(KeyValueField(r, type, depth, out));
      } else {
        SAW_RETURN_IF_ERROR(r.Skip(type));
      }
    }
    return Status::OK();
  }

  PushItemBudget budget_;
};

}  // namespace

Status DecodeOtlpProtobuf(std::string_view wire, OtlpLogs* out, size_t max_items) {
  out->resource_logs.clear();
  return Decoder(max_items).Request(wire, out);
}

}  // namespace sawmill::ingest
