"""SAC: the tanh-Gaussian log-density, the temperature, the target critics, input
checks and a short Pendulum run that a broken learner cannot pass."""

import numpy as np
import pytest
import reverb
import tensorflow as tf
import tensorflow_probability as tfp
from dm_env import specs as dm_specs

from troupe import EnvironmentLoop, environments, specs
from troupe.agents import sac
from troupe.agents.sac import builder
from troupe.components import loggers, networks

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
        server = reverb.Server([builder.make_replay_table(spec, config)], port=None)
        servers.append(server)
        address = f'localhost:{server.port}'
        adder = builder.make_adder(reverb.Client(address), config)
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
        arguments = dict(policy_network=nets['policy'],
                         critic_networks=nets['critics'],
                         dataset=builder.make_dataset(address, config),
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


def test_target_critics_move_by_tau(learner_factory):
    tau = 0.1
    learner = learner_factory(tau=tau)
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
    (dict(discount=1.5), 'discount must be in \\[0, 1\\], got 1.5'),
    (dict(discount=-0.1), 'discount must be in \\[0, 1\\], got -0.1'),
    (dict(tau=0.0), 'tau must be in \\(0, 1\\], got 0.0'),
    (dict(tau=1.5), 'tau must be in \\(0, 1\\], got 1.5'),
    (dict(learning_rate=0.0), 'learning_rate must be > 0, got 0.0'),
    (dict(learning_rate=-1e-3), 'learning_rate must be .* got -0.001'),
    (dict(critic_learning_rate=0), 'critic_learning_rate must be .* got 0'),
    (dict(batch_size=0), 'batch_size must be an integer >= 1, got 0'),
    (dict(n_step=0), 'n_step must be an integer >= 1, got 0'),
])
def test_bad_hyperparameters_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        sac.SAC(_pendulum_spec(), checkpoint=False, **kwargs)


def test_bad_action_specs_raise():
    spec = _pendulum_spec()
    discrete = spec._replace(actions=dm_specs.DiscreteArray(3))
    with pytest.raises(ValueError, match='continuous action spec.*DiscreteArray'):
        sac.SAC(discrete, checkpoint=False)
    unbounded = spec._replace(actions=dm_specs.BoundedArray(
        (1,), np.float32, -np.inf, 2.0))
    with pytest.raises(ValueError, match='finite action bounds, got minimum=-inf'):
        sac.SAC(unbounded, checkpoint=False)
    with pytest.raises(ValueError, match='finite action bounds'):
        sac.make_policy_network(unbounded.actions)


def test_learns_pendulum_beyond_random():
    """A short run: random play scores about -1200 on Pendulum; SAC must do far
    better within 7,000 steps (broken critics, signs or squashing stay near it)."""
    env = environments.make('pendulum', seed=0)
    spec = specs.make_environment_spec(env)
    tf.random.set_seed(0)
    nets = sac.make_networks(spec, (64, 64), (64, 64))
    agent = sac.SAC(spec, nets['policy'], nets['critics'], learning_rate=1e-3,
                    batch_size=64, samples_per_insert=64.0, min_replay_size=500,
                    checkpoint=False, logger=loggers.InMemoryLogger(), seed=0)
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
