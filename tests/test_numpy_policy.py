"""The numpy inference path of FeedForwardActor: equal to the TF policy on
random inputs, chosen automatically, refreshed when the weights change, and
TF kept for what it cannot run."""

import numpy as np
import pytest
import reverb
import sonnet as snt
import tensorflow as tf
from dm_env import specs as dm_specs

import troupe
from troupe import environments, errors
from troupe.agents import ddpg, dqn
from troupe.agents.actor_critic import networks as ac_networks
from troupe.components import actors, networks, schedules
from troupe.components.actors import numpy_policy
from troupe.components.variables import VariableClient, ModuleVariableSource

CARTPOLE = troupe.make_environment_spec(environments.make('cartpole'))
BOUNDED = dm_specs.BoundedArray((2,), np.float32, [-2., -1.], [2., 3.])


def _created(module, observation_size, rows=3):
    module(tf.zeros([rows, observation_size]))
    return module


def _q_networks():
    return {
        'mlp': dqn.make_mlp_network(CARTPOLE, (32, 16)),
        'duelling': dqn.make_mlp_network(CARTPOLE, (32,), dueling=True),
        'layer_norm_mlp': snt.Sequential([networks.LayerNormMLP((16, 8)),
                                          snt.Linear(2)]),
        'mlp_tanh_activate_final': snt.nets.MLP([8, 2], activation=tf.nn.tanh,
                                                activate_final=True),
    }


@pytest.mark.parametrize('name', sorted(_q_networks()))
def test_numpy_copy_equals_tf_on_random_inputs(name):
    tf.random.set_seed(1)
    network = _created(_q_networks()[name], 4)
    copy = numpy_policy.NumpyPolicy(network)
    inputs = np.random.default_rng(0).normal(size=(64, 4)).astype(np.float32) * 3
    np.testing.assert_allclose(copy(inputs), network(inputs).numpy(), atol=1e-5)
    assert copy.macs_per_row > 0 and not copy.stochastic


def test_deterministic_actor_critic_policies_equal_tf():
    tf.random.set_seed(2)
    nets = ddpg.make_networks(troupe.specs.EnvironmentSpec(
        observations=dm_specs.Array((5,), np.float32), actions=BOUNDED,
        rewards=dm_specs.Array((), np.float32),
        discounts=dm_specs.BoundedArray((), np.float32, 0., 1.)), (16,), (16,))
    greedy = ac_networks.make_greedy_network(nets.policy, nets.observation)
    _created(greedy, 5)
    inputs = np.random.default_rng(1).normal(size=(32, 5)).astype(np.float32)
    expected = greedy(inputs).numpy()
    np.testing.assert_allclose(numpy_policy.NumpyPolicy(greedy)(inputs), expected,
                               atol=1e-5)
    # The behaviour policy: the same actions plus clipped noise, within bounds.
    behaviour = ac_networks.make_behavior_network(nets.policy, BOUNDED, 0.3,
                                                  nets.observation)
    noisy = numpy_policy.NumpyPolicy(behaviour, np.random.default_rng(0))
    assert noisy.stochastic
    actions = noisy(inputs)
    assert actions.shape == expected.shape and actions.dtype == np.float32
    assert np.all(actions >= BOUNDED.minimum) and np.all(actions <= BOUNDED.maximum)
    assert 0.01 < np.abs(actions - expected).mean() < 1.0


def test_epsilon_greedy_draws_follow_epsilon():
    network = _created(dqn.make_mlp_network(CARTPOLE, (8,)), 4)
    epsilon = tf.Variable(0.0)
    policy = networks.EpsilonGreedyPolicy(network, epsilon, CARTPOLE.actions)
    copy = numpy_policy.NumpyPolicy(policy, np.random.default_rng(0))
    inputs = np.random.default_rng(2).normal(size=(4000, 4)).astype(np.float32)
    greedy = network(inputs).numpy().argmax(-1)
    actions = copy(inputs)
    assert actions.dtype == CARTPOLE.actions.dtype
    np.testing.assert_array_equal(actions, greedy)
    epsilon.assign(1.0)
    copy.refresh([epsilon])
    # Uniform: half the actions are the greedy one (±4 standard deviations).
    assert abs(np.mean(copy(inputs) == greedy) - 0.5) < 0.032


def _greedy_actor(variable_client=None, network=None, **kwargs):
    network = network or _created(dqn.make_mlp_network(CARTPOLE, (16, 16)), 4)
    policy = networks.GreedyPolicy(network, CARTPOLE.actions)
    return actors.FeedForwardActor(policy, variable_client=variable_client,
                                   **kwargs), network


@pytest.mark.parametrize('batched', [False, True])
def test_actor_chooses_numpy_and_acts_as_tf_does(batched):
    tf.random.set_seed(3)
    actor, network = _greedy_actor(batched=batched)
    actor.weights_change_on_update()
    reference, _ = _greedy_actor(network=network, batched=batched,
                                 inference='tensorflow')
    rng = np.random.default_rng(3)
    for _ in range(50):
        observation = rng.normal(size=(8, 4) if batched else (4,)).astype(np.float32)
        action = actor.select_action(observation)
        expected = reference.select_action(observation)
        assert action.shape == expected.shape and action.dtype == expected.dtype
        np.testing.assert_array_equal(action, expected)
    assert actor.inference == 'numpy' and reference.inference == 'tensorflow'


