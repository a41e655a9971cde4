"""`troupe train` killed with SIGKILL and resumed with `--resume`: real
processes, a real Reverb server and its checkpoints, nothing mocked."""

import csv
import json
import os
import random
import re
import signal
import subprocess
import sys
import time

import pytest

from troupe.cli import main, rundir
from troupe.components import run_checkpoints

pytestmark = pytest.mark.timeout(600)

_ENV = dict(os.environ, TF_CPP_MIN_LOG_LEVEL='2')
_RESUMED = re.compile(r'Resumed from checkpoint (\d+): ([\d,]+) env steps, ([\d,]+) '
                      r'episodes, replay priority_table ([\d,]+) items')


def _train(arguments):
    return subprocess.Popen([sys.executable, '-m', 'troupe', 'train'] + arguments,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=_ENV)


def _kill_after_checkpoint(process, logdir, rng, at_least):
    """SIGKILLs `process` at a random moment after its `at_least`-th checkpoint
    (with a one-second period, that may be during a save)."""
    directory = os.path.join(logdir, 'checkpoints', 'run')
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        numbers = [int(n) for n in os.listdir(directory) if n.isdigit()] \
            if os.path.isdir(directory) else []
        if numbers and max(numbers) >= at_least:
            break
        time.sleep(0.1)
    assert process.poll() is None, process.communicate()[0][-3000:]
    time.sleep(rng.uniform(0.0, 1.5))
    process.send_signal(signal.SIGKILL)
    process.wait()


def _number(text):
    return int(text.replace(',', ''))


def _episode_column(logdir):
    with open(rundir.csv_path(logdir, 'actor'), newline='') as file:
        rows = list(csv.DictReader(file))
    return [int(float(row['episodes'])) for row in rows], \
        [int(float(row['steps'])) for row in rows]


@pytest.mark.parametrize('extra', [[], ['--num-envs', '8']], ids=['one-env', '8-copies'])
def test_killed_twice_then_resumed_runs_its_budget_with_nothing_lost(tmp_path, extra):
    logdir = str(tmp_path / 'run')
    rng = random.Random(len(extra))
    steps = 4000
    arguments = ['dqn', '--env', 'cartpole', '--steps', str(steps), '--logdir', logdir,
                 '--checkpoint-every', '1', '--eval-episodes', '2', '--no-plot'] + extra
    _kill_after_checkpoint(_train(arguments), logdir, rng, at_least=2)
    resumes = []
    for kills_left in (1, 0):
        process = _train(['--resume', logdir, '--checkpoint-every', '1'])
        if kills_left:
            # Read the resume line, then kill again.
            start = time.monotonic()
            lines = []
            for line in process.stdout:
                lines.append(line)
                if line.startswith('Resumed from') or time.monotonic() - start > 120:
                    break
            before = max(int(n) for n in os.listdir(os.path.join(logdir, 'checkpoints',
                                                                 'run')) if n.isdigit())
            _kill_after_checkpoint(process, logdir, rng, at_least=before + 1)
            output = ''.join(lines)
        else:
            output = process.communicate(timeout=400)[0]
            assert process.returncode == 0, output[-3000:]
        resumes.append(output)
    for output in resumes:
        match = _RESUMED.search(output)
        assert match, output[-3000:]
        assert _number(match.group(4)) > 0  # The replay came back, not empty.

    results = rundir.read_results(logdir)
    assert results['env_steps'] >= steps and not results['interrupted']
    episodes, step_counts = _episode_column(logdir)
    # Every episode once, in order: none missing, none duplicated.
    assert episodes == list(range(1, len(episodes) + 1))
    assert step_counts == sorted(step_counts)
    assert results['episodes'] == len(episodes)
    assert results['learner_updates'] > 1000


def test_resumed_counts_equal_the_checkpoint(tmp_path):
    """A run stopped at its end and resumed starts from the saved counts and
    replay size exactly, and has nothing left to train."""
    logdir = str(tmp_path / 'run')
    assert main(['train', 'dqn', '--env', 'catch', '--steps', '600', '--logdir', logdir,
                 '--eval-episodes', '0', '--no-plot']) == 0
    checkpoint = run_checkpoints.latest(os.path.join(logdir, 'checkpoints', 'run'))
    before = rundir.read_results(logdir)
    process = _train(['--resume', logdir])
    output = process.communicate(timeout=300)[0]
    assert process.returncode == 0, output[-3000:]
    match = _RESUMED.search(output)
    assert match, output[-3000:]
    assert _number(match.group(2)) == checkpoint.metadata['env_steps'] == before['env_steps']
    assert _number(match.group(3)) == checkpoint.metadata['episodes'] == before['episodes']
    assert _number(match.group(4)) == checkpoint.replay_sizes['priority_table'] > 0
    assert rundir.read_results(logdir)['env_steps'] == before['env_steps']


