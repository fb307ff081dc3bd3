"""Containers: Sequential (a pipeline), ModuleList and ModuleDict (layers you call yourself),
ParameterList and ParameterDict (parameters a module holds in a list or a dict).

Each registers what it holds under a name ("0", "1", ... or the dict key), so ``parameters()``,
``state_dict()`` and ``to()`` find it, with the same names and order as PyTorch's containers.
"""

from __future__ import annotations

import operator
from collections import OrderedDict
from collections.abc import ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from typing import Any

from tinygrad_edu._tensor import Tensor
from tinygrad_edu.nn.module import Module
from tinygrad_edu.nn.parameter import Parameter


class Sequential(Module):
    """Calls its modules in order, each on the previous one's output.

    Children are named "0", "1", ... (or by the keys of an OrderedDict), so parameters come out
    as "0.weight", "0.bias", ... exactly as in ``torch.nn.Sequential``.
    """

    def __init__(self, *args: Any) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for name, module in args[0].items():
                self.add_module(name, module)
        else:
            for i, module in enumerate(args):
                if not isinstance(module, Module):
                    raise TypeError(
                        f"Sequential: argument {i} is {type(module).__name__}, not a Module"
                    )
                self.add_module(str(i), module)

    def forward(self, input: Any) -> Any:
        for module in self._modules.values():
            if module is not None:
                input = module(input)
        return input

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(m for m in self._modules.values() if m is not None)

    def __getitem__(self, index: int | slice) -> Any:
        items = list(self._modules.items())
        if isinstance(index, slice):
            return Sequential(OrderedDict(items[index]))
        if not -len(items) <= index < len(items):
            raise IndexError(f"Sequential: index {index} is out of range for {len(items)} modules")
        return items[index][1]

    def append(self, module: Module) -> Sequential:
        self.add_module(str(len(self)), module)
        return self


class ModuleList(Module):
    """A list whose modules are registered ("0", "1", ...), so their parameters are found."""

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def append(self, module: Module) -> ModuleList:
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        for m in modules:
            self.append(m)
        return self

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(m for m in self._modules.values() if m is not None)

    def __getitem__(self, index: int) -> Any:
        items = list(self._modules.values())
        if not -len(items) <= index < len(items):
            raise IndexError(f"ModuleList: index {index} is out of range for {len(items)} modules")
        return items[index]


def _check_key(owner: Module, key: Any, kind: str, registry: dict[str, Any]) -> None:
    """A ModuleDict or ParameterDict key becomes an attribute name: PyTorch's checks, before
    anything is changed."""
    if not isinstance(key, str):
        raise TypeError(f"{kind} name should be a string. Got {type(key).__name__}")
    if key == "":
        raise KeyError(f'{kind} name can\'t be empty string ""')
    if "." in key:
        raise KeyError(f'{kind} name can\'t contain ".", got: {key}')
    if key not in registry and hasattr(owner, key):
        raise KeyError(f"attribute '{key}' already exists")


