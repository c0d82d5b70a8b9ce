#!/usr/bin/env python3
"""measure_gpu.py — time real prefill and decode of a transformer on a CUDA GPU.

Ground truth for infersim's validation set (data/validation/measured.csv). For each model it
builds the exact shapes of the preset's config.json (data/models/NAME.json) in PyTorch with
random bf16 weights (timing does not depend on the values), then times

  * prefill (TTFT): one request of ISL tokens at batch 1, from token ids to the first token
    (embedding, every layer, final norm, LM head on the last position, argmax);
  * decode (TPOT): one step of B requests, each with its own KV cache of C tokens, from
    token ids to the next token ids. TPOT over an output of OSL tokens after an ISL-token
    prompt is the Simpson mean of the steps at C = ISL, ISL + OSL/2 and ISL + OSL, the
    same rule infersim's predict uses.

Kernels are the ones a serving engine uses on Hopper: cuBLAS GEMMs, flash attention
(scaled_dot_product_attention), and for MoE layers torch._grouped_mm (one grouped GEMM over
all experts, tokens sorted by expert). Each timed region is captured once as a CUDA graph and
replayed, so host launch overhead is excluded, as in engines that replay graphs for decode.
Elementwise ops (RMSNorm, RoPE, SiLU·mul, residual add) run unfused: engines fuse some of
them, which is worth a few per cent at most at these sizes.

Routing in MoE layers comes from a random router on random activations: close to uniform,
as in benchmarks that run synthetic tokens.

Each result is the median of --iters graph replays timed with CUDA events, after 3 warm-up
replays. Output: CSV rows in the validation format (stdout and --csv) and a JSON log with
the environment and the two ceilings (copy bandwidth, bf16 GEMM rate) measured first.

  python3 tools/measure_gpu.py --csv OUT.csv --log OUT.json
  python3 tools/measure_gpu.py --smoke      # tiny config on the CPU, checks shapes only
"""
import argparse
import json
import math
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.join(HERE, "..", "data", "models")

# (model, prefill ISLs, decode (batch, ISL, OSL) cases)
PLAN = [
    ("llama-3.1-8b", [128, 512, 2048, 8192],
     [(1, 1024, 256), (16, 1024, 256), (64, 1024, 256), (256, 1024, 256), (1, 8192, 256), (16, 8192, 256)]),
    ("qwen3-30b-a3b", [512, 2048, 8192],
     [(1, 1024, 256), (16, 1024, 256), (64, 1024, 256), (256, 1024, 256)]),
    ("qwen3-32b", [512, 2048, 8192],
     [(1, 1024, 256), (16, 1024, 256), (64, 1024, 256)]),
]


def model_bytes(cfg):
    """bf16 bytes of the weights Model builds (to skip a model before allocating it)."""
    H, nl, nh = cfg["hidden_size"], cfg["num_hidden_layers"], cfg["num_attention_heads"]
    nkv, hd = cfg.get("num_key_value_heads") or nh, cfg.get("head_dim") or H // nh
    E, I, V = cfg.get("num_experts") or cfg.get("num_local_experts") or 0, cfg["intermediate_size"], cfg["vocab_size"]
    Ie = cfg.get("moe_intermediate_size") or I
    per = H * (nh + 2 * nkv) * hd + nh * hd * H + (E * 3 * H * Ie + E * H if E else 3 * H * I)
    return 2 * (2 * V * H + nl * per)


def log(*a):
    print(*a, flush=True)


