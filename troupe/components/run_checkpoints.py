"""Whole-run checkpoints: replay, networks, optimiser and every counter, saved
together and atomically, so that a run killed at any moment resumes from the
last one with nothing else lost.

A checkpoint is one directory, `<directory>/<number>`, holding

* `replay/`: the Reverb server's own checkpoint of its tables (items,
  priorities, rate-limiter state), when the run has a replay server;
* `state.index`, `state.data-*`: a TensorFlow checkpoint of the run's
  trackables (networks, target networks, optimiser state, learner step) and of
  its `troupe.core.Saveable`s (counters, schedules, RNG states), the latter
  as JSON inside it (data only, never pickled code);
* `manifest.json`: the format version, the files and their sizes, and the
  caller's metadata (e.g. log positions), written last.

It is written under a temporary name and renamed into place when complete, so
a process killed while saving leaves the previous checkpoints untouched and an
`.incomplete-*` directory that is ignored (and removed by the next save).
`latest()` checks the newest checkpoints against their manifests and falls
back, with a warning naming what was wrong, to the previous good one.
"""

import json
import logging
import os
import shutil
import time
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence

import reverb
import tensorflow as tf

from troupe import errors
from troupe.components import savers

_log = logging.getLogger(__name__)

FORMAT_VERSION = 1
MANIFEST = 'manifest.json'
REPLAY = 'replay'
STATE = 'state'
_INCOMPLETE = '.incomplete-'
_STAGING = '.replay-staging'


class RunCheckpoint:
    """One complete checkpoint on disk: its path and its manifest."""

    def __init__(self, path: str, manifest: Dict[str, Any]):
        self.path = path
        self.manifest = manifest

    @property
    def number(self) -> int:
        return int(os.path.basename(self.path))

    @property
    def metadata(self) -> Dict[str, Any]:
        """What the caller passed to `save` (log positions, counts, ...)."""
        return self.manifest['metadata']

    @property
    def replay_path(self) -> Optional[str]:
        """The Reverb checkpoint to start a server from, if the run had one."""
        path = os.path.join(self.path, REPLAY)
        return path if self.manifest.get('replay') else None

    @property
    def replay_sizes(self) -> Dict[str, int]:
        """Items per table when the checkpoint was taken."""
        return dict(self.manifest.get('replay_sizes', {}))

    def __repr__(self) -> str:
        return f'RunCheckpoint({self.path!r})'


