"""DQN: the learner's exact update, target updates, priorities, the agent's
schedule, the ε schedule, placement, bad input, and learning on Catch."""

import dm_env
import numpy as np
import pytest
import reverb
import sonnet as snt
import tensorflow as tf
from dm_env import specs as dm_specs

from tests.learner_helpers import constant_transition_batches, fixed_linear
import troupe
from troupe import environments
from troupe.agents import dqn
from troupe.components import actors, loggers, replay


def _learner(dataset, network=None, target=None, **kwargs):
    kwargs.setdefault('learning_rate', 0.1)
    kwargs.setdefault('target_update_period', 100)
    return dqn.DQNLearner(
        network or fixed_linear([[1., 2.]]), target or fixed_linear([[1., 2.]]),
        discount=kwargs.pop('discount', 0.5),
        importance_sampling_exponent=kwargs.pop('importance_sampling_exponent', 1.0),
        dataset=dataset, huber_loss_parameter=kwargs.pop('huber_loss_parameter', 10.),
        checkpoint=False, logger=kwargs.pop('logger', loggers.InMemoryLogger()),
        optimizer=kwargs.pop('optimizer', snt.optimizers.SGD(0.1)), **kwargs)


HAND_BATCH = dict(observation=[[1.], [2.]], action=[0, 1], reward=[1., 0.],
                  discount=[1., 0.], next_observation=[[1.], [1.]],
                  probability=[0.5, 0.25])


@pytest.mark.parametrize('jit_compile', [True, False])
def test_one_update_matches_hand_computation(jit_compile):
    # W = [1, 2]: Q(s=1) = [1, 2], Q(s=2) = [2, 4]; Q(s, a) = [1, 4].
    # Next state 1: online picks action 1, target values it 2.
    # Targets (g = 0.5): 1 + 0.5 * 1 * 2 = 2 and 0; TD errors [1, -4].
    # IS weights (beta 1): (1/p) / max = [2, 4] / 4 = [0.5, 1].
    # Loss = mean(w * td^2 / 2) = (0.25 + 8) / 2 = 4.125.
    # dL/dQ(s, a) = -w * td / B = [-0.25, 2]; dL/dW = [-0.25 * 1, 2 * 2].
    # SGD(0.1): W = [1, 2] - 0.1 * [-0.25, 4] = [1.025, 1.6].
    network = fixed_linear([[1., 2.]])
    log = loggers.InMemoryLogger()
    learner = _learner(constant_transition_batches(**HAND_BATCH), network=network, logger=log,
                       jit_compile=jit_compile)
    learner.step()
    np.testing.assert_allclose(network.w.numpy(), [[1.025, 1.6]], rtol=1e-6)
    assert log.data[-1]['loss'] == pytest.approx(4.125)
    assert log.data[-1]['steps'] == 1
    np.testing.assert_allclose(learner.get_variables(['network'])[0][0],
                               [[1.025, 1.6]], rtol=1e-6)


def test_reward_clipping_and_gradient_clipping():
    # Reward 1 clipped to 0.5: targets [1.5, 0], TD [0.5, -4].
    # Gradient [-0.5 * 0.5 / 2, 2 * 2] = [-0.125, 4], norm ~4.00195; clipped to 1.
    network = fixed_linear([[1., 2.]])
    learner = _learner(constant_transition_batches(**HAND_BATCH), network=network, reward_clip=0.5,
                       max_gradient_norm=1.0)
    learner.step()
    gradient = np.array([-0.125, 4.])
    expected = np.array([1., 2.]) - 0.1 * gradient / np.linalg.norm(gradient)
    np.testing.assert_allclose(network.w.numpy()[0], expected, rtol=1e-5)


def test_periodic_target_update_copies_every_period():
    network, target = fixed_linear([[1., 2.]]), fixed_linear([[0., 0.]])
    learner = _learner(constant_transition_batches(**HAND_BATCH), network=network, target=target,
                       target_update_period=3)
    # Construction copies the online weights into the target.
    np.testing.assert_allclose(target.w.numpy(), [[1., 2.]])
    history = []
    for _ in range(5):
        learner.step()
        history.append(np.array_equal(target.w.numpy(), network.w.numpy()))
    # Copies after updates 1 and 4 (update counter 0 and 3).
    assert history == [True, False, False, True, False]
    assert learner.num_updates == 5


def test_polyak_target_update():
    network, target = fixed_linear([[1., 2.]]), fixed_linear([[0., 0.]])
    learner = _learner(constant_transition_batches(**HAND_BATCH), network=network, target=target,
                       target_update_rate=0.25)
    learner.step()
    # Target starts at [1, 2] (copied), online becomes [1.025, 1.6].
    np.testing.assert_allclose(target.w.numpy(),
                               [[0.25 * 1.025 + 0.75, 0.25 * 1.6 + 1.5]], rtol=1e-6)