class Model:
    """The config's shapes with random weights; forward for prefill (B=1) and decode."""

    def __init__(self, cfg, dev, dt):
        self.dev, self.dt = dev, dt
        H = self.H = cfg["hidden_size"]
        self.nl = cfg["num_hidden_layers"]
        self.nh = cfg["num_attention_heads"]
        self.nkv = cfg.get("num_key_value_heads") or self.nh
        self.hd = cfg.get("head_dim") or H // self.nh
        self.V = cfg["vocab_size"]
        self.eps = cfg.get("rms_norm_eps", 1e-6)
        self.theta = cfg.get("rope_theta", 10000.0)
        self.E = cfg.get("num_experts") or cfg.get("num_local_experts") or 0
        self.k = cfg.get("num_experts_per_tok") or 0
        self.I = cfg["intermediate_size"]
        self.Ie = cfg.get("moe_intermediate_size") or (self.I if self.E else 0)   # gpt-oss: the experts' size
        # sliding-window layers (gpt-oss: every other layer sees its last 128 tokens): their
        # decode KV cache is a ring of `window` slots, read whole once it is full
        types = cfg.get("layer_types") or []
        self.window = cfg.get("sliding_window") if cfg.get("sliding_window") and types else None
        self.sliding = [t == "sliding_attention" for t in types] if self.window else [False] * self.nl
        self.qknorm = cfg.get("model_type", "").startswith("qwen3")
        nq, nkv, hd = self.nh * self.hd, self.nkv * self.hd, self.hd

        def w(*shape):
            return torch.randn(*shape, device=dev, dtype=dt) * (shape[-1] ** -0.5)

        self.emb = w(self.V, H)
        self.head = w(self.V, H)
        self.norm = torch.ones(H, device=dev, dtype=dt)
        self.layers = []
        for _ in range(self.nl):
            L = {"ln1": torch.ones(H, device=dev, dtype=dt), "ln2": torch.ones(H, device=dev, dtype=dt),
                 "qkv": w(nq + 2 * nkv, H), "o": w(H, nq)}
            if self.qknorm:
                L["qn"] = torch.ones(hd, device=dev, dtype=dt)
                L["kn"] = torch.ones(hd, device=dev, dtype=dt)
            if self.E:
                L["router"] = w(self.E, H)
                L["egu"] = w(self.E, 2 * self.Ie, H)   # [E, N, K]: passed transposed
                L["ed"] = w(self.E, H, self.Ie)
            else:
                L["gu"] = w(2 * self.I, H)
                L["d"] = w(H, self.I)
            self.layers.append(L)

    def weight_bytes(self):
        n = self.emb.numel() + self.head.numel()
        for L in self.layers:
            n += sum(t.numel() for t in L.values())
        return n * self.emb.element_size()

    def rms(self, x, w):
        xf = x.float()
        return (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + self.eps)).to(x.dtype) * w

    def rope(self, pos):
        inv = 1.0 / (self.theta ** (torch.arange(0, self.hd, 2, device=self.dev, dtype=torch.float32) / self.hd))
        f = pos.float()[:, None] * inv[None, :]
        return torch.cat([f, f], -1).cos().to(self.dt), torch.cat([f, f], -1).sin().to(self.dt)

    @staticmethod
    def rot(x, cos, sin):
        h = x.shape[-1] // 2
        return x * cos + torch.cat([-x[..., h:], x[..., :h]], -1) * sin

    def moe(self, L, x, grouped):
        T = x.shape[0]
        logits = F.linear(x, L["router"]).float()
        topv, topi = logits.topk(self.k, dim=-1)
        gate = torch.softmax(topv, -1).to(self.dt)          # norm_topk_prob
        flat = topi.reshape(-1)
        order = flat.argsort()
        src = order // self.k
        xs = x[src]
        if grouped:
            counts = torch.zeros(self.E, device=self.dev, dtype=torch.int32)
            counts.scatter_add_(0, flat.to(torch.int64), torch.ones_like(flat, dtype=torch.int32))
            offs = counts.cumsum(0, dtype=torch.int32)
            h = torch._grouped_mm(xs, L["egu"].transpose(-2, -1), offs=offs)
            h = F.silu(h[:, :self.Ie]) * h[:, self.Ie:]
            o = torch._grouped_mm(h, L["ed"].transpose(-2, -1), offs=offs)
        else:   # reference: one GEMM per expert (eager only)
            e_sorted = flat[order]
            o = torch.empty(T * self.k, self.H, device=self.dev, dtype=self.dt)
            for e in range(self.E):
                m = e_sorted == e
                if m.any():
                    h = F.linear(xs[m], L["egu"][e])
                    h = F.silu(h[:, :self.Ie]) * h[:, self.Ie:]
                    o[m] = F.linear(h, L["ed"][e])
        o = o * gate.reshape(-1)[order][:, None]
        out = torch.zeros(T, self.H, device=self.dev, dtype=self.dt)
        return out.index_add_(0, src, o)

    def mlp(self, L, x):
        if self.E:
            return self.moe(L, x, hasattr(torch, "_grouped_mm"))
        h = F.linear(x, L["gu"])
        return F.linear(F.silu(h[:, :self.I]) * h[:, self.I:], L["d"])

    def qkv(self, L, x, B, S, cos, sin):
        nq, nkv = self.nh * self.hd, self.nkv * self.hd
        qkv = F.linear(x, L["qkv"])
        q = qkv[:, :nq].reshape(B, S, self.nh, self.hd)
        k = qkv[:, nq:nq + nkv].reshape(B, S, self.nkv, self.hd)
        v = qkv[:, nq + nkv:].reshape(B, S, self.nkv, self.hd)
        if self.qknorm:
            q, k = self.rms(q, L["qn"]), self.rms(k, L["kn"])
        q, k = self.rot(q, cos, sin), self.rot(k, cos, sin)
        return q, k, v

    def prefill(self, ids, kc, vc, cos, sin, raw=False):
        """ids [S] -> next token id; writes K/V of the S positions into kc/vc [nl][1,nkv,Smax,hd]."""
        S = ids.shape[0]
        x = self.emb[ids]
        G = self.nh // self.nkv
        for i, L in enumerate(self.layers):
            q, k, v = self.qkv(L, self.rms(x, L["ln1"]), 1, S, cos[:, None, :], sin[:, None, :])
            q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
            kc[i][:, :, :S].copy_(k)
            vc[i][:, :, :S].copy_(v)
            if GQA_NATIVE:
                a = F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)
            else:
                a = F.scaled_dot_product_attention(q, k.repeat_interleave(G, 1), v.repeat_interleave(G, 1),
                                                   is_causal=True)
            x = x + F.linear(a.transpose(1, 2).reshape(S, self.nh * self.hd), L["o"])
            x = x + self.mlp(L, self.rms(x, L["ln2"]))
        logits = F.linear(self.rms(x[-1:], self.norm), self.head)
        return logits if raw else logits.argmax(-1)

    def decode(self, ids, kc, vc, C, cos, sin, raw=False):
        """ids [B]: the B requests' last tokens at position C-1 -> next ids [B]."""
        B = ids.shape[0]
        G = self.nh // self.nkv
        x = self.emb[ids]
        for i, L in enumerate(self.layers):
            q, k, v = self.qkv(L, self.rms(x, L["ln1"]), B, 1, cos, sin)
            if self.sliding[i] and self.window:   # a ring of `window` slots
                kc[i][:, :, (C - 1) % self.window].copy_(k[:, 0])
                vc[i][:, :, (C - 1) % self.window].copy_(v[:, 0])
                n = min(C, self.window)
            else:
                kc[i][:, :, C - 1].copy_(k[:, 0])
                vc[i][:, :, C - 1].copy_(v[:, 0])
                n = C
            # GQA decode: a KV head's G query heads are its "query length"
            qg = q.reshape(B, self.nkv, G, self.hd)
            a = F.scaled_dot_product_attention(qg, kc[i][:, :, :n], vc[i][:, :, :n])
            x = x + F.linear(a.reshape(B, self.nh * self.hd), L["o"])
            x = x + self.mlp(L, self.rms(x, L["ln2"]))
        logits = F.linear(self.rms(x, self.norm), self.head)
        return logits if raw else logits.argmax(-1)

    def check(self, S=24):
        """Decode after a prefill of S tokens must give the logits of a prefill of S+1: the
        KV cache, the RoPE positions and the GQA grouping agree. Returns the relative error.
        (S stays below a sliding window: prefill has no window mask.)"""
        if self.window:
            S = min(S, self.window - 2)
        layers, self.layers, nl = self.layers, self.layers[:4], self.nl   # 4 layers: bf16 rounding
        self.nl = len(self.layers)                                          # stays small
        ids = torch.randint(0, self.V, (S + 1,), device=self.dev)
        kc = [torch.zeros(1, self.nkv, S + 1, self.hd, device=self.dev, dtype=self.dt) for _ in range(self.nl)]
        vc = [torch.zeros_like(t) for t in kc]
        cos, sin = self.rope(torch.arange(S + 1, device=self.dev))
        ref = self.prefill(ids, kc, vc, cos, sin, raw=True).float()
        self.prefill(ids[:S], kc, vc, cos[:S], sin[:S])
        got = self.decode(ids[S:], kc, vc, S + 1, cos[S:], sin[S:], raw=True).float()
        self.layers, self.nl = layers, nl
        return ((got - ref).norm() / ref.norm()).item()


