"""SAC: the tanh-Gaussian log-density, the temperature, the target critics, input
checks and a short Pendulum run that a broken learner cannot pass."""

import numpy as np
import pytest
import reverb
import tensorflow as tf
import tensorflow_probability as tfp
from dm_env import specs as dm_specs

from troupe import EnvironmentLoop, environments, specs
from troupe.agents import local, sac
from troupe.components import adders, loggers, networks

tfd = tfp.distributions


def _pendulum_spec():
    return specs.make_environment_spec(environments.make('pendulum', seed=0))


def test_tanh_gaussian_log_prob_matches_numpy():
    action_spec = dm_specs.BoundedArray((2,), np.float32, [-2.0, -1.0], [2.0, 3.0])
    tf.random.set_seed(3)
    policy = sac.make_policy_network(action_spec, hidden_sizes=(8,))
    observation = tf.constant([[0.3, -1.2, 0.7], [1.5, 0.2, -0.4]], tf.float32)
    distribution = policy(observation)
    actions, log_prob = distribution.experimental_sample_and_log_prob(
        seed=tf.constant([4, 5]))
    mean = distribution.distribution.mean().numpy().astype(np.float64)
    std = distribution.distribution.stddev().numpy().astype(np.float64)

    low, high = np.array([-2.0, -1.0]), np.array([2.0, 3.0])
    half, center = (high - low) / 2, (high + low) / 2
    a = actions.numpy().astype(np.float64)
    assert np.all(a > low) and np.all(a < high)
    u = np.arctanh((a - center) / half)
    expected = np.sum(-0.5 * ((u - mean) / std) ** 2 - np.log(std)
                      - 0.5 * np.log(2 * np.pi) - np.log(1 - np.tanh(u) ** 2)
                      - np.log(half), axis=-1)
    np.testing.assert_allclose(log_prob.numpy(), expected, rtol=1e-4, atol=1e-4)
    # The deterministic action is the squashed mean.
    np.testing.assert_allclose(sac.squashed_mode(distribution).numpy(),
                               center + half * np.tanh(mean), rtol=1e-5)


def test_tanh_gaussian_log_prob_hand_computed():
    # u ~ N(0.5, 0.3²) squashed into [-2, 2], at u = 0.5 (a = 2 tanh 0.5):
    # log N(u) = -log 0.3 - ½ log 2π = 0.285034; log(1 - tanh² 0.5) = -0.240229;
    # log of the half-range 2 = 0.693147; log π(a) = 0.285034 + 0.240229 - 0.693147.
    squash = networks.TanhToSpec(dm_specs.BoundedArray((1,), np.float32, -2.0, 2.0))
    normal = tfd.Independent(tfd.Normal(tf.constant([[0.5]], tf.float64),
                                        tf.constant([[0.3]], tf.float64)), 1)
    log_prob = squash(normal).log_prob([[2.0 * np.tanh(0.5)]]).numpy()
    np.testing.assert_allclose(log_prob, [-0.167884], atol=1e-6)


def test_canonical_target_entropy():
    assert sac.canonical_target_entropy(
        dm_specs.BoundedArray((3,), np.float32, -1.0, 1.0)) == -3.0
    assert sac.canonical_target_entropy(
        dm_specs.BoundedArray((1,), np.float32, -2.0, 2.0)) == pytest.approx(
            -1.0 + np.log(2.0))


@pytest.fixture
def learner_factory():
    """Learners on a real Reverb table filled with 64 random Pendulum transitions."""
    servers = []

    def make(**kwargs):
        env = environments.make('pendulum', seed=1)
        spec = specs.make_environment_spec(env)
        config = sac.SACConfig(batch_size=16, min_replay_size=32,
                               samples_per_insert=1000.0, seed=0)
        builder = sac.SACBuilder(config)
        server = reverb.Server(builder.make_replay_tables(spec), port=None)
        servers.append(server)
        address = f'localhost:{server.port}'
        adder = builder.make_adder(reverb.Client(address))
        rng = np.random.default_rng(0)
        timestep = env.reset()
        adder.add_first(timestep)
        for _ in range(64):
            action = rng.uniform(-2, 2, size=(1,)).astype(np.float32)
            timestep = env.step(action)
            adder.add(action, timestep)
        adder.reset()
        tf.random.set_seed(0)
        nets = sac.make_networks(spec, (16, 16), (16, 16))
        arguments = dict(policy_network=nets.policy,
                         critic_networks=nets.critics,
                         dataset=builder.make_dataset_iterator(address),
                         action_spec=spec.actions, checkpoint=False,
                         logger=loggers.InMemoryLogger(), seed=0)
        arguments.update(kwargs)
        return sac.SACLearner(**arguments)

    yield make
    for server in servers:
        server.stop()


