"""`troupe train --resume LOGDIR`: continue a stopped or killed run.

The run's own command (config.json's `command`) is parsed again, so the agent,
environment, seed, copies, budget and overrides are the run's. The newest
intact whole-run checkpoint (`LOGDIR/checkpoints/run/<n>`, see
`troupe.components.run_checkpoints`) gives back the replay, networks, optimiser,
counters, ε's schedule and the progress; the CSV logs are cut back to the rows
they had at that checkpoint and TensorBoard's events are rewritten from them, so
no episode is missing or duplicated. A run killed before its first checkpoint
starts again from step 0 in the same directory.

An episode in progress at the checkpoint cannot be continued (an environment's
state is not saved): its steps stay counted and its transitions stay in the
replay, but it gets no row, and the resumed run starts a new episode.

A `--distributed` run is started again as a distributed program on the same
LOGDIR: its counter, learner and replay nodes restore their own checkpoints
(see `troupe.cli.distributed` and `troupe.distributed.resuming`).
"""

import argparse
import csv
import os
import shlex
import shutil
from typing import Any, Dict, List, Optional

from troupe import core, errors
from troupe.cli import rundir

RUN_CHECKPOINTS = os.path.join('checkpoints', 'run')
LABELS = ('actor', 'learner', 'evaluator')
STEPS_KEYS = {'actor': 'steps', 'learner': 'steps', 'evaluator': 'env_steps'}


def operation_seed(seed: int, checkpoint) -> int:
    """TensorFlow's global seed for a run resumed from `checkpoint` (None: a
    new run, `seed` itself).

    TensorFlow's op-level random streams (a policy sampling on the TensorFlow
    path, `tf.random.uniform` in a learner) cannot be saved; seeded again with
    `seed` a resumed process would replay the noise of the run's first steps.
    Each resume draws fresh streams instead, still determined by the seed and
    the checkpoint it starts from."""
    if checkpoint is None:
        return seed
    return (seed + 1_000_003 * checkpoint.number) % 2**31


def checkpoint_directory(logdir: str) -> str:
    """Where a run's whole-run checkpoints go."""
    return os.path.join(logdir, RUN_CHECKPOINTS)


def resumed_args(args: argparse.Namespace) -> argparse.Namespace:
    """The arguments of the run in `args.resume`, parsed from its command.

    Raises:
      InvalidInput: the directory is not a `troupe train` run this troupe can
        resume.
    """
    logdir = args.resume
    if not os.path.isdir(logdir):
        raise errors.InvalidInput(f'--resume {logdir!r}: no such directory.')
    if not os.path.exists(os.path.join(logdir, rundir.CONFIG_FILE)):
        raise errors.InvalidInput(
            f'--resume {logdir!r} is not a run directory: it has no '
            f'{rundir.CONFIG_FILE} (made by `troupe train`).')
    config = rundir.read_config(logdir)
    version = config.get('format_version')
    if version != rundir.FORMAT_VERSION:
        raise errors.InvalidInput(
            f'--resume {logdir!r}: its config.json has format version {version!r}; '
            f'this troupe resumes version {rundir.FORMAT_VERSION}.')
    command = shlex.split(config.get('command') or '')
    if command[:2] != ['troupe', 'train']:
        raise errors.InvalidInput(
            f'--resume {logdir!r}: config.json does not record the `troupe train` '
            f'command that made it (found {config.get("command")!r}).')
    from troupe.cli import build_parser
    parser = build_parser()
    resumed = parser.parse_args(command[1:])
    if resumed.agent != config['agent'] or resumed.env != config['env']:
        raise errors.InvalidInput(
            f'--resume {logdir!r}: its command trains {resumed.agent} on '
            f'{resumed.env!r} but config.json says {config["agent"]} on '
            f'{config["env"]!r}; the directory was changed by hand.')
    resumed.logdir = logdir
    resumed.resume = logdir
    resumed.argv = command[1:]
    resumed.debug = args.debug
    resumed.checkpoint_every = args.checkpoint_every
    return resumed


def find_checkpoint(logdir: str):
    """The newest usable whole-run checkpoint of `logdir`, None when the run
    made none (it starts again from step 0).

    Raises:
      InvalidInput: checkpoints exist but none can be loaded (e.g. written by
        another version of troupe); the message names each one's problem.
    """
    from troupe.components import run_checkpoints

    directory = checkpoint_directory(logdir)
    checkpoint = run_checkpoints.latest(directory)
    if checkpoint is None:
        problems = run_checkpoints.problems(directory)
        if problems:
            raise errors.InvalidInput(
                f'--resume {logdir!r}: none of its checkpoints can be loaded, so '
                'nothing was started: ' + '; '.join(
                    f'{os.path.basename(path)}: {problem}'
                    for path, problem in problems.items()) + '.')
    return checkpoint


# ------------------------------------------------------------------ the logs

def count_rows(path: str) -> int:
    """Data rows (not the header) of a CSV file; 0 if it does not exist."""
    if not os.path.exists(path):
        return 0
    with open(path, newline='', encoding='utf-8') as file:
        return max(sum(1 for _ in csv.reader(file)) - 1, 0)


def read_rows(path: str) -> List[Dict[str, str]]:
    if not os.path.exists(path):
        return []
    with open(path, newline='', encoding='utf-8') as file:
        return list(csv.DictReader(file))


def cut_csv(path: str, rows: int) -> int:
    """Keeps the header and the first `rows` rows of a CSV file (atomically);
    returns how many rows were dropped."""
    if not os.path.exists(path):
        return 0
    with open(path, newline='', encoding='utf-8') as file:
        lines = list(csv.reader(file))
    if len(lines) <= rows + 1:
        return 0
    temporary = path + '.tmp'
    with open(temporary, 'w', newline='', encoding='utf-8') as file:
        csv.writer(file).writerows(lines[:rows + 1])
    os.replace(temporary, path)
    return len(lines) - 1 - rows


def cut_logs(logdir: str, rows: Dict[str, int]) -> Dict[str, int]:
    """Cuts every label's CSV back to `rows[label]` rows (0 when absent) and
    rewrites its TensorBoard events from what is left; returns the rows
    dropped per label."""
    from troupe.components import loggers

    dropped = {}
    for label in LABELS:
        path = rundir.csv_path(logdir, label)
        dropped[label] = cut_csv(path, int(rows.get(label, 0)))
        events = rundir.tensorboard_dir(logdir, label)
        if os.path.isdir(events):
            shutil.rmtree(events)
        kept = read_rows(path)
        if kept:
            board = loggers.TensorBoardLogger(events, label=label,
                                              steps_key=STEPS_KEYS[label])
            for row in kept:
                board.write({key: _number(value) for key, value in row.items()
                             if _number(value) is not None})
            board.close()
    return dropped


def _number(text: str) -> Optional[float]:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def episode_rows(logdir: str) -> List[Dict[str, Any]]:
    """The actor's episode rows kept in the CSV, with the numbers the learning
    curve reads (steps, episode_return)."""
    rows = []
    for row in read_rows(rundir.csv_path(logdir, 'actor')):
        parsed = dict(row)
        for key in ('steps', 'episode_return'):
            if key in row:
                parsed[key] = _number(row[key])
        rows.append(parsed)
    return rows


# ------------------------------------------------------- state for checkpoints

class ListState(core.Saveable):
    """A list of JSON values kept in place (e.g. the run's evaluations)."""

    def __init__(self, values: list):
        self._values = values

    def save(self) -> list:
        return list(self._values)

    def restore(self, state) -> None:
        self._values[:] = list(state)
