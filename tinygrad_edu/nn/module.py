"""Module: the base class of every layer and model, as ``torch.nn.Module``.

A Module finds its parameters and sub-modules by watching attribute assignment: ``self.fc =
Linear(2, 3)`` goes through ``__setattr__``, which files the value into an ordered dict
(``_parameters`` or ``_modules``) as well. Everything else (``parameters()``, ``state_dict()``,
``train()``) is a walk over those dicts, in the order the attributes were first assigned, so names
and orders come out exactly as PyTorch's.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

from tinygrad_edu import dtypes
from tinygrad_edu._tensor import RemovableHandle, Tensor
from tinygrad_edu.device import device_and_dtype
from tinygrad_edu.nn.parameter import Parameter


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(strict=False)`` reports, as torch's ``_IncompatibleKeys``."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class Module:
    """Base class for layers and models: subclass it, assign layers in __init__, write forward."""

    training: bool
    _parameters: dict[str, Parameter | None]
    _buffers: dict[str, Tensor | None]
    _non_persistent_buffers_set: set[str]
    _modules: dict[str, Module | None]
    _forward_hooks: dict[int, Callable[..., Any]]
    _forward_pre_hooks: dict[int, Callable[..., Any]]

    def __init__(self) -> None:
        # object.__setattr__, because our own __setattr__ needs these dicts to exist already.
        for name, value in (
            ("_parameters", OrderedDict()),
            ("_buffers", OrderedDict()),
            ("_non_persistent_buffers_set", set()),
            ("_modules", OrderedDict()),
            ("_forward_hooks", OrderedDict()),
            ("_forward_pre_hooks", OrderedDict()),
            ("training", True),
        ):
            object.__setattr__(self, name, value)

    # -- registration -------------------------------------------------------------------------

    def __setattr__(self, name: str, value: Any) -> None:
        params = self.__dict__.get("_parameters")
        modules = self.__dict__.get("_modules")
        if isinstance(value, (Parameter, Module)) and params is None:
            raise AttributeError(
                f"cannot assign {type(value).__name__} {name!r} before Module.__init__() call: "
                f"call super().__init__() first in {type(self).__name__}.__init__"
            )
        # (Re-assigning a registered name keeps its place, so state_dict's order stays torch's.)
        if isinstance(value, Parameter):
            if name not in params:  # type: ignore[operator]
                self._forget(name)
            params[name] = value  # type: ignore[index]
        elif isinstance(value, Module):
            if name not in modules:  # type: ignore[operator]
                self._forget(name)
            modules[name] = value  # type: ignore[index]
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign {type(value).__name__} as parameter {name!r} of "
                    f"{type(self).__name__} (a Parameter or None is expected); wrap it: "
                    f"nn.Parameter(value)"
                )
            params[name] = None
        elif modules is not None and name in modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign {type(value).__name__} as child module {name!r} of "
                    f"{type(self).__name__} (a Module or None is expected)"
                )
            modules[name] = None
        elif name in self.__dict__.get("_buffers", ()):
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign {type(value).__name__} as buffer {name!r} of "
                    f"{type(self).__name__} (a Tensor or None is expected)"
                )
            self._buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name: str) -> None:
        """Drop ``name`` wherever it was registered, so re-assigning moves it to the right dict."""
        self.__dict__.pop(name, None)
        self._parameters.pop(name, None)
        self._buffers.pop(name, None)
        self._non_persistent_buffers_set.discard(name)
        self._modules.pop(name, None)

    def __getattr__(self, name: str) -> Any:
        # Called only when normal lookup fails: for registered parameters, buffers and modules.
        d = self.__dict__
        for registry in ("_parameters", "_buffers", "_modules"):
            if name in d.get(registry, ()):
                return d[registry][name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __delattr__(self, name: str) -> None:
        if name in self._parameters:
            del self._parameters[name]
        elif name in self._buffers:
            del self._buffers[name]
            self._non_persistent_buffers_set.discard(name)
        elif name in self._modules:
            del self._modules[name]
        else:
            object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register ``param`` under ``name``; None records a slot without a value (``bias=False``)."""
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"register_parameter: {name!r} must be a Parameter or None, got {type(param).__name__}"
            )
        self._forget(name)
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Register a tensor that is state but not a parameter (BatchNorm's ``running_mean``):
        it moves with ``to()`` and, if ``persistent``, is saved in ``state_dict``."""
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        if not isinstance(name, str) or not name or "." in name:
            raise KeyError(
                f"register_buffer: the name must be a non-empty string without '.', got {name!r}"
            )
        if hasattr(self, name) and name not in self._buffers:
            raise KeyError(f"register_buffer: attribute {name!r} already exists")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"register_buffer: {name!r} must be a Tensor or None, got {type(tensor).__name__}"
            )
        self._forget(name)
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Register a child module under ``name`` (what ``self.name = module`` does)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {name!r} must be a Module, got {type(module).__name__}")
        self._forget(name)
        self._modules[name] = module

    register_module = add_module

    # -- walking the tree ----------------------------------------------------------------------

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """(name, parameter) pairs, dotted for nested modules ("0.weight", "rnn.bias_hh_l0").

        A parameter shared by two modules is listed once (under its first name), so an optimizer
        does not update it twice.
        """
        seen: set[int] = set()
        modules = self.named_modules(prefix=prefix) if recurse else iter([(prefix, self)])
        for module_name, module in modules:
            for name, p in module._parameters.items():
                if p is None or (remove_duplicate and id(p) in seen):
                    continue
                seen.add(id(p))
                yield (f"{module_name}.{name}" if module_name else name), p

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        """(name, buffer) pairs, dotted like named_parameters ("bn.running_mean")."""
        seen: set[int] = set()
        modules = self.named_modules(prefix=prefix) if recurse else iter([(prefix, self)])
        for module_name, module in modules:
            for name, b in module._buffers.items():
                if b is None or (remove_duplicate and id(b) in seen):
                    continue
                seen.add(id(b))
                yield (f"{module_name}.{name}" if module_name else name), b

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def named_children(self) -> Iterator[tuple[str, Module]]:
        for name, m in self._modules.items():
            if m is not None:
                yield name, m

    def children(self) -> Iterator[Module]:
        for _, m in self.named_children():
            yield m

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module and every module below it, depth first, each once."""
        seen: set[int] = set()
        stack: list[tuple[str, Module]] = [(prefix, self)]
        while stack:  # iterative, and children pushed in reverse so they come out in order
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            below = [(f"{name}.{n}" if name else n, m) for n, m in module.named_children()]
            stack.extend(reversed(below))

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every sub-module and then on this one (for custom initialisation)."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    # -- modes and gradients -----------------------------------------------------------------

    def train(self, mode: bool = True) -> Module:
        """Set training mode here and in every sub-module (layers such as dropout read it)."""
        if not isinstance(mode, bool):
            raise ValueError(f"train(mode): mode must be a bool, got {type(mode).__name__}")
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of all parameters (None by default, as PyTorch 2)."""
        for p in self.parameters():
            _zero_grad(p, set_to_none)

    # -- dtype -------------------------------------------------------------------------------

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """``to(dtype)``, ``to('cpu')``, ``to(device, dtype)``, ``to(tensor)``: cast every
        floating parameter (and its gradient) and buffer in place, keeping the same objects.

        ``model.double()`` is how a model is gradchecked: finite differences need float64.
        """
        dt = device_and_dtype("Module.to", args, kwargs)
        if dt is None:
            return self
        if not dtypes.is_floating(dt):
            raise TypeError(f"Module.to: only floating dtypes are supported, got {dt}")
        for p in self.parameters():
            if p.dtype != dt:
                p.data = p.data.astype(dt)
                if p.grad is not None:
                    p.grad = Tensor._plain(p.grad.data.astype(dt))
        for _, module in self.named_modules():
            for b in module._buffers.values():
                if b is not None and dtypes.is_floating(b.dtype) and b.dtype != dt:
                    b.data = b.data.astype(dt)
        return self

    def float(self) -> Module:
        return self.to(dtypes.float32)

    def double(self) -> Module:
        return self.to(dtypes.float64)

    def half(self) -> Module:
        return self.to(dtypes.float16)

    def cpu(self) -> Module:
        return self

    # -- checkpoints -------------------------------------------------------------------------

    def state_dict(
        self, destination: dict[str, Any] | None = None, prefix: str = "", keep_vars: bool = False
    ) -> dict[str, Any]:
        """An ordered dict of every parameter and persistent buffer under its dotted name, in
        PyTorch's order (a module's parameters, then its buffers, then its children's).

        Values are ``p.detach()``: Tensors outside the graph that SHARE memory with the
        parameters (as in PyTorch), so they follow later training steps. Save them right away
        (``tinygrad_edu.save``) or copy them (``{k: v.clone() ...}``) to keep a snapshot.
        ``keep_vars=True`` gives the Parameter objects themselves.
        """
        out: dict[str, Any] = OrderedDict() if destination is None else destination
        for name, p in self._parameters.items():
            if p is not None:
                out[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers_set:
                out[prefix + name] = b if keep_vars else b.detach()
        for name, m in self._modules.items():
            if m is not None:
                m.state_dict(out, prefix + name + ".", keep_vars)
        return out

    def load_state_dict(
        self, state_dict: Mapping[str, Any], strict: bool = True
    ) -> IncompatibleKeys:
        """Copy values into the parameters (in place, so optimizers keep working).

        Values may be Tensors or NumPy arrays (anything ``np.asarray`` turns into numbers, such
        as CPU torch tensors). Everything is checked before anything is copied: with
        ``strict=True`` a missing or unexpected key, and always a shape mismatch or a value that
        is not numeric, raises a RuntimeError naming them, and the model is left unchanged.
        Parameters and buffers keep their dtype (a float64 checkpoint loads into float32
        parameters).
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"load_state_dict: expected a mapping of names to tensors, got "
                f"{type(state_dict).__name__}"
            )
        own: dict[str, Tensor] = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors: list[str] = []
        if strict and missing:
            errors.append("Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing))
        if strict and unexpected:
            errors.append(
                "Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected)
            )
        arrays: dict[str, np.ndarray] = {}
        for key, p in own.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            array = value.data if isinstance(value, Tensor) else _to_array(value)
            if array is None or array.dtype.kind not in "biuf":
                errors.append(
                    f"value for {key} is {type(value).__name__}"
                    + (f" of dtype {array.dtype}" if array is not None else "")
                    + ", expected a Tensor or a numeric NumPy array"
                )
            elif array.dtype.kind == "f" and p.dtype.kind in "biu":
                errors.append(
                    f"value for {key} has dtype {array.dtype}, which cannot be loaded into a "
                    f"tensor of dtype {p.dtype} without losing its fraction"
                )
            elif array.shape != p.shape:
                errors.append(
                    f"size mismatch for {key}: copying a param with shape {array.shape} from "
                    f"checkpoint, the shape in current model is {p.shape}"
                )
            else:
                arrays[key] = array
        if errors:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                + "\n\t".join(errors)
            )
        for key, array in arrays.items():
            p = own[key]
            if p.data.flags.writeable and p.data.base is None:
                np.copyto(p.data, array, casting="unsafe")  # into the same array: keeps dtype
            else:
                p.data = array.astype(p.dtype, copy=True)
            p._bump_version("load_state_dict")
        return IncompatibleKeys(missing, unexpected)

    # -- calling and printing ------------------------------------------------------------------

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} has no forward() method")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not (self._forward_pre_hooks or self._forward_hooks):
            return self.forward(*args, **kwargs)
        for hook in list(self._forward_pre_hooks.values()):
            new = hook(self, args)
            if new is not None:
                args = new if isinstance(new, tuple) else (new,)
        out = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks.values()):
            new = hook(self, args, out)
            if new is not None:
                out = new
        return out

    def register_forward_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """``hook(module, args)`` runs before forward; a value it returns replaces the args."""
        return _add_hook(self._forward_pre_hooks, hook)

    def register_forward_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """``hook(module, args, output)`` runs after forward; a value it returns replaces the
        output (for looking at activations, as the CNN example does)."""
        return _add_hook(self._forward_hooks, hook)

    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's repr (its settings)."""
        return ""

    def __repr__(self) -> str:
        lines = []
        for name, m in self._modules.items():
            child = repr(m).replace("\n", "\n  ")
            lines.append(f"  ({name}): {child}")
        extra = self.extra_repr()
        if not lines:
            return f"{type(self).__name__}({extra})"
        body = ([f"  {extra}"] if extra else []) + lines
        return f"{type(self).__name__}(\n" + "\n".join(body) + "\n)"


def _add_hook(hooks: dict[int, Callable[..., Any]], hook: Callable[..., Any]) -> RemovableHandle:
    key = max(hooks, default=-1) + 1
    hooks[key] = hook
    return RemovableHandle(hooks, key)


def _to_array(value: Any) -> np.ndarray | None:
    try:
        return np.asarray(value)
    except Exception:
        return None


def _zero_grad(p: Tensor, set_to_none: bool) -> None:
    """Shared by Module.zero_grad and Optimizer.zero_grad. (It works on the slot behind
    ``.grad``: it runs for every parameter at every step, and sets nothing the setter checks.)"""
    grad = p._grad
    if grad is None:
        return
    if set_to_none:
        p._grad = None
    elif grad.grad_fn is None and grad.data.flags.writeable:
        grad.data[...] = 0
    else:  # a gradient with a graph (create_graph=True) is replaced, not changed in place
        p._grad = Tensor._plain(np.zeros_like(grad.data))
