"""RAdam: Adam whose adaptive step is switched on only once its variance is tractable."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu.creation import zeros
from tinygrad_edu.optim.optimizer import (
    Optimizer,
    ParamsT,
    StateKeys,
    check_at_least_zero,
    check_betas,
    check_supported,
    update_moments,
)


class RAdam(Optimizer):
    """RAdam (Liu et al., 2020), as torch.optim.RAdam. At step t, with g the gradient (negated
    if maximize):

        g = g + weight_decay * p        (or, if decoupled_weight_decay: p = p (1 - lr wd))
        m = m + (1 - beta1) (g - m);   v = beta2 v + (1 - beta2) g^2
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)  (length of the approximate moving average)
        if rho_t > 5:
            r = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
            p = p - lr m / (1 - beta1^t) * sqrt(1 - beta2^t) / (sqrt(v) + eps) * r
        else:
            p = p - lr m / (1 - beta1^t)              (plain momentum SGD while v is young)

    The rectifier r corrects the adaptive step's variance, which is too large in the first steps,
    where Adam needs a warm-up.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_supported(differentiable)
        defaults = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            maximize=maximize,
            foreach=foreach,
            capturable=capturable,
            decoupled_weight_decay=decoupled_weight_decay,
            differentiable=differentiable,
        )
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_at_least_zero(group, "lr", "learning rate")
        check_at_least_zero(group, "eps", "epsilon value")
        check_betas(group)
        check_at_least_zero(group, "weight_decay", "weight_decay value")

    def _state_keys(self, group: dict[str, Any]) -> StateKeys:
        return {"step": "step", "exp_avg": "param", "exp_avg_sq": "param"}, {}

    def _hyper(self, group: dict[str, Any]) -> tuple[Any, ...]:
        beta1, beta2 = (float(b) for b in group["betas"])
        lr, eps, wd = float(group["lr"]), float(group["eps"]), float(group["weight_decay"])
        return lr, beta1, beta2, eps, wd, group["decoupled_weight_decay"], group["maximize"]

    def _update(
        self, data: np.ndarray, grad: np.ndarray, state: dict[str, Any], hyper: tuple[Any, ...]
    ) -> None:
        lr, beta1, beta2, eps, wd, decoupled, maximize = hyper
        if not state:
            state["step"] = 0
            state["exp_avg"] = zeros(data.shape, dtype=data.dtype)
            state["exp_avg_sq"] = zeros(data.shape, dtype=data.dtype)
        t = state["step"] = state["step"] + 1
        if maximize:
            grad = -grad
        if wd != 0:
            if decoupled:
                data *= 1.0 - lr * wd
            else:
                grad = grad + wd * data  # a new array: p.grad itself must not change
        m, v, buf = state["exp_avg"].data, state["exp_avg_sq"].data, self._buffer(data)
        update_moments(grad, m, v, beta1, beta2, buf)
        bias1, bias2 = 1.0 - beta1**t, 1.0 - beta2**t
        rho_inf = 2.0 / (1.0 - beta2) - 1.0
        rho_t = rho_inf - 2.0 * t * beta2**t / bias2
        np.divide(m, bias1, out=buf)
        buf *= lr
        if rho_t > 5.0:
            rect = (
                (rho_t - 4.0)
                * (rho_t - 2.0)
                * rho_inf
                / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t)
            ) ** 0.5
            adaptive = self._buffer(data, 1)
            np.sqrt(v, out=adaptive)
            adaptive += eps
            np.divide(bias2**0.5, adaptive, out=adaptive)
            buf *= adaptive
            buf *= rect
        data -= buf
