"""PyTorch programs run unchanged: each program below is written for PyTorch, in the style of its
beginner tutorials, and is run twice, with ``torch`` bound to tinygrad_edu (always) and to PyTorch
(where it is installed). Both runs must get through, and the figures they report must agree
where the two libraries are started from the same weights; elsewhere (random initialisation,
whose streams differ) both must learn.

Each program is a function of the modules a PyTorch program would import, so the source reads as
the tutorial does: ``def program(torch, nn, F, optim, data): ...``.
"""

from __future__ import annotations

import math
import types
from typing import Any

import numpy as np
import pytest

import tinygrad_edu


def _ours() -> types.SimpleNamespace:
    import tinygrad_edu.nn.functional as F
    import tinygrad_edu.utils.data as data

    return types.SimpleNamespace(
        torch=tinygrad_edu, nn=tinygrad_edu.nn, F=F, optim=tinygrad_edu.optim, data=data
    )


def _theirs() -> types.SimpleNamespace:
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F
    import torch.utils.data as data

    torch.set_num_threads(1)
    return types.SimpleNamespace(torch=torch, nn=torch.nn, F=F, optim=torch.optim, data=data)


LIBS = {"tinygrad_edu": _ours, "torch": _theirs}


@pytest.fixture(params=list(LIBS))
def lib(request: pytest.FixtureRequest) -> types.SimpleNamespace:
    return LIBS[request.param]()


# -- the quickstart: a Dataset, a DataLoader, an nn.Module, a training and a test loop -----------


def quickstart(torch: Any, nn: Any, F: Any, optim: Any, data: Any, tmp: Any) -> dict[str, float]:
    class Blobs(data.Dataset):
        """Two Gaussian blobs in 8-d, labels 0 and 1."""

        def __init__(self, n: int, seed: int) -> None:
            rng = np.random.default_rng(seed)
            self.y = rng.integers(0, 2, n)
            self.x = (rng.standard_normal((n, 8)) + 2.0 * self.y[:, None]).astype(np.float32)

        def __len__(self) -> int:
            return len(self.y)

        def __getitem__(self, i: int) -> tuple[Any, Any]:
            return torch.tensor(self.x[i]), int(self.y[i])

    train_dataloader = data.DataLoader(Blobs(256, 0), batch_size=32, shuffle=True)
    test_dataloader = data.DataLoader(Blobs(128, 1), batch_size=32)

    class NeuralNetwork(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(
                nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 2)
            )

        def forward(self, x: Any) -> Any:
            x = self.flatten(x)
            logits = self.linear_relu_stack(x)
            return logits

    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.manual_seed(0)
    model = NeuralNetwork().to(device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=1e-1)

    def train(dataloader: Any, model: Any, loss_fn: Any, optimizer: Any) -> None:
        model.train()
        for X, y in dataloader:
            X, y = X.to(device), y.to(device)
            pred = model(X)
            loss = loss_fn(pred, y)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()

    def test(dataloader: Any, model: Any, loss_fn: Any) -> tuple[float, float]:
        size = len(dataloader.dataset)
        num_batches = len(dataloader)
        model.eval()
        test_loss, correct = 0.0, 0.0
        with torch.no_grad():
            for X, y in dataloader:
                X, y = X.to(device), y.to(device)
                pred = model(X)
                test_loss += loss_fn(pred, y).item()
                correct += (pred.argmax(1) == y).type(torch.float).sum().item()
        return test_loss / num_batches, correct / size

    for _ in range(5):
        train(train_dataloader, model, loss_fn, optimizer)
    loss, accuracy = test(test_dataloader, model, loss_fn)
    torch.save(model.state_dict(), str(tmp / "model.pth"))
    model = NeuralNetwork().to(device)
    model.load_state_dict(torch.load(str(tmp / "model.pth"), weights_only=True))
    again = test(test_dataloader, model, loss_fn)
    return {"loss": loss, "accuracy": accuracy, "reloaded_accuracy": again[1]}


