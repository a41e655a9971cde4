"""Loggers that pass a subset of the writes, or of their keys, to another logger."""

import time
from typing import Optional, Sequence

import numpy as np

from troupe.components.loggers import base


class TimeFilter(base.Logger):
    """Passes a write on only if `time_delta` seconds passed since the last one.

    The first write always passes, so a short run still logs something.
    """

    def __init__(self, to: base.Logger, time_delta: float):
        if time_delta < 0:
            raise ValueError(f'time_delta must be >= 0 seconds, got {time_delta}.')
        self._to = to
        self._time_delta = time_delta
        self._last_time: Optional[float] = None

    def write(self, data: base.LoggingData) -> None:
        now = time.monotonic()
        if (self._last_time is not None
                and now - self._last_time < self._time_delta):
            return
        self._last_time = now
        self._to.write(data)

    def close(self) -> None:
        self._to.close()


class NoneFilter(base.Logger):
    """Drops the keys whose value is None (e.g. a loss not computed yet)."""

    def __init__(self, to: base.Logger):
        self._to = to

    def write(self, data: base.LoggingData) -> None:
        self._to.write({key: value for key, value in data.items()
                        if value is not None})

    def close(self) -> None:
        self._to.close()


class KeyFilter(base.Logger):
    """Passes on only the keys in `keep`, or all keys but those in `drop`."""

    def __init__(self,
                 to: base.Logger,
                 keep: Optional[Sequence[str]] = None,
                 drop: Optional[Sequence[str]] = None):
        """Creates the filter; exactly one of `keep` and `drop` must be given."""
        if (keep is None) == (drop is None):
            raise ValueError('KeyFilter needs exactly one of keep and drop, got '
                             f'keep={keep!r} and drop={drop!r}.')
        for name, keys in (('keep', keep), ('drop', drop)):
            if isinstance(keys, str):
                raise TypeError(f'{name} must be a sequence of keys, got the '
                                f'string {keys!r}; did you mean [{keys!r}]?')
        self._to = to
        self._keep = None if keep is None else frozenset(keep)
        self._drop = None if drop is None else frozenset(drop)

    def write(self, data: base.LoggingData) -> None:
        if self._keep is not None:
            data = {key: value for key, value in data.items() if key in self._keep}
        else:
            data = {key: value for key, value in data.items()
                    if key not in self._drop}
        self._to.write(data)

    def close(self) -> None:
        self._to.close()


class TeamReturnFilter(base.Logger):
    """Writes a multi-agent `episode_return` (a dict keyed by agent id) as the
    team's mean return under `episode_return`, plus `episode_return_<agent>`
    per agent, so that every logger, progress line and learning curve sees one
    number per episode. Single-agent writes pass unchanged."""

    def __init__(self, to: base.Logger, key: str = 'episode_return'):
        self._to = to
        self._key = key

    def write(self, data: base.LoggingData) -> None:
        value = data.get(self._key)
        if isinstance(value, dict):
            from troupe.environments.multiagent import team_return
            data = dict(data)
            data[self._key] = team_return(value)
            data.update({f'{self._key}_{agent}': float(np.sum(agent_return))
                         for agent, agent_return in value.items()})
        self._to.write(data)

    def close(self) -> None:
        self._to.close()
