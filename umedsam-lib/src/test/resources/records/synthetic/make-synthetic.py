#!/usr/bin/env python3
"""Writes the synthetic run records the figure/report tests render from.

Not measured: curves shaped like a short LiteMedSAM fine-tune (exponential decay plus noise,
sigmas drifting toward each term's scale). Deterministic (fixed seed). Re-run from this folder:
    python3 make-synthetic.py
"""
import json, math, os, random

random.seed(7)
TERMS = {"dice": 0.35, "bce": 0.25, "iou": 0.06, "sd": 0.9}  # the trainer's default terms

def run(name, config, seed, sigmas, steps=200, epochs=5):
    os.makedirs(name, exist_ok=True)
    rng = random.Random(seed * 31 + len(config))
    with open(f"{name}/steps.csv", "w") as f:
        cols = ["step", "epoch", "lr", "grad_norm", "loss_total"] + [f"loss_{t}" for t in TERMS]
        if sigmas:
            cols += [f"sigma_{t}" for t in TERMS]
        cols.append("seconds")
        f.write(",".join(cols) + "\n")
        for s in range(steps):
            row = [s, s * epochs // steps, 1e-4 * (0.5 if s > 150 else 1.0), 0.5 + rng.random()]
            vals = {}
            for t, scale in TERMS.items():
                v = scale * (0.35 + 0.65 * math.exp(-s / 60)) * math.exp(rng.gauss(0, 0.12))
                vals[t] = v
            drift = 0.6 if config == "full" else 0.8  # SAM's perturbed gradients slow the sigma drift a little
            sig = {t: math.sqrt(0.5) * math.exp(-drift * (1 - math.exp(-s / 80)) * (1 - scale)) for t, scale in TERMS.items()}
            if sigmas:
                total = sum(vals[t] / (2 * sig[t] ** 2) + math.log(sig[t]) for t in TERMS)
            else:
                total = vals["dice"] + vals["bce"]
            row.append(total)
            row += [vals[t] for t in TERMS]
            if sigmas:
                row += [sig[t] for t in TERMS]
            row.append(0.9 + 0.2 * rng.random())
            f.write(",".join(f"{v:.6g}" for v in row) + "\n")
    with open(f"{name}/epochs.csv", "w") as f:
        f.write("epoch,train_loss,val_loss,val_dsc,lr,seconds\n")
        for e in range(epochs):
            tl = 0.6 * (0.4 + 0.6 * math.exp(-e / 1.5))
            f.write(f"{e},{tl:.5f},{tl * 1.1 + 0.02 * rng.random():.5f},{0.62 + 0.2 * (1 - math.exp(-e / 1.5)):.4f},1e-4,{40 + rng.random():.2f}\n")
    with open(f"{name}/run.json", "w") as f:
        json.dump({"configuration": config, "seed": seed, "git_commit": "synthetic"}, f, indent=1)

for seed in (0, 1):
    run(f"runs/baseline-s{seed}", "baseline", seed, False)
    run(f"runs/full-s{seed}", "full", seed, True)
run("runs/no-sam-s0", "no-sam", 0, True)

def per_run_files():
    """scores.csv and timings.csv inside each run folder, landscapes for seed 0 of no-sam and full."""
    import csv
    rows = list(csv.DictReader(open("scores.csv")))
    timing_rows = list(csv.DictReader(open("timings.csv")))
    for run_dir in sorted(os.listdir("runs")):
        config, seed = run_dir.rsplit("-s", 1)
        with open(f"runs/{run_dir}/scores.csv", "w") as f:
            f.write("case,modality,dsc,nsd\n")
            for r in rows:
                if r["configuration"] == config and r["seed"] == seed:
                    f.write(f"{r['case']},{r['modality']},{r['dsc']},{r['nsd']}\n")
        with open(f"runs/{run_dir}/timings.csv", "w") as f:
            f.write("case,modality,size,objects,seconds\n")
            for r in timing_rows:
                f.write(f"{r['case']},{r['modality']},{r['size']},{r['objects']},{float(r['seconds']) * (1.02 if config == 'full' else 1.0):.3f}\n")
    for config in ("no-sam", "full"):
        os.makedirs(f"runs/{config}-s0/landscape", exist_ok=True)
        for name in ("line.csv", "surface.csv"):
            src = f"landscape-1d-{config}.csv" if name == "line.csv" else "landscape-2d-full.csv"
            text = open(src).read()
            if name == "surface.csv" and config == "no-sam":
                lines = text.splitlines()
                text = lines[0] + "\n" + "\n".join(
                    ",".join(l.split(",")[:2] + [f"{0.31 + 2.2 * (float(l.split(',')[2]) - 0.31):.5f}"]) for l in lines[1:]) + "\n"
            open(f"runs/{config}-s0/landscape/{name}", "w").write(text)
        inc = 0.09 if config == "no-sam" else 0.035
        json.dump({"rho": 0.05, "loss": 0.31, "randomIncrease": inc / 4, "ascentIncrease": inc, "sharpness": inc,
                   "directions": 8, "ascentSteps": 3}, open(f"runs/{config}-s0/landscape/sharpness.json", "w"))


MODS = ["ct", "mr", "pet", "us", "xray", "dermoscopy", "endoscopy", "fundus", "microscopy"]
CONF = {"baseline": 0.0, "only-sd": 0.01, "no-sam": 0.015, "full": 0.025}
with open("scores.csv", "w") as f:
    f.write("configuration,seed,case,modality,dsc,nsd\n")
    for c, gain in CONF.items():
        for seed in range(3):
            for mi, m in enumerate(MODS):
                for k in range(2):
                    base = 0.7 + 0.25 * math.sin(mi * 1.3) ** 2
                    d = min(0.99, base + gain + random.gauss(0, 0.02))
                    n = min(0.99, d + 0.03 + random.gauss(0, 0.02))
                    f.write(f"{c},{seed},{m}_{k:03d},{m},{d:.4f},{n:.4f}\n")

with open("timings.csv", "w") as f:
    f.write("case,modality,size,objects,seconds\n")
    cases = [("CT_Abd_0001", "ct", "512×512×110", 13), ("MR_Brain_0001", "mr", "256×256×160", 2),
             ("PET_Lesion_0001", "pet", "200×200×326", 3), ("US_Heart_0001", "us", "800×600", 1),
             ("XRay_Chest_0001", "xray", "1024×1024", 2), ("Derm_0001", "dermoscopy", "1024×768", 1),
             ("Endo_0001", "endoscopy", "1280×1024", 1), ("Fundus_0001", "fundus", "2048×1536", 2),
             ("Micro_0001", "microscopy", "1024×1024", 38)]
    for cid, m, size, obj in cases:
        dims = [int(x) for x in size.split("×")]
        slices = dims[2] if len(dims) == 3 else 1
        secs = 0.25 * obj * slices * 0.3 + 0.4 + random.random() * 0.1
        f.write(f"{cid},{m},{size},{obj},{secs:.3f}\n")

alphas = [round(-1 + 0.1 * i, 2) for i in range(21)]
for label, curv in (("no-sam", 1.6), ("full", 0.7)):
    with open(f"landscape-1d-{label}.csv", "w") as f:
        f.write("alpha,loss\n")
        for a in alphas:
            f.write(f"{a},{0.31 + curv * a * a + 0.05 * abs(a) ** 3:.5f}\n")
grid = [round(-1 + 2 * i / 14, 4) for i in range(15)]
with open("landscape-2d-full.csv", "w") as f:
    f.write("alpha,beta,loss\n")
    for b in grid:
        for a in grid:
            f.write(f"{a},{b},{0.31 + 0.7 * a * a + 1.1 * b * b + 0.3 * a * b + 0.05 * math.sin(3 * a):.5f}\n")

per_run_files()
