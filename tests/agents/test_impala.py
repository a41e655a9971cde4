"""IMPALA: stored behaviour log-probabilities (and core states) are the actor's,
the update's loss is the V-trace actor-critic loss on the same batch (feed-forward
and LSTM), bad input and a small CartPole learning run."""

import numpy as np
import pytest
import sonnet as snt
import tensorflow as tf

import troupe
from troupe import specs
from troupe.agents import impala
from troupe.components import loggers
from troupe.components.losses import off_policy as vtrace_lib
from troupe.environments import make
from tests.agents.test_a2c import (expected_loss, fill_queue,
                                   learner_loss_after_one_step, make_builder,
                                   mean_final_return, one_batch, scripted_spec, swap,
                                   table_stats)


def _all_sequences(network, environment, config, num_episodes):
    server, address = fill_queue(network, environment, config, num_episodes)
    try:
        count = table_stats(address)[0]
        iterator = make_builder(config).make_dataset_iterator(address)  # batch 1
        samples = [next(iterator).data for _ in range(count)]
        assert table_stats(address)[2] == 0
    finally:
        server.stop()
    return [tf.nest.map_structure(lambda x: x.numpy()[0], s) for s in samples]


def _log_prob(logits, action):
    return tf.nn.log_softmax(logits)[0, int(action)].numpy()


def test_stored_behaviour_log_probs_are_the_actors_policy_log_probs():
    tf.random.set_seed(0)
    env = make('cartpole', seed=1)
    spec = specs.make_environment_spec(env)
    network = impala.make_network(spec, hidden_sizes=(16,))
    config = impala.IMPALAConfig(sequence_length=8, batch_size=1)
    sequences = _all_sequences(network, env, config, num_episodes=3)
    checked = 0
    for data in sequences:
        observation, extras = data.observation, data.extras
        for t in range(config.sequence_length):
            if extras['mask'][t]:
                logits, _ = network(observation[t][None])
                assert extras['log_prob'][t] == pytest.approx(
                    _log_prob(logits, data.action[t]), abs=1e-5)
                checked += 1
    assert checked > 30


def test_recurrent_actor_stores_log_probs_and_core_states():
    tf.random.set_seed(0)
    env = make('cartpole', seed=2)
    spec = specs.make_environment_spec(env)
    network = impala.make_network(spec, hidden_sizes=(16,), recurrent=True,
                                  lstm_size=8)
    config = impala.IMPALAConfig(sequence_length=6, batch_size=1)
    sequences = _all_sequences(network, env, config, num_episodes=2)
    checked = 0
    for data in sequences:
        observation, action, extras = data.observation, data.action, data.extras
        state = tf.nest.map_structure(lambda s: s[0][None], extras['core_state'])
        for t in range(config.sequence_length):
            if not extras['mask'][t]:
                break
            stored = tf.nest.map_structure(lambda s: s[t], extras['core_state'])
            for got, want in zip(tf.nest.flatten(stored), tf.nest.flatten(state)):
                np.testing.assert_allclose(got, np.asarray(want)[0], atol=1e-5)
            (logits, _), state = network(observation[t][None], state)
            assert extras['log_prob'][t] == pytest.approx(
                _log_prob(logits, action[t]), abs=1e-5)
            checked += 1
    assert checked > 15


def _vtrace_targets(logits, values, data, clip_rho, lambda_):
    actions = swap(data.action)[:-1]
    behaviour = swap(data.extras['log_prob'])[:-1]
    target = tf.gather(tf.nn.log_softmax(logits[:-1]), actions, batch_dims=2)

    def targets(rewards, discounts):
        out = vtrace_lib.vtrace(behaviour, target, rewards, discounts, values[:-1],
                                values[-1], clip_rho, clip_rho, lambda_)
        return out.vs, out.pg_advantages
    return targets


