"""`troupe train` → files → `troupe evaluate`, end to end on tiny budgets, in-process."""

import json
import os
import re

import cv2
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from tests.run_helpers import read_csv, tensorboard_tags, train
from troupe import cli
from troupe.agents import registry
from troupe.cli import evaluate, rundir
from troupe.components import plotting

# Small settings that make every learner update within a few hundred steps.
QUICK_DQN = ['min_replay_size=100', 'batch_size=32', 'samples_per_insert=32.0',
             'updates_per_call=1',
             'hidden_sizes=[32,32]']


def _evaluate(capsys, logdir, *argv):
    assert cli.main(['evaluate', logdir, *argv]) == 0
    out = capsys.readouterr().out
    mean, std = re.search(r'Evaluation \((greedy|random) policy, \d+ episodes?, '
                          r'seed \d+\): return (-?[\d.]+) ± ([\d.]+)', out).groups()[1:]
    return float(mean), float(std), out


def test_dqn_on_cartpole_writes_a_complete_run_that_evaluate_restores(tmp_path,
                                                                       capsys):
    logdir, out = train(tmp_path, capsys, 'dqn', '--env', 'cartpole', '--steps', '600',
                         '--eval-episodes', '3', '--config', *QUICK_DQN)

    config = json.load(open(os.path.join(logdir, 'config.json')))
    assert (config['agent'], config['env'], config['seed']) == ('dqn', 'cartpole', 0)
    assert config['budget'] == {'steps': 600, 'episodes': None}
    assert config['hyperparameters'] == registry.AGENTS['dqn'].resolve(
        'cartpole', {'min_replay_size': 100, 'batch_size': 32,
                     'samples_per_insert': 32.0, 'updates_per_call': 1,
                     'hidden_sizes': [32, 32]}, seed=0).to_json()
    assert config['hyperparameters']['n_step'] == 3            # The CartPole preset.
    assert config['overrides']['hidden_sizes'] == [32, 32]

    results = json.load(open(os.path.join(logdir, 'results.json')))
    episodes = read_csv(rundir.csv_path(logdir, 'actor'))
    assert len(episodes) == results['episodes'] > 0
    assert int(episodes[-1]['steps']) == results['env_steps'] >= 600
    assert sum(int(row['episode_length']) for row in episodes) == results['env_steps']
    # One update per step from step 100 on (batch 32 / 32 samples per insert).
    assert results['learner_updates'] == results['env_steps'] - 100 + 1
    learner_rows = read_csv(rundir.csv_path(logdir, 'learner'))
    assert learner_rows and 'loss' in learner_rows[0]
    assert np.isfinite(float(learner_rows[-1]['loss']))

    assert 'actor/episode_return' in tensorboard_tags(rundir.tensorboard_dir(logdir, 'actor'))
    assert 'learner/loss' in tensorboard_tags(rundir.tensorboard_dir(logdir, 'learner'))
    assert 'evaluator/mean_return' in tensorboard_tags(
        rundir.tensorboard_dir(logdir, 'evaluator'))

    with Image.open(os.path.join(logdir, 'learning_curve.png')) as image:
        assert image.format == 'PNG' and image.size == plotting.DEFAULT_SIZE

    assert f'updates {results["learner_updates"]:,}' in out       # The progress line.
    assert 'Learning curve' in out
    assert 'Evaluation (greedy policy, 3 episodes, seed 10000): return' in out

    # Evaluate restores the checkpoint: same updates, same greedy returns.
    final = results['final_evaluation']
    mean, std, out = _evaluate(capsys, logdir, '--episodes', '3')
    assert f'{results["learner_updates"]:,} learner updates' in out
    assert (mean, std) == (round(final['mean_return'], 2), round(final['std_return'], 2))

    # The restored network holds the saved values, not its initial ones.
    reader = tf.train.load_checkpoint(rundir.checkpoint_dir(logdir))
    saved = [reader.get_tensor(name) for name, _ in tf.train.list_variables(
        rundir.checkpoint_dir(logdir)) if name.startswith('network/')]
    _, entry, built, environment = evaluate.restore(logdir)
    try:
        restored = [v.numpy() for v in built.checkpoint_objects['network'].variables]
        assert built.learner_updates == results['learner_updates']
    finally:
        built.close()
        environment.close()
    assert len(restored) == len(saved) == 6
    for value in restored:
        assert any(s.shape == value.shape and np.array_equal(s, value) for s in saved)
    tf.random.set_seed(0)
    fresh = registry.build(entry, environment_spec(config),
                           entry.config_from_json(config['hyperparameters']))
    try:
        initial = [v.numpy() for v in fresh.checkpoint_objects['network'].variables]
    finally:
        fresh.close()
    assert not all(np.array_equal(a, b) for a, b in zip(initial, restored))


def environment_spec(config):
    import troupe
    return troupe.make_environment_spec(registry.make_environment(
        config['env'], config['seed'], config['env_kwargs']))


