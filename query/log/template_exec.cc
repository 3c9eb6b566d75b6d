#include "query/log/template_exec.h"

#include <utility>
#include <vector>

namespace sawmill::query::log::tmpl {
namespace {

using K = Value::Kind;

// The root value (the labels map) is a Value of kind kMap with a null map: field access on it
// goes to the label lookup.
Value Root() {
  Value v;
  v.kind = K::kMap;
  return v;
}
bool IsRoot(const Value& v) { return v.kind == K::kMap && v.map == nullptr; }

class Exec {
 public:
  Exec(const Template& t, const LabelLookup& labels, const LabelEnumerator& all,
       const CallContext& ctx, std::string* out)
      : t_(t), labels_(labels), all_(all), ctx_(ctx), out_(out) {
    vars_.emplace_back("", Root());
  }

  Status Run() { return List(t_.root, Root()); }

 private:
  enum class Flow { kNormal, kBreak, kContinue };

  Status Error(const Arg* at, const std::string& msg) {
    std::string where;
    if (at != nullptr) where = " at <" + at->source + ">";
    int col = at != nullptr ? at->pos : 0;
    return Status::InvalidArgument("template: " + t_.name + ":1:" + std::to_string(col) +
                                   ": executing \"" + t_.name + "\"" + where + ": " + msg);
  }

  Status List(const NodeList& list, const Value& dot) {
    for (const Node& n : list) {
      Status s = NodeRun(n, dot);
      if (!s.ok()) return s;
      if (flow_ != Flow::kNormal) return Status::OK();
    }
    return Status::OK();
  }

  Status NodeRun(const Node& n, const Value& dot) {
    switch (n.kind) {
      case Node::Kind::kText:
        return Write(n.text);
      case Node::Kind::kAction: {
        Value v;
        Status s = Pipe(*n.pipe, dot, &v);
        if (!s.ok()) return s;
        if (!n.pipe->decl.empty()) return Status::OK();  // declarations print nothing
        return Write(ToText(v));
      }
      case Node::Kind::kIf:
      case Node::Kind::kWith: {
        size_t mark = vars_.size();
        Value v;
        Status s = Pipe(*n.pipe, dot, &v);
        if (!s.ok()) return s;
        bool t = Truth(v);
        if (t) {
          s = List(*n.list, n.kind == Node::Kind::kWith ? v : dot);
        } else if (n.else_list) {
          s = List(*n.else_list, dot);
        }
        vars_.resize(mark);
        return s;
      }
      case Node::Kind::kRange: {
        size_t mark = vars_.size();
        Value v;
        Status s = Pipe(*n.pipe, dot, &v);
        if (!s.ok()) return s;
        std::vector<std::pair<Value, Value>> items;  // (key, value)
        if (v.kind == K::kList) {
          for (size_t i = 0; i < v.list->size(); ++i)
            items.emplace_back(Value::Int(static_cast<int64_t>(i)), (*v.list)[i]);
        } else if (v.kind == K::kMap && v.map != nullptr) {
          for (const auto& [k, e] : *v.map) items.emplace_back(Value::Str(k), e);
        } else if (v.kind == K::kInt) {
          for (int64_t i = 0; i < v.i && i < 100000; ++i)
            items.emplace_back(Value::Int(i), Value::Int(i));
        } else if (v.kind != K::kInvalid && v.kind != K::kNil && !IsRoot(v)) {
          return Error(nullptr, "range can't iterate over " + ToText(v));
        }
        if (items.empty()) {
          if (n.else_list) s = List(*n.else_list, dot);
          vars_.resize(mark);
          return s;
        }
        for (const auto& [key, elem] : items) {
          const auto& decl = n.pipe->decl;
          if (decl.size() == 1) SetVar(decl[0], elem, mark);
          if (decl.size() == 2) {
            SetVar(decl[0], key, mark);
            SetVar(decl[1], elem, mark);
          }
          s = List(*n.list, elem);
          if (!s.ok()) return s;
          if (flow_ == Flow::kBreak) {
            flow_ = Flow::kNormal;
            break;
          }
          flow_ = Flow::kNormal;
        }
        vars_.resize(mark);
        return Status::OK();
      }
      case Node::Kind::kBreak:
        flow_ = Flow::kBreak;
        return Status::OK();
      case Node::Kind::kContinue:
        flow_ = Flow::kContinue;
        return Status::OK();
    }
    return Status::OK();
  }

  void SetVar(const std::string& name, const Value& v, size_t from) {
    for (size_t i = vars_.size(); i > from; --i) {
      if (vars_[i - 1].first == name) {
        vars_[i - 1].second = v;
        return;
      }
    }
    vars_.emplace_back(name, v);
  }

  Status Write(std::string_view s) {
    if (out_->size() + s.size() > kMaxTemplateOutput) {
      return Error(nullptr, "output larger than " + std::to_string(kMaxTemplateOutput) + " bytes");
    }
    out_->append(s);
    return Status::OK();
  }

  Status Pipe(const Pipeline& p, const Value& dot, Value* out) {
    Value final;
    bool has_final = false;
    for (const Command& c : p.cmds) {
      Value v;
      Status s = Cmd(c, dot, has_final ? &final : nullptr, &v);
      if (!s.ok()) return s;
      final = std::move(v);
      has_final = true;
    }
    if (!p.decl.empty() && p.decl.size() == 1) {
      if (p.assign) {
        bool found = false;
        for (size_t i = vars_.size(); i > 0; --i) {
          if (vars_[i - 1].first == p.decl[0]) {
            vars_[i - 1].second = final;
            found = true;
            break;
          }
        }
        if (!found) return Error(nullptr, "undefined variable: $" + p.decl[0]);
      } else {
        vars_.emplace_back(p.decl[0], final);
      }
    }
    *out = std::move(final);
    return Status::OK();
  }