GQA_NATIVE = True


def timed(fn, iters, use_graph):
    """Median ms of iters runs of fn (captured as a CUDA graph when use_graph)."""
    if not use_graph:
        t = []
        for _ in range(iters):
            t0 = time.perf_counter()
            fn()
            t.append((time.perf_counter() - t0) * 1e3)
        return statistics.median(t)
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s):
        for _ in range(2):
            fn()
    torch.cuda.current_stream().wait_stream(s)
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g):
        fn()
    for _ in range(3):
        g.replay()
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    g.replay()
    torch.cuda.synchronize()
    one = (time.perf_counter() - t0) * 1e3
    iters = max(5, min(iters, int(3000 / max(one, 1e-3))))   # at most about 3 s per case
    t = []
    e0, e1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    for _ in range(iters):
        e0.record()
        g.replay()
        e1.record()
        e1.synchronize()
        t.append(e0.elapsed_time(e1))
    del g
    return statistics.median(t)


def ceilings(dev):
    out = {}
    a = torch.empty(2 * 1024 ** 3, dtype=torch.uint8, device=dev)
    b = torch.empty_like(a)
    out["copy_GBps_read_plus_write"] = 2 * a.numel() / timed(lambda: b.copy_(a), 10, True) / 1e6
    del a, b
    n = 8192
    x = torch.randn(n, n, device=dev, dtype=torch.bfloat16)
    y = torch.randn(n, n, device=dev, dtype=torch.bfloat16)
    out["bf16_gemm_TFLOPs"] = 2 * n ** 3 / timed(lambda: x @ y, 10, True) / 1e9
    return out


