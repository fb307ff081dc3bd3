"""Optimizer: the base class of every update rule, with PyTorch's param_groups and state.

- ``param_groups`` is a list of dicts, each with its own ``params`` and hyper-parameters
  (``[{"params": model.body.parameters()}, {"params": model.head.parameters(), "lr": 1e-3}]``);
  anything a group leaves out comes from the constructor's defaults. ``model.named_parameters()``
  works too: the names go into the group's ``param_names``, as in PyTorch 2.
- ``state[p]`` holds what the update rule remembers per parameter (momentum, moving averages).
- ``step()`` updates every parameter that has a ``.grad``, in place and outside the graph. It
  checks every parameter first and only then changes any: a bad gradient leaves the parameters
  and the state exactly as they were.

``_update`` works on the parameter's array itself (``p.data``), writing into it with NumPy
in-place operators and ``out=`` arguments and one shared scratch buffer, so a step allocates
(almost) nothing; buffers take the parameter's dtype, so float32 stays
float32 (the hyper-parameters are Python floats, which NumPy never lets widen an array).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable
from typing import Any, Literal

import numpy as np

from tinygrad_edu import dtypes
from tinygrad_edu._tensor import Tensor
from tinygrad_edu.autograd.config import enable_grad
from tinygrad_edu.nn.module import _zero_grad
from tinygrad_edu.ops.workspace import FlatBuffer

ParamsT = Iterable[Tensor] | Iterable[dict[str, Any]] | Iterable[tuple[str, Tensor]]

# What one entry of a parameter's state holds, so load_state_dict can check it: the step count,
# a 0-d number (NAdam's mu_product), or an array shaped like the parameter.
StateKind = Literal["step", "scalar", "param"]
StateKeys = tuple[dict[str, StateKind], dict[str, StateKind]]  # (required, allowed besides)


def check_at_least_zero(group: dict[str, Any], key: str, what: str) -> None:
    """PyTorch's ``if not 0.0 <= value: raise ValueError(f"Invalid {what}: {value}")``.

    Written as ``not value >= 0``, never ``value < 0``: NaN compares False with everything, so
    only this form refuses it (SGD's own check in PyTorch lets ``lr=nan`` through; ours does
    not)."""
    value = real_number(group, key)
    if not value >= 0.0:
        raise ValueError(f"Invalid {what}: {value}")


def real_number(group: dict[str, Any], key: str) -> float:
    value = group[key]
    if isinstance(value, Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{key} must be a real number, got {type(value).__name__} {value!r}")
    return float(value)


def check_betas(group: dict[str, Any]) -> None:
    """``betas`` is a pair (beta1, beta2), each in [0, 1) (NaN refused)."""
    betas = group["betas"]
    if not isinstance(betas, (tuple, list)):
        raise TypeError(
            f"betas must be a pair (beta1, beta2) of floats, got {type(betas).__name__} {betas!r}"
        )
    if len(betas) != 2:
        raise ValueError(f"betas must be a pair (beta1, beta2), got {len(betas)} values: {betas}")
    for i in range(2):
        beta = real_number({"betas": betas[i]}, "betas")
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {beta} (must be in [0, 1))")


def check_supported(differentiable: bool) -> None:
    """``foreach``, ``fused`` and ``capturable`` choose among PyTorch kernels with the same maths:
    accepted and ignored (there is one NumPy implementation). ``differentiable=True`` asks for a
    step recorded in the autograd graph, which these optimizers (writing ``p.data``) cannot do."""
    if differentiable:
        raise ValueError(
            "differentiable=True is not supported: tinygrad_edu's optimizers update p.data in "
            "place, outside the autograd graph"
        )


def scalar_dtype() -> np.dtype:
    """The dtype PyTorch keeps 0-d optimizer state in (``_get_scalar_dtype``): float64 if the
    default dtype is float64, else float32. NAdam's ``mu_product`` rounds to it every step."""
    return dtypes.float64 if dtypes.get_default_dtype() == dtypes.float64 else dtypes.float32