@pytest.mark.parametrize('recurrent', [False, True])
def test_update_loss_equals_vtrace_loss_on_the_same_batch(recurrent):
    tf.random.set_seed(4)
    _, spec = scripted_spec()
    behaviour = impala.make_network(spec, (16,), recurrent=recurrent, lstm_size=8)
    config = impala.IMPALAConfig(sequence_length=4, batch_size=3)
    sample = one_batch(behaviour, config, (5, 3, 6), final_discount=1.0)
    data = tf.nest.map_structure(lambda x: x.numpy(), sample.data)
    # A different (target) policy learns, so the importance weights are not 1.
    network = impala.make_network(spec, (16,), recurrent=recurrent, lstm_size=8)
    observation = tf.constant(swap(data.observation))
    if recurrent:
        state = tf.nest.map_structure(lambda s: tf.constant(swap(s)[0]),
                                      data.extras['core_state'])
        network(observation[0], state)  # Builds the variables.
        (logits, values), _ = network.unroll(observation, state)
    else:
        logits, values = snt.BatchApply(network)(observation)
    logits, values = logits.numpy(), values.numpy()
    targets = _vtrace_targets(logits, values, data, 0.9, 0.7)
    expected = expected_loss(logits, values, data, 0.99, targets, 0.5, 0.02)
    result = learner_loss_after_one_step(
        impala.IMPALALearner, network, sample, discount=0.99,
        clip_rho_threshold=0.9, clip_pg_rho_threshold=0.9, lambda_=0.7,
        baseline_cost=0.5, entropy_cost=0.02)
    assert result['loss'] == pytest.approx(float(expected.loss), rel=1e-5)
    assert result['value_loss'] == pytest.approx(float(expected.value), rel=1e-5)
    assert result['policy_loss'] == pytest.approx(float(expected.policy), rel=1e-5)


@pytest.mark.parametrize('kwargs, match', [
    ({'discount': 2.0}, r'IMPALAConfig\.discount must be in \[0, 1\], got 2.0'),
    ({'lambda_': -0.1}, r'IMPALAConfig\.lambda_ must be in \[0, 1\], got -0.1'),
    ({'sequence_length': 0}, r'IMPALAConfig\.sequence_length must be an integer >= 1, got 0'),
    ({'entropy_cost': -0.5}, r'IMPALAConfig\.entropy_cost must be >= 0, got -0.5'),
    ({'learning_rate': -1.0}, r'IMPALAConfig\.learning_rate must be > 0, got -1.0'),
    ({'clip_rho_threshold': -1.0}, r'IMPALAConfig\.clip_rho_threshold must be >= 0, got -1.0'),
])
def test_bad_hyperparameters_name_the_value(kwargs, match):
    _, spec = scripted_spec()
    with pytest.raises(ValueError, match=match):
        impala.IMPALA(spec, impala.make_network(spec), checkpoint=False, **kwargs)


def test_continuous_actions_are_rejected():
    _, spec = scripted_spec()
    continuous = spec._replace(actions=specs.BoundedArray((), np.float64, 0, 1))
    with pytest.raises(ValueError, match='impala cannot act in this environment: '
                                         'it needs discrete actions'):
        impala.IMPALA(continuous, impala.make_network(spec), checkpoint=False)


def test_recurrent_learner_needs_core_states():
    _, spec = scripted_spec()
    network = impala.make_network(spec, (8,))
    config = impala.IMPALAConfig(sequence_length=2, batch_size=1)
    sample = one_batch(network, config, (3,))  # Feed-forward: no core states.
    with pytest.raises(ValueError, match="'core_state'"):
        impala.IMPALALearner(impala.make_network(spec, (8,), recurrent=True),
                             tf.data.Dataset.from_tensors(sample).repeat(),
                             checkpoint=False)


def test_recurrent_agent_acts_learns_and_evaluates_with_its_core():
    tf.random.set_seed(9)
    env, spec = scripted_spec((7, 3, 12, 5))
    agent = impala.IMPALA(spec, sequence_length=4, batch_size=3, recurrent=True,
                          lstm_size=8, hidden_sizes=(16,), checkpoint=False,
                          logger=loggers.InMemoryLogger())
    try:
        assert isinstance(agent.networks, snt.RNNCore)
        before = [v.numpy().copy() for v in agent.networks.trainable_variables]
        troupe.EnvironmentLoop(env, agent, logger=loggers.InMemoryLogger()).run(
            num_episodes=4)
        assert table_stats(agent.server_address)[0] == 8
        assert (agent.num_consumed, agent.learner.num_updates) == (6, 2)
        after = agent.networks.trainable_variables
        assert any(not np.allclose(b, a.numpy()) for b, a in zip(before, after))
        evaluation_env, _ = scripted_spec((6,))
        troupe.EnvironmentLoop(evaluation_env, agent.make_evaluation_actor(),
                               logger=loggers.InMemoryLogger()).run(num_episodes=1)
        assert len(evaluation_env.actions) == 6
        assert table_stats(agent.server_address)[0] == 8  # Evaluation writes nothing.
    finally:
        agent.close()


def test_impala_learns_cartpole_far_beyond_a_random_policy():
    # A random policy averages about 22 on CartPole-v1.
    final, agent = mean_final_return(
        lambda spec: impala.IMPALA(spec, impala.make_network(spec),
                                   checkpoint=False, logger=loggers.InMemoryLogger()),
        num_steps=15_000)
    assert agent.learner.num_updates > 300
    assert final > 60, final