def kernel_classes(fn):
    """Device time of every kernel of one eager run of fn, by class (torch.profiler)."""
    from torch.profiler import profile, ProfilerActivity
    for _ in range(2):
        fn()
    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        fn()
        torch.cuda.synchronize()
    cls = {}
    for e in prof.events():
        if e.device_type != torch.autograd.DeviceType.CUDA:
            continue
        n = e.name.lower()
        k = ("attention" if any(t in n for t in ("flash", "fmha", "attention", "sdpa", "cudnn"))
             else "gemm" if any(t in n for t in ("gemm", "gemv", "cutlass", "xmma", "nvjet", "cublas", "splitk", "grouped"))
             else "copy" if "memcpy" in n or "memset" in n
             else "other")
        c = cls.setdefault(k, [0, 0.0])
        c[0] += 1
        c[1] += e.time_range.elapsed_us() / 1e3
    return cls


def probe(name, dev, dt, cases, out):
    """Where a step's time goes: every kernel's device time (torch.profiler, eager run) by
    class, against the replayed graph's time. Cases: ("decode", B, C) or ("prefill", S)."""
    cfg = json.load(open(os.path.join(MODELS, name + ".json")))
    torch.manual_seed(0)
    if model_bytes(cfg) / 1e9 > 0.8 * MEM_GB:
        return
    m = Model(cfg, dev, dt)
    res = out.setdefault(name, {"weight_GB": m.weight_bytes() / 1e9})
    for case in cases:
        if case[0] == "decode":
            _, B, C = case
            if not fits(m, B, C):
                continue
            kc = [torch.randn(B, m.nkv, kv_len(m, i, C), m.hd, device=dev, dtype=dt) for i in range(m.nl)]
            vc = [torch.randn_like(t) for t in kc]
            ids = torch.randint(0, m.V, (B,), device=dev)
            cos, sin = m.rope(torch.full((1,), C - 1, device=dev))
            fn = lambda: m.decode(ids, kc, vc, C, cos, sin)
            key = f"b{B}_ctx{C}"
        else:
            _, S = case
            kc = [torch.empty(1, m.nkv, S, m.hd, device=dev, dtype=dt) for _ in range(m.nl)]
            vc = [torch.empty_like(t) for t in kc]
            ids = torch.randint(0, m.V, (S,), device=dev)
            cos, sin = m.rope(torch.arange(S, device=dev))
            fn = lambda: m.prefill(ids, kc, vc, cos, sin)
            key = f"prefill{S}"
        graph_ms = timed(fn, 20, True)
        cls = kernel_classes(fn)
        kern = sum(v[1] for v in cls.values())
        res[key] = {"graph_ms": graph_ms, "kernel_ms": kern,
                    "classes": {k: {"kernels": v[0], "ms": v[1]} for k, v in cls.items()}}
        log(f"  {name} {key}: graph {graph_ms:.3f} ms, kernels {kern:.3f} ms: " +
            ", ".join(f"{k} {v[0]}x {v[1]:.3f} ms" for k, v in sorted(cls.items())))
        del kc, vc
    del m
    torch.cuda.empty_cache()


