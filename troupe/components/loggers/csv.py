"""A logger that appends each write as a row of a CSV file.

The header comes from the first row's keys, in their order. When a later row
brings keys the header lacks, the file is rewritten with the new columns added
at the end (earlier rows get empty cells there); the rewrite goes to a temporary
file that atomically replaces the old one, so a crash mid-rewrite loses nothing.
Keys missing from a row are written as empty cells. Rows are flushed to the
operating system every `flush_every` writes (every write by default), so that
everything written survives the process dying right after `write` returns.
"""

import csv
import os
import time
from typing import Any, List, Optional, TextIO, Union

import numpy as np

from troupe.components.loggers import base
from troupe.components.loggers import paths

FILE_NAME = 'logs.csv'


class CSVLogger(base.Logger):
    """Writes each mapping as one CSV row; see the module docstring for columns."""

    def __init__(self,
                 directory_or_file: Union[str, os.PathLike, TextIO] = '~/troupe',
                 label: str = '',
                 time_delta: float = 0.0,
                 add_uid: bool = True,
                 flush_every: int = 1):
        """Creates the logger and opens (or creates) its file.

        Args:
          directory_or_file: a root directory, the file then being
            `<root>[/<run id>]/logs/<label>/logs.csv` (appended to if it exists,
            keeping its header), or an open text file, written from its current
            position starting with a header. A file object cannot be rewritten,
            so with one a row bringing new keys raises ValueError.
          label: the subdirectory naming what is logged (e.g. 'learner').
          time_delta: minimum seconds between written rows; writes arriving
            sooner are dropped. The first write is always kept.
          add_uid: whether to put the run id (`paths.get_unique_id()`) in the path.
          flush_every: flush the file to the operating system every this many
            written rows.
        """
        if time_delta < 0:
            raise ValueError(f'time_delta must be >= 0 seconds, got {time_delta}.')
        if not isinstance(flush_every, int) or flush_every < 1:
            raise ValueError(f'flush_every must be an int >= 1, got {flush_every!r}.')
        self._time_delta = time_delta
        self._flush_every = flush_every
        self._last_time: Optional[float] = None
        self._rows_since_flush = 0
        self._closed = False
        if isinstance(directory_or_file, (str, os.PathLike)):
            directory = paths.process_path(
                directory_or_file, 'logs', label, add_uid=add_uid)
            self._path: Optional[str] = os.path.join(directory, FILE_NAME)
            self._fields = _read_header(self._path)
            self._file = open(self._path, 'a', newline='', encoding='utf-8')
            self._owns_file = True
        else:
            self._file = directory_or_file
            self._path = getattr(directory_or_file, 'name', None)
            self._fields = []
            self._owns_file = False
        self._writer = csv.writer(self._file)

    @property
    def file_path(self) -> Optional[str]:
        """The path of the CSV file (None for a file object without a name)."""
        return self._path

    @property
    def fields(self) -> List[str]:
        """The current columns of the file, in order."""
        return list(self._fields)

    def write(self, data: base.LoggingData) -> None:
        if self._closed:
            raise ValueError(f'CSVLogger for {self._path!r} is closed; cannot write.')
        now = time.monotonic()
        if (self._last_time is not None
                and now - self._last_time < self._time_delta):
            return
        self._last_time = now
        row = {str(key): value for key, value in base.to_numpy(data).items()}
        if not self._fields:
            self._fields = list(row)
            self._writer.writerow(self._fields)
        else:
            new_fields = [key for key in row if key not in self._fields]
            if new_fields:
                self._add_columns(new_fields)
        self._writer.writerow([_cell(row[key]) if key in row else ''
                               for key in self._fields])
        self._rows_since_flush += 1
        if self._rows_since_flush >= self._flush_every:
            self.flush()

    def flush(self) -> None:
        """Hands buffered rows to the operating system."""
        self._file.flush()
        self._rows_since_flush = 0

    def close(self) -> None:
        if self._closed:
            return
        self.flush()
        if self._owns_file:
            os.fsync(self._file.fileno())
            self._file.close()
        self._closed = True

    def _add_columns(self, new_fields: List[str]) -> None:
        """Rewrites the owned file with `new_fields` appended to the header."""
        if not self._owns_file:
            raise ValueError(
                f'CSVLogger cannot add columns {new_fields} to the header '
                f'{self._fields} of a file object it does not own; pass a '
                'directory instead, or write the same keys in every row.')
        self._file.flush()
        self._file.close()
        with open(self._path, 'r', newline='', encoding='utf-8') as old:
            rows = list(csv.reader(old))[1:]
        fields = self._fields + new_fields
        padding = [''] * len(new_fields)
        temporary_path = f'{self._path}.tmp'
        with open(temporary_path, 'w', newline='', encoding='utf-8') as new:
            writer = csv.writer(new)
            writer.writerow(fields)
            writer.writerows(row + padding for row in rows)
            new.flush()
            os.fsync(new.fileno())
        os.replace(temporary_path, self._path)
        self._fields = fields
        self._file = open(self._path, 'a', newline='', encoding='utf-8')
        self._writer = csv.writer(self._file)


def _read_header(path: str) -> List[str]:
    """Returns the header of an existing CSV file, or [] if there is none."""
    if not os.path.exists(path):
        return []
    with open(path, 'r', newline='', encoding='utf-8') as existing:
        return next(csv.reader(existing), [])


def _cell(value: Any) -> Any:
    """Unwraps 0-d arrays so that cells hold '1.5' rather than 'array(1.5)'."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value[()]
    return value
