"""Helpers for testing code built on tinygrad_edu.

``tinygrad_edu.testing.strategies`` holds hypothesis strategies (shapes, arrays, tensors,
broadcastable and matmul-compatible shape pairs). It is not imported here, so that importing
tinygrad_edu never needs hypothesis; import it explicitly::

    from tinygrad_edu.testing import strategies as tst
"""
