#include "ingest/proto_wire.h"

#include <string>

#include "storage/coding.h"

namespace sawmill::ingest {

Status WireReader::Error(std::string_view what) const {
  std::string msg = "invalid protobuf: ";
  msg.append(message_);
  msg.append(": ");
  msg.append(what);
  msg.append(" at byte ");
  msg.append(std::to_string(pos_));
  return Status::InvalidArgument(std::move(msg));
}

Status WireReader::FieldError(uint32_t field, std::string_view what) const {
  std::string msg = "field ";
  msg.append(std::to_string(field));
  msg.append(": ");
  msg.append(what);
  return Error(msg);
}

Status WireReader::ReadRawVarint(uint64_t* value) {
  const char* begin = data_.data() + pos_;
  const char* limit = data_.data() + data_.size();
  // Fast path: one byte.
  if (begin < limit && (static_cast<unsigned char>(*begin) & 0x80) == 0) {
    *value = static_cast<unsigned char>(*begin);
    ++pos_;
    return Status::OK();
  }
  const char* p = GetVarint64Ptr(begin, limit, value);
  if (p == nullptr) {
    bool truncated = limit - begin < 10;
    for (const char* q = begin; q < limit && q < begin + 10; ++q) {
      if ((static_cast<unsigned char>(*q) & 0x80) == 0) truncated = false;
    }
    return Error(truncated ? "truncated varint" : "varint longer than 10 bytes");
  }
  pos_ += static_cast<size_t>(p - begin);
  return Status::OK();
}

Status WireReader::ReadKeySlow(uint32_t* field, WireType* type) {
  uint64_t key;
  SAW_RETURN_IF_ERROR(ReadRawVarint(&key));
  uint64_t number = key >> 3;
  uint32_t wire = static_cast<uint32_t>(key & 7);
  if (number == 0 || number > 0x1fffffff) {
    return Error("invalid field number " + std::to_string(number));
  }
  if (wire == 3 || wire == 4) {
    return Error("field " + std::to_string(number) + " uses groups (wire type " +
                 std::to_string(wire) + "), which are not supported");
  }
  if (wire > 5) {
    return Error("field " + std::to_string(number) + " has invalid wire type " +
                 std::to_string(wire));
  }
  *field = static_cast<uint32_t>(number);
  *type = static_cast<WireType>(wire);
  return Status::OK();
}

Status WireReader::ReadVarintSlow(WireType type, uint64_t* value) {
  if (type != WireType::kVarint) {
    return Error("expected a varint (wire type 0), got wire type " +
                 std::to_string(static_cast<int>(type)));
  }
  return ReadRawVarint(value);
}

Status WireReader::ReadLengthDelimitedSlow(WireType type, std::string_view* value) {
  if (type != WireType::kLengthDelimited) {
    return Error("expected a length-delimited value (wire type 2), got wire type " +
                 std::to_string(static_cast<int>(type)));
  }
  uint64_t length;
  SAW_RETURN_IF_ERROR(ReadRawVarint(&length));
  if (length > data_.size() - pos_) {
    return Error("length " + std::to_string(length) + " runs past the end of the message (" +
                 std::to_string(data_.size() - pos_) + " bytes left)");
  }
  *value = data_.substr(pos_, static_cast<size_t>(length));
  pos_ += static_cast<size_t>(length);
  return Status::OK();
}

Status WireReader::ReadFixed64(WireType type, uint64_t* value) {
  if (type != WireType::kFixed64) {
    return Error("expected a fixed64 (wire type 1), got wire type " +
                 std::to_string(static_cast<int>(type)));
  }
  if (data_.size() - pos_ < 8) return Error("truncated fixed64");
  *value = DecodeFixed64(data_.data() + pos_);
  pos_ += 8;
  return Status::OK();
}

Status WireReader::ReadFixed32(WireType type, uint32_t* value) {
  if (type != WireType::kFixed32) {
    return Error("expected a fixed32 (wire type 5), got wire type " +
                 std::to_string(static_cast<int>(type)));
  }
  if (data_.size() - pos_ < 4) return Error("truncated fixed32");
  *value = DecodeFixed32(data_.data() + pos_);
  pos_ += 4;
  return Status::OK();
}

Status WireReader::Skip(WireType type) {
  switch (type) {
    case WireType::kVarint: {
      uint64_t ignored;
      return ReadRawVarint(&ignored);
    }
    case WireType::kFixed64:
    case WireType::kFixed32: {
      size_t n = type == WireType::kFixed64 ? 8 : 4;
      if (data_.size() - pos_ < n) return Error("truncated fixed-width value");
      pos_ += n;
      return Status::OK();
    }
    case WireType::kLengthDelimited: {
      std::string_view ignored;
      return ReadLengthDelimited(type, &ignored);
    }
    default:
      return Error("cannot skip wire type " + std::to_string(static_cast<int>(type)));
  }
}

void PutProtoKey(std::string* dst, uint32_t field, WireType type) {
  PutVarint64(dst, (uint64_t{field} << 3) | static_cast<uint64_t>(type));
}

void PutProtoVarintField(std::string* dst, uint32_t field, uint64_t value) {
  PutProtoKey(dst, field, WireType::kVarint);
  PutVarint64(dst, value);
}

void PutProtoBytesField(std::string* dst, uint32_t field, std::string_view value) {
  PutProtoKey(dst, field, WireType::kLengthDelimited);
  PutVarint64(dst, value.size());
  dst->append(value);
}

void PutProtoFixed64Field(std::string* dst, uint32_t field, uint64_t value) {
  PutProtoKey(dst, field, WireType::kFixed64);
  PutFixed64(dst, value);
}

void PutProtoFixed32Field(std::string* dst, uint32_t field, uint32_t value) {
  PutProtoKey(dst, field, WireType::kFixed32);
  PutFixed32(dst, value);
}

}  // namespace sawmill::ingest
