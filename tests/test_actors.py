"""Actors: exact actions, sampling, a fixed signature, recurrent state, random."""

import dm_env
import numpy as np
import pytest
import sonnet as snt
import tensorflow as tf
import tensorflow_probability as tfp
from dm_env import specs

from troupe.components import actors
from troupe.components.adders.base import Adder

tfd = tfp.distributions


class ListAdder(Adder):
    """Keeps what it is given in lists (an in-memory adder for actor tests)."""

    def __init__(self):
        self.firsts, self.steps = [], []

    def add_first(self, timestep):
        self.firsts.append(timestep)

    def add(self, action, next_timestep, extras=()):
        self.steps.append((action, next_timestep, extras))

    def reset(self):
        pass


class TracedLinear(snt.Module):
    """y = x @ [[1, 2], [3, 4]], counting how often it is traced."""

    def __init__(self):
        super().__init__()
        self.w = tf.Variable([[1., 2.], [3., 4.]])
        self.traces = 0

    def __call__(self, x):
        self.traces += 1
        return tf.matmul(x, self.w)


def test_feed_forward_exact_actions_and_no_retracing():
    network = TracedLinear()
    actor = actors.FeedForwardActor(network)
    for x in ([1., 0.], [0., 1.], [2., -1.]):
        action = actor.select_action(np.array(x, np.float32))
        np.testing.assert_allclose(action, np.array(x) @ np.array([[1, 2], [3, 4]]))
        assert action.shape == (2,)
    assert network.traces == 1


def test_feed_forward_sees_new_weights():
    network = TracedLinear()
    actor = actors.FeedForwardActor(network)
    actor.select_action(np.ones(2, np.float32))
    network.w.assign([[0., 0.], [0., 1.]])
    np.testing.assert_allclose(actor.select_action(np.ones(2, np.float32)), [0., 1.])


def test_feed_forward_samples_distributions():
    def network(x):
        logits = tf.stack([tf.zeros_like(x[:, 0]), 100. * tf.ones_like(x[:, 0])], -1)
        return tfd.Categorical(logits=logits)
    actor = actors.FeedForwardActor(network)
    assert [int(actor.select_action(np.zeros(3, np.float32))) for _ in range(5)] == [1] * 5


def test_feed_forward_rejects_a_changed_observation_shape():
    actor = actors.FeedForwardActor(TracedLinear())
    actor.select_action(np.ones(2, np.float32))
    with pytest.raises(ValueError, match=r'compiled for observations .*shape=\(2,\)'):
        actor.select_action(np.ones(3, np.float32))


def test_feed_forward_passes_to_adder():
    adder = ListAdder()
    actor = actors.FeedForwardActor(TracedLinear(), adder=adder)
    first = dm_env.restart(np.ones(2, np.float32))
    actor.observe_first(first)
    nxt = dm_env.transition(1.0, np.zeros(2, np.float32))
    actor.observe(np.array([1., 2.]), nxt)
    assert adder.firsts == [first]
    assert adder.steps[0][1] is nxt


class CountingCore(snt.RNNCore):
    """state' = state + x; action = argmax-free: the new state's first entry."""

    def __call__(self, x, state):
        new_state = state + x
        return new_state[:, 0], new_state

    def initial_state(self, batch_size):
        return tf.zeros([batch_size, 2])


def test_recurrent_actor_keeps_state_resets_and_stores_it():
    adder = ListAdder()
    actor = actors.RecurrentActor(CountingCore(), adder=adder)
    obs = np.array([1., 10.], np.float32)
    actor.observe_first(dm_env.restart(obs))
    assert actor.select_action(obs) == 1.0
    actor.observe(np.float32(1.), dm_env.transition(0., obs))
    assert actor.select_action(obs) == 2.0
    actor.observe(np.float32(2.), dm_env.transition(0., obs))
    # The state stored with each step is the one the action was computed from.
    np.testing.assert_allclose(adder.steps[0][2]['core_state'], [0., 0.])
    np.testing.assert_allclose(adder.steps[1][2]['core_state'], [1., 10.])
    actor.observe_first(dm_env.restart(obs))
    assert actor.select_action(obs) == 1.0


def test_random_actor_within_spec_and_seeded():
    spec = {'d': specs.DiscreteArray(3), 'c': specs.BoundedArray((2,), np.float32, -1., 2.)}
    a, b = actors.RandomActor(spec, seed=3), actors.RandomActor(spec, seed=3)
    samples = [a.select_action(None) for _ in range(200)]
    assert [int(s['d']) for s in samples] == [int(b.select_action(None)['d'])
                                              for _ in range(200)]
    assert {int(s['d']) for s in samples} == {0, 1, 2}
    c = np.stack([s['c'] for s in samples])
    assert c.dtype == np.float32 and c.min() >= -1 and c.max() <= 2
    with pytest.raises(ValueError, match='unbounded'):
        actors.RandomActor(specs.Array((2,), np.float32))
