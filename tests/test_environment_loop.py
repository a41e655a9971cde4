"""EnvironmentLoop: counts, returns, truncation, observers and argument errors."""

import numpy as np
import pytest

import troupe
from troupe.components import counting, loggers
from tests.scripted_env import ScriptedEnvironment


class RecordingActor(troupe.Actor):
    """Always action 1; records every call so tests can check the protocol."""

    def __init__(self):
        self.calls = []
        self.updates = 0

    def select_action(self, observation):
        self.calls.append(('select', observation.tolist()))
        return np.int32(1)

    def observe_first(self, timestep):
        self.calls.append(('first', timestep.observation.tolist()))

    def observe(self, action, next_timestep):
        self.calls.append(('observe', int(next_timestep.step_type),
                           float(next_timestep.discount)))

    def update(self, wait=False):
        self.updates += 1


class StepCounter:
    """An observer that counts the steps it saw in the current episode."""

    def __init__(self):
        self.steps = 0

    def observe_first(self, env, timestep):
        self.steps = 0

    def observe(self, env, timestep, action):
        self.steps += 1

    def get_metrics(self):
        return {'observed_steps': self.steps}


def make_loop(env, actor=None, **kwargs):
    logger = loggers.InMemoryLogger()
    counter = counting.Counter()
    loop = troupe.EnvironmentLoop(env, actor or RecordingActor(), counter=counter,
                                  logger=logger, **kwargs)
    return loop, counter, logger


def test_run_episode_returns_length_return_and_timings():
    env = ScriptedEnvironment(episode_lengths=[3])
    loop, counter, _ = make_loop(env)
    result = loop.run_episode()
    assert result['episode_length'] == 3
    assert result['episode_return'] == pytest.approx(1 + 2 + 3)
    assert result['steps_per_second'] > 0
    assert result['select_action_seconds'] > 0
    assert result['env_step_seconds'] > 0
    assert result['select_action_seconds'] + result['env_step_seconds'] <= (
        result['episode_duration_seconds'])
    assert counter.get_counts() == {'episodes': 1, 'steps': 3}


def test_actor_protocol_and_updates():
    env = ScriptedEnvironment(episode_lengths=[2])
    actor = RecordingActor()
    loop, _, _ = make_loop(env, actor)
    loop.run_episode()
    assert actor.calls == [
        ('first', [0.0, 0.0]),
        ('select', [0.0, 0.0]), ('observe', 1, 1.0),
        ('select', [0.0, 1.0]), ('observe', 2, 0.0),
    ]
    assert actor.updates == 2
    assert env.actions == [1, 1]


def test_should_update_false_never_updates():
    actor = RecordingActor()
    loop, _, _ = make_loop(ScriptedEnvironment([4]), actor, should_update=False)
    loop.run(num_episodes=2)
    assert actor.updates == 0


def test_run_num_episodes_counts_and_logs():
    loop, counter, logger = make_loop(ScriptedEnvironment(episode_lengths=[2, 5]))
    steps = loop.run(num_episodes=3)
    assert steps == 2 + 5 + 2
    assert counter.get_counts() == {'episodes': 3, 'steps': 9}
    assert [row['episode_length'] for row in logger.data] == [2, 5, 2]
    assert [row['episode_return'] for row in logger.data] == [3.0, 15.0, 3.0]
    assert [row['episodes'] for row in logger.data] == [1, 2, 3]
    assert [row['steps'] for row in logger.data] == [2, 7, 9]


def test_run_num_steps_finishes_the_crossing_episode():
    loop, counter, logger = make_loop(ScriptedEnvironment(episode_lengths=[2, 5]))
    assert loop.run(num_steps=6) == 7
    assert counter.get_counts()['episodes'] == 2
    assert loop.run(num_steps=0) == 0


def test_both_budgets_raise():
    loop, _, _ = make_loop(ScriptedEnvironment())
    with pytest.raises(ValueError, match='num_episodes=1, num_steps=5'):
        loop.run(num_episodes=1, num_steps=5)
    with pytest.raises(ValueError, match='num_steps must be >= 0, got -1'):
        loop.run(num_steps=-1)


def test_truncated_episode_ends_with_its_discount():
    env = ScriptedEnvironment(episode_lengths=[3], final_discount=0.5)
    actor = RecordingActor()
    loop, _, logger = make_loop(env, actor)
    loop.run(num_episodes=2)
    assert [row['episode_length'] for row in logger.data] == [3, 3]
    last_observes = [c for c in actor.calls if c[0] == 'observe' and c[1] == 2]
    assert last_observes == [('observe', 2, 0.5)] * 2


def test_nested_rewards_are_summed_leaf_by_leaf():
    loop, _, _ = make_loop(ScriptedEnvironment([4], nested_reward=True))
    result = loop.run_episode()
    assert result['episode_return'] == {'a': 10.0, 'b': 20.0}


def test_observers_add_metrics():
    observer = StepCounter()
    loop, _, logger = make_loop(ScriptedEnvironment([2, 3]), observers=[observer])
    loop.run(num_episodes=2)
    assert [row['observed_steps'] for row in logger.data] == [2, 3]


def test_default_logger_and_counter_are_made(tmp_path, monkeypatch):
    monkeypatch.setenv('HOME', str(tmp_path))
    loop = troupe.EnvironmentLoop(ScriptedEnvironment([2]), RecordingActor())
    assert loop.run(num_episodes=1) == 2
