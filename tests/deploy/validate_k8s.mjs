// Validates Kubernetes objects (a JSON array in the file named by argv[2]) against the
// OpenAPI schemas that kubernetes-models compiles (types, required fields, enums, formats),
// without a cluster. Prints one line per object; exits 1 if any object is invalid or of a
// kind it has no model for.
import { readFileSync } from "node:fs";

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
    console.log(`ok   ${name} matches its schema`);
  } catch (e) {
    console.log(`FAIL ${name}: ${e.message}`);
    bad++;
  }
}
process.exit(bad ? 1 : 0);
