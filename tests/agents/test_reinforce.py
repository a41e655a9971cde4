"""REINFORCE with a learned baseline: Monte-Carlo returns by hand, the update's
loss against the loss functions, bad input and a small CartPole learning run."""

import numpy as np
import pytest
import sonnet as snt
import tensorflow as tf

from troupe import specs
from troupe.agents import reinforce
from troupe.components import loggers
from troupe.components.losses import advantages as advantages_lib
from tests.agents.test_a2c import (expected_loss, learner_loss_after_one_step,
                                   mean_final_return, one_batch, scripted_spec, swap)


def test_value_targets_are_the_monte_carlo_returns():
    # One episode of 3 steps (rewards 1, 2, 3; terminal) fits in a sequence of
    # 4: with γ = 0.9 the returns are 5.23, 4.7 and 3, whatever V is.
    tf.random.set_seed(0)
    _, spec = scripted_spec((3,))
    network = reinforce.make_network(spec, hidden_sizes=(8,))
    config = reinforce.ReinforceConfig(sequence_length=4, batch_size=1)
    sample = one_batch(network, config, (3,))
    observation = tf.constant(swap(sample.data.observation.numpy()))
    _, values = snt.BatchApply(network)(observation)
    returns = np.array([5.23, 4.7, 3.0])
    expected_value_loss = np.mean(0.5 * (returns - values.numpy()[:3, 0]) ** 2)
    result = learner_loss_after_one_step(
        reinforce.ReinforceLearner, network, sample, discount=0.9)
    assert result['value_loss'] == pytest.approx(expected_value_loss, rel=1e-5)


def test_update_loss_equals_the_loss_functions_on_the_same_batch():
    tf.random.set_seed(3)
    _, spec = scripted_spec()
    network = reinforce.make_network(spec, hidden_sizes=(16,))
    config = reinforce.ReinforceConfig(sequence_length=4, batch_size=3)
    # Episodes longer than T: returns are bootstrapped where sequences cut them.
    sample = one_batch(network, config, (5, 3, 6), final_discount=1.0)
    data = tf.nest.map_structure(lambda x: x.numpy(), sample.data)
    logits, values = snt.BatchApply(network)(tf.constant(swap(data.observation)))
    logits, values = logits.numpy(), values.numpy()

    def targets(rewards, discounts):
        return advantages_lib.discounted_returns(rewards, discounts, values[-1]), None

    expected = expected_loss(logits, values, data, 0.95, targets, 0.5, 0.01)
    result = learner_loss_after_one_step(
        reinforce.ReinforceLearner, network, sample, discount=0.95,
        baseline_cost=0.5, entropy_cost=0.01)
    assert result['loss'] == pytest.approx(float(expected.loss), rel=1e-5)
    assert result['policy_loss'] == pytest.approx(float(expected.policy), rel=1e-5)


@pytest.mark.parametrize('kwargs, match', [
    ({'discount': 1.01}, r'ReinforceConfig\.discount must be in \[0, 1\], got 1.01'),
    ({'sequence_length': -3}, r'ReinforceConfig\.sequence_length must be an integer >= 1, got -3'),
    ({'entropy_cost': -1.0}, r'ReinforceConfig\.entropy_cost must be >= 0, got -1.0'),
    ({'learning_rate': 0}, r'ReinforceConfig\.learning_rate must be > 0, got 0'),
    ({'baseline_cost': -0.5}, r'ReinforceConfig\.baseline_cost must be >= 0, got -0.5'),
])
def test_bad_hyperparameters_name_the_value(kwargs, match):
    _, spec = scripted_spec()
    with pytest.raises(ValueError, match=match):
        reinforce.REINFORCE(spec, reinforce.make_network(spec), checkpoint=False,
                            **kwargs)


def test_continuous_actions_are_rejected():
    _, spec = scripted_spec()
    continuous = spec._replace(actions=specs.BoundedArray((2,), np.float32, -1, 1))
    with pytest.raises(ValueError, match='reinforce cannot act in this environment: '
                                         'it needs discrete actions'):
        reinforce.REINFORCE(continuous, reinforce.make_network(spec),
                            checkpoint=False)


def test_reinforce_learns_cartpole_beyond_a_random_policy():
    # A random policy averages about 22 on CartPole-v1.
    final, agent = mean_final_return(
        lambda spec: reinforce.REINFORCE(spec, reinforce.make_network(spec),
                                         checkpoint=False,
                                         logger=loggers.InMemoryLogger()),
        num_steps=15_000)
    assert agent.learner.num_updates > 20
    assert final > 70, final