class RunCheckpointer:
    """Saves and finds whole-run checkpoints in `directory` (module docstring).

    Args:
      directory: where the numbered checkpoints go (created if missing).
      objects: name -> TF trackable or `troupe.core.Saveable`, as for
        `savers.Checkpointer`.
      replay_client: a client of the run's Reverb server, whose tables are
        saved with every checkpoint. The server must have been started with
        `replay_checkpointer(directory)` so that its checkpoints land on the
        same file system.
      before_save: called first at every save, e.g. to flush the adders' writes
        so that the replay's item count is exact.
      keep: how many complete checkpoints to keep (>= 1).
      period_seconds: `maybe_save` saves when this long has passed since the
        last save (> 0).
      optional: names of `objects` that a checkpoint may lack (saved by an
        older troupe): restoring one without them leaves them as they are
        and logs a warning, instead of refusing the checkpoint.
    """

    def __init__(self, directory: str, objects: Mapping[str, Any], *,
                 replay_client: Optional[reverb.Client] = None,
                 before_save: Optional[Callable[[], None]] = None, keep: int = 2,
                 period_seconds: float = 300.0, optional: Sequence[str] = ()):
        if isinstance(keep, bool) or not isinstance(keep, int) or keep < 1:
            raise ValueError(f'keep must be an integer >= 1, got {keep!r}.')
        if not period_seconds > 0:
            raise ValueError(f'period_seconds must be > 0, got {period_seconds!r}.')
        self.directory = os.fspath(directory)
        os.makedirs(self.directory, exist_ok=True)
        self._objects = dict(objects)
        unknown = [name for name in optional if name not in self._objects]
        if unknown:
            raise ValueError(f'optional names {unknown} are not among the objects '
                             f'{sorted(self._objects)}.')
        self._optional = tuple(optional)
        self._trackables = {name: savers._to_trackable(name, value)
                            for name, value in self._objects.items()}
        self._checkpoint = tf.train.Checkpoint(**self._trackables)
        self._replay_client = replay_client
        self._before_save = before_save
        self._keep = keep
        self._period_seconds = float(period_seconds)
        self._last_save = time.monotonic()
        self.save_seconds: List[float] = []

    # ------------------------------------------------------------------ saving

    def due(self) -> bool:
        """Whether `period_seconds` have passed since the last save."""
        return time.monotonic() - self._last_save >= self._period_seconds

    def maybe_save(self, metadata: Optional[Callable[[], Mapping[str, Any]]] = None) -> Optional[RunCheckpoint]:
        """Saves when due; `metadata` is a callable giving save()'s metadata."""
        if not self.due():
            return None
        return self.save(metadata() if metadata is not None else {})

    def save(self, metadata: Optional[Mapping[str, Any]] = None) -> RunCheckpoint:
        """Writes a complete checkpoint now and removes the oldest beyond `keep`.

        `metadata` (JSON-serialisable) is stored in the manifest.
        """
        start = time.monotonic()
        if self._before_save is not None:
            self._before_save()
        self._remove_incomplete()
        number = max(self._numbers(), default=0) + 1
        temporary = os.path.join(self.directory, f'{_INCOMPLETE}{number}')
        os.makedirs(temporary)
        manifest: Dict[str, Any] = {
            'format_version': FORMAT_VERSION, 'number': number,
            'time': time.time(), 'metadata': dict(metadata or {}), 'replay': False}
        if self._replay_client is not None:
            manifest['replay_sizes'] = {
                name: int(info.current_size)
                for name, info in self._replay_client.server_info().items()}
            written = self._replay_client.checkpoint()
            os.replace(written, os.path.join(temporary, REPLAY))
            manifest['replay'] = True
        self._checkpoint.write(os.path.join(temporary, STATE))
        manifest['files'] = _file_sizes(temporary)
        _write_synced(os.path.join(temporary, MANIFEST), json.dumps(manifest, indent=1))
        final = os.path.join(self.directory, str(number))
        os.rename(temporary, final)
        _sync_directory(self.directory)
        for old in sorted(self._numbers())[:-self._keep]:
            shutil.rmtree(os.path.join(self.directory, str(old)), ignore_errors=True)
        self._last_save = time.monotonic()
        self.save_seconds.append(self._last_save - start)
        _log.info('Saved run checkpoint %s in %.2f s', final, self.save_seconds[-1])
        return RunCheckpoint(final, manifest)

    # --------------------------------------------------------------- restoring

    def latest(self) -> Optional[RunCheckpoint]:
        """The newest complete and intact checkpoint, or None if there is none.

        A newer one that fails its checks is reported (a warning naming the
        problem) and skipped.
        """
        return latest(self.directory)

    def restore(self, checkpoint: RunCheckpoint) -> None:
        """Restores the trackables and Saveables of `checkpoint` (the replay is
        restored by starting the server from `checkpoint.replay_path`).

        Variables not created yet are restored when they are created.
        """
        path = os.path.join(checkpoint.path, STATE)
        reader = self._checkpoint
        saved = {name.split('/')[0] for name, _ in tf.train.list_variables(path)}
        missing = [name for name in self._optional if name not in saved]
        if missing:
            _log.warning('Run checkpoint %s has no %s (saved by an older troupe); '
                         'restoring the rest.', checkpoint.path, ', '.join(missing))
            reader = tf.train.Checkpoint(**{
                name: value for name, value in self._trackables.items()
                if name not in missing})
        status = reader.read(path)
        try:
            status.assert_existing_objects_matched()
        except AssertionError as error:
            raise errors.InvalidInput(
                f'Checkpoint {checkpoint.path!r} does not match this run\'s objects '
                f'(a different agent or config?): {error}') from error

    # ----------------------------------------------------------------- helpers

    def _numbers(self) -> List[int]:
        return _numbers(self.directory)

    def _remove_incomplete(self) -> None:
        for name in os.listdir(self.directory):
            if name.startswith(_INCOMPLETE):
                shutil.rmtree(os.path.join(self.directory, name), ignore_errors=True)


