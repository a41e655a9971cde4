"""NFQ: the exact update, the config and builder, bad input, and reaching the
goal of the simple grid."""

import numpy as np
import pytest
import reverb
import sonnet as snt
import tensorflow as tf

import troupe
from troupe import environments, types
from troupe.agents import local, nfq
from troupe.components import adders, loggers, networks
from troupe.environments import ObservationType


class _FixedInit(snt.initializers.Initializer):
    def __init__(self, value):
        self._value = np.array(value, np.float32)

    def __call__(self, shape, dtype):
        return tf.constant(self._value, dtype)


def _dataset():
    info = reverb.SampleInfo(
        key=tf.constant(np.arange(2, dtype=np.uint64)),
        probability=tf.constant([0.5, 0.5], tf.float64),
        table_size=tf.constant([2, 2], tf.int64), priority=tf.ones([2], tf.float64),
        times_sampled=tf.ones([2], tf.int32))
    data = types.Transition(
        observation=tf.constant([[1.], [2.]]), action=tf.constant([0, 1], tf.int64),
        reward=tf.constant([1., 0.]), discount=tf.constant([1., 0.]),
        next_observation=tf.constant([[1.], [1.]]), extras=())
    return tf.data.Dataset.from_tensors(reverb.ReplaySample(info, data)).repeat()


def test_one_update_matches_hand_computation():
    # W = [1, 2]: Q(s, a) = [1, 4]; next state 1 has max Q = 2.
    # Targets (g = 0.5): 1 + 0.5 * 2 = 2 and 0; TD errors [1, -4].
    # Loss = mean(td^2 / 2) = (0.5 + 8) / 2 = 4.25; dL/dW = [-1 / 2, 4 * 2 / 2].
    # SGD(0.1): W = [1 + 0.05, 2 - 0.4].
    network = snt.Linear(2, with_bias=False, w_init=_FixedInit([[1., 2.]]))
    log = loggers.InMemoryLogger()
    learner = nfq.NFQLearner(network, _dataset(), discount=0.5,
                             optimizer=snt.optimizers.SGD(0.1), logger=log)
    learner.step()
    assert log.data[-1]['loss'] == pytest.approx(4.25)
    np.testing.assert_allclose(network.w.numpy(), [[1.05, 1.6]], rtol=1e-6)
    assert learner.num_updates == 1 and learner.device == '/CPU:0'
    assert set(learner.state) == {'network', 'optimizer', 'num_steps', 'counter'}
    np.testing.assert_allclose(learner.get_variables(['network'])[0][0],
                               [[1.05, 1.6]], rtol=1e-6)


def test_several_updates_per_call():
    # Two SGD(0.1) steps on the same batch: after the first W = [1.05, 1.6]
    # (above); then Q(s, a) = [1.05, 3.2], next max Q = 1.6, targets [1.8, 0],
    # TD errors [0.75, -3.2], dL/dW = [-0.75 / 2, 3.2 * 2 / 2] = [-0.375, 3.2],
    # W = [1.05 + 0.0375, 1.6 - 0.32].
    network = snt.Linear(2, with_bias=False, w_init=_FixedInit([[1., 2.]]))
    log = loggers.InMemoryLogger()
    learner = nfq.NFQLearner(network, _dataset(), discount=0.5,
                             optimizer=snt.optimizers.SGD(0.1), logger=log,
                             updates_per_call=2)
    learner.step()
    np.testing.assert_allclose(network.w.numpy(), [[1.0875, 1.28]], rtol=1e-5)
    assert learner.num_updates == 2 and log.data[-1]['steps'] == 2


def _grid(seed):
    return environments.make('gridworld/simple',
                             observation_type=ObservationType.AGENT_GOAL_POS, seed=seed)


