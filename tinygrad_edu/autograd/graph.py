"""The edges of the graph: from a node to the tensors it read, as backward follows them.

``edge`` answers which tensor a node really read as an input (it differs from the input it was
given once that input is changed in place, ``inplace.py``); ``next_functions`` and
``AccumulateGrad`` show the same edges as PyTorch prints them (its 60-minute tutorial walks
``loss.grad_fn.next_functions``). Only attributes are read here: any node, any Variable.
"""

from __future__ import annotations

import weakref
from typing import Any, ClassVar

from tinygrad_edu.autograd import variable
from tinygrad_edu.autograd.variable import Variable


def edge(x: Variable, seq: int) -> Variable:
    """The tensor that node number ``seq`` really read as its input ``x``.

    Normally x itself. But if x was changed in place after that node used it, x now carries the
    in-place op's newer node; the value the node read lives on in the stand-in the in-place op
    made (``inplace.py``), so its gradient goes there.
    """
    fn = x.grad_fn
    while fn is not None and fn._seq > seq:
        old = getattr(fn, "_rebased_from", None)
        if old is None:
            break
        x, fn = old, old.grad_fn
    return x


def next_functions(node: Any) -> tuple[tuple[Any, int], ...]:
    """One ``(node, 0)`` per tensor input of ``node``, as PyTorch shows the graph: the node that
    made the input, an AccumulateGrad for a leaf that requires grad, or None for a tensor that
    needs no gradient."""
    tensor_class, edges = variable.tensor_class, []
    for x in node.inputs:
        if not isinstance(x, tensor_class):
            continue  # a dim, a shape, an index: not part of the graph
        if x.requires_grad:
            x = edge(x, node._seq)  # the value this node read, if x changed in place since
        nxt = x.grad_fn if x.requires_grad else None
        edges.append((nxt or (AccumulateGrad.of(x) if x.requires_grad else None), 0))
    return tuple(edges)


class AccumulateGrad:
    """The end of the graph at a leaf that requires grad: where backward adds into ``.grad``.
    Only for looking at the graph (``next_functions``), as PyTorch's node of that name; one per
    leaf, made when first asked for and forgotten with the leaf."""

    # By the leaf's id, not the leaf: a tensor's == is elementwise.
    _made: ClassVar[dict[int, AccumulateGrad]] = {}
    next_functions: tuple[tuple[Any, int], ...] = ()

    def __init__(self, leaf: Variable) -> None:
        key = id(leaf)
        self._leaf = weakref.ref(leaf, lambda _: AccumulateGrad._made.pop(key, None))

    @classmethod
    def of(cls, leaf: Variable) -> AccumulateGrad:
        node = cls._made.get(id(leaf))
        if node is None or node.variable is not leaf:
            node = cls._made[id(leaf)] = cls(leaf)
        return node

    @property
    def variable(self) -> Any:
        """The leaf tensor whose ``.grad`` this node fills."""
        return self._leaf()

    def name(self) -> str:
        return "AccumulateGrad"

    def __repr__(self) -> str:
        return "<AccumulateGrad>"
