"""The gradient-testing toolkit: kink-aware checking, fast mode, reports, and the docs recipe."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from helpers import leaf

import tinygrad_edu
from tinygrad_edu import GradcheckError, Tensor, autograd, gradcheck, gradgradcheck
from tinygrad_edu.gradcheck import GradcheckKinkWarning, gradcheck_report

DOC = Path(__file__).resolve().parent.parent / "docs" / "how-backward-works.md"


class ReLUWithGradAtZero(autograd.Function):
    """relu whose backward uses ``at_zero`` at x == 0 and ``below`` for x < 0."""

    at_zero = 0.0
    below = 0.0

    @classmethod
    def make(cls, at_zero: float, below: float = 0.0) -> type[autograd.Function]:
        return type("CustomReLU", (cls,), {"at_zero": at_zero, "below": below})

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.maximum(x.data, 0.0)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        cls = type(ctx)
        slope = np.where(x.data > 0, 1.0, np.where(x.data == 0, cls.at_zero, cls.below))
        return grad * Tensor(slope)


def test_relu_and_abs_at_zero_are_accepted_as_kinks_and_reported() -> None:
    x = leaf([-1.0, 0.0, 2.0])
    for fn, left, right in ((Tensor.relu, 0.0, 1.0), (lambda t: (t * 3.0).relu(), 0.0, 3.0)):
        report = gradcheck_report(fn, [x])
        assert report.ok and bool(report)
        assert [(k.input_element, k.output_element) for k in report.kinks] == [((1,), 1)]
        kink = report.kinks[0]
        assert kink.analytical == 0.0
        assert kink.left == pytest.approx(left) and kink.right == pytest.approx(right)
        assert "kink accepted" in report.summary()
        with pytest.warns(GradcheckKinkWarning):
            assert gradcheck(fn, [x])
    # |x| at 0: the central difference is 0 already, so no kink needs accepting.
    assert gradcheck_report(Tensor.abs, [x]).ok
    # |x - 0.5| sampled so the step straddles the kink unevenly: a kink, and accepted.
    y = leaf([0.5 + 2e-7])
    report = gradcheck_report(lambda t: (t - 0.5).abs(), [y])
    assert report.ok and len(report.kinks) == 1


def test_without_kink_awareness_a_kink_fails_like_pytorch() -> None:
    x = leaf([0.0])
    with pytest.raises(GradcheckError, match=r"analytical: 0\.0[\s\S]*numerical:  0\.5"):
        gradcheck(Tensor.relu, [x], kink_aware=False)


@pytest.mark.filterwarnings("ignore::tinygrad_edu.gradcheck.GradcheckKinkWarning")
def test_a_wrong_subgradient_is_rejected() -> None:
    x = leaf([-1.0, 0.0, 2.0])
    with pytest.raises(GradcheckError) as e:
        gradcheck(ReLUWithGradAtZero.make(at_zero=2.0).apply, [x])
    msg = str(e.value)
    assert "input element (1,)" in msg and "analytical: 2.0" in msg, msg
    assert "left 0.0, right 1.0" in msg, msg  # says what would have been accepted
    with pytest.raises(GradcheckError, match=r"input element \(0,\)[\s\S]*analytical: 1\.0"):
        gradcheck(ReLUWithGradAtZero.make(at_zero=0.0, below=1.0).apply, [x])
    # Any subgradient in [0, 1] is fine.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GradcheckKinkWarning)
        assert gradcheck(ReLUWithGradAtZero.make(at_zero=0.5).apply, [x])
        assert gradcheck(ReLUWithGradAtZero.make(at_zero=1.0).apply, [x])


def test_max_at_a_tie_is_a_kink() -> None:
    a, b = leaf([1.0, 2.0]), leaf([1.0, 0.0])
    report = gradcheck_report(lambda s, t: tinygrad_edu.stack([s, t]).amax(0), [a, b])
    assert report.ok
    smooth = gradcheck_report(lambda s, t: s * t, [a, b])
    assert smooth.ok and smooth.kinks == []


def test_kink_awareness_does_not_relax_smooth_points() -> None:
    class AlmostExp(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return np.exp(x.data)

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * x.exp() * 1.01  # 1% off: more than rtol

    with pytest.raises(GradcheckError):
        gradcheck(AlmostExp.apply, [leaf([0.3, 1.0])])


def test_fast_mode_passes_right_gradients_and_catches_wrong_ones() -> None:
    rng = np.random.default_rng(0)
    big = leaf(rng.standard_normal((30, 40)))
    w = leaf(rng.standard_normal((40, 5)))
    report = gradcheck_report(lambda a, b: (a @ b).tanh(), [big, w], fast_mode=True)
    assert report.ok and report.fast_mode
    assert gradcheck(lambda a, b: (a @ b).tanh(), [big, w], fast_mode=True)

    class WrongTanh(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return np.tanh(x.data)

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            g = grad * (1.0 - x.tanh() * x.tanh())
            return g * Tensor(np.where(np.arange(x.data.size) == 7, 1.5, 1.0).reshape(x.shape))

    with pytest.raises(GradcheckError) as e:
        gradcheck(WrongTanh.apply, [big], fast_mode=True)
    msg = str(e.value)
    assert "fast mode" in msg and "fast_mode=False" in msg
    a = float(re.search(r"analytical:\s*(\S+)", msg).group(1))
    n = float(re.search(r"numerical:\s*(\S+)", msg).group(1))
    assert abs(a - n) > 1e-5
    assert gradcheck(WrongTanh.apply, [big], fast_mode=True, raise_exception=False) is False


def test_fast_mode_works_for_gradgradcheck() -> None:
    x = leaf([0.3, -0.8, 1.2])
    assert gradgradcheck(lambda t: (t * t).tanh() * t, [x], fast_mode=True)


def recipe_code() -> str:
    text = DOC.read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    found = [b for b in blocks if "# recipe: property-test your own op" in b]
    assert len(found) == 1, "the docs must hold exactly one recipe block"
    return found[0]


def test_the_docs_recipe_runs_and_checks_something() -> None:
    code = recipe_code()
    assert len([line for line in code.splitlines() if line.strip()]) <= 25
    namespace: dict = {}
    exec(compile(code, str(DOC), "exec"), namespace)
    tests = [v for k, v in namespace.items() if k.startswith("test_") and callable(v)]
    assert tests, "the recipe defines a test function"
    for test in tests:
        test()  # hypothesis runs the property


def test_the_recipe_would_catch_a_wrong_backward() -> None:
    namespace: dict = {}
    exec(compile(recipe_code(), str(DOC), "exec"), namespace)
    op = namespace["Softsign"]
    original = op.backward
    op.backward = staticmethod(lambda ctx, grad: original(ctx, grad) * 1.1)
    try:
        with pytest.raises(GradcheckError):
            namespace["test_softsign_gradient"]()
    finally:
        op.backward = original