def test_a_run_started_again_from_step_0_starts_with_a_fresh_learner(tmp_path):
    """A run killed after a learner checkpoint but before its first whole-run
    checkpoint starts again from step 0 on --resume, and its learner too: it
    makes the same number of updates as a fresh run of the same budget (the old
    learner checkpoint, restored, would have continued its update count)."""
    import shutil
    logdir = str(tmp_path / 'run')
    assert main(['train', 'dqn', '--env', 'catch', '--steps', '600', '--logdir', logdir,
                 '--eval-episodes', '0', '--no-plot']) == 0
    fresh = rundir.read_results(logdir)['learner_updates']
    assert fresh > 0
    assert os.listdir(os.path.join(logdir, 'checkpoints', rundir.CHECKPOINT_SUBDIRECTORY))
    shutil.rmtree(os.path.join(logdir, 'checkpoints', 'run'))  # As if killed before it.
    process = _train(['--resume', logdir])
    output = process.communicate(timeout=300)[0]
    assert process.returncode == 0, output[-3000:]
    assert 'starting it again from step 0' in output
    assert rundir.read_results(logdir)['learner_updates'] == fresh


def test_resume_of_something_that_is_not_a_run_is_refused(tmp_path, capsys):
    assert main(['train', '--resume', str(tmp_path)]) == 2
    assert 'is not a run directory' in capsys.readouterr().err
    assert main(['train', '--resume', str(tmp_path / 'missing')]) == 2
    assert 'no such directory' in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(['train', 'dqn', '--resume', str(tmp_path)])
    assert 'give no AGENT' in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(['train', 'dqn'])
    assert 'AGENT, --env' in capsys.readouterr().err


def test_resume_refuses_checkpoints_of_another_version_by_name(tmp_path, capsys):
    logdir = str(tmp_path / 'run')
    assert main(['train', 'random', '--env', 'catch', '--steps', '50', '--logdir',
                 logdir, '--eval-episodes', '0', '--no-plot']) == 0
    directory = os.path.join(logdir, 'checkpoints', 'run')
    for number in [n for n in os.listdir(directory) if n.isdigit()]:
        path = os.path.join(directory, number, run_checkpoints.MANIFEST)
        manifest = json.load(open(path))
        manifest['format_version'] = 7
        json.dump(manifest, open(path, 'w'))
    capsys.readouterr()
    assert main(['train', '--resume', logdir]) == 2
    error = capsys.readouterr().err
    assert 'none of its checkpoints can be loaded' in error
    assert 'format version 7; this troupe reads version 1' in error


def test_each_resume_draws_fresh_tensorflow_streams(tmp_path):
    # TensorFlow's op-level random streams cannot be saved: a resumed process
    # seeded as the run was would replay the noise of its first steps (the
    # exploration of a policy sampling in TensorFlow), so each resume seeds
    # TensorFlow from the seed and the checkpoint it starts from.
    import tensorflow as tf

    from troupe.cli import resume

    class Checkpoint:
        def __init__(self, number):
            self.number = number

    assert resume.operation_seed(7, None) == 7
    seeds = [resume.operation_seed(7, Checkpoint(n)) for n in (1, 2, 3)]
    assert len(set(seeds + [7])) == 4
    assert resume.operation_seed(7, Checkpoint(2)) == seeds[1]  # Reproducible.
    draws = []
    for seed in (7, seeds[0]):
        tf.random.set_seed(seed)
        draws.append(tf.random.normal([4]).numpy())
    assert not (draws[0] == draws[1]).any()


def test_a_resumed_run_keeps_its_evaluation_schedule():
    """Evaluations every N env steps fall where the uninterrupted run's would:
    a run restored at 33 steps with evaluations every 30 evaluates next once it
    passes 60, not at its first episode's end (42), as it did when the schedule
    restarted from zero on every resume."""
    import io
    import types

    import troupe
    from troupe import environments
    from troupe.cli import progress as progress_lib, train
    from troupe.components import actors, loggers

    environment = environments.make('catch', seed=0)  # Episodes of 9 steps.
    spec = troupe.make_environment_spec(environment)
    progress = progress_lib.Progress(total_steps=80, stream=io.StringIO())
    progress.restore({'steps': 33, 'episodes': 3, 'seconds': 0.0, 'returns': [1.0]})
    evaluated_at = []
    run = types.SimpleNamespace(
        progress=progress,
        loop=troupe.EnvironmentLoop(environment, actors.RandomActor(spec.actions, seed=0),
                                    logger=loggers.Dispatcher([progress]),
                                    observers=[progress]),
        evaluate=lambda: evaluated_at.append(progress.steps))
    assert train._loop(run, {'steps': 80, 'episodes': None}, 30) is False
    # Episodes end at 42, 51, 60, 69, 78, 87; the budget's end is not evaluated
    # here (the final evaluation is the run's, after the loop).
    assert evaluated_at == [60]
    assert progress.steps == 87
