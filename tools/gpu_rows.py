#!/usr/bin/env python3
"""gpu_rows.py — turn tools/measure_gpu.py logs into validation rows (data/validation/measured.csv).

  python3 tools/gpu_rows.py > data/validation/measured.csv

Reads, for each GPU measured (data/validation/gpu/):
  <gpu>-plan-<date>.json   end to end: TTFT of one prompt, TPOT of a batch (graph replays)
  <gpu>-probe-<date>.json  a step's kernels by class (torch.profiler device times, eager run)
and writes one CSV row per figure, in the columns of published.csv, plus `kernels`: the kernels
the step launches (the probe's count for the model at the same phase and the nearest batch or
prompt length; measure_gpu.py's plain PyTorch runs norms, rotary embedding and the activation as
separate element-wise kernels, about four times the launches of a fused stack).
"""
import csv
import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
GPU = os.path.join(HERE, "..", "data", "validation", "gpu")
COLS = ["id", "group", "model", "system", "chips", "tp", "pp", "ep", "weights", "kv", "batch", "isl", "osl",
        "kernels", "metric", "value", "unit", "framework", "source_url", "notes"]
SYSTEM = {"h200": "h200", "h100": "h100-sxm"}


def step_kernels():
    """{model: [(phase, size, kernels)]}: every probed step's kernel launches, all GPUs (the same
    PyTorch code launches the same kernels on each)."""
    out = {}
    for probe in sorted(glob.glob(os.path.join(GPU, "*-probe*.json"))):
        for model, cases in json.load(open(probe)).items():
            if not isinstance(cases, dict) or "weight_GB" not in cases:
                continue
            for key, c in cases.items():
                if not isinstance(c, dict):
                    continue
                n = sum(k["kernels"] for k in c["classes"].values())
                if key.startswith("prefill"):
                    out.setdefault(model, []).append(("prefill", int(key[len("prefill"):]), n))
                else:
                    out.setdefault(model, []).append(("decode", int(key.split("_")[0][1:]), n))
    return out


def kernels_for(table, model, phase, size):
    """The launches of the probed step nearest to (phase, size): same phase first, then size."""
    cases = table.get(model, [])
    if not cases:
        return ""
    return min(cases, key=lambda c: (c[0] != phase, abs(c[1] - size)))[2]


def main():
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(COLS)
    table = step_kernels()
    for gpu in ("h100", "h200"):
        plan = sorted(glob.glob(os.path.join(GPU, f"{gpu}-plan-*.json")))[-1]
        probes = sorted(glob.glob(os.path.join(GPU, f"{gpu}-probe-*.json")))
        p = json.load(open(plan))
        env = p["info"]["env"]
        fw = f"PyTorch {env['torch']} + CUDA graphs"
        base = dict(group="datacenter", system=SYSTEM[gpu], chips=1, tp=1, pp=1, ep="", weights="bf16", kv="bf16",
                    unit="ms", framework=fw, source_url="tools/measure_gpu.py")
        n = 0
        for model, B, isl, osl, metric, value, note in p["rows"]:
            n += 1
            phase = "prefill" if metric == "ttft_ms" else "decode"
            kernels = kernels_for(table, model, phase, isl if phase == "prefill" else B)
            w.writerow([dict(base, id=f"gpu-{gpu}-{n:03d}", model=model, batch=B, isl=isl, osl=osl, metric=metric,
                             value=f"{value:.3f}", kernels=kernels,
                             notes=f"{env['device']}, {env['date']}: {note}; median of CUDA-graph replays; "
                                   f"log {os.path.relpath(plan, os.path.join(HERE, '..'))}").get(c, "")
                        for c in COLS])
        for probe in probes:
            n = probe_rows(w, probe, gpu, base, n)


def probe_rows(w, probe, gpu, base, n):
    """Rows of one probe log: each step's kernel classes, and a decode step's graph time."""
    q = json.load(open(probe))
    penv = q["env"]
    log = os.path.relpath(probe, os.path.join(HERE, '..'))
    for model, cases in q.items():
        if not isinstance(cases, dict) or "weight_GB" not in cases:
            continue
        for key, c in cases.items():
            if not isinstance(c, dict):
                continue
            if key.startswith("prefill"):
                phase, B, isl = "prefill", 1, int(key[len("prefill"):])
            else:
                b, ctx = key.split("_")
                phase, B, isl = "decode", int(b[1:]), int(ctx[3:])
            kernels = sum(k["kernels"] for k in c["classes"].values())
            if phase == "decode":
                n += 1
                w.writerow([dict(base, id=f"gpu-{gpu}-{n:03d}", model=model, batch=B, isl=isl, osl=1,
                                 metric="decode_step_ms", value=f"{c['graph_ms']:.3f}", kernels=kernels,
                                 notes=f"{penv['device']}, {penv['date']}: one decode step of {B} requests at "
                                       f"context {isl}, token ids to token ids; median of CUDA-graph "
                                       f"replays; log {log}").get(c2, "")
                            for c2 in COLS])
            for cls in ("gemm", "attention"):
                k = c["classes"].get(cls)
                if not k:
                    continue
                n += 1
                what = (f"one prefill of {isl} tokens" if phase == "prefill"
                        else f"one decode step of {B} requests at context {isl}")
                w.writerow([dict(base, id=f"gpu-{gpu}-{n:03d}", model=model, batch=B, isl=isl, osl=1,
                                 metric=f"{phase}_{cls}_ms", value=f"{k['ms']:.3f}", kernels=kernels,
                                 notes=f"{penv['device']}, {penv['date']}: {what}; sum of the device times "
                                       f"of its {k['kernels']} {cls} kernels (torch.profiler, eager run); "
                                       f"log {log}").get(c2, "")
                            for c2 in COLS])
    return n


if __name__ == "__main__":
    main()
