"""Distributed programs on a real Ray cluster started on this machine, with a
real Reverb server and real TensorFlow in every node."""

import csv
import os
import signal
import time

import pytest

from troupe.agents import registry
from troupe.distributed import DistributedProgram, ProgramConfig, StopConditions

RANDOM_CARTPOLE_RETURN = 22.0  # A uniformly random policy's mean return.


def program_config(logdir, agent='dqn', env='cartpole', overrides=None, **kwargs):
    hyperparameters = registry.get(agent).resolve(env, overrides or {})
    kwargs.setdefault('evaluation_period_seconds', 2.0)
    return ProgramConfig(agent, env, hyperparameters, logdir=str(logdir), **kwargs)


def read_rows(logdir, label):
    with open(os.path.join(logdir, 'logs', label, 'logs.csv'), newline='') as file:
        return list(csv.DictReader(file))


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f'Timed out after {timeout} s waiting for {what}.')


def restarted_pid(ray, node, timeout: float) -> int:
    """The node's process id once Ray has restarted it."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return ray.get(node.pid.remote(), timeout=timeout)
        except ray.exceptions.RayActorError:  # Unavailable while restarting.
            if time.monotonic() > deadline:
                raise
            time.sleep(1.0)


def test_dqn_with_two_actors_learns_and_counts_add_up(ray_cluster, tmp_path):
    program = DistributedProgram(
        program_config(tmp_path, evaluation_episodes=5), num_actors=2,
        stop=StopConditions(max_actor_steps=15_000, max_seconds=300), progress=None)
    with program:
        program.launch()
        gpus = ray_cluster.get(program.nodes['actor_0'].visible_gpus.remote())
        results = program.wait()

    assert gpus == {'CUDA_VISIBLE_DEVICES': '', 'gpus': 0}
    assert results['stopped_because'].endswith('actor steps (max 15000)')
    returns = [row['evaluation_return'] for row in results['evaluations']]
    assert len(returns) >= 2
    # The untrained greedy policy scores about 10; learning clearly beats random.
    assert max(returns) >= 7 * RANDOM_CARTPOLE_RETURN, returns

    # Every episode of both actors is counted once, across processes.
    counts = results['counts']
    rows = [read_rows(tmp_path, f'actor_{i}') for i in range(2)]
    assert all(len(actor_rows) >= 10 for actor_rows in rows)
    assert counts['actor_episodes'] == sum(len(actor_rows) for actor_rows in rows)
    assert counts['actor_steps'] == sum(int(row['episode_length'])
                                        for actor_rows in rows for row in actor_rows)
    assert counts['actor_steps'] >= 15_000
    assert counts['learner_steps'] > 100
    assert results['learner_updates'] == counts['learner_steps']
    assert results['restarts'] == {'learner': 0, 'actor_0': 0, 'actor_1': 0,
                                   'evaluator': 0, 'replay': 0}
    assert results['replay']['restarts'] == [] and results['resumes'] == []
    # The evaluator evaluated the final learner too.
    assert results['final_evaluation'] == results['evaluations'][-1]
    for name in ('learner', 'counter'):
        assert os.path.exists(os.path.join(tmp_path, 'checkpoints', name, 'checkpoint'))
    assert os.path.exists(os.path.join(tmp_path, 'results.json'))


def test_a_killed_actor_is_restarted_and_the_run_finishes(ray_cluster, tmp_path):
    # The actors step 4 copies of the environment each (batched acting).
    program = DistributedProgram(
        program_config(tmp_path, evaluation_episodes=0, num_envs=4), num_actors=2,
        stop=StopConditions(max_actor_steps=6_000, max_seconds=300), progress=None)
    with program:
        program.launch()
        wait_for(lambda: program.counts().get('actor_steps', 0) > 1_000, 180,
                 'the actors to take 1,000 steps')
        actor = program.nodes['actor_0']
        old_pid = ray_cluster.get(actor.pid.remote())
        os.kill(old_pid, signal.SIGKILL)
        new_pid = restarted_pid(ray_cluster, actor, timeout=180)
        results = program.wait()

    assert new_pid != old_pid
    assert results['restarts']['actor_0'] == 1
    assert results['restarts']['actor_1'] == 0
    assert results['counts']['actor_steps'] >= 6_000
    # Episodes of every copy are logged and counted.
    rows = [row for i in range(2) for row in read_rows(tmp_path, f'actor_{i}')]
    assert len(rows) >= results['counts']['actor_episodes'] - 8  # Lost with the kill.
    assert len(rows) >= 20


def test_a_run_resumes_from_its_checkpoint_with_its_counters(ray_cluster, tmp_path):
    config = program_config(tmp_path, evaluation_episodes=0)
    # Actors fetch variables through a cache node here.
    first = DistributedProgram(config, num_actors=1, progress=None,
                               variable_cache_seconds=0.5,
                               stop=StopConditions(max_learner_steps=50,
                                                   max_seconds=300)).run()
    assert first['learner_updates'] >= 50

    steps = first['counts']['actor_steps']
    second = DistributedProgram(config, num_actors=1, progress=None,
                                stop=StopConditions(max_actor_steps=steps + 1_000,
                                                    max_seconds=300))
    with second:
        second.launch()
        restored_counts = second.counts()
        restored_updates = ray_cluster.get(second.nodes['learner'].num_updates.remote())
        results = second.wait()

    assert restored_counts['actor_steps'] >= steps
    assert restored_counts['learner_steps'] >= first['counts']['learner_steps']
    assert restored_updates >= first['learner_updates']
    assert results['counts']['actor_steps'] >= steps + 1_000


@pytest.mark.parametrize('agent, env, overrides', [
    ('d4pg', 'pendulum', dict(policy_hidden_sizes=[32], critic_hidden_sizes=[32],
                              min_replay_size=100, batch_size=32)),
    ('sac', 'pendulum', dict(policy_hidden_sizes=[32], critic_hidden_sizes=[32],
                             min_replay_size=100, batch_size=32)),
    ('impala', 'cartpole', dict(hidden_sizes=[32])),
    ('nfq', 'catch', dict(hidden_sizes=[32], min_replay_size=100)),
    ('reinforce', 'cartpole', dict(hidden_sizes=[32], sequence_length=20)),
    ('a2c', 'cartpole', dict(hidden_sizes=[32])),
    ('ddpg', 'pendulum', dict(policy_hidden_sizes=[32], critic_hidden_sizes=[32],
                              min_replay_size=100, batch_size=32)),
    ('td3', 'pendulum', dict(policy_hidden_sizes=[32], critic_hidden_sizes=[32],
                             min_replay_size=100, batch_size=32)),
    ('maddpg', 'cooperative_navigation', dict(policy_hidden_sizes=[32],
                                              critic_hidden_sizes=[32],
                                              min_replay_size=100, batch_size=32)),
])
def test_other_agents_run_distributed(ray_cluster, tmp_path, agent, env, overrides):
    program = DistributedProgram(
        program_config(tmp_path, agent, env, overrides, evaluation_episodes=1),
        num_actors=1, progress=None,
        stop=StopConditions(max_learner_steps=20, max_seconds=300))
    results = program.run()
    assert results['stopped_because'].endswith('learner steps (max 20)')
    assert results['counts']['actor_steps'] > 0
    assert results['evaluations'], 'the evaluator logged nothing'


def test_troupe_train_distributed_writes_a_run_that_evaluate_restores(
        ray_cluster, tmp_path, capsys):
    """The command line joins the running Ray cluster (as with --ray-address)
    and writes a run directory `troupe evaluate` can read."""
    from troupe import cli
    logdir = str(tmp_path / 'run')
    assert cli.main(['train', 'dqn', '--env', 'cartpole', '--distributed',
                     '--num-actors', '2', '--steps', '3000', '--eval-episodes', '2',
                     '--eval-seconds', '2', '--actor-exploration', '0.3', '0.05',
                     '--logdir', logdir]) == 0
    out = capsys.readouterr().out
    assert 'Trained dqn on \'cartpole\' with 2 actors' in out
    assert 'Learning curve' in out
    for path in ('config.json', 'results.json', 'learning_curve.png',
                 'logs/actor_0/logs.csv', 'logs/actor_1/logs.csv',
                 'logs/learner/logs.csv', 'checkpoints/learner/checkpoint'):
        assert os.path.exists(os.path.join(logdir, path)), path
    assert cli.main(['evaluate', logdir, '--episodes', '2']) == 0
    assert 'return' in capsys.readouterr().out


def test_troupe_train_distributed_rejects_bad_options(capsys):
    from troupe import cli
    with pytest.raises(SystemExit):
        cli.main(['train', 'dqn', '--env', 'cartpole', '--num-actors', '3'])
    assert '--num-actors needs --distributed' in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(['train', 'dqn', '--env', 'cartpole', '--distributed',
                  '--episodes', '10'])
    assert '--distributed counts env steps, not episodes' in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(['train', 'dqn', '--env', 'cartpole', '--distributed',
                  '--num-actors', '2', '--actor-exploration', '0.1'])
    assert ('--actor-exploration takes one value per actor: 1 given for 2 actors'
            in capsys.readouterr().err)