@pytest.mark.parametrize('target_entropy, sign', [(10.0, 1.0), (-10.0, -1.0)])
def test_temperature_moves_towards_target_entropy(learner_factory, target_entropy,
                                                  sign):
    learner = learner_factory(target_entropy=target_entropy, learning_rate=1e-2)
    assert learner.alpha == pytest.approx(1.0)
    learner.step()
    # Entropy below the target -> log α rises; above -> it falls. Adam's first
    # step moves it by the learning rate exactly (up to its epsilon).
    assert learner.log_alpha.numpy() == pytest.approx(sign * 1e-2, rel=1e-4)
    assert learner.alpha == pytest.approx(np.exp(sign * 1e-2), rel=1e-4)


def test_fixed_entropy_coefficient_is_not_learned(learner_factory):
    learner = learner_factory(entropy_coefficient=0.2)
    learner.step()
    learner.step()
    assert learner.alpha == pytest.approx(0.2)


def test_target_critics_move_by_target_update_rate(learner_factory):
    tau = 0.1
    learner = learner_factory(target_update_rate=tau)
    online = [v for c in learner.critic_networks for v in c.variables]
    target = [v for c in learner.target_critic_networks for v in c.variables]
    np.testing.assert_array_equal(online[0].numpy(), target[0].numpy())
    old_target = [v.numpy() for v in target]
    old_online = [v.numpy() for v in online]
    learner.step()
    new_online = [v.numpy() for v in online]
    assert any(not np.allclose(o, n) for o, n in zip(old_online, new_online))
    for old, new_on, new_t in zip(old_target, new_online, target):
        np.testing.assert_allclose(new_t.numpy(), (1 - tau) * old + tau * new_on,
                                   rtol=1e-6, atol=1e-7)
    assert learner.num_updates == 1
    assert len(learner.get_variables(['policy'])[0]) == len(
        learner.policy_network.variables)


@pytest.mark.parametrize('kwargs, message', [
    (dict(discount=1.5), r'^SACConfig.discount must be in \[0, 1\], got 1.5'),
    (dict(discount=-0.1), r'^SACConfig.discount must be in \[0, 1\], got -0.1'),
    (dict(target_update_rate=0.0),
     r'^SACConfig.target_update_rate must be in \(0, 1\], got 0.0'),
    (dict(target_update_rate=1.5),
     r'^SACConfig.target_update_rate must be in \(0, 1\], got 1.5'),
    (dict(learning_rate=0.0), r'^SACConfig.learning_rate must be > 0, got 0.0'),
    (dict(learning_rate=-1e-3), r'^SACConfig.learning_rate must be > 0, got -0.001'),
    (dict(critic_learning_rate=0),
     r'^SACConfig.critic_learning_rate must be > 0, got 0.0'),
    (dict(batch_size=0), r'^SACConfig.batch_size must be an integer >= 1, got 0'),
    (dict(n_step=0), r'^SACConfig.n_step must be an integer >= 1, got 0'),
    (dict(entropy_coefficient=-0.5),
     r'^SACConfig.entropy_coefficient must be >= 0, got -0.5'),
    (dict(target_entropy=float('inf')),
     r'^SACConfig.target_entropy must be a finite number, got inf'),
    (dict(init_temperature=0.0), r'^SACConfig.init_temperature must be > 0, got 0.0'),
    (dict(policy_hidden_sizes=(16, 0)),
     r'^SACConfig.policy_hidden_sizes entry must be an integer >= 1, got 0'),
    (dict(min_replay_size=10, max_replay_size=5),
     r'^SACConfig.max_replay_size must be >= min_replay_size \(10\), got 5'),
])
def test_bad_hyperparameters_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        sac.SAC(_pendulum_spec(), checkpoint=False, **kwargs)


