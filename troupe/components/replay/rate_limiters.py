"""Rate limiters: when a Reverb table lets learners sample and actors insert."""

from typing import Optional

import reverb


def min_size_limiter(min_size: int = 1) -> reverb.rate_limiters.MinSize:
    """Sampling is blocked until the table holds `min_size` items."""
    if min_size < 1:
        raise ValueError(f'min_size must be >= 1, got {min_size}.')
    return reverb.rate_limiters.MinSize(min_size)


def default_error_buffer(min_size: int, samples_per_insert: float) -> float:
    """Acme's choice: 10% of the ratio's worth of slack per minimum item, at least
    `samples_per_insert` (Reverb rejects smaller buffers)."""
    return max(0.1 * samples_per_insert * min_size, max(1.0, samples_per_insert))


def samples_per_insert_limiter(
        samples_per_insert: float,
        min_size: int = 1,
        error_buffer: Optional[float] = None,
) -> reverb.rate_limiters.SampleToInsertRatio:
    """Keeps samples/inserts near `samples_per_insert` once `min_size` is reached.

    Args:
      samples_per_insert: how many times, on average, each item is sampled.
      min_size: items needed before the first sample.
      error_buffer: how far the ratio may drift (in items) before blocking the side
        that runs ahead; defaults to `default_error_buffer(min_size, spi)`.
    """
    if samples_per_insert <= 0:
        raise ValueError(f'samples_per_insert must be > 0, got {samples_per_insert}.')
    if min_size < 1:
        raise ValueError(f'min_size must be >= 1, got {min_size}.')
    if error_buffer is None:
        error_buffer = default_error_buffer(min_size, samples_per_insert)
    if error_buffer < max(1.0, samples_per_insert) / 2:
        raise ValueError(
            f'error_buffer must be >= max(1, samples_per_insert) / 2 = '
            f'{max(1.0, samples_per_insert) / 2}, got {error_buffer}.')
    return reverb.rate_limiters.SampleToInsertRatio(
        samples_per_insert=samples_per_insert,
        min_size_to_sample=min_size,
        error_buffer=error_buffer)
