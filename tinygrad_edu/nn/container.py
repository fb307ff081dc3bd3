"""Containers of modules: Sequential (a pipeline), ModuleList and ModuleDict (layers you call
yourself). ParameterList and ParameterDict are in parameter_containers.py.

Each registers what it holds under a name ("0", "1", ... or the dict key), so ``parameters()``,
``state_dict()`` and ``to()`` find it, with the same names and order as PyTorch's containers.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from typing import Any

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

    def __setitem__(self, index: int, module: Module) -> None:
        name = list(self._modules)[self._position(index)]
        setattr(self, name, module)

    def __delitem__(self, index: int) -> None:
        del self._modules[list(self._modules)[self._position(index)]]

    def _position(self, index: int) -> int:
        n = len(self._modules)
        if not -n <= index < n:
            raise IndexError(f"Sequential: index {index} is out of range for {n} modules")
        return index % n

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


def _put(owner: Module, name: str, value: Any) -> None:
    """setattr, except that a parameter (or module) replacing one of its kind keeps its place in
    the order, as in PyTorch (Module.__setattr__ here moves it to the end)."""
    if isinstance(value, Parameter) and name in owner._parameters:
        owner._parameters[name] = value
    elif isinstance(value, Module) and name in owner._modules:
        owner._modules[name] = value
    else:
        setattr(owner, name, value)  # (refuses e.g. a float in place of a parameter)