class Optimizer:
    """Holds parameter groups and per-parameter state; subclasses write the update rule.

    A subclass gives ``_check_group`` (validate a group's hyper-parameters), ``_hyper`` (read
    them once per step), ``_update`` (one parameter's update, in place) and ``_state_keys`` (what
    its state holds, checked by ``load_state_dict``). A subclass that writes its own ``step()``
    instead, as a user's custom optimizer may, keeps working: the base never calls the others.
    """

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                "dicts, but got a Tensor (wrap it in a list: [tensor])"
            )
        self.defaults = defaults
        self.state: dict[Tensor, dict[str, Any]] = {}
        self.param_groups: list[dict[str, Any]] = []
        self._stepped = False  # an LR scheduler warns if it is stepped before the optimizer
        self._scratch = (FlatBuffer(np.empty), FlatBuffer(np.empty))  # see _buffer
        groups: list[Any] = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def _check_group(self, group: dict[str, Any]) -> None:
        """Subclasses validate their hyper-parameters here (for every group)."""

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyper-parameters (e.g. a new layer's)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs; use a list instead"
            )
        else:
            params = list(params)
        group = dict(param_group)
        named = [isinstance(p, tuple) for p in params]
        if any(named):  # model.named_parameters(): (name, tensor) pairs
            if not all(named):
                raise ValueError(
                    "all optimizer params should be with/without names. Some param names are "
                    "missing"
                )
            group["param_names"] = [name for name, _ in params]
            params = [p for _, p in params]
        first = sum(len(g["params"]) for g in self.param_groups)  # numbered as in state_dict
        for i, p in enumerate(params, start=first):
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"optimizer can only optimize Tensors, but parameter {i} is a "
                    f"{type(p).__name__}"
                )
            if not p.is_leaf:
                raise ValueError(
                    f"can't optimize a non-leaf Tensor (parameter {i}, shape {p.shape})"
                )
            _check_writeable(p, i)
        group["params"] = params
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        self._check_group(group)
        existing = {id(p) for g in self.param_groups for p in g["params"]}
        if len({id(p) for p in params}) != len(params) or any(id(p) in existing for p in params):
            raise ValueError("some parameters appear more than once (in one or several groups)")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient (set to None, as PyTorch 2, or zero it in place)."""
        for group in self.param_groups:
            for p in group["params"]:
                _zero_grad(p, set_to_none)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update the parameters; ``closure`` (re-evaluates the model, returns the loss) is
        called first, with grad mode on, and its loss is returned."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        name = f"{type(self).__name__}.step"
        # First every check, then every change: an error leaves nothing half-updated.
        work: list[tuple[Tensor, np.ndarray, np.ndarray, Any]] = []
        index = -1
        for group in self.param_groups:
            hyper = self._hyper(group)
            for p in group["params"]:
                index += 1
                g = p._grad  # (the slot behind .grad: this runs for every parameter, every step)
                if g is None:
                    continue
                grad, data = g.data, p.data
                if grad.shape != data.shape:
                    raise RuntimeError(
                        f"{name}: parameter {index} has shape {data.shape} but its gradient "
                        f"has shape {grad.shape}; no parameter was changed"
                    )
                if not data.flags.writeable:
                    _check_writeable(p, index)  # raises
                if grad.dtype != data.dtype:
                    grad = grad.astype(data.dtype)
                work.append((p, data, grad, hyper))
        for p, data, grad, hyper in work:
            state = self.state.get(p, {})
            self._update(data, grad, state, hyper)  # (into the array itself, in place)
            if state:  # (plain SGD keeps none, and state_dict() lists none, as PyTorch's)
                self.state[p] = state
            p._bump_version(name)  # saved copies now stale
        self._stepped = True
        return loss

    def _hyper(self, group: dict[str, Any]) -> Any:
        """A group's hyper-parameters as ``_update`` wants them, read once per step."""
        return group

    def _update(
        self, data: np.ndarray, grad: np.ndarray, state: dict[str, Any], hyper: Any
    ) -> None:
        """Update one parameter's array ``data`` in place (``data -= ...``), from its gradient
        (as an array of data's dtype) and its ``state``, which starts empty."""
        raise NotImplementedError

    def _state_keys(self, group: dict[str, Any]) -> StateKeys | None:
        """The state entries a non-empty ``state[p]`` must have and may have under ``group``'s
        settings (None: no check, for subclasses that keep their own kind of state)."""
        return None

    def _buffer(self, data: np.ndarray, which: int = 0) -> np.ndarray:
        """Scratch space shaped like a parameter's data, not part of the state. One flat buffer
        per dtype (and per ``which``, for rules that need two), the size of the largest
        parameter, serves every parameter in turn: fewer bytes, and it stays in the CPU cache
        from one parameter to the next."""
        return self._scratch[which].view(data.shape, data.dtype)

    # -- checkpoints -------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """{"state": {index: {name: value}}, "param_groups": [{..., "params": [indices]}]}.

        As in PyTorch, parameters are named by their position across all groups. Tensors in the
        state are copies: the dict is a snapshot that later steps do not change.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            ids = []
            for p in group["params"]:
                index[id(p)] = len(index)
                ids.append(index[id(p)])
            groups.append({**{k: v for k, v in group.items() if k != "params"}, "params": ids})
        state = {}
        for group in self.param_groups:
            for p in group["params"]:
                if p in self.state:
                    state[index[id(p)]] = {
                        k: Tensor(v.data) if isinstance(v, Tensor) else v
                        for k, v in self.state[p].items()
                    }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyper-parameters and state saved by ``state_dict()`` (or by PyTorch).

        Everything is checked before anything changes: the groups' sizes, the hyper-parameters,
        and each parameter's state (the keys this optimizer keeps, their shapes). A bad state
        dict raises a ValueError naming the parameter index and the key, and the optimizer is
        left exactly as it was.
        """
        if not isinstance(state_dict, dict):
            raise TypeError(f"state_dict must be a dict, got {type(state_dict).__name__}")
        missing = [k for k in ("state", "param_groups") if k not in state_dict]
        if missing:
            raise ValueError(
                f"loaded state dict has no {' and no '.join(map(repr, missing))}: it is not an "
                "optimizer's state_dict() (a model's?)"
            )
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"loaded state dict has {len(saved_groups)} parameter groups, this optimizer "
                f"has {len(self.param_groups)}"
            )
        for i, (mine, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if len(mine["params"]) != len(saved["params"]):
                raise ValueError(
                    f"loaded state dict contains a parameter group ({i}) of "
                    f"{len(saved['params'])} parameters that doesn't match the size of this "
                    f"optimizer's group ({len(mine['params'])})"
                )
        # Every saved setting, as PyTorch: also what a scheduler keeps there ("initial_lr"), so
        # that a scheduler made after loading can resume with last_epoch=...
        new_groups = [
            {**mine, **{k: v for k, v in saved.items() if k != "params"}}
            for mine, saved in zip(self.param_groups, saved_groups)
        ]
        for group in new_groups:
            self._check_group(group)
        by_index: dict[int, tuple[Tensor, dict[str, Any]]] = {}
        for group, saved in zip(new_groups, saved_groups):
            for index, p in zip(saved["params"], group["params"]):
                by_index[int(index)] = (p, group)
        new_state: dict[Tensor, dict[str, Any]] = {}
        for key, values in state_dict["state"].items():
            if int(key) not in by_index:
                raise ValueError(
                    f"loaded state dict has state for parameter {key}, which no group lists"
                )
            p, group = by_index[int(key)]
            new_state[p] = self._loaded_state(int(key), p, values, self._state_keys(group))
        self.param_groups[:] = new_groups
        self.state = new_state

    def _loaded_state(
        self, index: int, p: Tensor, values: dict[str, Any], keys: StateKeys | None
    ) -> dict[str, Any]:
        """One parameter's saved state, checked and copied into this optimizer's types."""
        where = f"loaded state for parameter {index}"
        if not isinstance(values, dict):
            raise ValueError(f"{where} is a {type(values).__name__}, not a dict")
        kinds: dict[str, StateKind] = {}
        if keys is not None and values:  # an empty dict: no step taken yet, nothing to check
            required, optional = keys
            kinds = {**optional, **required}
            expected = ", ".join(required)
            for name in required:
                if name not in values:
                    raise ValueError(
                        f"{where} is missing {name!r} ({type(self).__name__} keeps {expected})"
                    )
            for name in values:
                if name not in kinds:
                    raise ValueError(
                        f"{where} has an unexpected key {name!r} ({type(self).__name__} keeps "
                        f"{expected})"
                    )
        entry: dict[str, Any] = {}
        for name, value in values.items():
            if value is None and name not in (keys[0] if keys else ()):
                continue  # older PyTorch saved SGD's momentum_buffer=None: the same as absent
            kind = kinds.get(name, "step" if name == "step" else "param")
            array = value.data if isinstance(value, Tensor) else np.asarray(value)
            if kind == "step":
                if array.shape != () or array.dtype.kind not in "iuf":
                    raise ValueError(f"{where}: 'step' must be a number, got {value!r}")
                entry[name] = int(array)
                continue
            if array.dtype.kind not in "iuf":
                raise ValueError(f"{where}: {name!r} is not numeric: {value!r}")
            shape = () if kind == "scalar" else p.shape
            if array.shape != shape:
                raise ValueError(
                    f"{where}: {name!r} has shape {array.shape}, "
                    + ("it must be a single number" if kind == "scalar" else "")
                    + (f"the parameter has shape {p.shape}" if kind == "param" else "")
                )
            entry[name] = Tensor(array, dtype=p.dtype)  # a copy, as Tensor() always makes
        return entry

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(k for k in group if k not in ("params", "param_names")):
                lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)


def _check_writeable(p: Tensor, index: int) -> None:
    """Refuse a parameter whose array cannot be written in place (``expand`` makes read-only
    broadcast views, where one memory cell stands for many elements), before any state moves."""
    if not p.data.flags.writeable:
        raise RuntimeError(
            f"optimizer can't update parameter {index} (shape {p.shape}) in place: its data is a "
            "read-only view (as expand() makes, where several elements share one memory "
            "location); give it its own memory with .clone() first"
        )


def update_moments(
    grad: np.ndarray, m: np.ndarray, v: np.ndarray, beta1: float, beta2: float, buf: np.ndarray
) -> None:
    """Adam's moving averages, in place: m = m + (1 - beta1)(g - m) (torch's lerp, for its exact
    rounding), v = beta2 v + (1 - beta2) g^2. Adam, NAdam and RAdam share them; ``buf`` is
    scratch space shaped like g."""
    np.subtract(grad, m, out=buf)
    buf *= 1.0 - beta1
    m += buf
    v *= beta2
    np.multiply(grad, grad, out=buf)
    buf *= 1.0 - beta2
    v += buf
