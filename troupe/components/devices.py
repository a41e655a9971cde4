"""Placement: which device a learner runs on, and keeping actors off the GPU.

The rule: a learner given `device=None` runs on the first GPU TensorFlow sees, else
on the CPU. Actors always run on the CPU; in processes that only act, `hide_gpus()`
stops TensorFlow from allocating any GPU memory.
"""

import logging
from typing import Optional

import tensorflow as tf

logger = logging.getLogger(__name__)


def available_devices() -> list:
    """Names of the logical devices TensorFlow can place ops on."""
    return [d.name for d in tf.config.list_logical_devices()]


def _canonical(name: str) -> str:
    """'/cpu:1' and '/job:localhost/replica:0/task:0/device:CPU:1' -> 'CPU:1'."""
    spec = tf.DeviceSpec.from_string(name)
    if spec.device_type is None:
        raise ValueError(f'Device {name!r} names no device type; expected e.g. '
                         f"'/CPU:0' or '/GPU:0'.")
    return f'{spec.device_type.upper()}:{spec.device_index or 0}'


def select_device(device: Optional[str] = None, *, role: str = 'learner') -> str:
    """Returns the device a learner should run on, and logs the choice.

    Args:
      device: a device name such as '/GPU:0' or '/CPU:1', or None for the default
        (the first GPU TensorFlow sees, else '/CPU:0').
      role: who asks, for the log line.

    Raises:
      ValueError: if `device` is not one of TensorFlow's logical devices.
    """
    if device is None:
        gpus = tf.config.list_logical_devices('GPU')
        chosen = '/GPU:0' if gpus else '/CPU:0'
    else:
        wanted = _canonical(device)
        known = {_canonical(d): d for d in available_devices()}
        if wanted not in known:
            raise ValueError(
                f'Device {device!r} is not available; TensorFlow sees {sorted(known)}.')
        chosen = '/' + wanted
    logger.info('%s placed on %s', role, chosen)
    return chosen


def hide_gpus() -> None:
    """Hides every GPU from TensorFlow in this process (for actor processes).

    Must run before TensorFlow initialises its devices; later calls are ignored with
    a warning, since TensorFlow cannot change visible devices once initialised.
    """
    try:
        tf.config.set_visible_devices([], 'GPU')
    except RuntimeError as error:  # Devices already initialised.
        logger.warning('Could not hide GPUs (already initialised): %s', error)


def set_cpu_threads(intra_op: Optional[int] = None,
                    inter_op: Optional[int] = None) -> None:
    """Sets the sizes of TensorFlow's CPU thread pools in this process.

    `intra_op` threads split one op (a matmul) between them; `inter_op` threads run
    independent ops at the same time. TensorFlow's default for both is the number
    of cores. For the small networks of classic control (MLPs of 64-256 units,
    batches up to 256) on a machine with few cores, one intra-op thread is faster:
    splitting a small op costs more in synchronisation than it saves, and the
    acting, sampling and learning threads stop competing for the same cores
    (`benchmarks/cpu_threads.py` measures it per agent). Large convolutional
    networks (Atari) still gain from several.

    Must run before TensorFlow executes its first op in the process.

    Args:
      intra_op: threads per op, or None to leave TensorFlow's setting.
      inter_op: ops run at once, or None to leave TensorFlow's setting.

    Raises:
      ValueError: if a count is not a positive integer.
      RuntimeError: if TensorFlow has already started and the setting differs.
    """
    settings = (('intra_op', intra_op, tf.config.threading.get_intra_op_parallelism_threads,
                 tf.config.threading.set_intra_op_parallelism_threads),
                ('inter_op', inter_op, tf.config.threading.get_inter_op_parallelism_threads,
                 tf.config.threading.set_inter_op_parallelism_threads))
    for name, value, _, _ in settings:
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or value < 1):
            raise ValueError(f'{name} threads must be a positive integer or None, '
                             f'got {value!r}.')
    for name, value, get, set_ in settings:
        if value is None or get() == value:
            continue
        try:
            set_(value)
        except RuntimeError as error:
            raise RuntimeError(
                f'Cannot set {name} threads to {value}: TensorFlow has already '
                f'started in this process with {get() or "its default"}. Call '
                f'set_cpu_threads before building any network or dataset.') from error
    logger.info('TensorFlow CPU threads: intra-op %s, inter-op %s',
                tf.config.threading.get_intra_op_parallelism_threads() or 'default',
                tf.config.threading.get_inter_op_parallelism_threads() or 'default')