def test_bad_action_specs_raise():
    spec = _pendulum_spec()
    discrete = spec._replace(actions=dm_specs.DiscreteArray(3))
    with pytest.raises(ValueError, match=r'sac cannot act in this environment: it '
                       r'needs continuous actions.* has discrete actions \(3\)'):
        sac.SAC(discrete, checkpoint=False)
    unbounded = spec._replace(actions=dm_specs.BoundedArray(
        (1,), np.float32, -np.inf, 2.0))
    with pytest.raises(ValueError, match=r'with finite bounds, and this environment has '
                       r'continuous actions \(shape \(1,\) in \[-inf, 2\]\)'):
        sac.SAC(unbounded, checkpoint=False)
    matrix = spec._replace(actions=dm_specs.BoundedArray((2, 2), np.float32, -1., 1.))
    with pytest.raises(ValueError, match=r'SAC needs actions of shape \[A\], got '
                       r'shape \(2, 2\)'):
        sac.SAC(matrix, checkpoint=False)
    with pytest.raises(ValueError, match='finite action bounds'):
        sac.make_policy_network(unbounded.actions)


def test_tau_is_now_target_update_rate_and_positional_order():
    spec = _pendulum_spec()
    with pytest.raises(TypeError, match="'tau' is not a hyperparameter of SACConfig"):
        sac.SAC(spec, checkpoint=False, tau=0.1)
    nets = sac.make_networks(spec, (8,), (8,))
    # batch_size, prefetch_size, min_replay_size, max_replay_size,
    # samples_per_insert, n_step, discount, target_update_rate, learning_rate.
    agent = sac.SAC(spec, nets.policy, nets.critics, 8, 1, 20, 500, 4.0, 2, 0.9, 0.1,
                    1e-3, checkpoint=False, logger=loggers.NoOpLogger())
    try:
        config = agent.config
        assert (config.batch_size, config.prefetch_size, config.min_replay_size,
                config.max_replay_size, config.samples_per_insert, config.n_step,
                config.discount, config.target_update_rate, config.learning_rate) == (
                    8, 1, 20, 500, 4.0, 2, 0.9, 0.1, 1e-3)
        assert agent.builder.min_observations() == 20
        assert agent.builder.observations_per_step() == 2.0
        assert agent.networks.policy is nets.policy
    finally:
        agent.close()


def test_config_defaults():
    config = sac.SACConfig()
    assert (config.batch_size, config.samples_per_insert, config.n_step,
            config.learning_rate, config.target_update_rate, config.jit_compile,
            config.policy_hidden_sizes, config.critic_hidden_sizes) == (
                256, 256.0, 1, 3e-4, 0.005, False, (256, 256), (256, 256))
    assert config.learning_rates() == (3e-4, 3e-4, 3e-4)
    assert sac.SACConfig(critic_learning_rate=1e-3).learning_rates() == (
        3e-4, 1e-3, 3e-4)
    # JSON lists become tuples.
    assert sac.SACConfig(policy_hidden_sizes=[32, 16]).policy_hidden_sizes == (32, 16)


def test_builder_parts(reverb_server_factory):
    spec = _pendulum_spec()
    builder = sac.SACBuilder(sac.SACConfig(min_replay_size=50, max_replay_size=100,
                                           samples_per_insert=8.0, n_step=2,
                                           policy_hidden_sizes=(8,),
                                           critic_hidden_sizes=(4,), seed=0))
    assert builder.name == 'sac' and builder.actions == 'continuous'
    assert builder.batched_acting and builder.exploration_field is None
    (table,) = builder.make_replay_tables(spec)
    info = table.info
    assert info.name == adders.DEFAULT_PRIORITY_TABLE and info.max_size == 100
    assert info.sampler_options.uniform and info.remover_options.fifo
    assert info.rate_limiter_info.min_size_to_sample == 1  # One process: no blocking.
    assert info.signature == adders.NStepTransitionAdder.signature(spec)
    (distributed,) = builder.make_replay_tables(spec, distributed=True)
    limiter = distributed.info.rate_limiter_info
    assert limiter.min_size_to_sample == 50 and limiter.samples_per_insert == 8.0

    nets = builder.make_networks(spec)
    assert isinstance(nets, sac.SACNetworks) and len(nets.critics) == 2
    assert nets.critics[0] is not nets.critics[1]
    observation = tf.constant([[0.5, -0.5, 0.1], [1.0, 0.0, -2.0]], tf.float32)
    explore = builder.make_policy(nets, spec)
    greedy = builder.make_policy(nets, spec, evaluation=True)
    np.testing.assert_allclose(greedy(observation).numpy(),
                               sac.squashed_mode(nets.policy(observation)).numpy())
    samples = np.stack([explore(observation).numpy() for _ in range(20)])
    assert samples.shape == (20, 2, 1) and samples.dtype == np.float32
    assert np.all(np.abs(samples) <= 2.0) and len(np.unique(samples)) == 40
    # The layers follow the config's sizes: a hidden layer of 8 and the
    # Gaussian head's mean and scale layers; critics (obs 3 + action 1) -> 4 -> 1.
    def shapes(module):
        return sorted(tuple(v.shape) for v in module.trainable_variables)
    assert shapes(nets.policy) == [(1,), (1,), (3, 8), (8,), (8, 1), (8, 1)]
    nets.critics[0](observation, tf.zeros([2, 1]))
    assert shapes(nets.critics[0]) == [(1,), (4,), (4, 1), (4, 4)]

    server = reverb_server_factory(builder.make_replay_tables(spec))
    adder = builder.make_adder(reverb.Client(f'localhost:{server.port}'))
    assert isinstance(adder, adders.NStepTransitionAdder) and adder.n_step == 2
    batched = builder.make_adder(reverb.Client(f'localhost:{server.port}'), num_envs=3)
    assert batched.num_envs == 3
    assert all(a.n_step == 2 for a in batched.adders)


