"""Optimizer: the base class of SGD and Adam, with PyTorch's param_groups and state.

- ``param_groups`` is a list of dicts, each with its own ``params`` and hyper-parameters
  (``[{"params": model.body.parameters()}, {"params": model.head.parameters(), "lr": 1e-3}]``);
  anything a group leaves out comes from the constructor's defaults.
- ``state[p]`` holds what the update rule remembers per parameter (momentum, moving averages).
- ``step()`` updates every parameter that has a ``.grad``, in place and outside the graph.

Updates write into ``p.data`` with NumPy ``out=`` arguments and one shared scratch buffer,
so a step allocates (almost) nothing; buffers take the parameter's dtype, so float32 stays
float32 (the hyper-parameters are Python floats, which NumPy never lets widen an array).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from tinygrad_edu._tensor import Tensor
from tinygrad_edu.autograd.config import enable_grad

ParamsT = Iterable[Tensor] | Iterable[dict[str, Any]]


class Optimizer:
    """Holds parameter groups and per-parameter state; subclasses write ``step()``."""

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                "dicts, but got a Tensor (wrap it in a list: [tensor])"
            )
        self.defaults = defaults
        self.state: dict[Tensor, dict[str, Any]] = {}
        self.param_groups: list[dict[str, Any]] = []
        self._scratch: dict[np.dtype, np.ndarray] = {}
        self._views: dict[tuple[np.dtype, tuple[int, ...]], np.ndarray] = {}  # of _scratch
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
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"optimizer can only optimize Tensors, but parameter {i} is a "
                    f"{type(p).__name__}"
                )
            if not p.is_leaf:
                raise ValueError(
                    f"can't optimize a non-leaf Tensor (parameter {i}, shape {p.shape})"
                )
        group = dict(param_group, params=params)
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        self._check_group(group)
        existing = {id(p) for g in self.param_groups for p in g["params"]}
        if len({id(p) for p in params}) != len(params) or any(id(p) in existing for p in params):
            raise ValueError("some parameters appear more than once (in one or several groups)")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient (set to None, as PyTorch 2, or zero it in place)."""
        from tinygrad_edu.nn.module import _zero_grad

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
        for group in self.param_groups:
            hyper = self._hyper(group)
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad, data = p.grad.data, p.data
                if grad.shape != data.shape:
                    raise RuntimeError(
                        f"{name}: a gradient of shape {grad.shape} for a parameter of shape "
                        f"{data.shape}"
                    )
                if grad.dtype != data.dtype:
                    grad = grad.astype(data.dtype)
                state = self.state.get(p)
                if state is None:
                    state = self.state[p] = {}
                self._update(p, grad, state, hyper)
                p._bump_version(name)  # saved copies now stale
        return loss

    def _hyper(self, group: dict[str, Any]) -> Any:
        """A group's hyper-parameters as ``_update`` wants them, read once per step."""
        return group

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any], hyper: Any) -> None:
        raise NotImplementedError

    def _buffer(self, data: np.ndarray) -> np.ndarray:
        """Scratch space shaped like a parameter's data, not part of the state. One flat buffer
        per dtype, the size of the largest parameter, serves every parameter in turn: fewer
        bytes, and it stays in the CPU cache from one parameter to the next."""
        key = (data.dtype, data.shape)
        view = self._views.get(key)
        if view is None:
            flat = self._scratch.get(data.dtype)
            if flat is None or flat.size < data.size:
                flat = self._scratch[data.dtype] = np.empty(data.size, data.dtype)
                self._views.clear()  # views of the smaller buffer: make them again
            view = self._views[key] = flat[: data.size].reshape(data.shape)
        return view

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
        """Restore hyper-parameters and state saved by ``state_dict()`` (checked first)."""
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
        by_index: dict[int, Tensor] = {}
        for mine, saved in zip(self.param_groups, saved_groups):
            for index, p in zip(saved["params"], mine["params"]):
                by_index[int(index)] = p
        new_state: dict[Tensor, dict[str, Any]] = {}
        for key, values in state_dict["state"].items():
            p = by_index.get(int(key))
            if p is None:
                raise ValueError(
                    f"loaded state dict has state for parameter {key}, which no group lists"
                )
            entry: dict[str, Any] = {}
            for name, value in values.items():
                if name == "step":
                    entry[name] = int(
                        np.asarray(value.data if isinstance(value, Tensor) else value)
                    )
                    continue
                array = value.data if isinstance(value, Tensor) else np.asarray(value)
                if array.shape != p.shape:
                    raise ValueError(
                        f"loaded state for parameter {key}: {name!r} has shape {array.shape}, "
                        f"the parameter has shape {p.shape}"
                    )
                entry[name] = Tensor(array, dtype=p.dtype)  # a copy, as Tensor() always makes
            new_state[p] = entry
        for mine, saved in zip(self.param_groups, saved_groups):
            # Only the keys this group has: a PyTorch state dict also carries flags such as
            # ``foreach`` or ``fused`` that mean nothing here.
            mine.update({k: v for k, v in saved.items() if k in mine and k != "params"})
        self.state = new_state

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(k for k in group if k != "params"):
                lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)