def test_greedy_policy_reaches_the_goal_after_training():
    tf.random.set_seed(0)
    env = _grid(0)
    spec = troupe.make_environment_spec(env)
    network = snt.nets.MLP([50, 50, spec.actions.num_values])
    agent = nfq.NFQ(spec, network, logger=loggers.NoOpLogger())
    loop = troupe.EnvironmentLoop(env, agent, logger=loggers.NoOpLogger())
    evaluator = troupe.EnvironmentLoop(
        _grid(1), agent.make_evaluation_actor(), should_update=False,
        logger=loggers.NoOpLogger())
    # The goal pays +10 and ends the episode; an untrained (or broken) greedy
    # policy bumps into walls until the 200-step limit. Replay sampling is not
    # seeded, so training runs until the greedy policy succeeds (usually within
    # 30-60 episodes), up to 150.
    result = None
    try:
        for _ in range(15):
            loop.run(num_episodes=10)
            result = evaluator.run_episode()
            if result['episode_return'] == 10.0:
                break
    finally:
        agent.close()
    assert result['episode_return'] == 10.0
    assert result['episode_length'] < 20


def test_local_agent_with_default_network_beats_random():
    """The generic runner on the builder's default network (seeded by the config):
    within 60 episodes the greedy policy reaches the goal, which a random or
    broken one (bumping into walls until the 200-step limit) does not."""
    env = _grid(0)
    spec = troupe.make_environment_spec(env)
    agent = local.LocalAgent(nfq.NFQBuilder(nfq.NFQConfig(hidden_sizes=(50, 50),
                                                          seed=0)),
                             spec, logger=loggers.NoOpLogger())
    loop = troupe.EnvironmentLoop(env, agent, logger=loggers.NoOpLogger())
    evaluator = troupe.EnvironmentLoop(_grid(1), agent.make_evaluation_actor(),
                                       should_update=False, logger=loggers.NoOpLogger())
    result = None
    try:
        for _ in range(6):
            loop.run(num_episodes=10)
            result = evaluator.run_episode()
            if result['episode_return'] == 10.0:
                break
    finally:
        agent.close()
    assert result['episode_return'] == 10.0
    assert result['episode_length'] < 20


def test_config_defaults_and_schedule():
    config = nfq.NFQConfig()
    assert (config.batch_size, config.learning_rate, config.epsilon, config.discount,
            config.min_replay_size, config.max_replay_size, config.prefetch_size,
            config.n_step, config.observations_per_step, config.hidden_sizes) == (
                32, 1e-3, 0.1, 0.99, 100, 100_000, 2, 1, 1.0, (64, 64))
    builder = nfq.NFQBuilder(nfq.NFQConfig(batch_size=16, min_replay_size=10,
                                           observations_per_step=0.25))
    assert builder.min_observations() == 16
    assert builder.observations_per_step() == 0.25
    # In a distributed table, 16 samples per 0.25 inserts.
    assert builder.config.replay_samples_per_insert == 64.0


def test_positional_hyperparameters_in_the_tutorial_order():
    spec = troupe.make_environment_spec(_grid(0))
    agent = nfq.NFQ(spec, None, 16, 1e-2, 0.3, 0.9, 20, 500, 2.0, 1,
                    logger=loggers.NoOpLogger())
    try:
        config = agent.config
        assert (config.batch_size, config.learning_rate, config.epsilon,
                config.discount, config.min_replay_size, config.max_replay_size,
                config.observations_per_step, config.prefetch_size) == (
                    16, 1e-2, 0.3, 0.9, 20, 500, 2.0, 1)
        assert agent.epsilon == pytest.approx(0.3)
        assert agent.builder.min_observations() == 20
        assert agent.builder.observations_per_step() == 2.0
    finally:
        agent.close()