def test_an_actor_sharing_networks_undeclared_stays_in_tf_and_sees_changes():
    # E.g. an evaluation actor held across training: nobody tells it when the
    # learner changes the weights, so it must read the live variables.
    actor, network = _greedy_actor()
    observation = np.ones(4, np.float32)
    bias = [v for v in network.trainable_variables if 'b:' in v.name][-1]
    for wanted in (0, 1):
        bias.assign(np.array([0., 10.] if wanted else [10., 0.], np.float32))
        assert actor.select_action(observation) == wanted
    assert actor.inference == 'tensorflow'


def test_shared_weights_are_reread_on_update():
    actor, network = _greedy_actor()
    actor.weights_change_on_update()  # As LocalAgent declares for its actor.
    observation = np.ones(4, np.float32)
    actor.select_action(observation)
    assert actor.inference == 'numpy'
    bias = [v for v in network.trainable_variables if 'b:' in v.name][-1]
    for wanted in (0, 1, 0):
        bias.assign(np.array([10., 0.] if wanted == 0 else [0., 10.], np.float32))
        actor.update()  # A learner step in the same process ends with this.
        assert actor.select_action(observation) == wanted


def test_client_copies_are_reread_when_the_client_copied():
    tf.random.set_seed(4)
    source = _created(dqn.make_mlp_network(CARTPOLE, (16,)), 4)
    local = _created(dqn.make_mlp_network(CARTPOLE, (16,)), 4)
    client = VariableClient(ModuleVariableSource({'network':
                                                  source.trainable_variables}),
                            {'network': local.trainable_variables})
    actor, _ = _greedy_actor(variable_client=client, network=local)
    observation = np.ones(4, np.float32)
    actor.select_action(observation)
    bias = [v for v in source.trainable_variables if 'b:' in v.name][-1]
    previous = None
    for wanted in (0, 1, 0):
        bias.assign(np.array([0., 10.] if wanted else [10., 0.], np.float32))
        if previous is not None:  # Not copied yet: the actor keeps its weights.
            assert actor.select_action(observation) == previous
        actor.update(wait=True)
        assert actor.select_action(observation) == wanted
        previous = wanted
    assert client.version == 3


def test_scheduled_epsilon_reaches_the_numpy_policy():
    network = _created(dqn.make_mlp_network(CARTPOLE, (8,)), 4)
    epsilon = tf.Variable(0.0)
    policy = networks.EpsilonGreedyPolicy(network, epsilon, CARTPOLE.actions)
    inner = actors.FeedForwardActor(policy, batched=True)
    inner.weights_change_on_update()
    actor = actors.ScheduledActor(inner, epsilon, schedules.LinearSchedule(0.0, 1.0, 10),
                                  update_period=10)
    environment = environments.BatchedEnvironment('cartpole', 64, seed=0)
    timestep = environment.reset()
    actor.observe_first(timestep)
    inputs = np.random.default_rng(5).normal(size=(64, 4)).astype(np.float32)
    greedy = network(inputs).numpy().argmax(-1)
    np.testing.assert_array_equal(actor.select_action(inputs), greedy)
    actor.observe(np.zeros(64, np.int64), environment.step(np.zeros(64, np.int64)))
    assert float(epsilon.numpy()) == 1.0  # 64 steps past the 10-step schedule.
    assert inner.inference == 'numpy'
    shares = [np.mean(actor.select_action(inputs) == greedy) for _ in range(40)]
    assert 0.4 < np.mean(shares) < 0.6


class _Doubler(snt.Module):
    def __init__(self):
        super().__init__(name='doubler')

    def __call__(self, x):
        return tf.cast(tf.argmax(2. * x, axis=-1), tf.int64)


def test_unsupported_modules_keep_tf_and_numpy_mode_names_them():
    actor = actors.FeedForwardActor(_Doubler())
    actor.weights_change_on_update()
    assert actor.select_action(np.array([0., 1.], np.float32)) == 1
    assert actor.inference == 'tensorflow'
    insisting = actors.FeedForwardActor(_Doubler(), inference='numpy')
    with pytest.raises(errors.InvalidInput, match=r"_Doubler .*no numpy translation"):
        insisting.select_action(np.array([0., 1.], np.float32))


def test_large_batches_stay_in_tf_under_auto():
    network = _created(snt.nets.MLP([512, 512, 2]), 4)
    actor = actors.FeedForwardActor(networks.GreedyPolicy(network, CARTPOLE.actions),
                                    batched=True)
    actor.weights_change_on_update()
    actor.select_action(np.zeros((64, 4), np.float32))  # 64 · 264k MACs > 4M.
    assert actor.inference == 'tensorflow'


def test_bad_inference_mode_is_named():
    with pytest.raises(errors.InvalidInput, match=r"inference must be one of .*'fast'"):
        actors.FeedForwardActor(_Doubler(), inference='fast')


def test_dqn_agent_acts_in_numpy_and_writes_to_replay():
    spec = CARTPOLE
    with dqn.DQN(spec, checkpoint=False, min_replay_size=10, batch_size=8,
                 samples_per_insert=8.0) as agent:
        loop = troupe.EnvironmentLoop(environments.make('cartpole', seed=0), agent,
                                      logger=troupe.components.loggers.NoOpLogger())
        loop.run(num_steps=200)
        inner = agent._actor._actor if hasattr(agent._actor, '_actor') else agent._actor
        assert inner.inference == 'numpy'
        assert agent.learner.num_updates > 0
        size = reverb.Client(agent.server_address).server_info()[
            agent.config.replay_table_name].current_size
        assert size >= 200
