"""Loggers: where agents, learners and loops send their metrics.

A logger takes one flat mapping per `write`. Compose them: a `Dispatcher` sends
to several loggers, filters drop writes or keys, `AsyncLogger` moves writing to
a thread, and `make_default_logger` gives terminal output plus a CSV file.
"""

from troupe.components.loggers.asynchronous import AsyncLogger
from troupe.components.loggers.base import LoggingData
from troupe.components.loggers.base import Logger
from troupe.components.loggers.base import NoOpLogger
from troupe.components.loggers.base import tensor_to_numpy
from troupe.components.loggers.base import to_numpy
from troupe.components.loggers.csv import CSVLogger
from troupe.components.loggers.default import make_default_logger
from troupe.components.loggers.dispatcher import Dispatcher
from troupe.components.loggers.filters import KeyFilter
from troupe.components.loggers.filters import NoneFilter
from troupe.components.loggers.filters import TeamReturnFilter
from troupe.components.loggers.filters import TimeFilter
from troupe.components.loggers.memory import InMemoryLogger
from troupe.components.loggers.paths import get_unique_id
from troupe.components.loggers.paths import process_path
from troupe.components.loggers.tensorboard import TensorBoardLogger
from troupe.components.loggers.terminal import TerminalLogger

__all__ = [
    'AsyncLogger', 'CSVLogger', 'Dispatcher', 'InMemoryLogger', 'KeyFilter',
    'Logger', 'LoggingData', 'NoOpLogger', 'NoneFilter', 'TeamReturnFilter', 'TensorBoardLogger',
    'TerminalLogger', 'TimeFilter', 'get_unique_id', 'make_default_logger',
    'process_path', 'tensor_to_numpy', 'to_numpy',
]
