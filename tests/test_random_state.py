"""Random state in whole-run checkpoints: a real environment and a real DQN
actor (ε-greedy on the numpy path) saved through a real RunCheckpointer, then
restored into freshly built ones, as a resumed process does, draw exactly the
episodes the uninterrupted pair draws."""

import numpy as np
import pytest
import tensorflow as tf

import troupe
from troupe import environments
from troupe.agents import dqn
from troupe.components import actors, random_state, run_checkpoints
from troupe.environments import batched


_SPEC = troupe.make_environment_spec(environments.make('catch'))
# One set of weights for every actor, as a restored learner gives.
_NETWORKS = dqn.DQNBuilder(dqn.DQNConfig(hidden_sizes=(8,))).make_networks(_SPEC)


def _pair(seed=1, num_envs=None, epsilon=0.5):
    """An environment (or `num_envs` copies) and a DQN policy's actor on the
    numpy inference path (the path `troupe train`'s actors take, since they
    have a variable client), exploring with ε = 0.5 so actions are random."""
    if num_envs is None:
        environment = environments.make('catch', seed=seed)
    else:
        environment = batched.BatchedEnvironment(
            'catch', num_envs, seed=seed)
    builder = dqn.DQNBuilder(dqn.DQNConfig(epsilon=epsilon, hidden_sizes=(8,)))
    policy = builder.make_policy(_NETWORKS, _SPEC)
    actor = actors.FeedForwardActor(policy, batched=num_envs is not None,
                                    inference='numpy')
    return environment, actor


def _episodes(environment, actor, count):
    """(observation bytes, action) of every step of `count` episodes."""
    seen = []
    for _ in range(count):
        timestep = environment.reset()
        while not timestep.last():
            action = actor.select_action(timestep.observation)
            seen.append((timestep.observation.tobytes(), int(action)))
            timestep = environment.step(action)
    return seen


def test_restored_generators_continue_exactly(tmp_path):
    environment, actor = _pair()
    saver = random_state.RandomState({'environment': environment, 'actor': actor})
    # The environment's and the actor's exploration generators are both found.
    assert saver.paths()[0] == 'environment._rng'
    assert any(path.startswith('actor.') for path in saver.paths())
    _episodes(environment, actor, 3)        # The run so far.
    checkpointer = run_checkpoints.RunCheckpointer(str(tmp_path), {'random': saver})
    checkpoint = checkpointer.save()
    expected = _episodes(environment, actor, 4)     # What the run did next.

    # A resumed process: built again from the same seed, then restored.
    environment, actor = _pair()
    restored = random_state.RandomState({'environment': environment, 'actor': actor})
    fresh = _episodes(*_pair(), 4)
    run_checkpoints.RunCheckpointer(str(tmp_path), {'random': restored}).restore(
        checkpoint)
    assert restored.unmatched == []
    assert _episodes(environment, actor, 4) == expected
    # Without the restore the draws differ (the check above is not vacuous).
    assert fresh != expected
    assert len({action for _, action in expected}) == 3  # Exploring.


def test_every_copy_of_a_batched_environment_is_saved():
    environment, actor = _pair(num_envs=3)
    saver = random_state.RandomState({'environment': environment, 'actor': actor})
    environment_paths = [p for p in saver.paths() if p.startswith('environment')]
    assert len(environment_paths) == 3
    state = saver.save()
    first = environment.reset().observation.copy()
    environment.reset()
    saver.restore(state)
    np.testing.assert_array_equal(environment.reset().observation, first)
    environment.close()


def test_a_saved_generator_with_no_match_is_reported(caplog):
    environment, _ = _pair()
    state = random_state.RandomState({'environment': environment}).save()
    other = random_state.RandomState({'env': environments.make('catch', seed=1)})
    other.restore(state)
    assert other.unmatched == ['environment._rng']
    assert 'environment._rng' in caplog.text


def test_mismatched_kinds_are_refused():
    state = random_state.RandomState({'g': np.random.default_rng(0)}).save()
    with pytest.raises(ValueError, match="g: saved a Generator, found a RandomState"):
        random_state.RandomState({'g': np.random.RandomState(0)}).restore(state)


def test_a_checkpoint_saved_without_random_state_still_restores(tmp_path, caplog):
    # A run checkpoint of an older troupe has no random state: the rest is
    # restored and the generators stay as they are.
    count = tf.Variable(3)
    run_checkpoints.RunCheckpointer(str(tmp_path), {'count': count}).save()
    count.assign(0)
    generator = np.random.default_rng(5)
    before = generator.bit_generator.state
    checkpointer = run_checkpoints.RunCheckpointer(
        str(tmp_path), {'count': count,
                        'random_state': random_state.RandomState({'g': generator})},
        optional=('random_state',))
    checkpointer.restore(run_checkpoints.latest(str(tmp_path)))
    assert int(count.numpy()) == 3
    assert generator.bit_generator.state == before
    assert 'has no random_state (saved by an older troupe)' in caplog.text
    # Without `optional` such a checkpoint is refused by name.
    with pytest.raises(ValueError, match='does not match this run'):
        run_checkpoints.RunCheckpointer(
            str(tmp_path), {'count': count,
                            'random_state': random_state.RandomState({'g': generator})}
        ).restore(run_checkpoints.latest(str(tmp_path)))