def test_evaluate_writes_videos_with_one_frame_per_step(tmp_path, capsys):
    logdir, _ = train(tmp_path, capsys, 'dqn', '--env', 'catch', '--episodes', '30',
                       '--eval-episodes', '1', '--no-plot', '--config',
                       'min_replay_size=50', 'batch_size=16', 'jit_compile=false')
    assert not os.path.exists(os.path.join(logdir, 'learning_curve.png'))
    gif = str(tmp_path / 'videos' / 'catch.gif')
    _evaluate(capsys, logdir, '--episodes', '1', '--video', gif)
    with Image.open(gif) as image:
        # A Catch episode is 9 steps: the first frame and one per step.
        assert image.n_frames == 10 and image.size == (100, 200)
    mp4 = str(tmp_path / 'catch.mp4')
    _, _, out = _evaluate(capsys, logdir, '--episodes', '2', '--video', mp4)
    assert '(10 frames at 30 fps)' in out
    capture = cv2.VideoCapture(mp4)
    frames = 0
    while capture.read()[0]:
        frames += 1
    capture.release()
    assert frames == 10


def test_periodic_evaluations_are_logged_and_plotted(tmp_path, capsys):
    logdir, out = train(tmp_path, capsys, 'q_learning', '--env', 'gridworld/simple',
                         '--steps', '3000', '--eval-every', '1000',
                         '--eval-episodes', '2')
    rows = read_csv(rundir.csv_path(logdir, 'evaluator'))
    # Evaluations after each 1,000-step chunk but the last, then the final one.
    assert len(rows) == 3
    assert [int(r['env_steps']) >= 1000 * (i + 1) for i, r in enumerate(rows)] == [True] * 3
    results = json.load(open(os.path.join(logdir, 'results.json')))
    assert results['final_evaluation']['mean_return'] == float(rows[-1]['mean_return'])
    # The optimistic preset finds the goal (+10) of the simple grid in 3,000 steps.
    assert results['final_evaluation']['mean_return'] == 10.0
    mean, _, _ = _evaluate(capsys, logdir, '--episodes', '2')
    assert mean == 10.0


def test_periodic_evaluations_also_follow_an_episode_budget(tmp_path, capsys):
    logdir, _ = train(tmp_path, capsys, 'random', '--env', 'catch', '--episodes', '20',
                       '--eval-every', '50', '--eval-episodes', '1', '--no-plot')
    rows = read_csv(rundir.csv_path(logdir, 'evaluator'))
    # Catch episodes are 9 steps: evaluations after 54, 108 and 153 steps, then
    # the final one after the 20th episode.
    assert [int(row['env_steps']) for row in rows] == [54, 108, 153, 180]
    assert [int(row['episodes']) for row in rows] == [6, 12, 17, 20]


# Each agent's build, checkpoint and evaluation actor. Learning (and so its
# costly first trace) is exercised for one agent of each learner family; the
# others stop before their first update, which still checks that evaluate
# rebuilds the agent and restores its checkpoint.
@pytest.mark.parametrize('agent, env, argv, learns', [
    ('dqn', 'catch', ['--episodes', '30', '--config', 'min_replay_size=50',
                      'batch_size=16', 'hidden_sizes=[16]'], True),
    ('nfq', 'catch', ['--episodes', '25', '--config', 'min_replay_size=50'], True),
    ('a2c', 'catch', ['--episodes', '12', '--config', 'sequence_length=5'], True),
    ('reinforce', 'cartpole', ['--episodes', '2'], False),
    ('impala', 'catch', ['--episodes', '1', '--config', 'recurrent=true',
                         'lstm_size=8'], False),
    ('ddpg', 'pendulum', ['--steps', '150', '--config', 'min_replay_size=64',
                          'batch_size=16', 'jit_compile=false',
                          'policy_hidden_sizes=[16]', 'critic_hidden_sizes=[16]'], True),
    ('d4pg', 'pendulum', ['--steps', '10', '--config', 'num_atoms=11',
                          'policy_hidden_sizes=[16]', 'critic_hidden_sizes=[16]'], False),
    ('td3', 'mountain_car_continuous', ['--steps', '10', '--config',
                                        'policy_hidden_sizes=[16]',
                                        'critic_hidden_sizes=[16]'], False),
    ('sac', 'pendulum', ['--steps', '10', '--config', 'policy_hidden_sizes=[16]',
                         'critic_hidden_sizes=[16]'], False),
    ('maddpg', 'cooperative_navigation', ['--steps', '300', '--config',
                                          'min_replay_size=64', 'batch_size=16',
                                          'policy_hidden_sizes=[16]',
                                          'critic_hidden_sizes=[16]'], True),
    ('sarsa', 'gridworld/obstacle', ['--steps', '500'], True),
    ('q_learning', 'gridworld/simple', ['--steps', '500'], True),
    ('expected_sarsa', 'gridworld/simple', ['--steps', '500'], True),
    ('q_learning_replay', 'gridworld/simple', ['--steps', '300'], True),
    ('monte_carlo', 'gridworld/simple', ['--episodes', '5'], True),
    ('random', 'pendulum', ['--steps', '400'], False),
])
def test_every_agent_trains_and_evaluate_reproduces_its_return(tmp_path, capsys,
                                                               agent, env, argv,
                                                               learns):
    logdir, _ = train(tmp_path, capsys, agent, '--env', env, '--eval-episodes', '1',
                       '--no-plot', *argv)
    results = json.load(open(os.path.join(logdir, 'results.json')))
    if registry.get(agent).parameters and not registry.get(
            agent).state_index_observations:
        assert (results['learner_updates'] > 0) == learns, results
    if agent != 'random':
        assert rundir.latest_checkpoint(logdir)
    mean, std, _ = _evaluate(capsys, logdir, '--episodes', '1')
    final = results['final_evaluation']
    assert (mean, std) == (round(final['mean_return'], 2), round(final['std_return'], 2))
