"""Convolution layers, Conv1d and Conv2d, as torch.nn's: the same arguments, attributes,
parameter shapes ((out, in / groups, *kernel) and (out,)) and initialisation, so a PyTorch
state dict loads unchanged and gives the same outputs.

Only ``padding_mode='zeros'`` is implemented; PyTorch's other modes ('reflect', 'replicate',
'circular') raise NotImplementedError.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tinygrad_edu._tensor import Tensor
from tinygrad_edu.nn import functional as F
from tinygrad_edu.nn import init
from tinygrad_edu.nn.functional.conv import PADDING_STRINGS, ntuple
from tinygrad_edu.nn.module import Module
from tinygrad_edu.nn.parameter import Parameter

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """What Conv1d and Conv2d share; ``dims`` is the number of spatial dims."""

    dims = 0

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: object = None,
        dtype: object = None,
    ) -> None:
        super().__init__()
        d = self.dims
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups:
            raise ValueError("out_channels must be divisible by groups")
        if isinstance(padding, str):
            if padding not in PADDING_STRINGS:
                raise ValueError(
                    f"Invalid padding string {padding!r}, should be one of {set(PADDING_STRINGS)}"
                )
            if any(s != 1 for s in ntuple(stride, d, "stride")):
                raise ValueError("padding='same' is not supported for strided convolutions")
        if padding_mode not in PADDING_MODES:
            raise ValueError(
                f"padding_mode must be one of {set(PADDING_MODES)}, but got "
                f"padding_mode={padding_mode!r}"
            )
        if padding_mode != "zeros":
            raise NotImplementedError(
                f"{type(self).__name__}: padding_mode={padding_mode!r} is not implemented here; "
                "only 'zeros' is (pad the input yourself, e.g. with numpy.pad, for the others)"
            )
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = ntuple(kernel_size, d, "kernel_size")
        self.stride = ntuple(stride, d, "stride")
        self.padding = padding if isinstance(padding, str) else ntuple(padding, d, "padding")
        self.dilation = ntuple(dilation, d, "dilation")
        self.transposed = False
        self.output_padding = (0,) * d
        self.groups = groups
        self.padding_mode = padding_mode
        shape = (out_channels, in_channels // groups, *self.kernel_size)
        self.weight = Parameter(np.empty(shape, np.float32))
        if bias:
            self.bias = Parameter(np.empty(out_channels, np.float32))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()
        self.to(device=device, dtype=dtype)  # (both None: nothing to do)

    def reset_parameters(self) -> None:
        """PyTorch's: W ~ kaiming_uniform_(a=sqrt(5)), which is U(-1/sqrt(fan_in),
        1/sqrt(fan_in)) with fan_in = in_channels / groups * kernel size; b from the same."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = int(np.prod(self.weight.shape[1:]))
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
            init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        s = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        if self.padding != (0,) * self.dims:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * self.dims:
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv1d(_ConvNd):
    """1-D convolution over (N, C_in, L) or (C_in, L) inputs: ``weight`` (C_out, C_in / groups,
    k), ``bias`` (C_out,)."""

    dims = 1

    def forward(self, input: Tensor) -> Tensor:
        args = (self.stride, self.padding, self.dilation, self.groups)
        return F.conv1d(input, self.weight, self.bias, *args)


class Conv2d(_ConvNd):
    """2-D convolution over (N, C_in, H, W) or (C_in, H, W) inputs: ``weight`` (C_out,
    C_in / groups, kH, kW), ``bias`` (C_out,)."""

    dims = 2

    def forward(self, input: Tensor) -> Tensor:
        args = (self.stride, self.padding, self.dilation, self.groups)
        return F.conv2d(input, self.weight, self.bias, *args)
