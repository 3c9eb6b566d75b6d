// Validates Kubernetes objects (a JSON array in the file named by argv[2]) without a cluster:
//  1. against the OpenAPI schemas that kubernetes-models compiles (types, required fields,
//     enums, formats);
//  2. strictly, as kubeconform -strict does: a field the API does not define (a misspelt
//     "readinesProbe" would be dropped silently by the API server) is an error. The known
//     fields come from the models' TypeScript declarations (.d.ts), which list every
//     property of every API type.
// Prints one line per object; exits 1 if any object is invalid or of a kind it has no model for.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const nodeModules = join(dirname(fileURLToPath(import.meta.url)), "node_modules");
const models = {
  "v1/ConfigMap": "kubernetes-models/v1/ConfigMap",
  "v1/Secret": "kubernetes-models/v1/Secret",
  "v1/Service": "kubernetes-models/v1/Service",
  "v1/ServiceAccount": "kubernetes-models/v1/ServiceAccount",
  "apps/v1/StatefulSet": "kubernetes-models/apps/v1/StatefulSet",
  "policy/v1/PodDisruptionBudget": "kubernetes-models/policy/v1/PodDisruptionBudget",
  "networking.k8s.io/v1/Ingress": "kubernetes-models/networking.k8s.io/v1/Ingress",
  "monitoring.coreos.com/v1/ServiceMonitor":
    "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor",
};

// --- The declared fields of a type, read from a .d.ts file. ---
const fileCache = new Map();

function readDts(path) {
  if (!fileCache.has(path)) {
    const text = readFileSync(path, "utf8").replace(/\/\*[\s\S]*?\*\//g, "");
    const imports = new Map();
    for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"([^"]+)"/g)) {
      for (const name of m[1].split(",").map((s) => s.trim()).filter(Boolean)) {
        imports.set(name, m[2]);
      }
    }
    const aliases = new Map();
    for (const m of text.matchAll(/export type \{([^}]*)\}/g)) {
      for (const part of m[1].split(",")) {
        const [local, alias] = part.split(" as ").map((s) => s.trim());
        if (alias) aliases.set(alias, local);
      }
    }
    fileCache.set(path, { text, imports, aliases });
  }
  return fileCache.get(path);
}

// The text between the brace at `open` and its match.
function braceBody(text, open) {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "{") depth++;
    else if (text[i] === "}" && --depth === 0) return text.slice(open + 1, i);
  }
  throw new Error("unbalanced braces");
}

// {field: type text} of the properties at the top level of an interface or object body.
function parseProps(body) {
  const props = {};
  const re = /"([^"]+)"\??:\s*/g;
  let m;
  while ((m = re.exec(body))) {
    let depth = 0, i = re.lastIndex;
    for (; i < body.length; i++) {
      const c = body[i];
      if (c === "{" || c === "<" || c === "(") depth++;
      else if (c === "}" || c === ">" || c === ")") depth--;
      else if (c === ";" && depth === 0) break;
    }
    props[m[1]] = body.slice(re.lastIndex, i).trim();
    re.lastIndex = i + 1;
  }
  return props;
}

// A type: {file, props} for an interface, or null for primitives, maps and aliases.
function resolveType(file, typeText) {
  const t = typeText.trim();
  if (t.startsWith("Array<")) return { array: resolveType(file, t.slice(6, -1)) };
  if (t.startsWith("{")) {
    if (/^\{\s*\[key:/.test(t)) return null;  // a map: any keys
    return { file, props: parseProps(braceBody(t, 0)) };
  }
  if (!/^I\w+$/.test(t)) return null;  // string, number, unions of literals...
  const { text, imports, aliases } = readDts(file);
  const local = aliases.get(t) ?? t;
  const at = text.search(new RegExp(`export interface ${local}\\b`));
  if (at >= 0) {
    const own = parseProps(braceBody(text, text.indexOf("{", at)));
    if (/extends TypeMeta/.test(text.slice(at, text.indexOf("{", at)))) {
      own.apiVersion = "string";
      own.kind = "string";
    }
    return { file, props: own };
  }
  const from = imports.get(t);
  if (!from) return null;  // a type alias such as IntOrString
  const target = from.startsWith(".")
    ? join(dirname(file), from.replace(/\.js$/, ".d.ts"))
    : join(nodeModules, from + ".d.ts");
  return existsSync(target) ? resolveType(target, t) : null;
}

function unknownFields(value, type, path, out) {
  if (!type || value === null || typeof value !== "object") return;
  if ("array" in type) {
    if (Array.isArray(value) && type.array) value.forEach((v, i) => unknownFields(v, type.array, `${path}[${i}]`, out));
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    if (!(k in type.props)) {
      out.push(`${path}.${k}`);
      continue;
    }
    unknownFields(v, resolveType(type.file, type.props[k]), `${path}.${k}`, out);
  }
}

const objects = JSON.parse(readFileSync(process.argv[2], "utf8"));
let bad = 0;
for (const obj of objects) {
  const key = `${obj.apiVersion}/${obj.kind}`;
  const name = `${key} ${obj.metadata?.name}`;
  const path = models[key];
  if (!path) {
    console.log(`FAIL ${name}: no schema for this kind`);
    bad++;
    continue;
  }
  const mod = await import(path);
  const Model = mod[obj.kind] ?? mod.default;
  try {
    new Model(obj).validate();
  } catch (e) {
    console.log(`FAIL ${name}: ${e.message}`);
    bad++;
    continue;
  }
  const unknown = [];
  unknownFields(obj, resolveType(join(nodeModules, path + ".d.ts"), `I${obj.kind}`), "", unknown);
  if (unknown.length) {
    console.log(`FAIL ${name}: fields the API does not define: ${unknown.join(", ")}`);
    bad++;
    continue;
  }
  console.log(`ok   ${name} matches its schema, no unknown field`);
}
process.exit(bad ? 1 : 0);
