"""NAdam: Adam with Nesterov momentum, with PyTorch's momentum schedule and weight decays."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu.creation import ones, zeros
from tinygrad_edu.optim.optimizer import (
    Optimizer,
    ParamsT,
    StateKeys,
    check_at_least_zero,
    check_betas,
    check_supported,
    scalar_dtype,
    update_moments,
)


class NAdam(Optimizer):
    """NAdam (Dozat, 2016), as torch.optim.NAdam. At step t, with g the gradient (negated if
    maximize):

        g = g + weight_decay * p        (or, if decoupled_weight_decay: p = p (1 - lr wd))
        mu_t = beta1 (1 - 0.5 * 0.96^(t momentum_decay))      (the momentum schedule)
        P_t = mu_1 mu_2 ... mu_t                              (state "mu_product")
        m = m + (1 - beta1) (g - m);   v = beta2 v + (1 - beta2) g^2
        d = sqrt(v / (1 - beta2^t)) + eps
        p = p - lr (1 - mu_t) / (1 - P_t) * g / d - lr mu_{t+1} / (1 - P_t mu_{t+1}) * m / d

    The Nesterov look-ahead: the step uses the next momentum coefficient mu_{t+1} on m, and the
    current gradient's share on g. ``mu_product`` is a 0-d tensor of PyTorch's scalar dtype
    (float32 unless the default dtype is float64), so its rounding, and the trajectory, match.
    ``load_state_dict`` casts it to the parameter's dtype, as PyTorch's does.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
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
            momentum_decay=momentum_decay,
            decoupled_weight_decay=decoupled_weight_decay,
            maximize=maximize,
            foreach=foreach,
            capturable=capturable,
            differentiable=differentiable,
        )
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_at_least_zero(group, "lr", "learning rate")
        check_at_least_zero(group, "eps", "epsilon value")
        check_betas(group)
        check_at_least_zero(group, "weight_decay", "weight_decay value")
        check_at_least_zero(group, "momentum_decay", "momentum_decay value")

    def _state_keys(self, group: dict[str, Any]) -> StateKeys:
        keys: StateKeys = (
            {"step": "step", "mu_product": "scalar", "exp_avg": "param", "exp_avg_sq": "param"},
            {},
        )
        return keys

    def _hyper(self, group: dict[str, Any]) -> tuple[Any, ...]:
        beta1, beta2 = (float(b) for b in group["betas"])
        lr, eps, wd = float(group["lr"]), float(group["eps"]), float(group["weight_decay"])
        psi, decoupled = float(group["momentum_decay"]), group["decoupled_weight_decay"]
        return lr, beta1, beta2, eps, wd, psi, decoupled, group["maximize"]

    def _update(
        self, data: np.ndarray, grad: np.ndarray, state: dict[str, Any], hyper: tuple[Any, ...]
    ) -> None:
        lr, beta1, beta2, eps, wd, psi, decoupled, maximize = hyper
        if not state:
            state["step"] = 0
            state["mu_product"] = ones((), dtype=scalar_dtype())
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
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * psi))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
        product = state["mu_product"].data
        product *= mu  # in place: rounded to the 0-d tensor's dtype, as PyTorch's
        mu_product = float(product)
        m, v = state["exp_avg"].data, state["exp_avg_sq"].data
        buf, d = self._buffer(data), self._buffer(data, 1)
        update_moments(grad, m, v, beta1, beta2, buf)
        np.divide(v, 1.0 - beta2**t, out=d)
        np.sqrt(d, out=d)
        d += eps
        np.divide(grad, d, out=buf)
        buf *= lr * (1.0 - mu) / (1.0 - mu_product)
        data -= buf
        np.divide(m, d, out=buf)
        buf *= lr * mu_next / (1.0 - mu_product * mu_next)
        data -= buf
