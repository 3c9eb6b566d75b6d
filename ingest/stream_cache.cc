#include "ingest/stream_cache.h"

namespace sawmill::ingest {

void StreamCache::MakeKey(std::string_view tenant, std::string_view raw, std::string* key) {
  key->clear();
  key->reserve(tenant.size() + 1 + raw.size());
  key->append(tenant);
  key->push_back('\0');
  key->append(raw);
}

std::shared_ptr<StreamCache::Entry> StreamCache::Find(std::string_view tenant,
                                                      std::string_view raw_labels) {
  thread_local std::string key;
  MakeKey(tenant, raw_labels, &key);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = map_.find(std::string_view(key));
  return it == map_.end() ? nullptr : it->second;
}

std::shared_ptr<StreamCache::Entry> StreamCache::Insert(std::string_view tenant,
                                                        std::string_view raw_labels,
                                                        std::shared_ptr<Entry> entry) {
  std::string key;
  MakeKey(tenant, raw_labels, &key);
  const size_t cost = Cost(key, *entry);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = map_.find(std::string_view(key));
  if (it != map_.end()) {
    bytes_ -= Cost(it->first, *it->second);
    map_.erase(it);
  }
  if (bytes_ + cost > capacity_) {
    map_.clear();
    bytes_ = 0;
  }
  map_.emplace(std::move(key), entry);
  bytes_ += cost;
  return entry;
}

size_t StreamCache::bytes() {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

size_t StreamCache::size() {
  std::lock_guard<std::mutex> lock(mu_);
  return map_.size();
}

}  // namespace sawmill::ingest
