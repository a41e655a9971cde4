"""A2C and the on-policy pipeline it shares with REINFORCE and IMPALA: the queue
consumes each sequence once, sequences are masked exactly, one update's loss is
the loss functions' value on the same batch, bad input, placement, and a small
CartPole learning run."""

import subprocess
import sys

import numpy as np
import pytest
import reverb
import sonnet as snt
import tensorflow as tf

import troupe
from troupe import specs
from troupe.agents import a2c
from troupe.agents.a2c import builder, on_policy
from troupe.components import adders, loggers
from troupe.components.losses import advantages as advantages_lib
from troupe.components.losses import policy_gradient
from troupe.environments import make
from tests.scripted_env import ScriptedEnvironment

# ------------------------------------------------------------------ helpers
# (also used by test_reinforce.py and test_impala.py)


def scripted_spec(episode_lengths=(7, 3, 12), final_discount=0.0):
    env = ScriptedEnvironment(episode_lengths, final_discount=final_discount)
    return env, specs.make_environment_spec(env)


def fill_queue(network, environment, config, num_episodes):
    """Acts with `network` for `num_episodes`; returns (server, address)."""
    spec = specs.make_environment_spec(environment)
    server = reverb.Server([builder.make_queue_table(
        spec, config, builder.make_extras_spec(network))], port=None)
    address = f'localhost:{server.port}'
    adder = builder.make_adder(reverb.Client(address), config)
    actor = builder.make_actor(network, spec, adder)
    troupe.EnvironmentLoop(environment, actor, logger=loggers.InMemoryLogger()).run(
        num_episodes=num_episodes)
    return server, address


def table_stats(address, table=adders.DEFAULT_PRIORITY_TABLE):
    info = reverb.Client(address).server_info()[table]
    stats = info.rate_limiter_info
    return (int(stats.insert_stats.completed), int(stats.sample_stats.completed),
            int(info.current_size))


def swap(x):
    x = np.asarray(x)
    return np.swapaxes(x, 0, 1)


def masked_inputs(data, values, discount):
    """What the learner must feed the return estimators, computed by hand:
    real steps keep r and γ·d; masked steps get reward V(s_t) and discount 0."""
    mask = swap(data.extras['mask'])[:-1]
    real = mask > 0
    rewards = np.where(real, swap(data.reward)[:-1], values[:-1])
    discounts = np.where(real, discount * swap(data.discount)[:-1], 0.0)
    return real, rewards.astype(np.float32), discounts.astype(np.float32)


def expected_loss(logits, values, data, discount, targets, baseline_cost,
                  entropy_cost):
    """actor_critic_loss over the real steps, with `targets(rewards, discounts)`
    returning (returns, advantages or None)."""
    real, rewards, discounts = masked_inputs(data, values, discount)
    returns, advantages = targets(rewards, discounts)
    actions = swap(data.action)[:-1]
    return policy_gradient.actor_critic_loss(
        logits[:-1][real], actions[real], values[:-1][real],
        np.asarray(returns)[real],
        None if advantages is None else np.asarray(advantages)[real],
        baseline_cost=baseline_cost, entropy_cost=entropy_cost)


def one_batch(network, config, episode_lengths=(5, 3, 6), final_discount=0.0):
    """One batch of real sequences from the pipeline, as a numpy-backed sample."""
    env = ScriptedEnvironment(episode_lengths, final_discount=final_discount)
    server, address = fill_queue(network, env, config, len(episode_lengths))
    try:
        iterator = iter(builder.make_dataset(address, config))
        sample = next(iterator)
    finally:
        server.stop()
    return sample


def learner_loss_after_one_step(learner_class, network, sample, **kwargs):
    logger = loggers.InMemoryLogger()
    dataset = tf.data.Dataset.from_tensors(sample).repeat()
    learner = learner_class(network, dataset, logger=logger, checkpoint=False,
                            **kwargs)
    before = [v.numpy().copy() for v in network.trainable_variables]
    learner.step()
    after = [v.numpy() for v in network.trainable_variables]
    assert any(not np.allclose(b, a) for b, a in zip(before, after))
    assert learner.num_updates == 1
    return logger.data[0]


