// Delete requests (Loki's log entry deletion), persisted per tenant in the store's database.
// The store keeps them and nothing more: what a request's query means (streams, line
// filters) and when it is processed is decided above storage (server/delete_service.h).
//
// Layout, in the kMeta column family under a key prefix of its own:
//
//   "delete_request" 00 <tenant> 00 <request_id>  ->  request
//
//   request := version:u8 (1) | status:u8 (0 received, 1 processed)
//              | zigzag(start_ms):varint | zigzag(end_ms):varint | zigzag(created_at_ms):varint
//              | query:lp
//
// Times are Unix milliseconds as Loki keeps them (model.Time); start and end are inclusive.
//
// Thread-safety: all methods are thread-safe (each is one RocksDB read or write).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/result.h"

namespace sawmill::storage {

class KvStore;

enum class DeleteStatus : uint8_t { kReceived = 0, kProcessed = 1 };
// "received" / "processed", Loki's words.
std::string_view DeleteStatusName(DeleteStatus s);

struct DeleteRequest {
  std::string tenant;
  std::string request_id;
  int64_t start_ms = 0;  // inclusive
  int64_t end_ms = 0;    // inclusive
  std::string query;
  DeleteStatus status = DeleteStatus::kReceived;
  int64_t created_at_ms = 0;
};

std::string EncodeDeleteRequest(const DeleteRequest& r);
// Fills everything but tenant and request_id; false when malformed.
bool DecodeDeleteRequest(std::string_view value, DeleteRequest* out);

class DeleteRequestStore {
 public:
  // `kv` must outlive the store.
  explicit DeleteRequestStore(KvStore* kv) : kv_(kv) {}

  // Stores a new request, fsynced. AlreadyExists when the tenant has one with its id.
  Status Add(const DeleteRequest& r);
  // Overwrites a stored request (to change its status), fsynced.
  Status Update(const DeleteRequest& r);
  // NotFound when the tenant has no request with that id.
  Result<DeleteRequest> Get(std::string_view tenant, std::string_view request_id);
  Status Remove(std::string_view tenant, std::string_view request_id);
  // The tenant's requests, in request id order.
  Result<std::vector<DeleteRequest>> List(std::string_view tenant);
  // Every tenant's requests, in (tenant, request id) order.
  Result<std::vector<DeleteRequest>> ListAll();

 private:
  Result<std::vector<DeleteRequest>> Scan(std::string_view prefix);

  KvStore* const kv_;
};

}  // namespace sawmill::storage
