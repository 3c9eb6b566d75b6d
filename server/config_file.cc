#include "server/config_file.h"

#include <cstdlib>
#include <memory>
#include <optional>
#include <set>

#include <yaml-cpp/yaml.h>

namespace sawmill::server {
namespace {

std::string Where(const YAML::Node& node) {
  const YAML::Mark m = node.Mark();
  if (m.is_null()) return "";
  return "line " + std::to_string(m.line + 1) + ", col " + std::to_string(m.column + 1) + ": ";
}

Status At(const YAML::Node& node, std::string_view path, std::string_view message) {
  return Status::InvalidArgument(Where(node) + std::string(path) + ": " + std::string(message));
}

std::string Join(std::string_view path, std::string_view key) {
  return path.empty() ? std::string(key) : std::string(path) + "." + std::string(key);
}

bool IsPrefixOf(std::string_view prefix, std::string_view path) {
  return path.size() > prefix.size() && path.compare(0, prefix.size(), prefix) == 0 &&
         path[prefix.size()] == '.';
}

class Walker {
 public:
  Walker(const ConfigSchema& schema, AppliedValues* applied) : schema_(schema), applied_(applied) {}

  // Applies the mapping `map` found at `path` ("" for the document).
  Status Map(const YAML::Node& map, const std::string& path) {
    if (!map.IsMap()) {
      return At(map, path.empty() ? "config" : path, "want a mapping of keys to values");
    }
    const ConfigSchema::Section* section = FindSection(path);
    std::set<std::string> seen;
    for (const auto& kv : map) {
      const YAML::Node& key = kv.first;
      const YAML::Node& value = kv.second;
      if (!key.IsScalar()) return At(key, path.empty() ? "config" : path, "want a key name");
      const std::string& name = key.Scalar();
      const std::string key_path = Join(path, name);
      if (!seen.insert(name).second) return At(key, key_path, "key already defined");
      if (value.IsNull()) continue;  // `key:` with no value leaves the setting alone
      if (section != nullptr) {
        Status s = section->apply(name, value, key_path);
        if (s.ok()) {
          Record(key_path, value);
          continue;
        }
        if (!s.IsNotFound()) return s;
      }
      if (const ConfigSchema::Key* k = FindKey(key_path)) {
        if (!value.IsScalar())
          return At(value, key_path, "want a single value, got a mapping or a list");
        Status s = k->set(value.Scalar());
        if (!s.ok()) {
          return At(value, key_path, "invalid value \"" + value.Scalar() + "\": " + s.message());
        }
        Record(key_path, value);
      } else if (HasChildren(key_path)) {
        SAW_RETURN_IF_ERROR(Map(value, key_path));
      } else {
        return At(key, key_path, "field not found");
      }
    }
    return Status::OK();
  }

 private:
  const ConfigSchema::Section* FindSection(std::string_view path) const {
    for (const ConfigSchema::Section& s : schema_.sections) {
      if (s.path == path) return &s;
    }
    return nullptr;
  }
  const ConfigSchema::Key* FindKey(std::string_view path) const {
    for (const ConfigSchema::Key& k : schema_.keys) {
      if (k.path == path) return &k;
    }
    return nullptr;
  }
  bool HasChildren(std::string_view path) const {
    for (const ConfigSchema::Key& k : schema_.keys) {
      if (IsPrefixOf(path, k.path)) return true;
    }
    for (const ConfigSchema::Section& s : schema_.sections) {
      if (s.path == path || IsPrefixOf(path, s.path)) return true;
    }
    return false;
  }
  void Record(const std::string& path, const YAML::Node& value) {
    if (applied_ != nullptr && value.IsScalar()) applied_->emplace_back(path, value.Scalar());
  }