def mean_final_return(agent_factory, num_steps, seed=0, last=10):
    tf.random.set_seed(seed)
    env = make('cartpole', seed=seed)
    spec = specs.make_environment_spec(env)
    agent = agent_factory(spec)
    log = loggers.InMemoryLogger()
    try:
        troupe.EnvironmentLoop(env, agent, logger=log).run(num_steps=num_steps)
    finally:
        agent.close()
    returns = [row['episode_return'] for row in log.data]
    return float(np.mean(returns[-last:])), agent


# ------------------------------------------------------------------ pipeline


def test_queue_gives_every_step_to_exactly_one_sequence_once():
    tf.random.set_seed(0)
    env, spec = scripted_spec((7, 3, 12))
    network = a2c.make_network(spec, hidden_sizes=(8,))
    config = a2c.A2CConfig(sequence_length=4, batch_size=2)
    server, address = fill_queue(network, env, config, num_episodes=3)
    try:
        # ceil(7/4) + ceil(3/4) + ceil(12/4) = 6 sequences of 5 steps.
        assert table_stats(address)[0] == 6
        iterator = iter(builder.make_dataset(address, config))
        seen = []
        for _ in range(3):
            data = next(iterator).data
            assert data.observation.shape == (2, 5, 2)
            mask = data.extras['mask'].numpy()
            obs = data.observation.numpy()
            for b in range(2):
                for t in range(4):  # The T learning steps.
                    if mask[b, t]:
                        seen.append(tuple(obs[b, t].astype(int)))
        expected = [(e, t) for e, length in enumerate((7, 3, 12))
                    for t in range(length)]
        assert sorted(seen) == expected  # Each step once, none missing.
        inserted, sampled, size = table_stats(address)
        assert (inserted, sampled, size) == (6, 6, 0)
    finally:
        server.stop()


def test_prepare_sequences_masks_final_and_padding_steps():
    # One sequence of T = 4: two real steps (the second terminal), the final
    # observation (mask 0) and one padding step (mask 0), then a bootstrap row.
    data = adders.Step(
        observation=np.zeros((1, 5, 1), np.float32),
        action=np.zeros((1, 5), np.int64),
        reward=np.array([[1.0, 2.0, 0.0, 0.0, 0.0]], np.float32),
        discount=np.array([[1.0, 0.0, 0.0, 0.0, 0.0]], np.float32),
        start_of_episode=np.array([[True, False, False, False, False]]),
        extras={'mask': np.array([[1.0, 1.0, 0.0, 0.0, 0.0]], np.float32)})
    values = tf.constant([[10.0], [20.0], [30.0], [40.0], [50.0]])
    sequences = on_policy.prepare_sequences(on_policy.time_major(data), values, 0.9)
    np.testing.assert_allclose(sequences.reward.numpy()[:, 0], [1.0, 2.0, 30.0, 40.0])
    np.testing.assert_allclose(sequences.discount.numpy()[:, 0], [0.9, 0.0, 0.0, 0.0])
    np.testing.assert_allclose(sequences.mask.numpy()[:, 0], [1, 1, 0, 0])
    # A truncated episode bootstraps from its final observation's value:
    # G_0 = 1 + 0.9 (2 + 0.9 · V(final)) once the last real discount is 1.
    truncated = data._replace(discount=np.array([[1.0, 1.0, 0.0, 0.0, 0.0]],
                                                np.float32))
    sequences = on_policy.prepare_sequences(
        on_policy.time_major(truncated), values, 0.9)
    returns = advantages_lib.discounted_returns(
        sequences.reward, sequences.discount, values[-1])
    assert returns.numpy()[0, 0] == pytest.approx(1 + 0.9 * (2 + 0.9 * 30.0))