  Status Cmd(const Command& c, const Value& dot, const Value* final, Value* out) {
    const Arg& first = c.args[0];
    if (first.kind == Arg::Kind::kFunction) {
      if (first.text == "and" || first.text == "or") {
        bool is_and = first.text == "and";
        size_t n = c.args.size() - 1 + (final != nullptr ? 1 : 0);
        if (n == 0)
          return Error(&first,
                       "wrong number of args for " + first.text + ": want at least 1 got 0");
        Value v;
        for (size_t i = 1; i <= n; ++i) {
          if (i < c.args.size()) {
            Status s = Eval(c.args[i], dot, &v);
            if (!s.ok()) return s;
          } else {
            v = *final;
          }
          if (Truth(v) != is_and) break;
        }
        *out = v;
        return Status::OK();
      }
      std::vector<Value> args;
      args.reserve(c.args.size());
      for (size_t i = 1; i < c.args.size(); ++i) {
        Value v;
        Status s = Eval(c.args[i], dot, &v);
        if (!s.ok()) return s;
        args.push_back(std::move(v));
      }
      if (final != nullptr) args.push_back(*final);
      auto r = CallFunction(first.text, args, ctx_);
      if (!r.ok()) return Error(&first, r.status().message());
      *out = std::move(r).value();
      return Status::OK();
    }
    if (c.args.size() > 1 || final != nullptr) {
      if (first.kind == Arg::Kind::kField) {
        return Error(&first, "can't give argument to non-function " + first.source);
      }
      return Error(&first, "can't give argument to non-function " + first.source);
    }
    return Eval(first, dot, out);
  }

  // The labels as a real map value, for `{{ . }}`, `{{ $ }}`, len, range...
  Value Materialize() {
    auto map = std::make_shared<std::map<std::string, Value>>();
    all_([&](std::string_view n, std::string_view v) {
      (*map)[std::string(n)] = Value::Str(std::string(v));
    });
    Value v;
    v.kind = K::kMap;
    v.map = map;
    return v;
  }

  Status Fields(const Arg& at, Value v, const std::vector<std::string>& fields, Value* out) {
    if (fields.empty() && IsRoot(v)) {
      *out = Materialize();
      return Status::OK();
    }
    for (const std::string& f : fields) {
      if (IsRoot(v)) {
        // Loki parses its templates with Option("missingkey=zero") over a map[string]string:
        // a missing label is "".
        auto l = labels_(f);
        v = Value::Str(l.has_value() ? std::string(*l) : std::string());
      } else if (v.kind == K::kMap && v.map != nullptr) {
        auto it = v.map->find(f);
        v = it == v.map->end() ? Value() : it->second;
      } else if (v.kind == K::kInvalid || v.kind == K::kNil) {
        return Error(&at, "nil pointer evaluating interface {}." + f);
      } else {
        return Error(&at, "can't evaluate field " + f + " in type " + TypeName(v));
      }
    }
    *out = std::move(v);
    return Status::OK();
  }

  Status Eval(const Arg& a, const Value& dot, Value* out) {
    switch (a.kind) {
      case Arg::Kind::kDot:
        *out = IsRoot(dot) ? Materialize() : dot;
        return Status::OK();
      case Arg::Kind::kField:
        return Fields(a, dot, a.fields, out);
      case Arg::Kind::kVariable: {
        const Value* v = nullptr;
        for (size_t i = vars_.size(); i > 0; --i) {
          if (vars_[i - 1].first == a.text) {
            v = &vars_[i - 1].second;
            break;
          }
        }
        if (v == nullptr) return Error(&a, "undefined variable: $" + a.text);
        return Fields(a, *v, a.fields, out);
      }
      case Arg::Kind::kFunction: {
        if (a.text == "and" || a.text == "or") {
          return Error(&a, "wrong number of args for " + a.text + ": want at least 1 got 0");
        }
        auto r = CallFunction(a.text, {}, ctx_);
        if (!r.ok()) return Error(&a, r.status().message());
        *out = std::move(r).value();
        return Status::OK();
      }
      case Arg::Kind::kString:
        *out = Value::Str(a.text);
        return Status::OK();
      case Arg::Kind::kInt:
        *out = Value::Int(a.i);
        return Status::OK();
      case Arg::Kind::kFloat:
        *out = Value::Float(a.f);
        return Status::OK();
      case Arg::Kind::kBool:
        *out = Value::Bool(a.b);
        return Status::OK();
      case Arg::Kind::kNil:
        return Error(&a, "nil is not a command");
      case Arg::Kind::kPipeline: {
        Value v;
        size_t mark = vars_.size();
        Status s = Pipe(*a.pipeline, dot, &v);
        vars_.resize(mark);
        if (!s.ok()) return s;
        return Fields(a, std::move(v), a.fields, out);
      }
    }
    return Status::OK();
  }

  const Template& t_;
  const LabelLookup& labels_;
  const LabelEnumerator& all_;
  const CallContext& ctx_;
  std::string* out_;
  std::vector<std::pair<std::string, Value>> vars_;
  Flow flow_ = Flow::kNormal;
};

}  // namespace

Status ExecuteTemplate(const Template& t, const LabelLookup& labels,
                       const LabelEnumerator& all_labels, const CallContext& ctx,
                       std::string* out) {
  Exec e(t, labels, all_labels, ctx, out);
  return e.Run();
}

}  // namespace sawmill::query::log::tmpl