def test_builder_parts(reverb_server_factory):
    spec = troupe.make_environment_spec(_grid(0))
    builder = nfq.NFQBuilder(nfq.NFQConfig(min_replay_size=50, max_replay_size=200,
                                           epsilon=0.25, hidden_sizes=(8,)))
    assert builder.name == 'nfq' and builder.actions == 'discrete'
    assert builder.exploration_field == 'epsilon' and builder.batched_acting
    (table,) = builder.make_replay_tables(spec)
    info = table.info
    assert info.name == adders.DEFAULT_PRIORITY_TABLE and info.max_size == 200
    assert info.sampler_options.uniform and info.remover_options.fifo
    assert info.rate_limiter_info.min_size_to_sample == 1
    assert info.signature == adders.NStepTransitionAdder.signature(spec)
    (distributed,) = builder.make_replay_tables(spec, distributed=True)
    limiter = distributed.info.rate_limiter_info
    assert limiter.min_size_to_sample == 50 and limiter.samples_per_insert == 32.0

    network = builder.make_networks(spec)
    observation = tf.constant([[1., 2., 3., 4.]])  # AGENT_GOAL_POS: 4 numbers.
    q_values = network(observation)
    assert q_values.shape == (1, 4)
    assert sorted(tuple(v.shape) for v in network.trainable_variables) == [
        (4,), (4, 8), (8,), (8, 4)]
    policy = builder.make_policy(network, spec)
    assert isinstance(policy, networks.EpsilonGreedyPolicy)
    assert float(policy.epsilon.numpy()) == 0.25
    greedy = builder.make_policy(network, spec, evaluation=True)
    assert isinstance(greedy, networks.GreedyPolicy)
    assert int(greedy(observation).numpy()[0]) == int(np.argmax(q_values.numpy()))

    server = reverb_server_factory(builder.make_replay_tables(spec))
    adder = builder.make_adder(reverb.Client(f'localhost:{server.port}'))
    assert isinstance(adder, adders.NStepTransitionAdder) and adder.n_step == 1


class _RecordingServer(reverb.Server):
    """A real Reverb server that remembers the ports of those started."""
    ports = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.ports.append(self.port)


def test_failed_construction_stops_the_server(monkeypatch):
    spec = troupe.make_environment_spec(_grid(0))
    _RecordingServer.ports = []
    monkeypatch.setattr(local.reverb, 'Server', _RecordingServer)
    # A convolution cannot take [B, 4] observations: the learner's variable
    # creation fails after the server started.
    with pytest.raises(ValueError, match='must have rank 4'):
        nfq.NFQ(spec, snt.Conv2D(4, 3), logger=loggers.NoOpLogger())
    (port,) = _RecordingServer.ports
    with pytest.raises(Exception):  # Nothing listens on the port any more.
        reverb.Client(f'localhost:{port}').server_info(timeout=1)


@pytest.mark.parametrize('kwargs, message', [
    (dict(epsilon=-0.5), r'^NFQConfig.epsilon must be in \[0, 1\], got -0.5'),
    (dict(batch_size=0), r'^NFQConfig.batch_size must be an integer >= 1, got 0'),
    (dict(discount=2.0), r'^NFQConfig.discount must be in \[0, 1\], got 2.0'),
    (dict(learning_rate=0), r'^NFQConfig.learning_rate must be > 0, got 0.0'),
    (dict(observations_per_step=-1.0),
     r'^NFQConfig.observations_per_step must be > 0, got -1.0'),
    (dict(min_replay_size=0), r'^NFQConfig.min_replay_size must be an integer >= 1'),
    (dict(min_replay_size=10, max_replay_size=5),
     r'^NFQConfig.max_replay_size must be >= min_replay_size \(10\), got 5'),
    (dict(hidden_sizes=(8, -1)),
     r'^NFQConfig.hidden_sizes entry must be an integer >= 1, got -1'),
])
def test_bad_hyperparameters_are_named(kwargs, message):
    spec = troupe.make_environment_spec(_grid(0))
    with pytest.raises(ValueError, match=message):
        nfq.NFQ(spec, snt.nets.MLP([4]), **kwargs)


def test_continuous_actions_are_rejected():
    spec = troupe.make_environment_spec(environments.make('pendulum', seed=0))
    with pytest.raises(ValueError, match=r'nfq cannot act in this environment: it '
                       r'needs discrete actions, and this environment has continuous '
                       r'actions'):
        nfq.NFQ(spec, snt.nets.MLP([4]))
    with pytest.raises(ValueError, match=r'nfq cannot act'):
        nfq.make_network(spec)
