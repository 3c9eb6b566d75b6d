#include "storage/head_log.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "storage/coding.h"
#include "storage/crc32c.h"

namespace sawmill::storage {
namespace {

constexpr size_t kFrameHeader = 8;  // crc + size

Status Errno(const std::string& what, const std::string& path) {
  return Status::IOError(what + " " + path + ": " + std::strerror(errno));
}

// The segment number of a file name "<16 hex digits>.log", or 0.
uint64_t SegmentNumber(const std::string& name) {
  if (name.size() != 20 || name.compare(16, 4, ".log") != 0) return 0;
  uint64_t n = 0;
  for (size_t i = 0; i < 16; ++i) {
    const char c = name[i];
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else {
      return 0;
    }
    n = n * 16 + static_cast<uint64_t>(d);
  }
  return n;
}

Status ReadWholeFile(const std::string& path, std::string* out) {
  out->clear();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open", path);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return Errno("cannot stat", path);
  }
  out->resize(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < out->size()) {
    ssize_t n = ::read(fd, out->data() + done, out->size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return Errno("cannot read", path);
    }
    if (n == 0) break;  // shorter than it was a moment ago: read what is there
    done += static_cast<size_t>(n);
  }
  out->resize(done);
  ::close(fd);
  return Status::OK();
}

Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open", dir);
  const int r = ::fsync(fd);
  ::close(fd);
  if (r != 0) return Errno("cannot sync", dir);
  return Status::OK();
}

}  // namespace

HeadLog::HeadLog(std::string dir, size_t segment_bytes)
    : dir_(std::move(dir)), segment_bytes_(segment_bytes) {}

HeadLog::~HeadLog() {
  if (fd_ >= 0) ::close(fd_);
  for (const auto& [segment, fd] : unsynced_) ::close(fd);
}

Result<std::unique_ptr<HeadLog>> HeadLog::Open(const std::string& dir, size_t segment_bytes) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create " + dir + ": " + ec.message());
  std::unique_ptr<HeadLog> log(new HeadLog(dir, segment_bytes));
  uint64_t last = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const uint64_t n = SegmentNumber(entry.path().filename().string());
    if (n == 0) continue;
    log->found_.push_back(n);
    log->frames_[n] = 0;
    log->sizes_[n] = entry.file_size(ec);
    last = std::max(last, n);
  }
  if (ec) return Status::IOError("cannot list " + dir + ": " + ec.message());
  std::sort(log->found_.begin(), log->found_.end());
  log->active_ = last + 1;
  return log;
}

std::string HeadLog::SegmentPath(uint64_t segment) const {
  char name[32];
  std::snprintf(name, sizeof name, "/%016" PRIx64 ".log", segment);
  return dir_ + name;
}

Status HeadLog::Replay(const ReplayFn& fn, uint64_t* torn) {
  *torn = 0;
  std::string data;
  for (uint64_t segment : found_) {
    SAW_RETURN_IF_ERROR(ReadWholeFile(SegmentPath(segment), &data));
    uint64_t frames = 0;
    size_t pos = 0;
    while (pos < data.size()) {
      if (data.size() - pos < kFrameHeader) break;
      const uint32_t crc = DecodeFixed32(data.data() + pos);
      const uint32_t size = DecodeFixed32(data.data() + pos + 4);
      if (size > data.size() - pos - kFrameHeader) break;
      if (crc32c::Value(data.data() + pos + 4, size + 4) != crc) break;
      std::string_view body(data.data() + pos + kFrameHeader, size);
      uint64_t tenant_size;
      if (body.size() < 8) break;
      const uint64_t seq = DecodeFixed64(body.data());
      body.remove_prefix(8);
      if (!GetVarint64(&body, &tenant_size) || tenant_size > body.size()) break;
      const std::string_view tenant = body.substr(0, tenant_size);
      body.remove_prefix(tenant_size);
      ++frames;
      {
        std::lock_guard<std::mutex> lock(mu_);
        frames_[segment] = frames;
      }
      SAW_RETURN_IF_ERROR(fn(segment, seq, tenant, body));
      pos += kFrameHeader + size;
    }
    if (pos < data.size()) ++*torn;
  }
  found_.clear();
  return Status::OK();
}

Status HeadLog::OpenActive() {
  const std::string path = SegmentPath(active_);
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) return Errno("cannot create", path);
  active_size_ = 0;
  frames_[active_] = 0;
  sizes_[active_] = 0;
  dir_dirty_ = true;
  return Status::OK();
}

