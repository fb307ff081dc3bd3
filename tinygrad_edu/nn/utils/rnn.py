"""Batches of sequences of different lengths, as ``torch.nn.utils.rnn``: ``pad_sequence`` pads
them to one length so they stack into one tensor, and ``unpad_sequence`` takes them apart again.

PyTorch's packed sequences (``pack_padded_sequence``, ``pad_packed_sequence``,
``pack_sequence``, ``PackedSequence``) are not here: they raise a NotImplementedError that says
to pad, run the recurrent layer over the whole padded batch, and mask the padded steps instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NoReturn

import numpy as np

from tinygrad_edu._tensor import Tensor
from tinygrad_edu.functions import cat, stack


def pad_sequence(
    sequences: Tensor | list[Tensor],
    batch_first: bool = False,
    padding_value: float = 0.0,
    padding_side: str = "right",
) -> Tensor:
    """Pad tensors of shapes (L_i, *) with ``padding_value`` to the longest length T and stack
    them: (T, B, *), or (B, T, *) with ``batch_first``. ``padding_side='left'`` puts the padding
    before each sequence instead of after it.

    The result has the first sequence's dtype (the others are converted, as PyTorch copies them
    in). It is built from cat and stack, so gradients flow back to every sequence; the padding
    is a constant.
    """
    if not isinstance(sequences, Iterable):
        raise RuntimeError(
            "pad_sequence: Expected iterable for input sequences, but got arg of type: "
            f"{type(sequences).__name__}"
        )
    seqs = list(sequences)
    if not seqs:
        raise RuntimeError("pad_sequence: received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise RuntimeError(
            f"pad_sequence: Expected padding_side to be one of left or right, but got "
            f"{padding_side}."
        )
    for i, s in enumerate(seqs):
        if not isinstance(s, Tensor):
            raise TypeError(
                f"pad_sequence: expected a sequence of Tensors, but element {i} is "
                f"{type(s).__name__}"
            )
        if s.ndim == 0:
            raise RuntimeError(
                f"pad_sequence: sequence {i} is a 0-d tensor; each must have a length dim first"
            )
    trailing = seqs[0].shape[1:]
    for i, s in enumerate(seqs):
        if s.shape[1:] != trailing:
            raise RuntimeError(
                f"pad_sequence: sequence {i} has shape {tuple(s.shape)}, but its dims after the "
                f"first must match sequence 0's {tuple(trailing)}"
            )
    dtype = seqs[0].dtype
    longest = max(s.shape[0] for s in seqs)
    padded = [_pad(s.to(dtype), longest, padding_value, padding_side) for s in seqs]
    return stack(padded, dim=0 if batch_first else 1)


def _pad(seq: Tensor, length: int, value: float, side: str) -> Tensor:
    missing = length - seq.shape[0]
    if missing == 0:
        return seq
    fill = Tensor._plain(np.full((missing, *seq.shape[1:]), value).astype(seq.dtype))
    return cat([seq, fill] if side == "right" else [fill, seq])


def unpad_sequence(
    padded_sequences: Tensor, lengths: Any, batch_first: bool = False
) -> list[Tensor]:
    """The inverse of pad_sequence (with the default right padding): the first ``lengths[i]``
    steps of each sequence in the batch, as a list of tensors (L_i, *)."""
    batch = padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    counts = lengths.tolist() if isinstance(lengths, Tensor) else list(lengths)
    if len(counts) != batch.shape[0]:
        raise RuntimeError(
            f"unpad_sequence: {len(counts)} lengths for a batch of {batch.shape[0]} sequences"
        )
    return [batch[i, : int(n)] for i, n in enumerate(counts)]


def _packed(name: str) -> NoReturn:
    raise NotImplementedError(
        f"nn.utils.rnn.{name} is not implemented in tinygrad_edu: packed sequences are not "
        "supported. Pad the batch instead (pad_sequence), run the layer over the padded "
        "batch, and mask the padded steps (for example, pick each sequence's output at its "
        "last real step, or zero the padded positions' loss)"
    )


def pack_padded_sequence(
    input: Tensor, lengths: Any, batch_first: bool = False, enforce_sorted: bool = True
) -> NoReturn:
    """Not implemented: raises NotImplementedError, saying to pad and mask instead."""
    _packed("pack_padded_sequence")


def pad_packed_sequence(
    sequence: Any,
    batch_first: bool = False,
    padding_value: float = 0.0,
    total_length: int | None = None,
) -> NoReturn:
    """Not implemented: raises NotImplementedError, saying to pad and mask instead."""
    _packed("pad_packed_sequence")


def pack_sequence(sequences: Any, enforce_sorted: bool = True) -> NoReturn:
    """Not implemented: raises NotImplementedError, saying to pad and mask instead."""
    _packed("pack_sequence")


__all__ = [
    "pack_padded_sequence",
    "pack_sequence",
    "pad_packed_sequence",
    "pad_sequence",
    "unpad_sequence",
]
