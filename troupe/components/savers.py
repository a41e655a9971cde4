"""Saving training state (`Checkpointer`) and exporting networks (`Snapshotter`).

A checkpoint holds everything needed to resume training — variables, optimizer
state, counters — and is restored by the same program. A snapshot is a
TensorFlow SavedModel of one network that any TensorFlow program can load and
call (`tf.saved_model.load(path)(observations)`), without troupe.
"""

import base64
import json
import logging
import numbers
import os
import shutil
import time
from typing import Any, Mapping, Optional, Sequence, Union

import numpy as np
import sonnet as snt
import tensorflow as tf

from troupe import core
from troupe.components import utils
from troupe.components.loggers import paths

_log = logging.getLogger(__name__)


class SaveableAdapter(tf.train.experimental.PythonState):
    """Stores a `troupe.core.Saveable`'s `save()` state inside a TF checkpoint.

    The state is encoded as JSON (see `encode_state`): plain data and numpy
    arrays only, never pickled code, so a checkpoint cannot run anything.
    """

    def __init__(self, saveable: core.Saveable):
        self._saveable = saveable

    def serialize(self) -> str:
        return json.dumps(encode_state(self._saveable.save()))

    def deserialize(self, string_value: bytes) -> None:
        self._saveable.restore(decode_state(json.loads(string_value)))


class Checkpointer:
    """Periodically checkpoints TF trackables and `Saveable`s; restores the latest.

    Construction restores the latest checkpoint in the directory, if any, so a
    restarted program resumes where it stopped.
    """

    def __init__(self,
                 objects_to_save: Mapping[str, Any],
                 *,
                 directory: Union[str, os.PathLike] = '~/troupe',
                 subdirectory: str = 'default',
                 time_delta_minutes: float = 10.0,
                 enable_checkpointing: bool = True,
                 add_uid: bool = True,
                 max_to_keep: int = 1):
        """Creates the checkpointer and restores the latest checkpoint if any.

        Args:
          objects_to_save: name -> TF trackable (snt.Module, tf.Variable,
            optimizer, or a list/dict of them) or `troupe.core.Saveable`.
          directory: the root; checkpoints go to
            `<directory>[/<run id>]/checkpoints/<subdirectory>`.
          subdirectory: names this checkpointer's files (e.g. 'learner').
          time_delta_minutes: minimum minutes between non-forced saves.
          enable_checkpointing: if False, nothing is saved or restored.
          add_uid: whether to put the run id in the path; use False to resume
            a previous run's checkpoints.
          max_to_keep: how many checkpoints to keep on disk.
        """
        if time_delta_minutes < 0:
            raise ValueError(
                f'time_delta_minutes must be >= 0, got {time_delta_minutes}.')
        if not isinstance(objects_to_save, Mapping):
            raise TypeError('objects_to_save must map names to objects, got '
                            f'{objects_to_save!r}.')
        self._time_delta_seconds = 60.0 * time_delta_minutes
        self._enabled = enable_checkpointing
        self._last_saved: Optional[float] = None
        self._directory: Optional[str] = None
        if not enable_checkpointing:
            return
        self._checkpoint = tf.train.Checkpoint(
            **{name: _to_trackable(name, value)
               for name, value in objects_to_save.items()})
        self._directory = paths.process_path(
            directory, 'checkpoints', subdirectory, add_uid=add_uid)
        self._manager = tf.train.CheckpointManager(
            self._checkpoint, self._directory, max_to_keep=max_to_keep)
        if self._manager.latest_checkpoint is not None:
            self.restore()

    @property
    def directory(self) -> Optional[str]:
        """Where checkpoints are written (None when checkpointing is disabled)."""
        return self._directory

    def save(self, force: bool = False) -> bool:
        """Saves if forced, never saved, or `time_delta_minutes` passed.

        Returns:
          Whether a checkpoint was written.
        """
        if not self._enabled:
            return False
        now = time.monotonic()
        if (not force and self._last_saved is not None
                and now - self._last_saved < self._time_delta_seconds):
            return False
        path = self._manager.save()
        self._last_saved = now
        _log.info('Saved checkpoint %s', path)
        return True

    def restore(self) -> bool:
        """Restores the latest checkpoint; returns False if there is none.

        Variables not built yet are restored when they are created.
        """
        if not self._enabled:
            return False
        latest = self._manager.latest_checkpoint
        if latest is None:
            return False
        status = self._checkpoint.restore(latest)
        try:
            status.assert_existing_objects_matched()
        except AssertionError as error:
            raise ValueError(
                f'Checkpoint {latest!r} does not match the objects to save; '
                'were they renamed or changed? Use another directory to start '
                f'afresh. Details: {error}') from error
        _log.info('Restored checkpoint %s', latest)
        return True