Result<uint64_t> HeadLog::Append(uint64_t seq, std::string_view tenant, std::string_view record,
                                 std::string_view tail) {
  std::string header(kFrameHeader, '\0');
  PutFixed64(&header, seq);
  PutVarint64(&header, tenant.size());
  header.append(tenant);
  const uint64_t size = header.size() - kFrameHeader + record.size() + tail.size();
  if (size > UINT32_MAX) {
    return Status::InvalidArgument("head record of " + std::to_string(record.size() + tail.size()) +
                                   " bytes is too large");
  }
  EncodeFixed32(header.data() + 4, static_cast<uint32_t>(size));
  uint32_t crc = crc32c::Value(header.data() + 4, header.size() - 4);
  crc = crc32c::Extend(crc, record.data(), record.size());
  crc = crc32c::Extend(crc, tail.data(), tail.size());
  EncodeFixed32(header.data(), crc);

  std::lock_guard<std::mutex> lock(mu_);
  if (fd_ >= 0 && active_size_ >= segment_bytes_) {
    unsynced_.emplace_back(active_, fd_);
    fd_ = -1;
    ++active_;
  }
  if (fd_ < 0) SAW_RETURN_IF_ERROR(OpenActive());
  iovec iov[3];
  iov[0].iov_base = header.data();
  iov[0].iov_len = header.size();
  iov[1].iov_base = const_cast<char*>(record.data());
  iov[1].iov_len = record.size();
  iov[2].iov_base = const_cast<char*>(tail.data());
  iov[2].iov_len = tail.size();
  int n_iov = tail.empty() ? 2 : 3;
  iovec* next = iov;
  const size_t frame_bytes = header.size() + record.size() + tail.size();
  size_t left = frame_bytes;
  while (left > 0) {
    ssize_t n = ::writev(fd_, next, n_iov);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      Status st = Errno("cannot write", SegmentPath(active_));
      // No partial frame may stay: later frames would be unreadable behind it.
      if (::ftruncate(fd_, static_cast<off_t>(active_size_)) != 0) {
        unsynced_.emplace_back(active_, fd_);
        fd_ = -1;
        ++active_;
      }
      return st;
    }
    left -= static_cast<size_t>(n);
    size_t done = static_cast<size_t>(n);
    while (n_iov > 0 && done >= next->iov_len) {
      done -= next->iov_len;
      ++next;
      --n_iov;
    }
    if (n_iov > 0) {
      next->iov_base = static_cast<char*>(next->iov_base) + done;
      next->iov_len -= done;
    }
  }
  active_size_ += frame_bytes;
  ++frames_[active_];
  sizes_[active_] = active_size_;
  return active_;
}

Status HeadLog::Sync() {
  std::lock_guard<std::mutex> sync_lock(sync_mu_);
  int active_fd;
  std::vector<std::pair<uint64_t, int>> closed;
  bool dir;
  {
    std::lock_guard<std::mutex> lock(mu_);
    active_fd = fd_;
    closed.swap(unsynced_);
    dir = dir_dirty_;
    dir_dirty_ = false;
  }
  Status st;
  for (size_t i = 0; i < closed.size(); ++i) {
    if (::fdatasync(closed[i].second) != 0) {
      st = Errno("cannot sync", SegmentPath(closed[i].first));
      std::lock_guard<std::mutex> lock(mu_);
      unsynced_.insert(unsynced_.end(), closed.begin() + static_cast<ptrdiff_t>(i), closed.end());
      dir_dirty_ = dir_dirty_ || dir;
      return st;
    }
    ::close(closed[i].second);
  }
  // The active fd stays open while sync_mu_ is held: only Sync() and Remove() close fds.
  if (active_fd >= 0 && ::fdatasync(active_fd) != 0) {
    std::lock_guard<std::mutex> lock(mu_);
    dir_dirty_ = dir_dirty_ || dir;
    return Errno("cannot sync", dir_);
  }
  if (dir) {
    st = SyncDir(dir_);
    if (!st.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      dir_dirty_ = true;
    }
  }
  return st;
}

void HeadLog::Roll() {
  std::lock_guard<std::mutex> lock(mu_);
  if (fd_ < 0) return;  // the active segment has no file yet
  unsynced_.emplace_back(active_, fd_);
  fd_ = -1;
  ++active_;
}

std::vector<std::pair<uint64_t, uint64_t>> HeadLog::ClosedSegments() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<uint64_t, uint64_t>> out;
  for (const auto& [segment, frames] : frames_) {
    if (segment != active_) out.emplace_back(segment, frames);
  }
  return out;
}

std::pair<uint64_t, uint64_t> HeadLog::ActiveSegment() const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = frames_.find(active_);
  return {active_, it == frames_.end() ? 0 : it->second};
}

Status HeadLog::Remove(uint64_t segment) {
  std::lock_guard<std::mutex> sync_lock(sync_mu_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (segment == active_ || !frames_.contains(segment)) {
      return Status::InvalidArgument("head log segment " + std::to_string(segment) +
                                     " is not a closed segment");
    }
    for (auto it = unsynced_.begin(); it != unsynced_.end(); ++it) {
      if (it->first == segment) {
        ::close(it->second);
        unsynced_.erase(it);
        break;
      }
    }
  }
  const std::string path = SegmentPath(segment);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return Errno("cannot remove", path);
  {
    std::lock_guard<std::mutex> lock(mu_);
    frames_.erase(segment);
    sizes_.erase(segment);
  }
  // Durable before the cut lists naming its records can go (the caller deletes them later).
  return SyncDir(dir_);
}

uint64_t HeadLog::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t total = 0;
  for (const auto& [segment, size] : sizes_) total += size;
  return total;
}

}  // namespace sawmill::storage
