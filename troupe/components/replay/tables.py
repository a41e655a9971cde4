"""Factories for the Reverb tables agents use: uniform, prioritized and FIFO queue."""

from typing import Optional

import reverb

from troupe import types
from troupe.components.adders.base import DEFAULT_PRIORITY_TABLE
from troupe.components.replay import rate_limiters



def _check_size(max_size: int) -> None:
    if max_size < 1:
        raise ValueError(f'max_size must be >= 1, got {max_size}.')


def _limiter(min_size: int, samples_per_insert: Optional[float],
             error_buffer: Optional[float]) -> reverb.rate_limiters.RateLimiter:
    if samples_per_insert is None:
        return rate_limiters.min_size_limiter(min_size)
    return rate_limiters.samples_per_insert_limiter(
        samples_per_insert, min_size=min_size, error_buffer=error_buffer)


def uniform_table(name: str = DEFAULT_PRIORITY_TABLE,
                  max_size: int = 1_000_000,
                  *,
                  min_size: int = 1,
                  samples_per_insert: Optional[float] = None,
                  error_buffer: Optional[float] = None,
                  signature: Optional[types.NestedSpec] = None) -> reverb.Table:
    """A replay table sampled uniformly, evicting the oldest item when full."""
    _check_size(max_size)
    return reverb.Table(
        name=name,
        sampler=reverb.selectors.Uniform(),
        remover=reverb.selectors.Fifo(),
        max_size=max_size,
        rate_limiter=_limiter(min_size, samples_per_insert, error_buffer),
        signature=signature)


def prioritized_table(name: str = DEFAULT_PRIORITY_TABLE,
                      max_size: int = 1_000_000,
                      *,
                      priority_exponent: float = 0.6,
                      min_size: int = 1,
                      samples_per_insert: Optional[float] = None,
                      error_buffer: Optional[float] = None,
                      signature: Optional[types.NestedSpec] = None) -> reverb.Table:
    """A table sampled with probability ∝ priority**priority_exponent (PER)."""
    _check_size(max_size)
    if priority_exponent < 0:
        raise ValueError(f'priority_exponent must be >= 0, got {priority_exponent}.')
    return reverb.Table(
        name=name,
        sampler=reverb.selectors.Prioritized(priority_exponent),
        remover=reverb.selectors.Fifo(),
        max_size=max_size,
        rate_limiter=_limiter(min_size, samples_per_insert, error_buffer),
        signature=signature)


def queue_table(name: str = DEFAULT_PRIORITY_TABLE,
                max_size: int = 1000,
                *,
                signature: Optional[types.NestedSpec] = None) -> reverb.Table:
    """A FIFO queue for on-policy data: each item is sampled exactly once, in order.

    Inserts block while the queue is full, so actors never run ahead of the learner
    by more than `max_size` items.
    """
    _check_size(max_size)
    return reverb.Table.queue(name=name, max_size=max_size, signature=signature)


def transition_table(name: str,
                     max_size: int,
                     *,
                     min_size: int,
                     samples_per_insert: float,
                     signature: types.NestedSpec,
                     blocking_inserts: bool,
                     priority_exponent: Optional[float] = None) -> reverb.Table:
    """The replay table of an off-policy agent, uniform or prioritized.

    With `blocking_inserts` (actors and learner in separate processes) a
    samples-per-insert limiter keeps both sides near `samples_per_insert` once
    `min_size` items are in. A single-process agent acts and learns on one thread,
    so its table must never block: a sample waiting for items still buffered in the
    adder's writer would hang the loop. There the agent's schedule
    (`min_observations`, `observations_per_step`) enforces the same ratio, and the
    table needs only one item to sample, as in Acme's single-process agents.
    """
    kwargs = dict(signature=signature)
    if blocking_inserts:
        kwargs.update(min_size=min_size, samples_per_insert=samples_per_insert)
    else:
        kwargs.update(min_size=1)
    if priority_exponent is None:
        return uniform_table(name, max_size, **kwargs)
    return prioritized_table(name, max_size, priority_exponent=priority_exponent,
                             **kwargs)