def test_quickstart_trains_and_checkpoints(lib: Any, tmp_path: Any) -> None:
    out = quickstart(lib.torch, lib.nn, lib.F, lib.optim, lib.data, tmp_path)
    assert out["accuracy"] > 0.9, out
    assert out["reloaded_accuracy"] == out["accuracy"]


# -- the autograd tutorial -------------------------------------------------------------------------


def autograd_tour(torch: Any) -> dict[str, Any]:
    torch.manual_seed(0)
    x = torch.ones(5)  # input tensor
    y = torch.zeros(3)  # expected output
    w = torch.tensor(np.linspace(-1, 1, 15, dtype=np.float32).reshape(5, 3), requires_grad=True)
    b = torch.tensor([0.1, -0.2, 0.3], requires_grad=True)
    z = torch.matmul(x, w) + b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
    graph = [z.grad_fn is not None, len(loss.grad_fn.next_functions) > 0, z.is_leaf, w.is_leaf]
    loss.backward()
    with torch.no_grad():
        z2 = torch.matmul(x, w) + b
    z_det = z.detach()
    inp = torch.eye(4, 5, requires_grad=True)
    out = (inp + 1).pow(2).t()
    out.backward(torch.ones_like(out), retain_graph=True)
    first = inp.grad.clone()
    out.backward(torch.ones_like(out), retain_graph=True)
    second = inp.grad.clone()
    inp.grad.zero_()
    out.backward(torch.ones_like(out), retain_graph=True)
    return {
        "graph": graph,
        "w.grad": w.grad.numpy().copy(),
        "b.grad": b.grad.numpy().copy(),
        "z2.requires_grad": z2.requires_grad,
        "z_det.requires_grad": z_det.requires_grad,
        "first": first.numpy().copy(),
        "second": second.numpy().copy(),
        "after_zero": inp.grad.numpy().copy(),
    }


def test_autograd_tutorial_matches_torch() -> None:
    ours = autograd_tour(tinygrad_edu)
    torch = pytest.importorskip("torch")
    theirs = autograd_tour(torch)
    for key, value in theirs.items():
        if isinstance(value, np.ndarray):
            np.testing.assert_allclose(ours[key], value, rtol=1e-6, err_msg=key)
        else:
            assert ours[key] == value, key


# -- "Learning PyTorch with examples": a polynomial fitted to sin(x) ----------------------------


class LegendrePolynomial3:
    """The tutorial's custom autograd Function, built on the library's Function class."""

    @staticmethod
    def make(torch: Any) -> Any:
        class P3(torch.autograd.Function):
            @staticmethod
            def forward(ctx: Any, input: Any) -> Any:
                ctx.save_for_backward(input)
                return 0.5 * (5 * input**3 - 3 * input)

            @staticmethod
            def backward(ctx: Any, grad_output: Any) -> Any:
                (input,) = ctx.saved_tensors
                return grad_output * 1.5 * (5 * input**2 - 1)

        return P3


def polynomial(torch: Any, steps: int = 400) -> dict[str, float]:
    dtype = torch.float
    x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
    y = torch.sin(x)
    p = torch.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)
    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
    with torch.no_grad():  # the same start for both libraries
        model[0].weight.copy_(torch.tensor([[0.1, -0.2, 0.05]]))
        model[0].bias.fill_(0.0)
    loss_fn = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    for _ in range(steps):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    linear = model[0]

    # The same fit with a custom Function and manual updates, as the tutorial's next step.
    P3 = LegendrePolynomial3.make(torch)
    a = torch.full((), 0.0, dtype=dtype, requires_grad=True)
    b = torch.full((), -1.0, dtype=dtype, requires_grad=True)
    c = torch.full((), 0.0, dtype=dtype, requires_grad=True)
    d = torch.full((), 0.3, dtype=dtype, requires_grad=True)
    learning_rate = 5e-6
    for _ in range(steps):
        y_pred = a + b * P3.apply(c + d * x)
        loss2 = (y_pred - y).pow(2).sum()
        loss2.backward()
        with torch.no_grad():
            for param in (a, b, c, d):
                param -= learning_rate * param.grad
                param.grad = None
    return {
        "loss": loss.item(),
        "bias": linear.bias.item(),
        "w1": linear.weight[:, 0].item(),
        "loss2": loss2.item(),
        "d": d.item(),
    }