def replay_checkpointer(directory: str, checkpoint: Optional[RunCheckpoint] = None):
    """The Reverb checkpointer for a run saving into `directory`: it stages
    Reverb's checkpoints beside the run's and, given `checkpoint`, starts the
    server from that checkpoint's replay."""
    from reverb.platform import checkpointers_lib

    staging = os.path.join(os.fspath(directory), _STAGING)
    # Leftovers of a save killed half-way must not be loaded instead.
    shutil.rmtree(staging, ignore_errors=True)
    os.makedirs(staging)
    fallback = checkpoint.replay_path if checkpoint is not None else None
    return checkpointers_lib.DefaultCheckpointer(staging,
                                                 fallback_checkpoint_path=fallback)


def latest(directory: str) -> Optional[RunCheckpoint]:
    """See `RunCheckpointer.latest`."""
    if not os.path.isdir(directory):
        return None
    for number in sorted(_numbers(directory), reverse=True):
        path = os.path.join(directory, str(number))
        problem = _problem(path)
        if problem is None:
            with open(os.path.join(path, MANIFEST), encoding='utf-8') as file:
                return RunCheckpoint(path, json.load(file))
        _log.warning('Run checkpoint %s is unusable (%s); trying the one before it.',
                     path, problem)
    return None


def problems(directory: str) -> Dict[str, str]:
    """Every complete-looking checkpoint in `directory` that cannot be loaded,
    with why (e.g. 'format version 2; this troupe reads version 1')."""
    if not os.path.isdir(directory):
        return {}
    found = {}
    for number in sorted(_numbers(directory)):
        path = os.path.join(directory, str(number))
        problem = _problem(path)
        if problem is not None:
            found[path] = problem
    return found


def _problem(path: str) -> Optional[str]:
    """Why the checkpoint at `path` cannot be loaded, or None if it can."""
    try:
        with open(os.path.join(path, MANIFEST), encoding='utf-8') as file:
            manifest = json.load(file)
    except (OSError, ValueError) as error:
        return f'no readable {MANIFEST}: {error}'
    version = manifest.get('format_version')
    if version != FORMAT_VERSION:
        return (f'format version {version!r}; this troupe reads version '
                f'{FORMAT_VERSION}')
    for name, size in manifest.get('files', {}).items():
        file_path = os.path.join(path, name)
        if not os.path.isfile(file_path):
            return f'{name} is missing'
        if os.path.getsize(file_path) != size:
            return f'{name} has {os.path.getsize(file_path)} bytes, not {size}'
    if manifest.get('replay') and not os.path.isfile(os.path.join(path, REPLAY, 'DONE')):
        return 'the replay checkpoint is incomplete'
    return None


def _numbers(directory: str) -> List[int]:
    return [int(name) for name in os.listdir(directory) if name.isdigit()]


def _file_sizes(root: str) -> Dict[str, int]:
    sizes = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            _sync_file(path)
            sizes[os.path.relpath(path, root)] = os.path.getsize(path)
    return sizes


def _write_synced(path: str, text: str) -> None:
    with open(path, 'w', encoding='utf-8') as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())


def _sync_file(path: str) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _sync_directory(path: str) -> None:
    try:
        _sync_file(path)
    except OSError:  # Some file systems cannot sync a directory.
        pass