def test_several_updates_per_call_count_as_steps():
    log = loggers.InMemoryLogger()
    learner = _learner(constant_transition_batches(**HAND_BATCH), logger=log, updates_per_call=3)
    learner.step()
    assert learner.num_updates == 3
    assert log.data[-1]['steps'] == 3


class _OneStepEnvironment(dm_env.Environment):
    """Episodes of one step with reward = observation, for priority tests."""

    def __init__(self):
        self._value = 0.

    def reset(self):
        self._value = self._value % 4 + 1.
        return dm_env.restart(np.array([self._value], np.float32))

    def step(self, action):
        return dm_env.termination(np.float32(self._value),
                                  np.array([0.], np.float32))

    def observation_spec(self):
        return dm_specs.Array((1,), np.float32)

    def action_spec(self):
        return dm_specs.DiscreteArray(2)


def _batches(count):
    """A dataset cycling through `count` different batches of two transitions."""
    rng = np.random.default_rng(0)
    batches = []
    for _ in range(count):
        observation = rng.normal(size=(2, 1)).astype(np.float32)
        batches.append(dict(observation=observation, action=rng.integers(2, size=2),
                            reward=rng.normal(size=2), discount=[1., 0.5],
                            next_observation=rng.normal(size=(2, 1)),
                            probability=[0.5, 0.25]))
    datasets = [constant_transition_batches(**b).take(1) for b in batches]
    dataset = datasets[0]
    for more in datasets[1:]:
        dataset = dataset.concatenate(more)
    return dataset.repeat()


@pytest.mark.parametrize('jit_compile', [True, False])
def test_fused_updates_equal_as_many_single_updates(jit_compile):
    """One call of 4 fused updates leaves the networks exactly where 4 calls of
    one update on the same batches do (target copies every 2 updates included)."""
    fused = _learner(_batches(4), updates_per_call=4, target_update_period=2,
                     jit_compile=jit_compile)
    single = _learner(_batches(4), updates_per_call=1, target_update_period=2,
                      jit_compile=jit_compile)
    fused.step()
    for _ in range(4):
        single.step()
    assert fused.num_updates == single.num_updates == 4
    for a, b in zip(fused._network.variables + fused._target_network.variables,
                    single._network.variables + single._target_network.variables):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6, atol=1e-6)
    # And the updates did move the weights (from [[1, 2]]).
    assert not np.allclose(fused._network.variables[0].numpy(), [[1., 2.]])


@pytest.mark.parametrize('client_kind,updates_per_call',
                         [('tf', 1), ('python', 1), ('tf', 3)])
def test_priorities_are_written_back(reverb_server_factory, client_kind,
                                     updates_per_call):
    # Zero weights that stay zero (SGD at rate 0): Q = 0 everywhere, discount 0,
    # so every update's TD error is its reward, 1..4; with 3 updates per call
    # the three batches' priorities are written in one request after them.
    env = _OneStepEnvironment()
    spec = troupe.make_environment_spec(env)
    config = dqn.DQNConfig(n_step=1, batch_size=8, min_replay_size=1)
    builder = dqn.DQNBuilder(config)
    server = reverb_server_factory(builder.make_replay_tables(spec))
    address = f'localhost:{server.port}'
    adder = builder.make_adder(reverb.Client(address))
    loop = troupe.EnvironmentLoop(env, actors.RandomActor(spec.actions, adder, seed=0),
                                  logger=loggers.InMemoryLogger())
    loop.run(num_episodes=4)
    adder.flush()
    client = (reverb.TFClient(address) if client_kind == 'tf'
              else reverb.Client(address))
    learner = _learner(builder.make_dataset_iterator(address),
                       network=fixed_linear([[0., 0.]]), target=fixed_linear([[0., 0.]]),
                       replay_client=client, optimizer=snt.optimizers.SGD(0.0),
                       updates_per_call=updates_per_call)
    learner.step()
    info = reverb.Client(address).server_info()[config.replay_table_name]
    assert info.current_size == 4
    samples = replay.make_reverb_dataset(address, table=config.replay_table_name,
                                         num_parallel_calls=1).take(64)
    updated = {}
    for sample in samples:
        priority = float(sample.info.priority)
        reward = float(sample.data.reward)
        if priority != 1.0:
            updated[reward] = priority
    assert updated, 'no priority was updated'
    for reward, priority in updated.items():
        assert priority == pytest.approx(abs(reward))


def test_linear_epsilon_schedule():
    schedule = dqn.LinearEpsilon(start=1.0, end=0.1, decay_steps=100)
    assert [schedule(t) for t in (0, 50, 100, 1000)] == pytest.approx([1.0, 0.55, 0.1, 0.1])
    with pytest.raises(ValueError,
                       match=r'DQNConfig.epsilon end must be in \[0, 1\], got -0.1'):
        dqn.DQNConfig(epsilon=dqn.LinearEpsilon(1.0, -0.1, 10))
    # A JSON schedule [start, end, steps] becomes a LinearEpsilon.
    assert dqn.DQNConfig(epsilon=[1.0, 0.1, 100]).epsilon == schedule


