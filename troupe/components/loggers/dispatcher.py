"""A logger that forwards every write to several loggers."""

from typing import Callable, Optional, Sequence

from troupe.components.loggers import base


class Dispatcher(base.Logger):
    """Sends each write to every logger in `to`, optionally transformed once.

    `serialize_fn` (e.g. `base.to_numpy`) runs once per write, before
    dispatching, so that costly conversions are not repeated per destination.
    """

    def __init__(self,
                 to: Sequence[base.Logger],
                 serialize_fn: Optional[Callable[[base.LoggingData],
                                                 base.LoggingData]] = None):
        for logger in to:
            if not (callable(getattr(logger, 'write', None))
                    and callable(getattr(logger, 'close', None))):
                raise TypeError('Dispatcher expects loggers with write() and '
                                f'close(), got {logger!r}.')
        self._to = list(to)
        self._serialize_fn = serialize_fn

    def write(self, data: base.LoggingData) -> None:
        if self._serialize_fn is not None:
            data = self._serialize_fn(data)
        for logger in self._to:
            logger.write(data)

    def close(self) -> None:
        for logger in self._to:
            logger.close()
