"""Times PyTorch training steps of a LiteMedSAM-architecture model, for TorchTrainStepBenchmark.

usage: litemedsam_train_step.py --mode plain|sam --steps N [--warmup 1] [--preset litemedsam|small]
                                [--threads 2] [--batch 2] [--rho 0.05]

The model is written here from the architecture's facts (umedsam's own definition, not upstream code):
TinyViT image encoder (LiteMedSAM: embed dims 64/128/160/320, depths 2/2/6/2, heads 2/4/5/10, windows
7/7/14/7, merge strides 2/2/1, a patch embedding of two 1x1 Conv2d_BN without down-sampling, MBConv stage at
full resolution), the neck to a [B, 256, 64, 64] embedding, SAM's box prompt encoder and the two-way
transformer mask decoder (depth 2, 8 heads, MLP 2048, attention down-sampling 2), single-mask output at
[B, 1, 256, 256]. Everything trains, in training mode (BatchNorm with batch statistics), as umedsam's trainer
does. Loss: uncertainty-weighted (U-MedSAM's Eq. 1) Dice + BCE + IoU-head MSE + shape distance. Optimiser:
AdamW (lr 5e-5, weight decay 0.01) alone, or under SAM (gradient at w, ascent to w + rho g/||g||, gradient
there, w restored, AdamW steps with the second gradient), the arithmetic of umedsam's SharpnessAwareMinimizer.

Runs --warmup uncounted steps (the first one included), then --steps counted ones. Prints one line per step and
a summary line (first: the first step's seconds; mean, cpu_mean: over the counted steps):
TORCH mode=<m> preset=<p> batch=<b> threads=<t> first=<s> mean=<s> steps=<n> cpu_mean=<s> peak_rss_kb=<kB>
    system_cpu_share=<kernel share of the counted steps' CPU time> minor_faults_per_step=<n>
    torch=<version> blas=<the mapped BLAS library>[,openblas_core=<the kernels OpenBLAS chose>]
    malloc=<the mapped jemalloc or tcmalloc library, or glibc>
"""
import argparse
import math
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

PRESETS = {
    # embed dims, depths, heads, windows, merge strides, decoder width, transformer MLP, heads, iou hidden
    "litemedsam": dict(dims=(64, 128, 160, 320), depths=(2, 2, 6, 2), heads=(2, 4, 5, 10), windows=(7, 7, 14, 7),
                       strides=(2, 2, 1), embed=256, mlp=2048, dec_heads=8, iou_hidden=256),
    "small": dict(dims=(32, 64, 96, 160), depths=(1, 1, 2, 1), heads=(1, 2, 3, 5), windows=(7, 7, 14, 7),
                  strides=(2, 2, 1), embed=128, mlp=512, dec_heads=4, iou_hidden=128),
}
IMAGE = 256


class ConvBn(nn.Sequential):
    """Bias-free convolution then BatchNorm2d (TinyViT's Conv2d_BN)."""

    def __init__(self, cin, cout, k=1, stride=1, groups=1):
        super().__init__()
        self.add_module("c", nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False))
        self.add_module("bn", nn.BatchNorm2d(cout))


class MBConv(nn.Module):
    def __init__(self, dim, expand=4):
        super().__init__()
        hidden = dim * expand
        self.conv1 = ConvBn(dim, hidden)
        self.conv2 = ConvBn(hidden, hidden, 3, 1, hidden)
        self.conv3 = ConvBn(hidden, dim)

    def forward(self, x):
        y = F.gelu(self.conv1(x))
        y = F.gelu(self.conv2(y))
        return F.gelu(x + self.conv3(y))


class PatchMerging(nn.Module):
    """Tokens [B, side*side, dim] or a map [B, dim, side, side] -> tokens [B, side'^2, out]."""

    def __init__(self, dim, out, stride):
        super().__init__()
        self.conv1 = ConvBn(dim, out)
        self.conv2 = ConvBn(out, out, 3, stride, out)
        self.conv3 = ConvBn(out, out)

    def forward(self, x, side):
        if x.dim() == 3:
            x = x.transpose(1, 2).reshape(x.shape[0], -1, side, side)
        x = F.gelu(self.conv1(x))
        x = F.gelu(self.conv2(x))
        x = self.conv3(x)
        return x.flatten(2).transpose(1, 2), x.shape[-1]