def test_polynomial_tutorial_matches_torch() -> None:
    ours = polynomial(tinygrad_edu)
    assert ours["loss"] < 900.0  # it learns (sum of squares over 2000 points)
    torch = pytest.importorskip("torch")
    theirs = polynomial(torch)
    for key in theirs:
        assert ours[key] == pytest.approx(theirs[key], rel=1e-3, abs=1e-4), key


# -- "Training a classifier" (CIFAR-10) and DCGAN's idioms: .data, device=, nn.init on .data -------


def classifier_with_data_idioms(torch: Any, nn: Any, F: Any, optim: Any) -> dict[str, Any]:
    """LeNet on random 3x32x32 "images" of two classes (the class sets the mean), written as the
    CIFAR-10 tutorial and DCGAN's weight init write it: ``torch.max(outputs.data, 1)``,
    ``nn.init.normal_(m.weight.data, ...)``, ``device=device``, and a manual ``p.data -= ...``."""
    device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(3, 6, 5)
            self.pool = nn.MaxPool2d(2, 2)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 32)
            self.fc2 = nn.Linear(32, 2)

        def forward(self, x: Any) -> Any:
            x = self.pool(F.relu(self.conv1(x)))
            x = self.pool(F.relu(self.conv2(x)))
            x = torch.flatten(x, 1)
            return self.fc2(F.relu(self.fc1(x)))

    def weights_init(m: Any) -> None:
        if type(m).__name__ in ("Conv2d", "Linear"):
            nn.init.normal_(m.weight.data, 0.0, 0.1)
            nn.init.constant_(m.bias.data, 0)

    torch.manual_seed(0)
    net = Net().to(device)
    net.apply(weights_init)
    stds = [m.weight.std().item() for m in (net.conv1, net.fc1)]
    rng = np.random.default_rng(0)
    labels_np = rng.integers(0, 2, 64)
    images_np = rng.standard_normal((64, 3, 32, 32)) + 0.5 * labels_np[:, None, None, None]
    images = torch.tensor(images_np.astype(np.float32), device=device)
    labels = torch.tensor(labels_np, device=device)
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    for _epoch in range(8):
        for i in range(0, 64, 16):
            optimizer.zero_grad()
            loss = criterion(net(images[i : i + 16]), labels[i : i + 16])
            loss.backward()
            optimizer.step()
    # One manual step the old way, outside the graph: it must change the weights in place.
    before = net.fc2.bias.detach().clone()
    loss = criterion(net(images), labels)
    net.zero_grad()
    loss.backward()
    for p in net.parameters():
        p.data -= 0.01 * p.grad
    moved = (net.fc2.bias - before).abs().sum().item()
    correct, total = 0, 0
    with torch.no_grad():
        outputs = net(images)
        _, predicted = torch.max(outputs.data, 1)
        total += labels.size(0)
        correct += (predicted == labels).sum().item()
    return {
        "stds": stds,
        "moved": moved,
        "accuracy": correct / total,
        "bias_is_tensor": type(net.fc2.bias.data).__name__,
    }


def test_classifier_tutorial_idioms_with_data_run(lib: Any) -> None:
    out = classifier_with_data_idioms(lib.torch, lib.nn, lib.F, lib.optim)
    assert all(0.07 < s < 0.13 for s in out["stds"]), out  # nn.init wrote into .data
    assert out["moved"] > 0, out  # p.data -= ... changed the parameter
    assert out["accuracy"] >= 0.9, out  # it learned: the classes differ by 0.5 in mean
    if lib.torch is tinygrad_edu:  # .data stayed the array (Python did not rebind it)
        assert out["bias_is_tensor"] == "ndarray"
