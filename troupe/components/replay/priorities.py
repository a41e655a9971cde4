"""Writing new priorities back to a prioritized Reverb table."""

from typing import Sequence, Union

import numpy as np
import reverb
import tensorflow as tf

ArrayLike = Union[np.ndarray, tf.Tensor, Sequence]


def mutate_priorities(client: reverb.Client, table: str, keys: ArrayLike,
                      priorities: ArrayLike) -> None:
    """Sets the priority of each sampled item (by key) in `table`.

    Keys of items that have since been evicted are ignored by Reverb.

    Args:
      client: a `reverb.Client` of the server holding `table`.
      table: the table name.
      keys: the `info.key` values of the sampled items, shape [B].
      priorities: the new priorities, shape [B], finite and >= 0.
    """
    keys = np.asarray(keys.numpy() if hasattr(keys, 'numpy') else keys,
                      dtype=np.uint64).reshape(-1)
    priorities = np.asarray(
        priorities.numpy() if hasattr(priorities, 'numpy') else priorities,
        dtype=np.float64).reshape(-1)
    if keys.shape != priorities.shape:
        raise ValueError(f'mutate_priorities got {keys.shape[0]} keys but '
                         f'{priorities.shape[0]} priorities; expected one per key.')
    if not np.all(np.isfinite(priorities)) or np.any(priorities < 0):
        raise ValueError(f'priorities must be finite and >= 0, got {priorities}.')
    client.mutate_priorities(
        table=table, updates=dict(zip(keys.tolist(), priorities.tolist())))
