"""RMSprop, with PyTorch's centered variant, momentum, weight decay and maximize."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu.creation import zeros
from tinygrad_edu.optim.optimizer import (
    Optimizer,
    ParamsT,
    StateKeys,
    StateKind,
    check_at_least_zero,
    check_supported,
)


class RMSprop(Optimizer):
    """RMSprop (Hinton's lecture notes, 2012), as torch.optim.RMSprop. With g the gradient
    (negated if maximize):

        g = g + weight_decay * p
        v = alpha v + (1 - alpha) g^2                 (a moving average of g^2, from 0)
        a = sqrt(v) + eps,  or if centered:
        a = sqrt(v - g_avg^2) + eps,  g_avg = g_avg + (1 - alpha) (g - g_avg)
        p = p - lr g / a,  or with momentum:
        b = momentum b + g / a;  p = p - lr b         (b starts at 0)

    Each coordinate's step is scaled by its recent gradient size. The centered variant divides
    by an estimate of the standard deviation instead of the root mean square.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_supported(differentiable)
        defaults = dict(
            lr=lr,
            momentum=momentum,
            alpha=alpha,
            eps=eps,
            centered=centered,
            weight_decay=weight_decay,
            capturable=capturable,
            foreach=foreach,
            maximize=maximize,
            differentiable=differentiable,
        )
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_at_least_zero(group, "lr", "learning rate")
        check_at_least_zero(group, "eps", "epsilon value")
        check_at_least_zero(group, "momentum", "momentum value")
        check_at_least_zero(group, "weight_decay", "weight_decay value")
        check_at_least_zero(group, "alpha", "alpha value")

    def _state_keys(self, group: dict[str, Any]) -> StateKeys:
        required: dict[str, StateKind] = {"step": "step", "square_avg": "param"}
        if group["momentum"] > 0:
            required["momentum_buffer"] = "param"
        if group["centered"]:
            required["grad_avg"] = "param"
        return required, {"momentum_buffer": "param", "grad_avg": "param"}

    def _hyper(self, group: dict[str, Any]) -> tuple[Any, ...]:
        lr, alpha, eps = float(group["lr"]), float(group["alpha"]), float(group["eps"])
        wd, momentum = float(group["weight_decay"]), float(group["momentum"])
        return lr, alpha, eps, wd, momentum, group["centered"], group["maximize"]

    def _update(
        self, data: np.ndarray, grad: np.ndarray, state: dict[str, Any], hyper: tuple[Any, ...]
    ) -> None:
        lr, alpha, eps, wd, momentum, centered, maximize = hyper
        if not state:
            state["step"] = 0
            state["square_avg"] = zeros(data.shape, dtype=data.dtype)
        # Made when first needed, so switching momentum or centered on between steps works.
        if momentum > 0 and "momentum_buffer" not in state:
            state["momentum_buffer"] = zeros(data.shape, dtype=data.dtype)
        if centered and "grad_avg" not in state:
            state["grad_avg"] = zeros(data.shape, dtype=data.dtype)
        state["step"] += 1
        if maximize:
            grad = -grad
        if wd != 0:
            grad = grad + wd * data  # a new array: p.grad itself must not change
        v, buf = state["square_avg"].data, self._buffer(data)
        v *= alpha
        np.multiply(grad, grad, out=buf)
        buf *= 1.0 - alpha
        v += buf
        if centered:
            g_avg = state["grad_avg"].data
            np.subtract(grad, g_avg, out=buf)  # g_avg.lerp_(g, 1 - alpha)
            buf *= 1.0 - alpha
            g_avg += buf
            np.multiply(g_avg, g_avg, out=buf)
            np.subtract(v, buf, out=buf)  # >= 0 but for rounding, as in PyTorch
            np.sqrt(buf, out=buf)
        else:
            np.sqrt(v, out=buf)
        buf += eps  # the denominator a
        np.divide(grad, buf, out=buf)
        if momentum > 0:
            b = state["momentum_buffer"].data
            b *= momentum
            b += buf
            np.multiply(b, lr, out=buf)
        else:
            buf *= lr
        data -= buf
