#include "server/auth.h"

#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "server/log.h"

namespace sawmill::server {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

// The credentials after "<scheme> " in the Authorization header (scheme case-insensitive),
// or nullopt.
std::optional<std::string_view> Credentials(const HttpRequest& request, std::string_view scheme) {
  auto it = request.find(http::field::authorization);
  if (it == request.end()) return std::nullopt;
  std::string_view value = Trim(it->value());
  if (value.size() <= scheme.size() || value[scheme.size()] != ' ') return std::nullopt;
  for (size_t i = 0; i < scheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(value[i])) != scheme[i]) return std::nullopt;
  }
  return Trim(value.substr(scheme.size() + 1));
}

}  // namespace

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  const size_t n = a.size() > b.size() ? a.size() : b.size();
  volatile unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff = diff | (x ^ y);
  }
  return diff == 0;
}

std::optional<std::string> DecodeBase64(std::string_view in) {
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  std::string out;
  out.reserve(in.size() * 3 / 4);
  uint32_t bits = 0;
  int count = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      v = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      v = c - '0' + 52;
    } else if (c == '+') {
      v = 62;
    } else if (c == '/') {
      v = 63;
    } else {
      return std::nullopt;
    }
    bits = (bits << 6) | static_cast<uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xff));
    }
  }
  if (count >= 6) return std::nullopt;  // one character left over: not base64
  return out;
}

bool IsTenantPath(std::string_view path) {
  if (path == "/loki/api/v1/status/buildinfo" || path == "/loki/api/v1/format_query") {
    return false;
  }
  return StartsWith(path, "/loki/api/") || StartsWith(path, "/api/prom/") ||
         StartsWith(path, "/otlp/");
}

Status CredentialFile::Refresh() {
  struct stat st;
  if (::stat(path_.c_str(), &st) != 0) {
    return Status::InvalidArgument("reading " + path_ + ": " + std::strerror(errno));
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (entries_ != nullptr && st.st_mtim.tv_sec == mtime_.tv_sec &&
        st.st_mtim.tv_nsec == mtime_.tv_nsec && st.st_size == size_ && st.st_ino == inode_) {
      return Status::OK();
    }
  }
  std::ifstream in(path_, std::ios::binary);
  if (!in) return Status::InvalidArgument("reading " + path_ + ": " + std::strerror(errno));
  auto entries = std::make_shared<std::vector<std::string>>();
  std::string line;
  while (std::getline(in, line)) {
    std::string_view entry = Trim(line);
    if (entry.empty() || entry[0] == '#') continue;
    entries->emplace_back(entry);
  }
  if (in.bad()) return Status::InvalidArgument("reading " + path_ + ": read error");
  std::lock_guard<std::mutex> lock(mu_);
  const bool reload = entries_ != nullptr;
  entries_ = std::move(entries);
  mtime_ = st.st_mtim;
  size_ = st.st_size;
  inode_ = st.st_ino;
  if (reload) LogInfo("credentials file reloaded", {{"file", path_}});
  return Status::OK();
}

bool CredentialFile::Contains(std::string_view presented) const {
  std::shared_ptr<const std::vector<std::string>> entries;
  {
    std::lock_guard<std::mutex> lock(mu_);
    entries = entries_;
  }
  if (entries == nullptr) return false;
  bool found = false;
  for (const std::string& e : *entries) found |= ConstantTimeEquals(e, presented);
  return found;
}

Result<std::unique_ptr<Auth>> Auth::Open(AuthOptions options) {
  std::unique_ptr<Auth> auth(new Auth(std::move(options)));
  if (!auth->options_.basic_auth_file.empty()) {
    auth->basic_ = std::make_unique<CredentialFile>(auth->options_.basic_auth_file);
    SAW_RETURN_IF_ERROR(auth->basic_->Refresh());
  }
  if (!auth->options_.bearer_token_file.empty()) {
    auth->bearer_ = std::make_unique<CredentialFile>(auth->options_.bearer_token_file);
    SAW_RETURN_IF_ERROR(auth->bearer_->Refresh());
  }
  return auth;
}

bool Auth::CheckCredentials(const HttpRequest& request) {
  for (CredentialFile* file : {basic_.get(), bearer_.get()}) {
    if (file == nullptr) continue;
    if (Status s = file->Refresh(); !s.ok()) {
      LogWarn("credentials file unreadable, the entries read before stay", {{"err", s.message()}});
    }
  }
  if (basic_ != nullptr) {
    if (std::optional<std::string_view> c = Credentials(request, "basic")) {
      std::optional<std::string> decoded = DecodeBase64(*c);
      if (decoded.has_value() && decoded->find(':') != std::string::npos &&
          basic_->Contains(*decoded)) {
        return true;
      }
    }
  }
  if (bearer_ != nullptr) {
    if (std::optional<std::string_view> c = Credentials(request, "bearer")) {
      if (!c->empty() && bearer_->Contains(*c)) return true;
    }
  }
  return false;
}

HttpResponse Auth::Challenge() const {
  HttpResponse response = MakeResponse(http::status::unauthorized, "Unauthorized\n");
  if (basic_ != nullptr) {
    response.insert(http::field::www_authenticate, R"(Basic realm="sawmill", charset="UTF-8")");
  }
  if (bearer_ != nullptr)
    response.insert(http::field::www_authenticate, R"(Bearer realm="sawmill")");
  return response;
}

std::optional<HttpResponse> Auth::Check(const HttpRequest& request) {
  std::string_view path = request.target();
  path = path.substr(0, path.find('?'));
  const bool open = path == "/ready" || (path == "/metrics" && !options_.protect_metrics);
  if (!open && (basic_ != nullptr || bearer_ != nullptr) && !CheckCredentials(request)) {
    return Challenge();
  }
  if (options_.auth_enabled && IsTenantPath(path)) {
    auto it = request.find("X-Scope-OrgID");
    if (it == request.end() || Trim(it->value()).empty()) {
      return MakeResponse(http::status::unauthorized, "no org id\n");
    }
  }
  return std::nullopt;
}

}  // namespace sawmill::server