class WindowAttention(nn.Module):
    """Multi-head attention inside ws x ws windows with a learned bias per head and |offset|, LayerNorm first."""

    def __init__(self, dim, heads, ws):
        super().__init__()
        self.heads = heads
        self.hd = dim // heads
        self.norm = nn.LayerNorm(dim)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.attention_biases = nn.Parameter(torch.zeros(heads, ws * ws))
        ys, xs = torch.meshgrid(torch.arange(ws), torch.arange(ws), indexing="ij")
        ys, xs = ys.flatten(), xs.flatten()
        idx = (ys[:, None] - ys[None, :]).abs() * ws + (xs[:, None] - xs[None, :]).abs()
        self.register_buffer("bias_idx", idx, persistent=False)

    def forward(self, x):  # [N, n, dim]
        n_, n, _ = x.shape
        q, k, v = self.qkv(self.norm(x)).view(n_, n, self.heads, 3 * self.hd).permute(0, 2, 1, 3).split(self.hd, 3)
        a = (q @ k.transpose(-2, -1)) * self.hd ** -0.5 + self.attention_biases[:, self.bias_idx]
        return self.proj((a.softmax(-1) @ v).transpose(1, 2).reshape(n_, n, -1))


class TinyVitBlock(nn.Module):
    def __init__(self, dim, heads, ws, mlp_ratio=4):
        super().__init__()
        self.ws = ws
        self.attn = WindowAttention(dim, heads, ws)
        self.local_conv = ConvBn(dim, dim, 3, 1, dim)
        self.mlp = nn.Sequential(nn.LayerNorm(dim), nn.Linear(dim, dim * mlp_ratio), nn.GELU(),
                                 nn.Linear(dim * mlp_ratio, dim))

    def forward(self, x, side):
        b, l, c = x.shape
        ws = self.ws
        pad = (ws - side % ws) % ws
        t = x.view(b, side, side, c)
        if pad:
            t = F.pad(t, (0, 0, 0, pad, 0, pad))
        p = side + pad
        nw = p // ws
        t = t.view(b, nw, ws, nw, ws, c).transpose(2, 3).reshape(b * nw * nw, ws * ws, c)
        t = self.attn(t).view(b, nw, nw, ws, ws, c).transpose(2, 3).reshape(b, p, p, c)
        x = x + t[:, :side, :side].reshape(b, l, c)
        x = self.local_conv(x.transpose(1, 2).reshape(b, c, side, side)).view(b, c, l).transpose(1, 2)
        return x + self.mlp(x)


class LayerNorm2d(nn.Module):
    def __init__(self, c, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(c))
        self.bias = nn.Parameter(torch.zeros(c))
        self.eps = eps

    def forward(self, x):
        u = x.mean(1, keepdim=True)
        s = (x - u).pow(2).mean(1, keepdim=True)
        return self.weight[:, None, None] * (x - u) / torch.sqrt(s + self.eps) + self.bias[:, None, None]