class Snapshotter:
    """Periodically saves modules as SavedModels at `<directory>/<name>`."""

    def __init__(self,
                 objects_to_save: Mapping[str, snt.Module],
                 *,
                 directory: Union[str, os.PathLike] = '~/troupe',
                 time_delta_minutes: float = 30.0,
                 add_uid: bool = True,
                 input_signatures: Optional[Mapping[str, Sequence[Any]]] = None):
        """Creates the snapshotter, tracing every module once.

        Args:
          objects_to_save: name -> module to export.
          directory: the root; snapshots go to
            `<directory>[/<run id>]/snapshots/<name>`.
          time_delta_minutes: minimum minutes between non-forced saves.
          add_uid: whether to put the run id in the path.
          input_signatures: name -> one batched spec nest per argument, for
            modules whose signature `create_variables` did not record.
        """
        if time_delta_minutes < 0:
            raise ValueError(
                f'time_delta_minutes must be >= 0, got {time_delta_minutes}.')
        input_signatures = dict(input_signatures or {})
        unknown = sorted(set(input_signatures) - set(objects_to_save))
        if unknown:
            raise ValueError(f'input_signatures names {unknown}, which are not in '
                             f'objects_to_save {sorted(objects_to_save)}.')
        self._time_delta_seconds = 60.0 * time_delta_minutes
        self._last_saved: Optional[float] = None
        self._snapshots = {name: make_snapshot(module, input_signatures.get(name))
                           for name, module in objects_to_save.items()}
        self._directory = paths.process_path(directory, 'snapshots', add_uid=add_uid)

    @property
    def directory(self) -> str:
        """The directory holding one SavedModel per module name."""
        return self._directory

    def save(self, force: bool = False) -> bool:
        """Saves if forced, never saved, or `time_delta_minutes` passed.

        Each SavedModel is written next to the old one and then swapped in, so
        a crash during a save leaves the previous snapshot loadable.

        Returns:
          Whether snapshots were written.
        """
        now = time.monotonic()
        if (not force and self._last_saved is not None
                and now - self._last_saved < self._time_delta_seconds):
            return False
        for name, snapshot in self._snapshots.items():
            _save_replacing(snapshot, os.path.join(self._directory, name))
        self._last_saved = now
        return True


def get_input_signature(module: snt.Module) -> Optional[Sequence[Any]]:
    """Returns the batched input signature `create_variables` recorded, if any.

    For an `snt.Sequential` without one, its first layer's signature is used.
    """
    signature = getattr(module, utils.INPUT_SIGNATURE_ATTR, None)
    if signature is None and isinstance(module, snt.Sequential):
        layers = getattr(module, '_layers', None)
        if layers:
            return get_input_signature(layers[0])
    return signature


