"""Adagrad, with PyTorch's learning-rate decay, initial accumulator, weight decay and maximize."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu._tensor import Tensor
from tinygrad_edu.creation import full
from tinygrad_edu.optim.optimizer import (
    Optimizer,
    ParamsT,
    StateKeys,
    check_at_least_zero,
    check_supported,
)


class Adagrad(Optimizer):
    """Adagrad (Duchi, Hazan & Singer, 2011), as torch.optim.Adagrad. At step t, with g the
    gradient (negated if maximize):

        g = g + weight_decay * p
        s = s + g^2                                   (s starts at initial_accumulator_value)
        p = p - lr / (1 + (t - 1) lr_decay) * g / (sqrt(s) + eps)

    The sum of squares only grows, so each coordinate's step shrinks with its gradient history.

    As in PyTorch the state (``step`` 0, ``sum``) is made when the optimizer is built, so a fresh
    optimizer's ``state_dict()`` already lists it. One difference: a param group's own
    ``initial_accumulator_value`` is used for its parameters (PyTorch uses the constructor's
    value for every group).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        check_supported(differentiable)
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            eps=eps,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            foreach=foreach,
            maximize=maximize,
            differentiable=differentiable,
            fused=fused,
        )
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, self.state.setdefault(p, {}), group)

    @staticmethod
    def _init_state(
        like: Tensor | np.ndarray, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        """The state of a parameter shaped like ``like`` (the parameter, or its array)."""
        state["step"] = 0
        state["sum"] = full(like.shape, float(group["initial_accumulator_value"]), dtype=like.dtype)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_at_least_zero(group, "lr", "learning rate")
        check_at_least_zero(group, "lr_decay", "lr_decay value")
        check_at_least_zero(group, "weight_decay", "weight_decay value")
        check_at_least_zero(group, "initial_accumulator_value", "initial_accumulator_value value")
        check_at_least_zero(group, "eps", "epsilon value")

    def _state_keys(self, group: dict[str, Any]) -> StateKeys:
        return {"step": "step", "sum": "param"}, {}

    def _hyper(self, group: dict[str, Any]) -> tuple[Any, ...]:
        lr, lr_decay, eps = float(group["lr"]), float(group["lr_decay"]), float(group["eps"])
        return lr, lr_decay, float(group["weight_decay"]), eps, group["maximize"], group

    def _update(
        self, data: np.ndarray, grad: np.ndarray, state: dict[str, Any], hyper: tuple[Any, ...]
    ) -> None:
        lr, lr_decay, wd, eps, maximize, group = hyper
        if not state:  # a group added later, or a state dict that had none for p
            self._init_state(data, state, group)
        t = state["step"] = state["step"] + 1
        if maximize:
            grad = -grad
        if wd != 0:
            grad = grad + wd * data  # a new array: p.grad itself must not change
        clr = lr / (1 + (t - 1) * lr_decay)
        s, buf = state["sum"].data, self._buffer(data)
        np.multiply(grad, grad, out=buf)
        s += buf
        np.sqrt(s, out=buf)
        buf += eps
        np.divide(grad, buf, out=buf)
        buf *= clr
        data -= buf
