"""Benchmarks: the same training steps in hand-written NumPy, PyTorch and tinygrad_edu."""