def test_actor_with_a_variable_source_follows_the_learner(learner_factory):
    """The placement path of a learner off the CPU: the actor's own networks,
    refreshed from the learner's 'policy' variables."""
    learner = learner_factory()
    spec = _pendulum_spec()
    builder = sac.SACBuilder(sac.SACConfig())
    tf.random.set_seed(1)  # Other initial weights than the learner's.
    own = sac.make_networks(spec, (16, 16), (16, 16))
    policy = builder.make_policy(own, spec, evaluation=True)
    actor = builder.make_actor(policy, spec, variable_source=learner)

    def weights(module):
        return [v.numpy() for v in sorted(module.variables, key=lambda v: v.name)]
    assert not np.allclose(weights(own.policy)[-1], weights(learner.policy_network)[-1])
    learner.step()
    actor.update(wait=True)
    for mine, theirs in zip(weights(own.policy), weights(learner.policy_network)):
        np.testing.assert_array_equal(mine, theirs)
    observation = np.array([0.1, 0.9, -0.3], np.float32)
    expected = sac.make_eval_policy(learner.policy_network, spec.actions)(
        observation[None])[0].numpy()
    np.testing.assert_allclose(actor.select_action(observation), expected, rtol=1e-6)


class _RecordingServer(reverb.Server):
    """A real Reverb server that remembers the ports of those started."""
    ports = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.ports.append(self.port)


def test_failed_construction_stops_the_server(monkeypatch):
    spec = _pendulum_spec()
    nets = sac.make_networks(spec, (8,), (8,))
    _RecordingServer.ports = []
    monkeypatch.setattr(local.reverb, 'Server', _RecordingServer)
    with pytest.raises(ValueError, match='SAC needs exactly 2 critic networks, got 1'):
        sac.SAC(spec, nets.policy, nets.critics[:1], checkpoint=False)
    (port,) = _RecordingServer.ports
    with pytest.raises(Exception):  # Nothing listens on the port any more.
        reverb.Client(f'localhost:{port}').server_info(timeout=1)


def test_learns_pendulum_beyond_random():
    """A short run: random play scores about -1200 on Pendulum; SAC must do far
    better within 7,000 steps (broken critics, signs or squashing stay near it).
    The generic runner with the builder's default networks of the config's
    sizes (seeded by the config)."""
    env = environments.make('pendulum', seed=0)
    spec = specs.make_environment_spec(env)
    config = sac.SACConfig(learning_rate=1e-3, batch_size=64, samples_per_insert=64.0,
                           min_replay_size=500, policy_hidden_sizes=(64, 64),
                           critic_hidden_sizes=(64, 64), seed=0)
    agent = local.LocalAgent(sac.SACBuilder(config), spec,
                             logger=loggers.InMemoryLogger())
    try:
        loop = EnvironmentLoop(env, agent, logger=loggers.InMemoryLogger())
        loop.run(num_steps=7000)
        eval_loop = EnvironmentLoop(environments.make('pendulum', seed=100),
                                    agent.make_evaluation_actor(), should_update=False,
                                    logger=loggers.InMemoryLogger())
        returns = [eval_loop.run_episode()['episode_return'] for _ in range(5)]
    finally:
        agent.close()
    assert np.mean(returns) > -500, returns
