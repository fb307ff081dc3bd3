"""The hypothesis strategies of tinygrad_edu.testing keep the promises their docstrings make."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_edu.testing import strategies as tst


@given(data=st.data(), shape=tst.shapes(max_side=3))
def test_broadcastable_shapes_broadcast_to_the_shape_itself(data, shape) -> None:
    """Never a shape that grows ``shape`` (hypothesis's own strategy gives (4, 2) for (1, 2))."""
    drawn = data.draw(tst.broadcastable_shapes(shape))
    assert np.broadcast_shapes(drawn, shape) == shape


@given(data=st.data(), shape=tst.shapes(max_dims=2, max_side=3))
def test_broadcastable_shapes_with_more_dims_add_only_leading_ones(data, shape) -> None:
    drawn = data.draw(tst.broadcastable_shapes(shape, max_dims=len(shape) + 2))
    extra = max(len(drawn) - len(shape), 0)
    assert np.broadcast_shapes(drawn, shape) == (1,) * extra + shape