def _catch_agent(seed=0, **kwargs):
    tf.random.set_seed(seed)
    env = environments.make('catch', seed=seed)
    spec = troupe.make_environment_spec(env)
    network = kwargs.pop('network', None) or dqn.make_mlp_network(spec, (64, 64))
    agent = dqn.DQN(spec, network, checkpoint=False, logger=loggers.NoOpLogger(),
                    **kwargs)
    return env, spec, agent


def test_agent_schedule_and_epsilon_annealing():
    env, _, agent = _catch_agent(batch_size=16, samples_per_insert=4.0,
                                 min_replay_size=50,
                                 epsilon=dqn.LinearEpsilon(1.0, 0.0, 100),
                                 epsilon_update_period=10)
    try:
        assert agent.epsilon == 1.0
        loop = troupe.EnvironmentLoop(env, agent, logger=loggers.InMemoryLogger())
        loop.run(num_episodes=8)  # 72 observations.
        # Learning from observation 50, one update every 16 / 4 = 4: 50, 54, ..., 70.
        assert agent.num_observations == 72
        assert agent.learner.num_updates == 6
        assert agent.epsilon == pytest.approx(1.0 - 70 / 100)
    finally:
        agent.close()


def test_dqn_learns_catch_far_better_than_random():
    env, _, agent = _catch_agent(
        seed=0, batch_size=64, samples_per_insert=16.0, min_replay_size=200,
        n_step=1, epsilon=dqn.LinearEpsilon(1.0, 0.0, 1000), target_update_period=50)
    try:
        log = loggers.InMemoryLogger()
        troupe.EnvironmentLoop(env, agent, logger=log).run(num_episodes=300)
        returns = [row['episode_return'] for row in log.data]
        # A random paddle catches about one ball in five: mean return ~ -0.6.
        assert np.mean(returns[-50:]) >= 0.2, np.mean(returns[-50:])
    finally:
        agent.close()


def test_learner_runs_on_the_requested_device():
    network = fixed_linear([[1., 2.]])
    learner = _learner(constant_transition_batches(**HAND_BATCH), network=network, device='/CPU:1',
                       optimizer=None)  # The learner's own Adam.
    learner.step()
    variables = network.variables + tuple(learner._optimizer.variables)
    assert len(variables) == 4  # w, Adam's step, m and v.
    assert all(v.device.endswith('CPU:1') for v in variables), [v.device for v in variables]
    assert learner.device == '/CPU:1'


@pytest.mark.parametrize('kwargs, message', [
    (dict(epsilon=1.5), r'epsilon must be in \[0, 1\], got 1.5'),
    (dict(n_step=0), r'n_step must be an integer >= 1, got 0'),
    (dict(batch_size=0), r'batch_size must be an integer >= 1, got 0'),
    (dict(discount=1.2), r'discount must be in \[0, 1\], got 1.2'),
    (dict(importance_sampling_exponent=-0.1),
     r'importance_sampling_exponent must be in \[0, 1\], got -0.1'),
    (dict(samples_per_insert=0.), r'samples_per_insert must be > 0, got 0.0'),
    (dict(learning_rate=-1.), r'learning_rate must be > 0, got -1.0'),
])
def test_bad_hyperparameters_are_named(kwargs, message):
    env = environments.make('catch', seed=0)
    spec = troupe.make_environment_spec(env)
    with pytest.raises(ValueError, match=message):
        dqn.DQN(spec, dqn.make_mlp_network(spec), checkpoint=False, **kwargs)


def test_continuous_actions_are_rejected():
    env = environments.make('pendulum', seed=0)
    spec = troupe.make_environment_spec(env)
    with pytest.raises(ValueError, match=r'dqn cannot act in this environment: it '
                       r'needs discrete actions, and this environment has continuous actions'):
        dqn.DQN(spec, snt.nets.MLP([8, 1]), checkpoint=False)


def test_learner_checkpoint_restores_its_state(tmp_path):
    kwargs = dict(checkpoint=True, directory=str(tmp_path))
    network = fixed_linear([[1., 2.]])
    learner = dqn.DQNLearner(network, fixed_linear([[1., 2.]]), 0.5, 1.0, 0.1, 100,
                             constant_transition_batches(**HAND_BATCH), logger=loggers.InMemoryLogger(),
                             **kwargs)
    learner.step()
    learner._recorder.checkpointer.save(force=True)
    # add_uid puts a run id in the path, shared within the process.
    restored_network = fixed_linear([[0., 0.]])
    restored = dqn.DQNLearner(restored_network, fixed_linear([[0., 0.]]), 0.5, 1.0, 0.1,
                              100, constant_transition_batches(**HAND_BATCH),
                              logger=loggers.InMemoryLogger(), **kwargs)
    assert restored.num_updates == 1
    np.testing.assert_allclose(restored_network.w.numpy(), network.w.numpy())
