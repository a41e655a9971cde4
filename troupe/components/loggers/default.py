"""The logger agents and loops use when they are not given one."""

import os
from typing import Any, Callable, Optional, Union

from troupe.components.loggers import base
from troupe.components.loggers import csv
from troupe.components.loggers import dispatcher
from troupe.components.loggers import filters
from troupe.components.loggers import terminal
from troupe.components.loggers.asynchronous import AsyncLogger

DEFAULT_DIRECTORY = '~/troupe'


def make_default_logger(
        label: str,
        save_data: bool = True,
        time_delta: float = 1.0,
        asynchronous: bool = False,
        print_fn: Optional[Callable[[str], Any]] = None,
        serialize_fn: Optional[Callable[[base.LoggingData],
                                         base.LoggingData]] = base.to_numpy,
        steps_key: str = 'steps',
        directory: Optional[Union[str, os.PathLike]] = None) -> base.Logger:
    """Makes a logger printing to the terminal and saving every write to CSV.

    The terminal shows at most one line every `time_delta` seconds, while the
    CSV file (`<directory>/<run id>/logs/<label>/logs.csv`) keeps every write,
    so that nothing is lost for plots. Keys whose value is None are dropped.

    Args:
      label: names the source in terminal lines and in the CSV path.
      save_data: whether to write the CSV file.
      time_delta: minimum seconds between terminal lines.
      asynchronous: whether to write on a background thread.
      print_fn: receives each terminal line (default `print`).
      serialize_fn: applied once to each write before it reaches the
        terminal and CSV loggers (default: tensors to numpy).
      steps_key: accepted for Acme compatibility; terminal and CSV loggers
        need no step key.
      directory: the root of the CSV file; defaults to '~/troupe'.

    Returns:
      The logger; call `close()` when done to flush and close the CSV file.
    """
    del steps_key  # Only step-indexed sinks (e.g. TensorBoard) would need it.
    destinations = [filters.TimeFilter(
        terminal.TerminalLogger(label=label, print_fn=print_fn), time_delta)]
    if save_data:
        destinations.append(csv.CSVLogger(
            directory if directory is not None else DEFAULT_DIRECTORY, label=label))
    logger = dispatcher.Dispatcher(destinations, serialize_fn=serialize_fn)
    logger = filters.NoneFilter(logger)
    if asynchronous:
        logger = AsyncLogger(logger)
    return logger