def make_snapshot(module: snt.Module,
                  input_signature: Optional[Sequence[Any]] = None) -> tf.Module:
    """Wraps `module` in a `tf.Module` whose `__call__` is a traced tf.function.

    Args:
      module: the module to export.
      input_signature: one batched spec nest per argument of `module`;
        defaults to the one recorded by `create_variables`.

    Returns:
      A `tf.Module` that `tf.saved_model.save` can save; the loaded object is
      callable (and also has `.inference`, as in Acme).
    """
    name = getattr(module, 'name', type(module).__name__)
    if input_signature is None:
        input_signature = get_input_signature(module)
    if input_signature is None:
        raise ValueError(
            f'Cannot snapshot module {name!r}: its input signature is unknown. '
            'Build it with troupe.components.utils.create_variables(module, '
            'specs) or pass its input signature.')
    input_signature = list(input_signature)

    @tf.function(input_signature=input_signature)
    def inference(*args):
        return module(*args)

    try:
        inference.get_concrete_function()  # Traces (and builds) now.
    except (TypeError, ValueError) as error:
        raise ValueError(f'Cannot trace module {name!r} with input signature '
                         f'{input_signature}: {error}') from error
    snapshot = tf.Module(name=f'{name}_snapshot')
    snapshot.__call__ = inference
    snapshot.inference = inference
    snapshot.all_variables = list(module.variables)
    return snapshot


def encode_state(value: Any, where: str = 'state') -> Any:
    """Encodes a `Saveable` state as JSON-compatible data that decodes exactly.

    Supported: None, bool, int, float, str, bytes, lists, tuples, dicts
    (any keys of these types) and numpy arrays and scalars (non-object dtypes).
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (np.ndarray, np.generic)):
        array = np.asarray(value)
        if array.dtype.hasobject:
            raise TypeError(f'{where}: cannot save a numpy array of dtype object.')
        return {'__array__': base64.b64encode(array.tobytes()).decode('ascii'),
                'dtype': array.dtype.str, 'shape': list(array.shape),
                'scalar': isinstance(value, np.generic)}
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, float):
        return value
    if isinstance(value, bytes):
        return {'__bytes__': base64.b64encode(value).decode('ascii')}
    if isinstance(value, (list, tuple)):
        items = [encode_state(item, f'{where}[{i}]') for i, item in enumerate(value)]
        return items if isinstance(value, list) else {'__tuple__': items}
    if isinstance(value, Mapping):
        return {'__dict__': [[encode_state(key, f'{where} key'),
                              encode_state(item, f'{where}[{key!r}]')]
                             for key, item in value.items()]}
    raise TypeError(f'{where}: cannot save a value of type {type(value).__name__} '
                    f'({value!r}); expected numbers, strings, bytes, lists, '
                    'tuples, dicts or numpy arrays.')


def decode_state(data: Any) -> Any:
    """Inverts `encode_state`."""
    if isinstance(data, list):
        return [decode_state(item) for item in data]
    if not isinstance(data, dict):
        return data
    if '__array__' in data:
        array = np.frombuffer(base64.b64decode(data['__array__']),
                              dtype=np.dtype(data['dtype']))
        array = array.reshape(data['shape']).copy()
        return array[()] if data['scalar'] else array
    if '__bytes__' in data:
        return base64.b64decode(data['__bytes__'])
    if '__tuple__' in data:
        return tuple(decode_state(item) for item in data['__tuple__'])
    if '__dict__' in data:
        return {decode_state(key): decode_state(item)
                for key, item in data['__dict__']}
    raise ValueError(f'Not an encoded state: {data!r}.')


def _to_trackable(name: str, value: Any) -> Any:
    """Wraps `Saveable`s for tf.train.Checkpoint; checks everything else."""
    if isinstance(value, core.Saveable):
        return SaveableAdapter(value)
    if isinstance(value, (tf.__internal__.tracking.Trackable, list, tuple, dict)):
        return value
    raise TypeError(f'Cannot checkpoint {name!r}: {value!r} is neither a '
                    'TensorFlow trackable (snt.Module, tf.Variable, optimizer) '
                    'nor a troupe.core.Saveable.')


def _save_replacing(snapshot: tf.Module, path: str) -> None:
    """Saves a SavedModel to `path`, replacing any previous one there."""
    temporary = f'{path}.tmp'
    previous = f'{path}.old'
    for leftover in (temporary, previous):
        if os.path.exists(leftover):
            shutil.rmtree(leftover)
    tf.saved_model.save(snapshot, temporary)
    if os.path.exists(path):
        os.rename(path, previous)
    os.rename(temporary, path)
    if os.path.exists(previous):
        shutil.rmtree(previous)
