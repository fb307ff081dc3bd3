"""The ``cnn`` workload: one training step of a LeNet-style network on a batch of 64 28x28 images.

    Conv2d(1, 8, 5) ReLU MaxPool2d(2) Conv2d(8, 16, 5) ReLU MaxPool2d(2) Flatten Linear(256, 10)

with softmax cross-entropy and Adam(lr=1e-3). As in ``workloads.py``, the initial weights (under
PyTorch's state_dict names, with PyTorch's default initialisation) and the data are NumPy arrays
shared by every column, and the framework version is written once for PyTorch and tinygrad_edu.
The hand-written NumPy floor is ``cnn_ref.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from benchmarks.workloads import Framework, Problem, Train

BATCH, SIDE, CLASSES = 64, 28, 10
CONV1, CONV2, KERNEL = 8, 16, 5
FLAT = CONV2 * 4 * 4  # 28 -conv5-> 24 -pool-> 12 -conv5-> 8 -pool-> 4


def cnn_problem(batch: int = BATCH, seed: int = 0) -> Problem:
    """PyTorch's default Conv2d/Linear initialisation: U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    rng = np.random.default_rng(seed)
    shapes = {
        "conv1.weight": (CONV1, 1, KERNEL, KERNEL),
        "conv1.bias": (CONV1,),
        "conv2.weight": (CONV2, CONV1, KERNEL, KERNEL),
        "conv2.bias": (CONV2,),
        "fc.weight": (CLASSES, FLAT),
        "fc.bias": (CLASSES,),
    }
    fan_in = {"conv1": KERNEL * KERNEL, "conv2": CONV1 * KERNEL * KERNEL, "fc": FLAT}
    params = {}
    for name, shape in shapes.items():
        bound = 1 / np.sqrt(fan_in[name.split(".")[0]])
        params[name] = rng.uniform(-bound, bound, size=shape).astype(np.float32)
    data = {
        "x": rng.standard_normal((batch, 1, SIDE, SIDE), dtype=np.float32),
        "y": rng.integers(0, CLASSES, size=batch).astype(np.int64),
    }
    return Problem("cnn", "cnn", params, data, {"batch": batch})


def cnn_model(fw: Framework) -> Any:
    nn, F = fw.nn, fw.F

    class LeNet(nn.Module):  # type: ignore[name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(1, CONV1, KERNEL)
            self.conv2 = nn.Conv2d(CONV1, CONV2, KERNEL)
            self.fc = nn.Linear(FLAT, CLASSES)

        def forward(self, x: Any) -> Any:
            x = F.max_pool2d(F.relu(self.conv1(x)), 2)
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            return self.fc(x.flatten(1))

    return LeNet()


def cnn_train(problem: Problem, fw: Framework) -> Train:
    """``step()``: zero_grad, forward, cross-entropy, backward, Adam, as in any PyTorch loop."""
    x, y = fw.tensor(problem.data["x"]), fw.tensor(problem.data["y"])
    return Train(cnn_model(fw), problem, fw, (x,), y, fw.F.cross_entropy)
