// The Prometheus text exposition format, parsed by the official Prometheus Python client's
// parser (Debian's python3-prometheus-client, installed by scripts/test-deps.sh): it refuses
// malformed lines, names, values and types, and keeps every label of histogram series. (The
// most used npm parser, parse-prometheus-text-format 1.1.1, accepts `a{b="x} 1` and `a b c`
// and merges the buckets of labelled histograms into one.)
import { spawnSync } from "node:child_process";

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface PromFamily {
  name: string;
  type: string;
  help: string;
  samples: PromSample[];
}

const SCRIPT = `
import json, math, sys
from prometheus_client.parser import text_string_to_metric_families
out = []
for f in text_string_to_metric_families(sys.stdin.read()):
    out.append({"name": f.name, "type": f.type, "help": f.documentation,
                "samples": [{"name": s.name, "labels": s.labels, "value": s.value if math.isfinite(s.value) else str(s.value)} for s in f.samples]})
print(json.dumps(out))
`;

/** Parses `text`; throws with the parser's message when it is not valid exposition format. */
export function parsePrometheus(text: string): PromFamily[] {
  const r = spawnSync("/usr/bin/python3", ["-c", SCRIPT], { input: text, encoding: "utf8" });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`not valid Prometheus text format: ${r.stderr.trim().split("\n").at(-1)}`);
  return JSON.parse(r.stdout) as PromFamily[];
}

/** The value of one sample: family `name` (with its suffix), labels matching exactly. */
export function sample(families: PromFamily[], name: string, labels: Record<string, string>): number | undefined {
  for (const f of families) {
    for (const s of f.samples) {
      if (s.name !== name) continue;
      const keys = Object.keys(s.labels);
      if (keys.length === Object.keys(labels).length && keys.every((k) => s.labels[k] === labels[k])) return s.value;
    }
  }
  return undefined;
}
