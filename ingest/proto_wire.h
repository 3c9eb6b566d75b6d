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
  Status ReadKey(uint32_t* field, WireType* type);

  // Read the value of the field whose key was just read. Each checks the wire type.
  Status ReadVarint(WireType type, uint64_t* value);
  Status ReadLengthDelimited(WireType type, std::string_view* value);
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
