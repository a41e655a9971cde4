"""Local stand-ins for other nodes: a counter, a logger and a variable source
whose calls go to a Ray actor handle, so that the single-process parts
(`Counter`, `EnvironmentLoop`, `VariableClient`) work unchanged across
processes and machines."""

import time
from typing import Dict, List, Mapping, Sequence

import ray

from troupe import core, types
from troupe.components import loggers


class RemoteCounter:
    """The parent of a node's `counting.Counter`: increments go to the counter
    node (the child batches them, pushing at most once per its `time_delta`)."""

    def __init__(self, handle):
        self._handle = handle

    def increment(self, **counts: types.Number) -> Dict[str, types.Number]:
        return ray.get(self._handle.increment.remote(**counts))

    def get_counts(self) -> Dict[str, types.Number]:
        return ray.get(self._handle.get_counts.remote())


class RemoteLogger(loggers.Logger):
    """Sends each row to the log node, which writes `logs/<label>/logs.csv` in
    the program's log directory; `write` does not wait for it."""

    def __init__(self, handle, label: str):
        self._handle = handle
        self._label = label
        self._last = None  # The latest write's ObjectRef.

    def write(self, data: Mapping[str, types.Number]) -> None:
        self._last = self._handle.write.remote(self._label,
                                               loggers.to_numpy(dict(data)))

    def flush(self) -> None:
        """Waits until the log node has written every row sent so far."""
        if self._last is not None:
            ray.get(self._last)
            self._last = None

    def close(self) -> None:
        self.flush()


class RayVariableSource(core.VariableSource):
    """A `VariableSource` behind a Ray handle (the learner node, or a cache).

    While the node behind it is down (Ray restarting a killed learner from its
    checkpoint), `get_variables` waits for it, trying again every second for
    up to `restart_timeout` seconds, so that the actors and the evaluator using
    it go on with the restarted learner instead of failing with it.
    """

    def __init__(self, handle, restart_timeout: float = 300.0):
        self._handle = handle
        self._restart_timeout = restart_timeout

    def get_variables(self, names: Sequence[str]) -> List[types.NestedArray]:
        deadline = time.monotonic() + self._restart_timeout
        while True:
            try:
                return ray.get(self._handle.get_variables.remote(list(names)))
            except ray.exceptions.RayActorError:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(1.0)