def _pairs(name: str, items: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
    """(key, value) pairs from an iterable of 2-sequences, each checked, as dict(...) takes."""
    for j, item in enumerate(items):
        if not isinstance(item, Iterable):
            raise TypeError(
                f"{name} update sequence element #{j} should be Iterable; is {type(item).__name__}"
            )
        item = tuple(item)
        if len(item) != 2:
            raise ValueError(
                f"{name} update sequence element #{j} has length {len(item)}; 2 is required"
            )
        yield item[0], item[1]


class ModuleDict(Module):
    """A dict of named sub-modules, registered under their keys (parameters come out as
    "key.weight"), in insertion order. It has no forward: index it in your own."""

    def __init__(
        self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None
    ) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        if key not in self._modules:
            raise KeyError(key)
        return self._modules[key]  # type: ignore[return-value]

    def __setitem__(self, key: str, module: Module) -> None:
        _check_key(self, key, "module", self._modules)
        if not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        _put(self, key, module)

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def clear(self) -> None:
        self._modules.clear()

    def pop(self, key: str) -> Module:
        module = self[key]
        del self[key]
        return module

    def keys(self) -> KeysView[str]:
        return self._modules.keys()

    def items(self) -> ItemsView[str, Module]:
        return self._modules.items()  # type: ignore[return-value]

    def values(self) -> ValuesView[Module]:
        return self._modules.values()  # type: ignore[return-value]

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        """Add or replace entries from a mapping (in its order) or from (key, module) pairs."""
        if not isinstance(modules, Iterable):
            raise TypeError(
                "ModuleDict.update should be called with an iterable of key/value pairs, but got "
                + type(modules).__name__
            )
        pairs = modules.items() if isinstance(modules, Mapping) else _pairs("ModuleDict", modules)
        for key, module in pairs:
            self[key] = module


class ParameterList(Module):
    """A list of parameters registered as "0", "1", ... (so ``parameters()`` and ``state_dict()``
    find them). A plain Tensor put in becomes a Parameter (sharing its memory); modules are
    registered as sub-modules; anything else is kept as a plain attribute, as in PyTorch."""

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        self._size = 0
        if values is not None:
            self.extend(values)

    def _index(self, idx: Any) -> str:
        idx = operator.index(idx)
        if not -len(self) <= idx < len(self):
            raise IndexError(f"index {idx} is out of range")
        return str(idx % len(self))

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            return type(self)(self[i] for i in range(*idx.indices(len(self))))
        return getattr(self, self._index(idx))

    def __setitem__(self, idx: int, param: Any) -> None:
        name = self._index(idx)
        if isinstance(param, Tensor) and not isinstance(param, Parameter):
            param = Parameter(param)
        _put(self, name, param)

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[Any]:
        return iter([self[i] for i in range(len(self))])

    def __iadd__(self, parameters: Iterable[Any]) -> ParameterList:
        return self.extend(parameters)

    def append(self, value: Any) -> ParameterList:
        self._size += 1
        try:
            self[self._size - 1] = value
        except BaseException:
            self._size -= 1
            raise
        return self

    def extend(self, values: Iterable[Any]) -> ParameterList:
        if not isinstance(values, Iterable) or isinstance(values, Tensor):
            raise TypeError(
                "ParameterList.extend should be called with an iterable, but got "
                + type(values).__name__
            )
        for value in values:
            self.append(value)
        return self

    def extra_repr(self) -> str:
        return "\n".join(f"({i}): {_describe(p)}" for i, p in enumerate(self))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("ParameterList should not be called.")


class ParameterDict(Module):
    """A dict of parameters registered under their keys, in insertion order. As in PyTorch, a
    plain ``dict`` given to the constructor or ``update`` is taken in sorted key order (an
    OrderedDict, a ParameterDict or a list of pairs keeps its order). Tensors become
    Parameters, as in ParameterList.

    One difference: a missing key raises KeyError (PyTorch raises AttributeError).
    """

    def __init__(self, parameters: Any = None) -> None:
        super().__init__()
        self._keys: dict[str, None] = {}
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key: str) -> Any:
        if key not in self._keys:
            raise KeyError(key)
        return getattr(self, key)

    def __setitem__(self, key: str, value: Any) -> None:
        if not isinstance(key, str):
            raise TypeError(
                "Index given to ParameterDict cannot be used as a key as it is not a string "
                f"(type is '{type(key).__name__}')"
            )
        _check_key(self, key, "parameter", self._keys)
        if isinstance(value, Tensor) and not isinstance(value, Parameter):
            value = Parameter(value)
        _put(self, key, value)
        self._keys[key] = None

    def __delitem__(self, key: str) -> None:
        del self._keys[key]
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __reversed__(self) -> Iterator[str]:
        return reversed(self._keys)

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def copy(self) -> ParameterDict:
        """A new ParameterDict holding the same parameters (not copies of them)."""
        return ParameterDict(OrderedDict((k, self[k]) for k in self._keys))

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return self[key]

    def clear(self) -> None:
        for key in list(self._keys):
            del self[key]

    def pop(self, key: str) -> Any:
        value = self[key]
        del self[key]
        return value

    def popitem(self) -> tuple[str, Any]:
        if not self._keys:
            raise KeyError("popitem(): ParameterDict is empty")
        key = next(reversed(self._keys))
        return key, self.pop(key)

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else default  # noqa: SIM401 (this is dict.get)

    def fromkeys(self, keys: Iterable[str], default: Any = None) -> ParameterDict:
        return ParameterDict((k, default) for k in keys)

    def keys(self) -> KeysView[str]:
        return self._keys.keys()

    def items(self) -> Iterator[tuple[str, Any]]:
        return ((k, self[k]) for k in list(self._keys))

    def values(self) -> Iterator[Any]:
        return (self[k] for k in list(self._keys))

    def update(self, parameters: Any) -> None:
        if not isinstance(parameters, Iterable):
            raise TypeError(
                "ParametersDict.update should be called with an iterable of key/value pairs, "
                f"but got {type(parameters).__name__}"
            )
        if isinstance(parameters, (OrderedDict, ParameterDict)):
            pairs: Iterable[tuple[Any, Any]] = list(parameters.items())
        elif isinstance(parameters, Mapping):
            pairs = sorted(parameters.items())
        else:
            pairs = _pairs("ParameterDict", parameters)
        for key, value in pairs:
            self[key] = value

    def __or__(self, other: ParameterDict) -> ParameterDict:
        out = self.copy()
        out.update(other)
        return out

    def __ror__(self, other: ParameterDict) -> ParameterDict:
        out = other.copy()
        out.update(self)
        return out

    def __ior__(self, other: ParameterDict) -> ParameterDict:
        self.update(other)
        return self

    def extra_repr(self) -> str:
        return "\n".join(f"({k}): {_describe(p)}" for k, p in self.items())

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("ParameterDict should not be called.")


def _put(owner: Module, name: str, value: Any) -> None:
    """setattr, except that a parameter (or module) replacing one of its kind keeps its place in
    the order, as in PyTorch (Module.__setattr__ here moves it to the end)."""
    if isinstance(value, Parameter) and name in owner._parameters:
        owner._parameters[name] = value
    elif isinstance(value, Module) and name in owner._modules:
        owner._modules[name] = value
    else:
        setattr(owner, name, value)  # (refuses e.g. a float in place of a parameter)


def _describe(value: Any) -> str:
    if isinstance(value, Tensor):
        kind = "Parameter" if isinstance(value, Parameter) else "Tensor"
        size = "x".join(str(n) for n in value.shape)
        return f"{kind} containing: [{value.dtype} of size {size}]"
    return f"Object of type: {type(value).__name__}"
