"""A `troupe train --distributed` driver killed with SIGKILL (its whole process
group, the local Ray it started included) and started again with
`troupe train --resume LOGDIR`: the counter, the learner and the replay continue
from their checkpoints, the budget stays the run's total and the logs and
results continue the run's."""

import csv
import json
import os
import re
import signal
import subprocess
import sys
import time

from troupe.components import run_checkpoints
from troupe.distributed.nodes import replay_checkpoint_directory

STEPS = 6_000
TRAIN = ['train', 'dqn', '--env', 'cartpole', '--distributed', '--num-actors', '2',
         '--steps', str(STEPS), '--config', 'hidden_sizes=[32,32]',
         'min_replay_size=200', '--eval-episodes', '2', '--eval-seconds', '2',
         '--checkpoint-every', '3', '--no-plot']
RESUMED = re.compile(r'Resuming the run in .* from its checkpoints: ([\d,]+) actor '
                     r'steps, ([\d,]+) learner steps \(([\d,]+) learner updates\), '
                     r'(\d+) s so far; replay from its checkpoint (\d+) with ([\d,]+) '
                     r'items\.')


def _environment(home):
    # A Ray of its own (no RAY_* settings of an in-process cluster), its auth
    # token kept out of the user's home.
    env = {key: value for key, value in os.environ.items() if not key.startswith('RAY_')}
    env.update(HOME=str(home), TF_CPP_MIN_LOG_LEVEL='2')
    return env


def _descendants(pid):
    """The process ids below `pid` (from /proc), found before it is killed."""
    children = {}
    for name in os.listdir('/proc'):
        if not name.isdigit():
            continue
        try:
            with open(f'/proc/{name}/stat') as file:
                parent = int(file.read().rsplit(')', 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _alive(pid):
    try:
        with open(f'/proc/{pid}/stat') as file:
            return file.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except OSError:
        return False


def _rows(logdir, label):
    path = os.path.join(logdir, 'logs', label, 'logs.csv')
    if not os.path.exists(path):
        return []
    with open(path, newline='') as file:
        return list(csv.DictReader(file))


def _latest(logdir, label, key):
    """The count `key` of `label`'s last CSV row (rows are written as they come)."""
    rows = [row for row in _rows(logdir, label) if row.get(key)]
    return float(rows[-1][key]) if rows else 0.0


def _results(logdir):
    try:
        with open(os.path.join(logdir, 'results.json')) as file:
            return json.load(file)
    except (OSError, ValueError):
        return {}


def test_a_killed_driver_resumes_with_its_counts_learner_and_replay(tmp_path):
    logdir = str(tmp_path / 'run')
    env = _environment(tmp_path / 'home')
    replay_directory = replay_checkpoint_directory(logdir)
    driver = subprocess.Popen([sys.executable, '-m', 'troupe'] + TRAIN
                              + ['--logdir', logdir], env=env, start_new_session=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    leftovers = []
    try:
        # Kill once the learner has learnt, the evaluator evaluated and every node
        # checkpointed, well before the budget (the logs show the counts).
        deadline = time.monotonic() + 300
        while True:
            assert driver.poll() is None, driver.stdout.read()[-3000:]
            assert time.monotonic() < deadline, 'the run did not get going'
            actor_steps = max(_latest(logdir, f'actor_{i}', 'actor_steps')
                              for i in range(2))
            if (_latest(logdir, 'learner', 'learner_steps') > 50
                    and actor_steps > 1_000 and _rows(logdir, 'evaluator')
                    and run_checkpoints.latest(replay_directory) is not None
                    and _results(logdir).get('seconds', 0) > 0
                    and os.path.exists(os.path.join(logdir, 'checkpoints', 'learner',
                                                    'checkpoint'))):
                break
            time.sleep(0.25)
        assert actor_steps < STEPS - 1_000, 'the run was too quick to be killed mid-way'
        processes = _descendants(driver.pid)
        os.killpg(driver.pid, signal.SIGKILL)
        driver.wait(timeout=60)
        time.sleep(5.0)  # Ray's processes die with the driver they share fate with.
        leftovers = [pid for pid in processes if _alive(pid)]
        assert not leftovers, f'processes left running after the kill: {leftovers}'
        # Nothing saves any more: the resumed replay starts from this one.
        checkpoint = run_checkpoints.latest(replay_directory)
        killed = _results(logdir)
        assert killed['running'] and killed['stopped_because'] is None
        labels = ('actor_0', 'actor_1', 'learner', 'evaluator')
        before = {label: _rows(logdir, label) for label in labels}

        resumed = subprocess.run(
            [sys.executable, '-m', 'troupe', 'train', '--resume', logdir,
             '--checkpoint-every', '3'], env=env, capture_output=True, text=True,
            timeout=400)
    finally:
        if driver.poll() is None:
            os.killpg(driver.pid, signal.SIGKILL)
        for pid in leftovers:  # Started by this test: end them by their id.
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    out = resumed.stdout + resumed.stderr
    assert resumed.returncode == 0, out[-3000:]

    # The counts, the learner and the replay continue from their checkpoints.
    match = RESUMED.search(out)
    assert match, out[-3000:]
    actor_steps, learner_steps, updates, seconds_before, number, items = (
        int(group.replace(',', '')) for group in match.groups())
    assert actor_steps > 0 and learner_steps > 0 and updates > 0
    assert seconds_before >= int(killed['seconds']) > 0
    assert number == checkpoint.number
    assert items >= sum(checkpoint.replay_sizes.values()) > 0
    assert f'restored from its checkpoint {number}: {items} items' in out

    results = _results(logdir)
    assert not results['running']
    assert results['stopped_because'].endswith(f'actor steps (max {STEPS})')
    # The budget is the run's total: the resumed launch took what was left.
    assert results['counts']['actor_steps'] >= STEPS
    assert results['counts']['learner_steps'] > learner_steps
    assert results['learner_updates'] > updates
    [resume] = results['resumes']
    assert resume['counts']['actor_steps'] == actor_steps
    assert resume['learner_updates'] == updates
    assert (resume['replay_checkpoint'], resume['replay_items']) == (number, items)
    assert results['seconds'] >= results['launch_seconds'] + seconds_before - 1

    # The logs were cut back to the restored counts, said so, and continued.
    dropped = resume['log_rows_dropped']
    if dropped:
        assert 'Dropped the log rows written after the counter\'s checkpoint' in out
    for label, rows in before.items():
        key = 'learner_steps' if label == 'learner' else 'actor_steps'
        limit = learner_steps if label == 'learner' else actor_steps
        kept = [row for row in rows if float(row[key]) <= limit]
        assert len(rows) - len(kept) == dropped.get(label, 0), label
        after = _rows(logdir, label)
        assert after[:len(kept)] == kept, label
        assert len(after) > len(kept), f'{label} logged nothing after the resume'
        assert all(float(row[key]) >= limit for row in after[len(kept):]), label
    # The evaluations of both launches are in the results.
    evaluations = results['evaluations']
    assert len(evaluations) == len(_rows(logdir, 'evaluator'))
    assert evaluations[0]['actor_steps'] <= actor_steps < evaluations[-1]['actor_steps']
    assert 'Resumed 1 time(s)' in out
