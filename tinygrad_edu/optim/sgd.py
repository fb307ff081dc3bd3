"""Stochastic gradient descent, with PyTorch's momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu._tensor import Tensor
from tinygrad_edu.optim.optimizer import (
    Optimizer,
    ParamsT,
    StateKeys,
    check_at_least_zero,
    check_supported,
    real_number,
)


class SGD(Optimizer):
    """p <- p - lr * d, where (as torch.optim.SGD, g the gradient, negated if maximize):

    g = g + weight_decay * p
    b = g at the first step, else momentum * b + (1 - dampening) * g
    d = g + momentum * b if nesterov, else b      (d = g when momentum == 0)
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        check_supported(differentiable)
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
            foreach=foreach,
            differentiable=differentiable,
            fused=fused,
        )
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_at_least_zero(group, "lr", "learning rate")
        check_at_least_zero(group, "momentum", "momentum value")
        check_at_least_zero(group, "weight_decay", "weight_decay value")
        real_number(group, "dampening")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                "Nesterov momentum requires a momentum and zero dampening, got "
                f"momentum={group['momentum']}, dampening={group['dampening']}"
            )

    def _state_keys(self, group: dict[str, Any]) -> StateKeys:
        return {}, {"momentum_buffer": "param"}

    def _hyper(self, group: dict[str, Any]) -> tuple[Any, ...]:
        lr, momentum = float(group["lr"]), float(group["momentum"])
        wd, dampening = float(group["weight_decay"]), float(group["dampening"])
        return lr, momentum, wd, dampening, group["nesterov"], group["maximize"]

    def _update(
        self, data: np.ndarray, grad: np.ndarray, state: dict[str, Any], hyper: tuple[Any, ...]
    ) -> None:
        lr, momentum, wd, dampening, nesterov, maximize = hyper
        if maximize:
            grad = -grad
        if wd != 0:
            grad = grad + wd * data  # a new array: p.grad itself must not change
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = Tensor(grad)  # Tensor() copies
            else:
                b = buf.data
                b *= momentum
                b += (1.0 - dampening) * grad
            grad = grad + momentum * buf.data if nesterov else buf.data
        step = self._buffer(data)
        np.multiply(grad, lr, out=step)
        data -= step
