"""The logger interface, a logger that drops everything, and value conversion.

Loggers receive one flat mapping of named values per `write` (e.g. an episode's
length and return) and send it somewhere: the terminal, a CSV file, TensorBoard,
memory, or several of these at once.
"""

import abc
from typing import Any

import tree

from troupe import types

LoggingData = types.LoggingData


class Logger(abc.ABC):
    """Receives mappings of named values and records them somewhere."""

    @abc.abstractmethod
    def write(self, data: LoggingData) -> None:
        """Records one mapping of values (one row, one line, one event)."""

    @abc.abstractmethod
    def close(self) -> None:
        """Releases resources (files, threads); no writes may follow."""


class NoOpLogger(Logger):
    """A logger that ignores everything, for parts that must be given a logger."""

    def write(self, data: LoggingData) -> None:
        del data

    def close(self) -> None:
        pass


def tensor_to_numpy(value: Any) -> Any:
    """Returns `value.numpy()` for tensors and variables, `value` otherwise."""
    numpy_fn = getattr(value, 'numpy', None)
    if callable(numpy_fn):
        return numpy_fn()
    return value


def to_numpy(data: Any) -> Any:
    """Converts every tensor in a nest (e.g. a logging mapping) to numpy.

    Loggers call this so that files and terminals see plain values rather than
    tensor reprs, without the caller having to convert anything.
    """
    return tree.map_structure(tensor_to_numpy, data)
