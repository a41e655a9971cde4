"""The replay node's faults on a real local Ray cluster: its process killed by
PID mid-run, it restarts from its latest checkpoint of the Reverb tables, the
learner and actors go on with it, and the items lost are reported."""

import csv
import json
import os
import signal
import threading
import time

import pytest

from troupe.agents import registry
from troupe.components import run_checkpoints
from troupe.distributed import (DistributedProgram, ProgramConfig, ReplayServerLost,
                                StopConditions)
from troupe.distributed.nodes import replay_checkpoint_directory

# Small and quick: the replay checkpoints every 3 s.
OVERRIDES = dict(min_replay_size=200, hidden_sizes=[32, 32])


def program_config(logdir, **kwargs):
    hyperparameters = registry.get('dqn').resolve('cartpole', OVERRIDES)
    return ProgramConfig('dqn', 'cartpole', hyperparameters, logdir=str(logdir),
                         evaluation_episodes=0, replay_checkpoint_minutes=0.05,
                         **kwargs)


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise AssertionError(f'Timed out after {timeout} s waiting for {what}.')


def test_a_killed_replay_node_restarts_from_its_checkpoint_and_the_run_finishes(
        ray_cluster, tmp_path):
    start = time.monotonic()
    directory = replay_checkpoint_directory(str(tmp_path))
    program = DistributedProgram(
        program_config(tmp_path), num_actors=2, progress=None, poll_seconds=0.25,
        stop=StopConditions(max_actor_steps=3_000, max_seconds=170))
    outcome = {}

    def watch():  # The driver watches (and polls the replay) as in a real run.
        try:
            outcome['results'] = program.wait()
        except BaseException as error:  # pylint: disable=broad-except
            outcome['error'] = error

    with program:
        program.launch()
        driver = threading.Thread(target=watch, daemon=True)
        driver.start()
        wait_for(lambda: (program.counts().get('learner_steps', 0) > 10
                          and run_checkpoints.latest(directory) is not None),
                 120, 'the learner to start and the replay to checkpoint')
        # Kill just after a fresh periodic checkpoint (the next is 3 s away),
        # once the driver has polled the inserts made after it.
        previous = run_checkpoints.latest(directory).number
        wait_for(lambda: run_checkpoints.latest(directory).number > previous, 60,
                 'the next replay checkpoint')
        time.sleep(1.0)
        replay = program.nodes['replay']
        old_pid = ray_cluster.get(replay.pid.remote())
        steps_at_kill = program.counts()['actor_steps']
        os.kill(old_pid, signal.SIGKILL)
        killed_at = time.monotonic() - start
        # The dead server saves nothing more: this is the one it restarts from.
        checkpoint = run_checkpoints.latest(directory)
        saved = checkpoint.metadata['tables']
        wait_for(lambda: program.replay_restarts, 120, 'the replay node to restart')
        new_pid = ray_cluster.get(program.nodes['replay'].pid.remote())
        driver.join(timeout=170)
        assert not driver.is_alive(), 'the run did not finish'
        if 'error' in outcome:
            raise outcome['error']
        results = outcome['results']

    assert new_pid != old_pid
    assert results['restarts']['replay'] == 1
    assert results['stopped_because'].endswith('actor steps (max 3000)')
    assert results['counts']['actor_steps'] >= 3_000 > steps_at_kill
    [event] = results['replay']['restarts']
    assert event['restart'] == 1
    assert event['checkpoint'] == checkpoint.number
    # The new server started with the checkpoint's items: at least those
    # counted just before Reverb wrote it, and those counted before that for the
    # manifest (actors insert all the while) ...
    assert event['items_restored'] >= sum(checkpoint.replay_sizes.values()) \
        >= sum(table['size'] for table in saved.values()) > 0
    assert event['inserts_restored'] >= sum(table['inserts'] for table in saved.values())
    # ... and lost those inserted after it, as far as the driver saw.
    assert event['inserts_observed'] >= event['inserts_restored']
    assert event['items_lost'] == event['inserts_observed'] - event['inserts_restored']
    assert results['replay']['items_lost'] == event['items_lost']
    # After the restart the replay holds at least the checkpoint's items.
    assert sum(table['size'] for table in results['replay']['tables'].values()) \
        >= event['items_restored']
    # The learner went on learning from the new server. It was saved while a
    # step waited on the dead server, so its count may differ from the
    # counter's by that one step (updates_per_call = 8 updates).
    assert results['counts']['learner_steps'] > 10
    assert abs(results['learner_updates'] - results['counts']['learner_steps']) <= 8
    # Reported in the logs and results.
    with open(os.path.join(tmp_path, 'logs', 'replay', 'logs.csv'), newline='') as file:
        rows = list(csv.DictReader(file))
    assert [int(row['items_lost']) for row in rows] == [event['items_lost']]
    with open(os.path.join(tmp_path, 'results.json'), encoding='utf-8') as file:
        assert json.load(file)['replay']['restarts'] == [event]
    print(f'killed at {killed_at:.0f} s, {steps_at_kill} actor steps; finished at '
          f'{time.monotonic() - start:.0f} s; replay restart: {event}')


def test_a_replay_node_dying_past_its_restarts_stops_the_run(ray_cluster, tmp_path):
    program = DistributedProgram(
        program_config(tmp_path), num_actors=1, progress=None, max_replay_restarts=0,
        stop=StopConditions(max_seconds=170))
    with program:
        program.launch()
        wait_for(lambda: program.counts().get('learner_steps', 0) > 5, 120,
                 'the learner to start')
        os.kill(ray_cluster.get(program.nodes['replay'].pid.remote()), signal.SIGKILL)
        with pytest.raises(ReplayServerLost,
                           match=r'replay server node died 1 time\(s\), more than its 0 '
                                 r'restart\(s\)'):
            program.wait()
    assert not program.nodes  # Every node was ended.
    # The learner and the counts were saved on the way out; the replay's
    # periodic checkpoints are there for a run started again on this logdir.
    for name in ('learner', 'counter'):
        assert os.path.exists(os.path.join(tmp_path, 'checkpoints', name, 'checkpoint'))
    assert run_checkpoints.latest(replay_checkpoint_directory(str(tmp_path))) is not None
