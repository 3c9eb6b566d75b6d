#include "tools/sawcli/result_printer.h"

#include <cctype>
#include <cstdio>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace sawmill::sawcli {

namespace {

using json = nlohmann::json;

void Flatten(const json& node, const std::string& prefix,
             std::vector<std::pair<std::string, std::string>>* out) {
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      std::string key = it.key();
      if (!key.empty())
        key[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(key[0])));
      Flatten(it.value(), prefix.empty() ? key : prefix + "." + key, out);
    }
    return;
  }
  out->emplace_back(prefix, node.is_string() ? node.get<std::string>() : node.dump());
}

}  // namespace

void PrintStats(const json& data) {
  auto stats = data.find("stats");
  if (stats == data.end()) return;
  std::vector<std::pair<std::string, std::string>> rows;
  Flatten(*stats, "", &rows);
  size_t width = 0;
  for (const auto& [k, v] : rows) width = std::max(width, k.size());
  std::string out;
  for (const auto& [k, v] : rows) {
    out += k + std::string(width - k.size() + 1, ' ') + "\t " + v + "\n";
  }
  std::fwrite(out.data(), 1, out.size(), stderr);
}

void PrintResultJson(Context& ctx, const std::string& type, const json& result) {
  if (type != "matrix" && type != "vector" && type != "scalar") return;
  ctx.printer->Text(result.dump(2));
}

}  // namespace sawmill::sawcli