def test_agent_steps_the_learner_once_per_batch_and_never_waits():
    tf.random.set_seed(1)
    env, spec = scripted_spec((7, 3, 12, 5))
    agent = a2c.A2C(spec, a2c.make_network(spec, hidden_sizes=(8,)),
                    sequence_length=4, batch_size=3, checkpoint=False,
                    logger=loggers.InMemoryLogger())
    try:
        loop = troupe.EnvironmentLoop(env, agent, logger=loggers.InMemoryLogger())
        inserted_after = []
        for _ in range(4):
            loop.run(num_episodes=1)
            inserted_after.append(agent.num_inserted())
        # Sequences per episode: 2, 1, 3, 2 -> 2, 3, 6, 8 inserted.
        assert inserted_after == [2, 3, 6, 8]
        # After each episode every complete batch of 3 has been consumed.
        assert agent.num_consumed == 6
        assert agent.learner.num_updates == 2
        inserted, sampled, _ = table_stats(agent.server_address)
        assert inserted == 8 and 6 <= sampled <= 8
    finally:
        agent.close()


_SHUTDOWN_SCRIPT = """
import troupe
from troupe import specs
from troupe.agents import a2c
from troupe.components import loggers
from troupe.environments import make
env = make('cartpole', seed=0)
spec = specs.make_environment_spec(env)
agent = a2c.A2C(spec, a2c.make_network(spec, hidden_sizes=(8,)), sequence_length=8,
                batch_size=3, checkpoint=False, logger=loggers.InMemoryLogger())
loop = troupe.EnvironmentLoop(env, agent, logger=loggers.InMemoryLogger())
loop.run(num_episodes=3)
while agent.num_inserted() % 3 == 0:
    loop.run(num_episodes=1)
# The learner's sampler now waits on the queue for the rest of a batch.
print(agent.num_inserted() % 3, agent.learner.num_updates, flush=True)
agent.close()
print('closed', flush=True)
"""