def bandwidth(dev):
    """Copy (read + write), read (a sum) and GEMV (1 x 8192 times the buffer as a matrix)."""
    out = {}
    for gb in (1, 8):
        a = torch.empty(gb * 1024 ** 3 // 2, dtype=torch.bfloat16, device=dev).normal_()
        b = torch.empty_like(a)
        ms = timed(lambda: b.copy_(a), 20, True)
        out[f"copy_{gb}GiB_GBps_rw"] = 2 * gb * 1024 ** 3 / ms / 1e6
        ms = timed(lambda: a.sum(dtype=torch.float32), 20, True)
        out[f"read_sum_{gb}GiB_GBps"] = gb * 1024 ** 3 / ms / 1e6
        w = a.view(-1, 8192)
        x = torch.randn(1, 8192, device=dev, dtype=torch.bfloat16)
        ms = timed(lambda: F.linear(x, w), 20, True)
        out[f"gemv_{gb}GiB_GBps"] = gb * 1024 ** 3 / ms / 1e6
        del a, b, w
        torch.cuda.empty_cache()
    log(json.dumps(out))
    return out


def latency(dev):
    """DRAM latency by pointer chase (one thread, a random cycle over a buffer far beyond L2),
    L2 latency (the same over 4 MB), and the cost of one tiny kernel in a replayed CUDA graph."""
    import cupy as cp
    out = {}
    chase = cp.RawKernel(r"""
    extern "C" __global__ void chase(const long long *next, long long steps, long long *sink) {
        long long p = 0;
        for (long long i = 0; i < steps; i++) p = next[p];
        *sink = p;
    }""", "chase")
    for name, n in (("l2_4MiB", 1 << 19), ("32MiB", 1 << 22), ("128MiB", 1 << 24), ("512MiB", 1 << 26),
                    ("dram_2GiB", 1 << 28), ("8GiB", 1 << 30)):
        perm = torch.randperm(n, device=dev)
        nxt = torch.empty(n, dtype=torch.int64, device=dev)
        nxt[perm] = torch.roll(perm, -1)   # one cycle through every slot, in random order
        sink = torch.empty(1, dtype=torch.int64, device=dev)
        a = cp.asarray(nxt)
        b = cp.asarray(sink)
        steps = 100000
        chase((1,), (1,), (a, cp.int64(1000), b))   # warm-up
        torch.cuda.synchronize()
        e0, e1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        best = 1e30
        for _ in range(3):
            e0.record()
            chase((1,), (1,), (a, cp.int64(steps), b))
            e1.record()
            e1.synchronize()
            best = min(best, e0.elapsed_time(e1) * 1e6 / steps)
        out[name + "_ns"] = best
        del a, b, nxt, perm, sink
        torch.cuda.empty_cache()
    # one tiny kernel in a replayed graph: 2000 dependent adds on one element
    x = torch.zeros(1, device=dev)
    def chain():
        y = x
        for _ in range(2000):
            y = y + 1
        return y
    out["graph_node_us"] = timed(chain, 20, True) * 1e3 / 2000
    log(json.dumps(out))
    return out


MEM_GB = 1e9


def kv_len(m, i, C):
    """Slots of layer i's decode KV cache for a context of C tokens."""
    return min(C, m.window) if m.sliding[i] and m.window else C


def fits(m, B, C):
    """Weights and a B x C KV cache within 85% of the GPU's memory (activations, graphs: the rest)."""
    kv = 2 * sum(kv_len(m, i, C) for i in range(m.nl)) * B * m.nkv * m.hd * m.emb.element_size()
    return (m.weight_bytes() + kv) / 1e9 < 0.85 * MEM_GB


def run_model(name, cfg, pre, dec, dev, dt, use_graph, iters, rows, info):
    t0 = time.time()
    torch.manual_seed(0)
    if model_bytes(cfg) / 1e9 > 0.8 * MEM_GB:
        log(f"{name}: skipped, its weights do not fit in {MEM_GB:.0f} GB")
        return
    m = Model(cfg, dev, dt)
    info[name] = {"weight_GB": m.weight_bytes() / 1e9}
    log(f"{name}: {m.weight_bytes() / 1e9:.1f} GB of weights in {time.time() - t0:.1f} s")
    if m.E and use_graph:   # grouped GEMM against one GEMM per expert
        x = torch.randn(64, m.H, device=dev, dtype=dt)
        ref = m.moe(m.layers[0], x, False).float()
        got = m.moe(m.layers[0], x, True).float()
        rel = ((got - ref).norm() / ref.norm()).item()
        info[name]["grouped_mm_rel_err"] = rel
        log(f"  grouped_mm vs per-expert GEMMs: rel. error {rel:.2e}")
        if not rel < 2e-2:
            raise SystemExit(f"{name}: grouped_mm disagrees with the reference ({rel})")
    rel = m.check()
    info[name]["decode_vs_prefill_rel_err"] = rel
    log(f"  decode after prefill vs one longer prefill: rel. error {rel:.2e}")
    if not rel < 3e-2:
        raise SystemExit(f"{name}: decode disagrees with prefill ({rel})")
    for S in pre:
        kc = [torch.empty(1, m.nkv, S, m.hd, device=dev, dtype=dt) for _ in range(m.nl)]
        vc = [torch.empty_like(t) for t in kc]
        ids = torch.randint(0, m.V, (S,), device=dev)
        cos, sin = m.rope(torch.arange(S, device=dev))
        ms = timed(lambda: m.prefill(ids, kc, vc, cos, sin), iters, use_graph)
        log(f"  prefill isl {S:5d}: {ms:9.3f} ms  ({S / ms * 1e3:8.0f} tok/s)")
        rows.append((name, 1, S, 1, "ttft_ms", ms, f"prefill of one {S}-token prompt to its first token"))
        del kc, vc
        torch.cuda.empty_cache() if use_graph else None
    for B, isl, osl in dec:
        C3 = [isl, isl + osl // 2, isl + osl]
        if not fits(m, B, C3[-1]):
            log(f"  decode b{B} ctx {C3[-1]}: skipped, does not fit in {MEM_GB:.0f} GB")
            continue
        kc = [torch.randn(B, m.nkv, kv_len(m, i, C3[-1]), m.hd, device=dev, dtype=dt) for i in range(m.nl)]
        vc = [torch.randn_like(t) for t in kc]
        ids = torch.randint(0, m.V, (B,), device=dev)
        f = []
        for C in C3:
            cos, sin = m.rope(torch.full((1,), C - 1, device=dev))
            f.append(timed(lambda: m.decode(ids, kc, vc, C, cos, sin), iters, use_graph))
        tpot = (f[0] + 4 * f[1] + f[2]) / 6
        log(f"  decode b{B:<4d} ctx {isl}..{isl + osl}: steps {f[0]:.3f} / {f[1]:.3f} / {f[2]:.3f} ms, "
            f"TPOT {tpot:.3f} ms ({B / tpot * 1e3:.0f} tok/s)")
        rows.append((name, B, isl, osl, "tpot_ms", tpot,
                     f"decode step of {B} requests, Simpson mean of steps at context {C3[0]}/{C3[1]}/{C3[2]}: "
                     f"{f[0]:.3f}/{f[1]:.3f}/{f[2]:.3f} ms"))
        del kc, vc
        torch.cuda.empty_cache() if use_graph else None
    info[name]["seconds"] = time.time() - t0
    del m
    if use_graph:
        torch.cuda.empty_cache()


def main():
    global GQA_NATIVE
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv")
    ap.add_argument("--log")
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--models", help="comma-separated subset of the plan")
    ap.add_argument("--smoke", action="store_true", help="tiny config on the CPU: shapes only")
    ap.add_argument("--probe", action="store_true", help="bandwidths and a kernel-time breakdown of decode")
    ap.add_argument("--all", action="store_true", help="with --probe: the plan too")
    ap.add_argument("--latency", action="store_true", help="DRAM and L2 latency, and a graph node's cost")
    a = ap.parse_args()
    rows, info = [], {}
    if a.smoke:
        if not hasattr(F, "scaled_dot_product_attention"):   # old CPU torch: the math definition
            def sdpa(q, k, v, is_causal=False):
                s = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
                if is_causal:
                    n, m = s.shape[-2:]
                    s = s.masked_fill(torch.ones(n, m, dtype=torch.bool).triu(m - n + 1), float("-inf"))
                return torch.softmax(s, -1) @ v
            F.scaled_dot_product_attention = sdpa
        GQA_NATIVE = "enable_gqa" in (F.scaled_dot_product_attention.__doc__ or "")
        for base in ("llama-3.1-8b", "qwen3-30b-a3b", "gpt-oss-20b"):
            cfg = json.load(open(os.path.join(MODELS, base + ".json")))
            cfg.update(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                       head_dim=16, intermediate_size=96, vocab_size=101)
            if cfg.get("num_experts"):
                cfg.update(num_experts=8, num_experts_per_tok=2, moe_intermediate_size=32)
            if cfg.get("num_local_experts"):
                cfg.update(num_local_experts=8, num_experts_per_tok=2, intermediate_size=32, sliding_window=16,
                           layer_types=["sliding_attention", "full_attention"])
            run_model(base + "-tiny", cfg, [16, 33], [(1, 8, 4), (3, 8, 4), (2, 20, 8)], "cpu", torch.float32, False,
                      2, rows, info)
        print(json.dumps(info))
        return
    dev, dt = "cuda", torch.bfloat16
    torch.backends.cuda.matmul.allow_tf32 = False
    p = torch.cuda.get_device_properties(0)
    global MEM_GB
    MEM_GB = p.total_memory / 1e9
    info["env"] = {"device": torch.cuda.get_device_name(0), "sms": p.multi_processor_count,
                   "memory_GB": p.total_memory / 1e9, "torch": torch.__version__, "cuda": torch.version.cuda,
                   "date": time.strftime("%Y-%m-%d")}
    ceilings(dev)   # warm-up: the clocks ramp up from idle
    info["ceilings"] = ceilings(dev)
    log(json.dumps(info))
    if a.latency:
        info["latency"] = latency(dev)
        if a.log:
            with open(a.log, "w") as fp:
                json.dump(info, fp, indent=1)
        return
    if a.probe:
        info["bandwidth"] = bandwidth(dev)
        D, P = "decode", "prefill"
        for name, cases in (("llama-3.1-8b", [(D, 1, 1024), (D, 16, 1024), (D, 64, 1024), (D, 256, 1024),
                                              (P, 512), (P, 2048), (P, 8192)]),
                            ("qwen3-30b-a3b", [(D, 1, 1024), (D, 16, 1024), (D, 64, 1024), (D, 256, 1024),
                                               (P, 2048)]),
                            ("qwen3-32b", [(D, 1, 1024), (D, 16, 1024), (P, 512), (P, 2048)]),
                            # large-batch MoE decode, the published rows' regime (1024 in, 1024 out:
                            # mean context 1536); bf16 experts, not the checkpoint's MXFP4
                            ("gpt-oss-20b", [(D, 64, 1536), (D, 256, 1536), (D, 1024, 1536), (D, 2048, 1536)])):
            if a.models and name not in a.models.split(","):
                continue
            try:
                probe(name, dev, dt, cases, info)
            except Exception as e:
                log(f"{name}: probe FAILED: {e!r}")
        if a.log:
            with open(a.log, "w") as fp:
                json.dump(info, fp, indent=1)
        if not a.all:
            return
        a.log = a.log.replace(".json", "-plan.json") if a.log else None
    want = set(a.models.split(",")) if a.models else None
    for name, pre, dec in PLAN:
        if want and name not in want:
            continue
        cfg = json.load(open(os.path.join(MODELS, name + ".json")))
        try:
            from torch.nn.attention import SDPBackend, sdpa_kernel
            with sdpa_kernel([SDPBackend.FLASH_ATTENTION, SDPBackend.CUDNN_ATTENTION,
                              SDPBackend.EFFICIENT_ATTENTION]):   # never the unfused math path
                run_model(name, cfg, pre, dec, dev, dt, True, a.iters, rows, info)
        except Exception as e:   # keep what the other models measured
            log(f"{name}: FAILED: {e!r}")
            info.setdefault("errors", {})[name] = repr(e)
            torch.cuda.empty_cache()
        info["ceilings_after_" + name] = ceilings(dev)
        if a.log:
            with open(a.log, "w") as fp:
                json.dump({"info": info, "rows": rows}, fp, indent=1)
    gpu = info["env"]["device"]
    system = "h200" if "H200" in gpu else "h100-sxm" if "H100" in gpu else gpu.replace(" ", "-").lower()
    lines = []
    for n, (model, B, isl, osl, metric, v, note) in enumerate(rows, 1):
        lines.append(f"gpu-{system}-{n:03d},datacenter,{model},{system},1,1,1,,bf16,bf16,{B},{isl},{osl},{metric},"
                     f"{v:.3f},ms,PyTorch {torch.__version__} + CUDA graphs,tools/measure_gpu.py,"
                     f"\"{gpu}; {note}; median of graph replays (5 to {a.iters}); {info['env']['date']}\"")
    print("\n".join(lines))
    if a.csv:
        with open(a.csv, "w") as fp:
            fp.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
