"""VariableClient: keeps an actor's copy of the learner's variables fresh."""

import concurrent.futures
import logging
from typing import List, Mapping, Optional, Sequence

import numpy as np
import tensorflow as tf

from troupe import core

logger = logging.getLogger(__name__)


class VariableClient:
    """Copies named variable groups from a `VariableSource` into local variables.

    `update()` is cheap to call every step: every `update_period` calls it starts a
    fetch on a background thread, and a later call copies the result in once it has
    arrived, so acting never waits on the source. `update_and_wait()` fetches now.
    The source only needs `get_variables(names) -> list of lists of arrays`, so it may
    live in another process (e.g. behind a Ray handle with that method).
    """

    def __init__(self,
                 client: core.VariableSource,
                 variables: Mapping[str, Sequence[tf.Variable]],
                 update_period: int = 1):
        if update_period < 1:
            raise ValueError(f'update_period must be >= 1, got {update_period}.')
        if not hasattr(client, 'get_variables'):
            raise TypeError(f'VariableClient needs a source with get_variables(names); '
                            f'got {type(client).__name__}.')
        self._source = client
        self._names = list(variables.keys())
        self._variables = [list(variables[name]) for name in self._names]
        self._update_period = update_period
        self._call_counter = 0
        self._future: Optional[concurrent.futures.Future] = None
        self.version = 0  # Counts the copies made, so readers know when values changed.
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix='variable_client')

    def update(self, wait: bool = False) -> None:
        """Fetches asynchronously every `update_period` calls; copies when ready."""
        if wait:
            self.update_and_wait()
            return
        if self._future is not None and self._future.done():
            future, self._future = self._future, None
            self._copy(future.result())  # Re-raises any error from the fetch.
        self._call_counter += 1
        if self._call_counter >= self._update_period and self._future is None:
            self._call_counter = 0
            self._future = self._executor.submit(self._source.get_variables,
                                                 self._names)

    def update_and_wait(self) -> None:
        """Fetches the variables and copies them in before returning."""
        if self._future is not None:
            self._future.cancel()
            self._future = None
        self._copy(self._source.get_variables(self._names))
        self._call_counter = 0

    @property
    def variables(self) -> Mapping[str, List[tf.Variable]]:
        return dict(zip(self._names, self._variables))

    def _copy(self, new_values: Sequence[Sequence[np.ndarray]]) -> None:
        if len(new_values) != len(self._names):
            raise ValueError(
                f'VariableClient asked for groups {self._names} but the source returned '
                f'{len(new_values)} group(s).')
        for name, local, values in zip(self._names, self._variables, new_values):
            if len(values) != len(local):
                raise ValueError(
                    f'Variable group {name!r}: the source returned {len(values)} arrays, '
                    f'expected {len(local)} (local shapes '
                    f'{[tuple(v.shape) for v in local]}).')
            for index, (variable, value) in enumerate(zip(local, values)):
                if tuple(np.shape(value)) != tuple(variable.shape):
                    raise ValueError(
                        f'Variable group {name!r}, entry {index} ({variable.name}): the '
                        f'source sent shape {tuple(np.shape(value))}, expected '
                        f'{tuple(variable.shape)}.')
                variable.assign(value)
        self.version += 1

    def __del__(self):
        executor = getattr(self, '_executor', None)
        if executor is not None:
            executor.shutdown(wait=False)