def test_a_sampler_waiting_on_the_queue_does_not_hold_up_shutdown():
    # The agent never calls the learner without a complete batch, so only the
    # dataset's background sampler waits on the queue; closing the agent stops
    # the server and the process exits (a caller blocked in `next` would not
    # be released by stopping an in-process server, which is why the schedule
    # never lets the learner wait).
    result = subprocess.run([sys.executable, '-c', _SHUTDOWN_SCRIPT],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.split()
    assert lines[-1] == 'closed'
    assert int(lines[0]) != 0  # A partial batch really was left waiting.
    assert int(lines[1]) >= 1


# ------------------------------------------------------------------ learner


@pytest.mark.parametrize('n_step', [None, 3])
def test_update_loss_equals_the_loss_functions_on_the_same_batch(n_step):
    tf.random.set_seed(2)
    _, spec = scripted_spec()
    network = a2c.make_network(spec, hidden_sizes=(16,), shared_torso=True)
    config = a2c.A2CConfig(sequence_length=4, batch_size=3)
    sample = one_batch(network, config, (5, 3, 6), final_discount=1.0)
    data = tf.nest.map_structure(lambda x: x.numpy(), sample.data)
    assert (data.extras['mask'] == 0).any()  # The batch holds episode ends.
    logits, values = snt.BatchApply(network)(tf.constant(swap(data.observation)))
    logits, values = logits.numpy(), values.numpy()
    discount, lambda_ = 0.9, 0.8

    def targets(rewards, discounts):
        if n_step is not None:
            return advantages_lib.n_step_bootstrapped_returns(
                rewards, discounts, values[:-1], values[-1], n_step), None
        adv = advantages_lib.generalized_advantage_estimation(
            rewards, discounts, values[:-1], values[-1], lambda_)
        return adv + values[:-1], adv

    expected = expected_loss(logits, values, data, discount, targets, 0.25, 0.05)
    result = learner_loss_after_one_step(
        a2c.A2CLearner, network, sample, discount=discount, lambda_=lambda_,
        n_step=n_step, baseline_cost=0.25, entropy_cost=0.05, learning_rate=0.01)
    assert result['loss'] == pytest.approx(float(expected.loss), rel=1e-5)
    assert result['value_loss'] == pytest.approx(float(expected.value), rel=1e-5)
    assert result['entropy'] == pytest.approx(-float(expected.entropy), rel=1e-5)
    assert result['steps'] == 1


def test_learner_places_variables_on_the_requested_device():
    _, spec = scripted_spec()
    config = a2c.A2CConfig(sequence_length=4, batch_size=1)
    sample = one_batch(a2c.make_network(spec, hidden_sizes=(8,)), config, (3,))
    network = a2c.make_network(spec, hidden_sizes=(8,))  # Not built yet.
    learner = a2c.A2CLearner(network, tf.data.Dataset.from_tensors(sample).repeat(),
                             checkpoint=False, logger=loggers.InMemoryLogger(),
                             device='/CPU:1')
    learner.step()
    assert learner.device == '/CPU:1'
    assert all(v.device.endswith('CPU:1') for v in network.trainable_variables)
    assert learner.state['optimizer'].m[0].device.endswith('CPU:1')
    names = learner.get_variables(['policy'])
    assert len(names[0]) == len(network.trainable_variables)


def test_learner_checkpoints(tmp_path):
    tf.random.set_seed(0)
    env, spec = scripted_spec((5,))
    agent = a2c.A2C(spec, a2c.make_network(spec, hidden_sizes=(8,)),
                    sequence_length=2, batch_size=1, checkpoint=True,
                    checkpoint_subpath=str(tmp_path),
                    logger=loggers.InMemoryLogger())
    try:
        troupe.EnvironmentLoop(env, agent, logger=loggers.InMemoryLogger()).run(
            num_episodes=1)
    finally:
        agent.close()
    assert agent.learner.num_updates == 3
    assert list(tmp_path.rglob('checkpoint'))


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize('kwargs, match', [
    ({'discount': 1.5}, r'discount must be in \[0, 1\], got 1.5'),
    ({'discount': -0.1}, r'discount must be in \[0, 1\], got -0.1'),
    ({'lambda_': 1.2}, r'lambda_ must be in \[0, 1\], got 1.2'),
    ({'sequence_length': 0}, r'sequence_length must be an integer >= 1, got 0'),
    ({'entropy_cost': -0.01}, r'entropy_cost must be >= 0, got -0.01'),
    ({'learning_rate': 0.0}, r'learning_rate must be > 0, got 0.0'),
    ({'learning_rate': -1e-3}, r'learning_rate must be > 0, got -0.001'),
    ({'batch_size': 0}, r'batch_size must be an integer >= 1, got 0'),
    ({'n_step': 0}, r'n_step must be an integer >= 1, got 0'),
])
def test_bad_hyperparameters_name_the_value(kwargs, match):
    _, spec = scripted_spec()
    with pytest.raises(ValueError, match=match):
        a2c.A2C(spec, a2c.make_network(spec), checkpoint=False, **kwargs)


def test_continuous_actions_are_rejected():
    _, spec = scripted_spec()
    network = a2c.make_network(spec)
    continuous = spec._replace(actions=specs.BoundedArray((1,), np.float32, -1, 1))
    with pytest.raises(ValueError, match='A2C needs a discrete action spec'):
        a2c.A2C(continuous, network, checkpoint=False)
    with pytest.raises(ValueError, match='discrete action spec.*BoundedArray'):
        a2c.make_network(continuous)


def test_learner_rejects_bad_hyperparameters():
    _, spec = scripted_spec()
    network = a2c.make_network(spec)
    dataset = tf.data.Dataset.range(1)
    with pytest.raises(ValueError, match=r'lambda_ must be in \[0, 1\], got -0.5'):
        a2c.A2CLearner(network, dataset, lambda_=-0.5)
    with pytest.raises(ValueError, match=r'discount must be in \[0, 1\], got 2'):
        a2c.A2CLearner(network, dataset, discount=2)


# ------------------------------------------------------------------ learning


def test_a2c_learns_cartpole_far_beyond_a_random_policy():
    # A random policy averages about 22 on CartPole-v1.
    final, agent = mean_final_return(
        lambda spec: a2c.A2C(spec, a2c.make_network(spec), checkpoint=False,
                             logger=loggers.InMemoryLogger()),
        num_steps=15_000)
    assert agent.learner.num_updates > 300
    assert final > 100, final
