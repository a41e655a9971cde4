"""The layout of a `troupe train` run directory (LOGDIR), read and written.

    LOGDIR/config.json               agent, environment, seed, budget, resolved
                                     hyperparameters: enough to rebuild the agent
    LOGDIR/results.json              what the run reached (written at its end)
    LOGDIR/logs/<label>/logs.csv     CSV logs: actor (one row per episode),
                                     learner, evaluator
    LOGDIR/tensorboard/<label>/      TensorBoard event files of the same
    LOGDIR/checkpoints/learner/      the learner's checkpoints (TF format)
    LOGDIR/learning_curve.png        return against environment steps
"""

import datetime
import json
import os
import re
from typing import Any, Dict, List

import tensorflow as tf

from troupe.components import savers

from troupe import errors

CONFIG_FILE = 'config.json'
RESULTS_FILE = 'results.json'
CURVE_FILE = 'learning_curve.png'
CHECKPOINT_SUBDIRECTORY = 'learner'
FORMAT_VERSION = 1


def csv_path(logdir: str, label: str) -> str:
    return os.path.join(logdir, 'logs', label, 'logs.csv')


def tensorboard_dir(logdir: str, label: str) -> str:
    return os.path.join(logdir, 'tensorboard', label)


def checkpoint_dir(logdir: str) -> str:
    return os.path.join(logdir, 'checkpoints', CHECKPOINT_SUBDIRECTORY)


def default_logdir(agent: str, env: str, seed: int) -> str:
    """runs/<agent>-<env>/seed<seed>-<date>-<time>, relative to the working directory."""
    slug = re.sub(r'[^A-Za-z0-9._-]+', '_', env).strip('_')
    stamp = datetime.datetime.now().strftime('%Y%m%d-%H%M%S')
    return os.path.join('runs', f'{agent}-{slug}', f'seed{seed}-{stamp}')


def write_json(path: str, data: Dict[str, Any]) -> None:
    """Writes `data` atomically (a temporary file renamed over `path`)."""
    temporary = f'{path}.tmp'
    with open(temporary, 'w', encoding='utf-8') as file:
        json.dump(data, file, indent=2)
        file.write('\n')
    os.replace(temporary, path)


def read_json(path: str, what: str) -> Dict[str, Any]:
    try:
        with open(path, encoding='utf-8') as file:
            data = json.load(file)
    except json.JSONDecodeError as error:
        raise errors.InvalidInput(f'{path} is not valid JSON ({error}); the {what} is '
                         'damaged.') from None
    if not isinstance(data, dict):
        raise errors.InvalidInput(f'{path} does not hold a JSON object; the {what} is damaged.')
    return data


def read_config(logdir: str) -> Dict[str, Any]:
    """The run's config.json, or a ValueError saying what is missing."""
    if not os.path.isdir(logdir):
        raise errors.InvalidInput(f'No run directory {logdir!r}.')
    path = os.path.join(logdir, CONFIG_FILE)
    if not os.path.exists(path):
        raise errors.InvalidInput(f'{logdir!r} has no {CONFIG_FILE}: it is not a run directory '
                         'written by `troupe train`.')
    config = read_json(path, 'run configuration')
    missing = [key for key in ('agent', 'env', 'seed', 'hyperparameters')
               if key not in config]
    if missing:
        raise errors.InvalidInput(f'{path} lacks {", ".join(missing)}; it was not written by '
                         'this version of `troupe train`.')
    return config


def read_results(logdir: str) -> Dict[str, Any]:
    """The run's results.json, or {} if the run has not finished."""
    path = os.path.join(logdir, RESULTS_FILE)
    return read_json(path, 'run results') if os.path.exists(path) else {}


def latest_checkpoint(logdir: str) -> str:
    """The path of the newest learner checkpoint, or a ValueError."""
    directory = checkpoint_dir(logdir)
    latest = tf.train.latest_checkpoint(directory) if os.path.isdir(directory) else None
    if latest is None:
        raise errors.InvalidInput(f'{logdir!r} holds no checkpoint (looked in {directory}); '
                         'the run stopped before its first save, or this is not '
                         'a `troupe train` directory.')
    return latest


def make_checkpointer(logdir: str, objects: Dict[str, Any],
                      time_delta_minutes: float = 5.0) -> savers.Checkpointer:
    """A Checkpointer of `objects` in LOGDIR/checkpoints/learner.

    It restores the latest checkpoint there on construction, if any.
    """
    return savers.Checkpointer(objects, directory=logdir, subdirectory=CHECKPOINT_SUBDIRECTORY,
                               add_uid=False, time_delta_minutes=time_delta_minutes)


def find_runs(paths: List[str]) -> List[str]:
    """Run directories (holding config.json) at or below each of `paths`.

    Raises:
      ValueError: for a path that does not exist or holds no run.
    """
    runs: List[str] = []
    for path in paths:
        if not os.path.isdir(path):
            raise errors.InvalidInput(f'No directory {path!r}.')
        if os.path.exists(os.path.join(path, CONFIG_FILE)):
            runs.append(path)
            continue
        found = sorted(root for root, _, files in os.walk(path) if CONFIG_FILE in files)
        if not found:
            raise errors.InvalidInput(f'{path!r} holds no run: no {CONFIG_FILE} at or below it.')
        runs.extend(found)
    return list(dict.fromkeys(os.path.normpath(run) for run in runs))
