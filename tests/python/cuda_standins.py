"""Stand-ins for ``torch.cuda`` on the GPUs the recipes meet, for the precision tests of every recipe (no recipe
module is imported here, so each recipe's tests may use them in their own interpreter)."""


class FakeCuda:
    """A stand-in for ``torch.cuda`` as torch 2.8 answers on one GPU. ``is_bf16_supported`` is torch's own logic
    (torch/cuda/__init__.py since torch 2.4: ``including_emulation=True`` by default; at compute capability below 8.0
    it answers whether a bfloat16 tensor can be created, which succeeds on Volta and Turing)."""

    def __init__(self, name, capability, available=True):
        self.name, self.capability, self.available = name, capability, available

    def is_available(self):
        return self.available

    def get_device_capability(self, device=None):
        return self.capability

    def get_device_name(self, device=None):
        return self.name

    def is_bf16_supported(self, including_emulation=True):
        if self.capability[0] >= 8:
            return True
        return including_emulation  # a bfloat16 tensor can be created: emulation


# Compute capabilities from NVIDIA's table (https://developer.nvidia.com/cuda-gpus): T4 7.5 (ml.g4dn), V100 7.0
# (ml.p3, ml.p3dn), A10G 8.6 (ml.g5), L4 8.9 (ml.g6), A100 8.0 (ml.p4d), H100 9.0 (ml.p5).
T4, V100 = FakeCuda("Tesla T4", (7, 5)), FakeCuda("Tesla V100-SXM2-32GB", (7, 0))
A10G, H100 = FakeCuda("NVIDIA A10G", (8, 6)), FakeCuda("NVIDIA H100 80GB HBM3", (9, 0))
