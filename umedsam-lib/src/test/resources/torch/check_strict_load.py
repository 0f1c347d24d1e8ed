"""Loads a state dict exported by umedsam into a PyTorch module with strict=True.

usage: check_strict_load.py REFERENCE.pth EXPORTED.pth

The module is built from REFERENCE (the upstream checkpoint): every floating tensor becomes a
parameter and every other tensor a buffer, under the same dotted names, so `load_state_dict(strict=True)`
applies exactly PyTorch's checks for missing keys, unexpected keys and shape mismatches. The values
must then equal those of REFERENCE bit for bit (the export of an unchanged import). Prints one line
per check and exits non-zero on the first failure.
"""
import sys

import torch


def state_dict_of(path):
    obj = torch.load(path, map_location="cpu")
    if isinstance(obj, dict) and "model" in obj and not torch.is_tensor(obj["model"]):
        obj = obj["model"]
    return obj


class Holder(torch.nn.Module):
    """A module whose state_dict has the reference's names and shapes."""

    def __init__(self, reference):
        super().__init__()
        for name, t in reference.items():
            owner = self
            *path, leaf = name.split(".")
            for p in path:
                if p not in owner._modules:
                    owner.add_module(p, torch.nn.Module())
                owner = owner._modules[p]
            if t.is_floating_point():
                owner.register_parameter(leaf, torch.nn.Parameter(torch.zeros_like(t)))
            else:
                owner.register_buffer(leaf, torch.zeros_like(t))


def main(reference_path, exported_path):
    reference = state_dict_of(reference_path)
    exported = torch.load(exported_path, map_location="cpu")
    print(f"torch {torch.__version__}: reference has {len(reference)} tensors, export has {len(exported)}")
    module = Holder(reference)
    result = module.load_state_dict(exported, strict=True)
    print(f"load_state_dict(strict=True): {result}")
    loaded = module.state_dict()
    for name, ref in reference.items():
        got = loaded[name]
        if got.dtype != ref.dtype or got.shape != ref.shape or not torch.equal(got, ref):
            print(f"MISMATCH {name}: {got.dtype} {tuple(got.shape)} vs {ref.dtype} {tuple(ref.shape)}")
            return 1
    print(f"all {len(reference)} tensors equal the reference (dtype, shape, values)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