class ImageEncoder(nn.Module):
    def __init__(self, p):
        super().__init__()
        d = p["dims"]
        self.patch_embed = nn.Sequential(ConvBn(3, d[0] // 2), nn.GELU(), ConvBn(d[0] // 2, d[0]))
        self.mbconvs = nn.ModuleList(MBConv(d[0]) for _ in range(p["depths"][0]))
        self.mergings = nn.ModuleList(PatchMerging(d[i], d[i + 1], p["strides"][i]) for i in range(3))
        self.stages = nn.ModuleList(
            nn.ModuleList(TinyVitBlock(d[i], p["heads"][i], p["windows"][i]) for _ in range(p["depths"][i]))
            for i in range(1, 4))
        e = p["embed"]
        self.neck = nn.Sequential(nn.Conv2d(d[3], e, 1, bias=False), LayerNorm2d(e),
                                  nn.Conv2d(e, e, 3, padding=1, bias=False), LayerNorm2d(e))

    def forward(self, x):
        x = self.patch_embed(x)
        for m in self.mbconvs:
            x = m(x)
        side = x.shape[-1]
        for i in range(3):
            x, side = self.mergings[i](x, side)
            for blk in self.stages[i]:
                x = blk(x, side)
        b, _, c = x.shape
        return self.neck(x.transpose(1, 2).reshape(b, c, side, side))


class PromptEncoder(nn.Module):
    def __init__(self, e=256, grid=64):
        super().__init__()
        self.gaussian = nn.Parameter(torch.randn(2, e // 2), requires_grad=False)
        self.point_embeddings = nn.Parameter(torch.randn(4, e))
        self.no_mask_embed = nn.Parameter(torch.randn(1, e))
        self.grid = grid

    def pe(self, coords):  # coords in [0, 1]
        c = (2 * coords - 1) @ self.gaussian * (2 * math.pi)
        return torch.cat([c.sin(), c.cos()], -1)

    def forward(self, boxes):
        corners = (boxes.view(-1, 2, 2) + 0.5) / IMAGE
        sparse = self.pe(corners) + self.point_embeddings[2:4]
        b = boxes.shape[0]
        dense = self.no_mask_embed.view(1, -1, 1, 1).expand(b, -1, self.grid, self.grid)
        g = (torch.arange(self.grid, dtype=torch.float32) + 0.5) / self.grid
        yy, xx = torch.meshgrid(g, g, indexing="ij")
        image_pe = self.pe(torch.stack([xx, yy], -1)).permute(2, 0, 1).unsqueeze(0)
        return sparse, dense, image_pe


class Attention(nn.Module):
    def __init__(self, e, heads, down=1):
        super().__init__()
        i = e // down
        self.heads = heads
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = (nn.Linear(e, i), nn.Linear(e, i), nn.Linear(e, i),
                                                                nn.Linear(i, e))

    def forward(self, q, k, v):
        def split(t):
            b, n, c = t.shape
            return t.view(b, n, self.heads, c // self.heads).transpose(1, 2)

        q, k, v = split(self.q_proj(q)), split(self.k_proj(k)), split(self.v_proj(v))
        a = (q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])).softmax(-1)
        o = (a @ v).transpose(1, 2)
        return self.out_proj(o.reshape(o.shape[0], o.shape[1], -1))


class TwoWayBlock(nn.Module):
    def __init__(self, e, heads, mlp, skip_pe):
        super().__init__()
        self.self_attn = Attention(e, heads)
        self.cross_token_to_image = Attention(e, heads, 2)
        self.cross_image_to_token = Attention(e, heads, 2)
        self.norms = nn.ModuleList(nn.LayerNorm(e) for _ in range(4))
        self.mlp = nn.Sequential(nn.Linear(e, mlp), nn.ReLU(), nn.Linear(mlp, e))
        self.skip_pe = skip_pe

    def forward(self, queries, keys, query_pe, key_pe):
        if self.skip_pe:
            queries = self.self_attn(queries, queries, queries)
        else:
            q = queries + query_pe
            queries = queries + self.self_attn(q, q, queries)
        queries = self.norms[0](queries)
        q, k = queries + query_pe, keys + key_pe
        queries = self.norms[1](queries + self.cross_token_to_image(q, k, keys))
        queries = self.norms[2](queries + self.mlp(queries))
        q, k = queries + query_pe, keys + key_pe
        keys = self.norms[3](keys + self.cross_image_to_token(k, q, queries))
        return queries, keys


class MaskDecoder(nn.Module):
    def __init__(self, p, outputs=4):
        super().__init__()
        e = p["embed"]
        self.outputs = outputs
        self.iou_token = nn.Parameter(torch.randn(1, e))
        self.mask_tokens = nn.Parameter(torch.randn(outputs, e))
        self.layers = nn.ModuleList(TwoWayBlock(e, p["dec_heads"], p["mlp"], i == 0) for i in range(2))
        self.final_attn = Attention(e, p["dec_heads"], 2)
        self.norm_final = nn.LayerNorm(e)
        self.up1 = nn.ConvTranspose2d(e, e // 4, 2, 2)
        self.up_norm = LayerNorm2d(e // 4)
        self.up2 = nn.ConvTranspose2d(e // 4, e // 8, 2, 2)
        self.hyper = nn.ModuleList(nn.Sequential(nn.Linear(e, e), nn.ReLU(), nn.Linear(e, e), nn.ReLU(),
                                                 nn.Linear(e, e // 8)) for _ in range(outputs))
        h = p["iou_hidden"]
        self.iou_head = nn.Sequential(nn.Linear(e, h), nn.ReLU(), nn.Linear(h, h), nn.ReLU(), nn.Linear(h, outputs))

    def forward(self, emb, image_pe, sparse, dense):
        b = sparse.shape[0]
        tokens = torch.cat([self.iou_token, self.mask_tokens], 0).unsqueeze(0).expand(b, -1, -1)
        tokens = torch.cat([tokens, sparse], 1)
        src = emb + dense
        c, g = src.shape[1], src.shape[2]
        keys = src.flatten(2).transpose(1, 2)
        key_pe = image_pe.flatten(2).transpose(1, 2).expand(b, -1, -1)
        queries = tokens
        for layer in self.layers:
            queries, keys = layer(queries, keys, tokens, key_pe)
        q, k = queries + tokens, keys + key_pe
        queries = self.norm_final(queries + self.final_attn(q, k, keys))
        iou_out, mask_out = queries[:, 0], queries[:, 1:1 + self.outputs]
        up = keys.transpose(1, 2).reshape(b, c, g, g)
        up = F.gelu(self.up2(F.gelu(self.up_norm(self.up1(up)))))
        hyper = torch.stack([self.hyper[i](mask_out[:, i]) for i in range(self.outputs)], 1)
        masks = (hyper @ up.flatten(2)).view(b, self.outputs, up.shape[-2], up.shape[-1])
        return masks[:, :1], self.iou_head(iou_out)[:, :1]


class LiteMedSam(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.image_encoder = ImageEncoder(p)
        e = p["embed"]
        self.prompt_encoder = PromptEncoder(e)
        self.mask_decoder = MaskDecoder(p)

    def forward(self, images, boxes):
        emb = self.image_encoder(images)
        sparse, dense, image_pe = self.prompt_encoder(boxes)
        return self.mask_decoder(emb, image_pe, sparse, dense)


def losses(logits, iou_pred, target, distance):
    """Dice, BCE, IoU-head MSE and shape distance, each a batch mean."""
    p = torch.sigmoid(logits)
    inter = (p * target).flatten(1).sum(1)
    dice = 1 - (2 * inter + 1e-5) / (p.flatten(1).sum(1) + target.flatten(1).sum(1) + 1e-5)
    bce = F.binary_cross_entropy_with_logits(logits, target)
    with torch.no_grad():
        hard = (logits > 0).float()
        i = (hard * target).flatten(1).sum(1)
        u = ((hard + target) > 0).float().flatten(1).sum(1)
        iou_target = torch.where(u > 0, i / u.clamp(min=1), torch.ones_like(u))
    iou = F.mse_loss(iou_pred.flatten(), iou_target)
    sd = ((distance - p).abs().flatten(1).sum(1) / p.flatten(1).sum(1).clamp(min=1.0)).mean()
    return torch.stack([dice.mean(), bce, iou, sd])


def closure(model, log_sigma, batch):
    images, boxes, target, distance = batch
    logits, iou_pred = model(images, boxes)
    terms = losses(logits, iou_pred, target, distance)
    loss = (torch.exp(-2 * log_sigma) / 2 * terms + log_sigma).sum()
    loss.backward()
    return loss.item()


def sam_step(model, log_sigma, opt, batch, rho):
    params = [p for p in list(model.parameters()) + [log_sigma] if p.requires_grad]
    closure(model, log_sigma, batch)
    with torch.no_grad():
        norm = torch.norm(torch.stack([p.grad.norm(2) for p in params if p.grad is not None]), 2)
        scale = rho / (norm + 1e-12)
        saved = []
        for p in params:
            saved.append(p.detach().clone())
            if p.grad is not None:
                p.add_(p.grad * scale)
    opt.zero_grad(set_to_none=True)
    # the perturbed pass must not update BatchNorm's running statistics
    momenta = {}
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            momenta[m] = m.momentum
            m.momentum = 0.0
    closure(model, log_sigma, batch)
    for m, mo in momenta.items():
        m.momentum = mo
    with torch.no_grad():
        for p, s in zip(params, saved):
            p.copy_(s)
    opt.step()


def mapped_libraries():
    """The real paths of the shared libraries this process has mapped (/proc/self/maps)."""
    import os
    found = set()
    with open("/proc/self/maps") as f:
        for line in f:
            fields = line.split()
            if len(fields) >= 6:
                found.add(os.path.realpath(fields[-1]))
    return found


def blas_library():
    """The BLAS shared library this process mapped (Debian's torch uses whichever libblas.so.3 is selected:
    reference BLAS unless OpenBLAS or BLIS is installed, which changes its speed several-fold)."""
    import os
    found = {p for p in mapped_libraries() if "blas" in os.path.basename(p) or "blis" in os.path.basename(p)}
    return ",".join(sorted(found) + openblas_cores(found)) or "n/a"


def malloc_library():
    """The allocator this process runs on: a jemalloc or tcmalloc library mapped (through LD_PRELOAD), else glibc's.
    PyTorch's CPU allocator hands large tensors to malloc and free; glibc returns them to the kernel and the next step
    faults them in again, which costs several times more on some VMs than on others."""
    import os
    found = sorted(p for p in mapped_libraries() if os.path.basename(p).startswith(("libjemalloc", "libtcmalloc")))
    return found[0] if found else "glibc"


def openblas_cores(paths):
    """OpenBLAS's kernel choice, e.g. ["openblas_core=Haswell"]: a release older than the CPU falls back to an older
    core's kernels (OpenBLAS 0.3.21 runs Haswell's AVX2 kernels on a Zen 5 with AVX-512; OPENBLAS_CORETYPE overrides)."""
    import ctypes
    cores = []
    for path in sorted(paths):
        if "openblas" not in path:
            continue
        try:
            f = ctypes.CDLL(path).openblas_get_corename
            f.restype = ctypes.c_char_p
            cores.append("openblas_core=" + f().decode())
        except (OSError, AttributeError):
            pass
    return sorted(set(cores))


def peak_rss_kb():
    """This process' peak resident set (VmHWM). Not ru_maxrss: started from the JVM, the child's ru_maxrss keeps
    the parent's peak from before exec, so it would report Java's memory instead of PyTorch's."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=["plain", "sam"], required=True)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--preset", choices=sorted(PRESETS), default="litemedsam")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--rho", type=float, default=0.05)
    a = ap.parse_args()
    if a.steps < 1 or a.warmup < 1 or a.batch < 1 or a.threads < 1:
        ap.error("--steps, --warmup, --batch and --threads must be >= 1")
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    model = LiteMedSam(PRESETS[a.preset])
    model.train()
    log_sigma = nn.Parameter(torch.zeros(4))
    opt = torch.optim.AdamW([{"params": list(model.parameters())}, {"params": [log_sigma], "weight_decay": 0.0}],
                            lr=5e-5, weight_decay=0.01)
    b = a.batch
    images = torch.rand(b, 3, IMAGE, IMAGE)
    boxes = torch.tensor([[30.0 + 10 * i, 40.0, 150.0 + 10 * i, 160.0] for i in range(b)])
    target = torch.zeros(b, 1, IMAGE, IMAGE)
    for i in range(b):
        target[i, 0, 50:140, 40 + 10 * i:130 + 10 * i] = 1
    distance = torch.rand(b, 1, IMAGE, IMAGE) * target
    batch = (images, boxes, target, distance)
    times, cpus = [], []
    for s in range(a.warmup + a.steps):
        if s == a.warmup:  # the counted steps' kernel time and page faults: glibc returns large tensors to the kernel
            u1 = resource.getrusage(resource.RUSAGE_SELF)
        t0, c0 = time.perf_counter(), time.process_time()
        opt.zero_grad(set_to_none=True)
        if a.mode == "sam":
            sam_step(model, log_sigma, opt, batch, a.rho)
        else:
            closure(model, log_sigma, batch)
            opt.step()
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
        print(f"TORCH step {s} mode={a.mode} {times[-1]:.2f} s (cpu {cpus[-1]:.2f} s)", flush=True)
    rest, rest_cpus = times[a.warmup:], cpus[a.warmup:]
    peak = peak_rss_kb()
    u2 = resource.getrusage(resource.RUSAGE_SELF)
    system_share = (u2.ru_stime - u1.ru_stime) / max(1e-9, sum(rest_cpus))
    faults = (u2.ru_minflt - u1.ru_minflt) / len(rest)
    print(f"TORCH mode={a.mode} preset={a.preset} batch={b} threads={a.threads} first={times[0]:.3f} "
          f"mean={sum(rest) / len(rest):.3f} steps={len(rest)} warmup={a.warmup} "
          f"cpu_mean={sum(rest_cpus) / len(rest):.3f} "
          f"peak_rss_kb={peak} system_cpu_share={system_share:.2f} minor_faults_per_step={faults:.0f} "
          f"torch={torch.__version__} blas={blas_library()} malloc={malloc_library()}", flush=True)


if __name__ == "__main__":
    main()
