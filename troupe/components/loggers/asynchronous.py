"""A logger that writes on a background thread, so slow sinks never block."""

import queue
import threading
from typing import Optional

from troupe.components.loggers import base

_CLOSE = object()


class AsyncLogger(base.Logger):
    """Queues writes for a background thread that passes them to `to`.

    `write` returns at once unless `max_queue_size` writes are pending. `close`
    waits until every queued write reached `to`, then closes `to`. An error
    raised by `to` on the thread is raised again by the next `write` or `close`.
    """

    def __init__(self, to: base.Logger, max_queue_size: int = 1000):
        if max_queue_size < 1:
            raise ValueError(f'max_queue_size must be >= 1, got {max_queue_size}.')
        self._to = to
        self._queue: 'queue.Queue' = queue.Queue(maxsize=max_queue_size)
        self._error: Optional[BaseException] = None
        self._closed = False
        self._thread = threading.Thread(
            target=self._run, name='troupe-async-logger', daemon=True)
        self._thread.start()

    def write(self, data: base.LoggingData) -> None:
        self._raise_pending_error()
        if self._closed:
            raise ValueError('AsyncLogger is closed; cannot write.')
        self._queue.put(dict(data))

    def flush(self) -> None:
        """Waits until every queued write has reached the wrapped logger."""
        self._queue.join()
        self._raise_pending_error()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._queue.put(_CLOSE)
        self._thread.join()
        self._to.close()
        self._raise_pending_error()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is _CLOSE:
                    return
                if self._error is None:
                    self._to.write(item)
            except BaseException as error:  # Raised again on the caller's thread.
                self._error = error
            finally:
                self._queue.task_done()

    def _raise_pending_error(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise RuntimeError('AsyncLogger: the wrapped logger failed') from error
