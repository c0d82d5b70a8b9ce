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
        "kernels", "elementwise_bytes", "metric", "value", "unit", "framework", "source_url", "notes"]
MODELS = os.path.join(HERE, "..", "data", "models")
SYSTEM = {"h200": "h200", "h100": "h100-sxm"}


def elementwise_bytes(model, phase):
    """Bytes measure_gpu.py's element-wise kernels read and write per token per layer, counted
    from its code (bf16 tensors 2 B, fp32 4 B; a kernel reads its inputs and writes its output):
    - rms(): x.float() 2+4, pow 4+4, mean 4, x * rsqrt 4+4, .to(bf16) 4+2, * w 2+2 = 36 B an
      element; twice on the hidden state, and on q and k per head for Qwen3 (qk-norm);
    - rot() on q and k: x * cos 2+2, -x half 1+1, cat 2+2, * sin 2+2, add 4+2 = 20 B an element;
    - the K and V rows copied into the cache: 2+2 each; prefill also copies the attention output
      out of its transposed layout: 2+2 an element;
    - two residual adds: 4+2 each on the hidden state;
    - dense MLP: silu 2+2 and its product 4+2 on the intermediate (10 B an element);
    - MoE: router logits .float() 2+4 and topk 4 per expert; the k gathered rows x[src] 2+2, the
      silu product 10 B on each expert's intermediate, the gate product 2+2 and index_add 2+2+2
      on each of the k rows, and the zeroed output 2 on the hidden state.
    The matrix products' own inputs and outputs and attention's are the engine's, not counted."""
    cfg = json.load(open(os.path.join(MODELS, model + ".json")))
    H, nh = cfg["hidden_size"], cfg["num_attention_heads"]
    nkv = cfg.get("num_key_value_heads") or nh
    hd = cfg.get("head_dim") or H // nh
    nq, nk = nh * hd, nkv * hd
    E = cfg.get("num_experts") or cfg.get("num_local_experts") or 0
    k = cfg.get("num_experts_per_tok") or 0
    I = cfg["intermediate_size"]
    Ie = cfg.get("moe_intermediate_size") or I
    b = 2 * 36 * H + 20 * (nq + nk) + 8 * nk + 2 * 6 * H
    if cfg.get("model_type", "").startswith("qwen3"):
        b += 36 * (nq + nk)
    if phase == "prefill":
        b += 4 * nq
    if E:
        b += 10 * E + 14 * k * H + 10 * k * Ie + 2 * H
    else:
        b += 10 * I
    return b


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
                             elementwise_bytes=elementwise_bytes(model, phase) if kernels != "" else "",
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
            ew = elementwise_bytes(model, phase)
            if phase == "decode":
                n += 1
                w.writerow([dict(base, id=f"gpu-{gpu}-{n:03d}", model=model, batch=B, isl=isl, osl=1,
                                 metric="decode_step_ms", value=f"{c['graph_ms']:.3f}", kernels=kernels,
                                 elementwise_bytes=ew,
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
                                 elementwise_bytes=ew,
                                 notes=f"{penv['device']}, {penv['date']}: {what}; sum of the device times "
                                       f"of its {k['kernels']} {cls} kernels (torch.profiler, eager run); "
                                       f"log {log}").get(c2, "")
                            for c2 in COLS])
    return n


if __name__ == "__main__":
    main()
