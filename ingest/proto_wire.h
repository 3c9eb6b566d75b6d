// A minimal reader and writer of the protobuf wire format, enough for Loki's push messages
// and OTLP's logs without generated code or libprotobuf.
//
// Wire format: a message is a sequence of fields, each `key value` where
//   key   = varint(field_number << 3 | wire_type)
//   value = varint                       (wire type 0: int32/64, uint32/64, bool, enum)
//         | 8 little-endian bytes        (wire type 1: fixed64, double)
//         | varint(length) length bytes  (wire type 2: string, bytes, embedded message)
//         | 4 little-endian bytes        (wire type 5: fixed32, float)
// Wire types 3 and 4 (groups) are deprecated and refused. Fields may come in any order and
// repeat; for a scalar the last one wins, an embedded message is merged.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/status.h"

namespace sawmill::ingest {

enum class WireType : uint8_t {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kStartGroup = 3,
  kEndGroup = 4,
  kFixed32 = 5,
};

// Reads fields from one message's bytes. Never reads outside `data`; every malformed input
// (truncation, a varint over 10 bytes, a length past the end, a group, an unknown wire type,
// field number 0) is an InvalidArgument naming the message and the byte offset. Not
// thread-safe; the bytes must outlive the reader and the views it returns.
class WireReader {
 public:
  // `message` names the message in error texts, e.g. "logproto.EntryAdapter".
  WireReader(std::string_view data, std::string_view message) : data_(data), message_(message) {}

  bool done() const { return pos_ >= data_.size(); }

  // Reads the next field key. REQUIRES: !done().
  // The common cases (a one-byte key of a supported wire type; a varint or length with 10
  // bytes of data after its start, or of one byte) are inline: the push decoder reads a few
  // keys, varints and lengths per log line. Everything else, errors included, goes to the
  // out-of-line *Slow functions, which give the same results and error texts.
  Status ReadKey(uint32_t* field, WireType* type) {
    if (pos_ < data_.size()) {
      const auto b = static_cast<unsigned char>(data_[pos_]);
      // Bit 7 clear: one-byte key. Field number nonzero; wire type 0, 1, 2 or 5.
      if (b < 0x80 && (b >> 3) != 0 && ((0x27u >> (b & 7)) & 1) != 0) {
        ++pos_;
        *field = b >> 3;
        *type = static_cast<WireType>(b & 7);
        return Status::OK();
      }
    }
    return ReadKeySlow(field, type);
  }

  // Read the value of the field whose key was just read. Each checks the wire type.
  Status ReadVarint(WireType type, uint64_t* value) {
    if (type == WireType::kVarint && FastVarint(value)) return Status::OK();
    return ReadVarintSlow(type, value);
  }
  Status ReadLengthDelimited(WireType type, std::string_view* value) {
    const size_t start = pos_;
    uint64_t length;
    if (type == WireType::kLengthDelimited && FastVarint(&length)) {
      if (length <= data_.size() - pos_) {
        *value = data_.substr(pos_, static_cast<size_t>(length));
        pos_ += static_cast<size_t>(length);
        return Status::OK();
      }
      pos_ = start;  // the slow path reports the error from the length's position
    }
    return ReadLengthDelimitedSlow(type, value);
  }
  // fixed64 / double (wire type 1) and fixed32 / float (wire type 5), little-endian.
  Status ReadFixed64(WireType type, uint64_t* value);
  Status ReadFixed32(WireType type, uint32_t* value);
  // Skips the value of a field of any supported wire type (unknown fields).
  Status Skip(WireType type);

  // An InvalidArgument for field `field` at the current position: "<message> field <n>: <what>".
  Status FieldError(uint32_t field, std::string_view what) const;

 private:
  Status Error(std::string_view what) const;
  Status ReadRawVarint(uint64_t* value);
  // Decodes a one-byte varint, or one of up to 10 bytes when 10 bytes remain (no bounds check
  // per byte), exactly as ReadRawVarint does, and returns true; false (nothing read) otherwise:
  // a longer varint near the end of the data or a malformed one, which ReadRawVarint handles.
  bool FastVarint(uint64_t* value) {
    if (pos_ >= data_.size()) return false;
    const auto* p = reinterpret_cast<const unsigned char*>(data_.data() + pos_);
    if (p[0] < 0x80) {
      ++pos_;
      *value = p[0];
      return true;
    }
    if (data_.size() - pos_ < 10) return false;
    uint64_t result = 0;
    for (int i = 0; i < 10; ++i) {
      const uint64_t b = p[i];
      result |= (b & 0x7f) << (7 * i);
      if (b < 0x80) {
        pos_ += static_cast<size_t>(i) + 1;
        *value = result;
        return true;
      }
    }
    return false;
  }
  Status ReadKeySlow(uint32_t* field, WireType* type);
  Status ReadVarintSlow(WireType type, uint64_t* value);
  Status ReadLengthDelimitedSlow(WireType type, std::string_view* value);

  std::string_view data_;
  std::string_view message_;
  size_t pos_ = 0;
};

// Writers, used by tests, benchmarks and load generators.
void PutProtoKey(std::string* dst, uint32_t field, WireType type);
void PutProtoVarintField(std::string* dst, uint32_t field, uint64_t value);
void PutProtoBytesField(std::string* dst, uint32_t field, std::string_view value);
void PutProtoFixed64Field(std::string* dst, uint32_t field, uint64_t value);
void PutProtoFixed32Field(std::string* dst, uint32_t field, uint32_t value);

}  // namespace sawmill::ingest
