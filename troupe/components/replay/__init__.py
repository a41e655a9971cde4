"""Reverb replay: table factories, rate limiters, datasets and priority updates."""

from troupe.components.replay.dataset import make_reverb_dataset
from troupe.components.replay.priorities import mutate_priorities
from troupe.components.replay.rate_limiters import (
    default_error_buffer, min_size_limiter, samples_per_insert_limiter)
from troupe.components.replay.tables import (
    DEFAULT_PRIORITY_TABLE, prioritized_table, queue_table, transition_table,
    uniform_table)

__all__ = [
    'DEFAULT_PRIORITY_TABLE', 'make_reverb_dataset', 'mutate_priorities',
    'default_error_buffer', 'min_size_limiter', 'samples_per_insert_limiter',
    'prioritized_table', 'queue_table', 'transition_table', 'uniform_table',
]