  const ConfigSchema& schema_;
  AppliedValues* const applied_;
};

bool IsNameStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

bool IsSecret(std::string_view path) {
  const size_t dot = path.rfind('.');
  const std::string_view last = dot == std::string_view::npos ? path : path.substr(dot + 1);
  if (last.size() >= 5 && last.substr(last.size() - 5) == "_file") return false;
  for (std::string_view word : {"password", "secret", "token"}) {
    if (last.find(word) != std::string_view::npos) return true;
  }
  return false;
}

// The rendered tree: each node a key with either a value or children, in first-seen order.
struct Tree {
  std::string key;
  std::string value;
  std::vector<std::unique_ptr<Tree>> children;
  bool leaf = false;
  std::optional<YAML::Node> document;  // a leaf shown as this node, not `value`

  Tree* Child(std::string_view name) {
    for (auto& c : children) {
      if (c->key == name) return c.get();
    }
    children.push_back(std::make_unique<Tree>());
    children.back()->key = std::string(name);
    return children.back().get();
  }
};

void Emit(const Tree& tree, YAML::Emitter* out) {
  *out << YAML::BeginMap;
  for (const auto& c : tree.children) {
    *out << YAML::Key << c->key << YAML::Value;
    if (c->leaf && c->document.has_value()) {
      *out << *c->document;
    } else if (c->leaf) {
      *out << c->value;
    } else {
      Emit(*c, out);
    }
  }
  *out << YAML::EndMap;
}

}  // namespace

Result<std::string> ExpandEnv(
    std::string_view text,
    const std::function<std::optional<std::string>(const std::string& name)>& lookup) {
  std::string out;
  out.reserve(text.size());
  size_t line = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') ++line;
    if (c != '$' || i + 1 >= text.size() || text[i + 1] != '{') {
      out.push_back(c);
      continue;
    }
    const size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      return Status::InvalidArgument("line " + std::to_string(line) +
                                     ": unterminated ${ in environment variable reference");
    }
    const std::string_view ref = text.substr(i + 2, close - i - 2);
    const size_t sep = ref.find(":-");
    const std::string name(ref.substr(0, sep));
    bool valid = !name.empty() && IsNameStart(name[0]);
    for (char n : name) valid = valid && IsNameChar(n);
    if (!valid) {
      return Status::InvalidArgument("line " + std::to_string(line) +
                                     ": bad environment variable reference ${" + std::string(ref) +
                                     "}");
    }
    std::optional<std::string> value = lookup(name);
    if (sep != std::string_view::npos && (!value.has_value() || value->empty())) {
      value = std::string(ref.substr(sep + 2));
    }
    if (value.has_value()) out.append(*value);
    for (char r : ref) line += r == '\n' ? 1 : 0;
    i = close;
  }
  return out;
}

std::optional<std::string> GetEnv(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

Status ApplyConfigYaml(std::string_view yaml, const ConfigSchema& schema, AppliedValues* applied) {
  // yaml-cpp reports syntax errors (with their line and column) by throwing; they stop here.
  try {
    const YAML::Node root = YAML::Load(std::string(yaml));
    if (root.IsNull()) return Status::OK();  // an empty file: every default
    return Walker(schema, applied).Map(root, "");
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(e.what());
  }
}

std::string RenderConfigYaml(const AppliedValues& values) { return RenderConfigYaml(values, {}); }

std::string RenderConfigYaml(const AppliedValues& values, const AppliedValues& documents) {
  Tree root;
  auto leaf = [&root](const std::string& path) {
    Tree* node = &root;
    size_t start = 0;
    while (true) {
      const size_t dot = path.find('.', start);
      node = node->Child(std::string_view(path).substr(start, dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    node->leaf = true;
    return node;
  };
  for (const auto& [path, value] : values) {
    leaf(path)->value = IsSecret(path) && !value.empty() ? "********" : value;
  }
  for (const auto& [path, text] : documents) {
    try {
      leaf(path)->document = YAML::Load(text);
    } catch (const YAML::Exception&) {
      leaf(path)->value = text;  // not YAML: shown as text (callers render valid YAML)
    }
  }
  YAML::Emitter out;
  Emit(root, &out);
  std::string text = out.c_str();
  text.push_back('\n');
  return text;
}

}  // namespace sawmill::server
