#include "storage/delete_requests.h"

#include "storage/coding.h"
#include "storage/keys.h"
#include "storage/kv_store.h"

namespace sawmill::storage {
namespace {

constexpr uint8_t kVersion = 1;
constexpr std::string_view kPrefix("delete_request\0", 15);

std::string TenantRequestsPrefix(std::string_view tenant) {
  std::string k(kPrefix);
  k.append(tenant);
  k.push_back('\0');
  return k;
}

std::string RequestKey(std::string_view tenant, std::string_view id) {
  return TenantRequestsPrefix(tenant) + std::string(id);
}

}  // namespace

std::string_view DeleteStatusName(DeleteStatus s) {
  return s == DeleteStatus::kProcessed ? "processed" : "received";
}

std::string EncodeDeleteRequest(const DeleteRequest& r) {
  std::string v;
  v.push_back(static_cast<char>(kVersion));
  v.push_back(static_cast<char>(r.status));
  PutVarint64(&v, ZigZagEncode(r.start_ms));
  PutVarint64(&v, ZigZagEncode(r.end_ms));
  PutVarint64(&v, ZigZagEncode(r.created_at_ms));
  PutLengthPrefixed(&v, r.query);
  return v;
}

bool DecodeDeleteRequest(std::string_view v, DeleteRequest* out) {
  if (v.size() < 2 || static_cast<uint8_t>(v[0]) != kVersion) return false;
  const uint8_t status = static_cast<uint8_t>(v[1]);
  if (status > 1) return false;
  out->status = static_cast<DeleteStatus>(status);
  v.remove_prefix(2);
  uint64_t start = 0, end = 0, created = 0;
  std::string_view query;
  if (!GetVarint64(&v, &start) || !GetVarint64(&v, &end) || !GetVarint64(&v, &created) ||
      !GetLengthPrefixed(&v, &query) || !v.empty()) {
    return false;
  }
  out->start_ms = ZigZagDecode(start);
  out->end_ms = ZigZagDecode(end);
  out->created_at_ms = ZigZagDecode(created);
  out->query = std::string(query);
  return true;
}

Status DeleteRequestStore::Add(const DeleteRequest& r) {
  SAW_RETURN_IF_ERROR(ValidateTenant(r.tenant));
  auto got = kv_->Get(Column::kMeta, RequestKey(r.tenant, r.request_id));
  if (got.ok()) return Status::AlreadyExists("delete request " + r.request_id + " exists");
  if (!got.status().IsNotFound()) return got.status();
  return Update(r);
}

Status DeleteRequestStore::Update(const DeleteRequest& r) {
  SAW_RETURN_IF_ERROR(ValidateTenant(r.tenant));
  std::unique_ptr<KvBatch> batch = kv_->NewBatch();
  batch->Put(Column::kMeta, RequestKey(r.tenant, r.request_id), EncodeDeleteRequest(r));
  return kv_->Write(batch.get(), /*sync=*/true);
}

Result<DeleteRequest> DeleteRequestStore::Get(std::string_view tenant,
                                              std::string_view request_id) {
  SAW_RETURN_IF_ERROR(ValidateTenant(tenant));
  SAW_ASSIGN_OR_RETURN(std::unique_ptr<KvValue> value,
                       kv_->Get(Column::kMeta, RequestKey(tenant, request_id)));
  DeleteRequest r;
  if (!DecodeDeleteRequest(value->data(), &r)) return Status::Corruption("bad delete request");
  r.tenant = std::string(tenant);
  r.request_id = std::string(request_id);
  return r;
}

Status DeleteRequestStore::Remove(std::string_view tenant, std::string_view request_id) {
  SAW_RETURN_IF_ERROR(ValidateTenant(tenant));
  std::unique_ptr<KvBatch> batch = kv_->NewBatch();
  batch->Delete(Column::kMeta, RequestKey(tenant, request_id));
  return kv_->Write(batch.get(), /*sync=*/true);
}

Result<std::vector<DeleteRequest>> DeleteRequestStore::List(std::string_view tenant) {
  SAW_RETURN_IF_ERROR(ValidateTenant(tenant));
  return Scan(TenantRequestsPrefix(tenant));
}

Result<std::vector<DeleteRequest>> DeleteRequestStore::ListAll() { return Scan(kPrefix); }

Result<std::vector<DeleteRequest>> DeleteRequestStore::Scan(std::string_view prefix) {
  std::vector<DeleteRequest> out;
  auto it = kv_->NewIterator(Column::kMeta, prefix, PrefixEnd(prefix));
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    std::string_view key = it->key();
    key.remove_prefix(kPrefix.size());
    const size_t nul = key.find('\0');
    DeleteRequest r;
    if (nul == std::string_view::npos || !DecodeDeleteRequest(it->value(), &r)) {
      return Status::Corruption("bad delete request row");
    }
    r.tenant = std::string(key.substr(0, nul));
    r.request_id = std::string(key.substr(nul + 1));
    out.push_back(std::move(r));
  }
  SAW_RETURN_IF_ERROR(it->status());
  return out;
}

}  // namespace sawmill::storage
