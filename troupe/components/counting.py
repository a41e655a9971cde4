"""Counters of steps, episodes, ... shared by the parts of an agent.

Counters form a tree: a child with prefix 'actor' adds its counts to its parent
under 'actor_<key>', so one root counter holds e.g. 'actor_steps' and
'learner_steps' for every logger to report on the same axes.

A child does not call its parent on every increment: it accumulates its counts
locally and pushes them (and reads the parent's totals back) at most once every
`time_delta` seconds. Between syncs, `get_counts` returns the cached parent
totals plus the local counts not yet pushed, so a child's own counts are always
exact while other children's contributions may lag by up to `time_delta`.
Use `time_delta=0` to sync on every call, or `flush()` to push at once.
"""

import threading
import time
from typing import Any, Dict, Mapping, Optional

import dm_env
import numpy as np

from troupe import core
from troupe import types

Number = types.Number
_FIRST = dm_env.StepType.FIRST


class Counter(core.Saveable):
    """A thread-safe hierarchical counter; see the module docstring."""

    def __init__(self,
                 parent: Optional['Counter'] = None,
                 prefix: str = '',
                 time_delta: float = 1.0,
                 return_only_prefixed: bool = False):
        """Creates the counter.

        Args:
          parent: the counter to push counts to (None for a root counter).
          prefix: prepended as '<prefix>_' to this counter's keys in the counts
            it pushes and returns.
          time_delta: minimum seconds between syncs with the parent.
          return_only_prefixed: if True and `prefix` is set, `increment` and
            `get_counts` return only this counter's keys, without the prefix.
        """
        if time_delta < 0:
            raise ValueError(f'time_delta must be >= 0 seconds, got {time_delta}.')
        if not isinstance(prefix, str):
            raise TypeError(f'prefix must be a str, got {prefix!r}.')
        self._parent = parent
        self._prefix = prefix
        self._time_delta = time_delta
        self._return_only_prefixed = return_only_prefixed
        # With a parent: counts not pushed yet. Without one: the totals.
        self._counts: Dict[str, Number] = {}
        # The parent's counts as of the last sync.
        self._cache: Dict[str, Number] = {}
        self._last_sync: Optional[float] = None  # None forces the next sync.
        # Re-entrant: increment() calls get_counts() under the lock. Held while
        # calling the parent, so a sync never shows counts both pushed and local.
        self._lock = threading.RLock()

    def increment(self, **counts: Number) -> Dict[str, Number]:
        """Adds `counts` to this counter's and returns all counts afterwards.

        The returned mapping includes the parent's counts (as of the last
        sync) and keys this call did not touch.
        """
        with self._lock:
            for key, value in counts.items():
                self._counts[key] = self._counts.get(key, 0) + value
            return self.get_counts()

    def get_counts(self) -> Dict[str, Number]:
        """Returns all counts, syncing with the parent if `time_delta` passed."""
        with self._lock:
            if self._parent is not None:
                now = time.monotonic()
                if (self._last_sync is None
                        or now - self._last_sync >= self._time_delta):
                    self._sync(now)
            counts = self._prefixed(self._counts)
            for key, value in self._cache.items():
                counts[key] = counts.get(key, 0) + value
        if self._prefix and self._return_only_prefixed:
            start = f'{self._prefix}_'
            counts = {key[len(start):]: value for key, value in counts.items()
                      if key.startswith(start)}
        return counts

    def flush(self) -> None:
        """Pushes the local counts to the parent now (no-op without a parent)."""
        with self._lock:
            if self._parent is not None:
                self._sync(time.monotonic())

    def get_steps_key(self) -> str:
        """The key under which `get_counts()` reports this counter's 'steps'."""
        if self._prefix and not self._return_only_prefixed:
            return f'{self._prefix}_steps'
        return 'steps'

    def save(self) -> Dict[str, Dict[str, Number]]:
        """Returns {'counts': local counts, 'cache': parent counts last seen}."""
        with self._lock:
            return {'counts': dict(self._counts), 'cache': dict(self._cache)}

    def restore(self, state: Mapping[str, Mapping[str, Number]]) -> None:
        """Restores a `save()` state; the parent is re-read on the next call."""
        if not isinstance(state, Mapping) or 'counts' not in state:
            raise ValueError("Counter.restore expects a mapping with 'counts' (and "
                             f"optionally 'cache'), as save() returns; got {state!r}.")
        with self._lock:
            self._counts = dict(state['counts'])
            self._cache = dict(state.get('cache', {}))
            self._last_sync = None

    def _sync(self, now: float) -> None:
        """Pushes local counts to the parent and caches its totals (lock held)."""
        pending = self._prefixed(self._counts)
        self._cache = dict(self._parent.increment(**pending))
        self._counts = {}
        self._last_sync = now

    def _prefixed(self, counts: Mapping[str, Any]) -> Dict[str, Any]:
        if self._prefix:
            return {f'{self._prefix}_{key}': value for key, value in counts.items()}
        return dict(counts)


def count_env_steps(step_type) -> int:
    """Real env steps in one `observe`: 1 for one environment; for a batch (a
    [N] step-type array from a `BatchedEnvironment`), the copies that did not
    just reset (a FIRST step is the start of a new episode, not a transition).

    The one place a batch's env steps are counted: the agent's learning
    schedule, exploration schedules, the environment loop and the command
    line's progress all call it.
    """
    if type(step_type) is not np.ndarray or step_type.ndim == 0:
        return 1
    return int(np.count_nonzero(step_type != _FIRST))
