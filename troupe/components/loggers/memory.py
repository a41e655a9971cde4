"""A logger that keeps every write in a list, for tests and notebooks."""

from typing import Any, Dict, List

from troupe.components.loggers import base


class InMemoryLogger(base.Logger):
    """Appends a copy of each write (tensors converted to numpy) to `.data`."""

    def __init__(self):
        self._data: List[Dict[str, Any]] = []

    @property
    def data(self) -> List[Dict[str, Any]]:
        """Every mapping written so far, oldest first."""
        return self._data

    def write(self, data: base.LoggingData) -> None:
        self._data.append(dict(base.to_numpy(data)))

    def close(self) -> None:
        pass
