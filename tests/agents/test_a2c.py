"""A2C and the on-policy pipeline it shares with REINFORCE and IMPALA: the queue
consumes each sequence once, sequences are masked exactly, one update's loss is
the loss functions' value on the same batch, the builder's parts, bad input,
placement, cleanup after a failed construction, and a small CartPole learning
run."""

import subprocess
import sys

import numpy as np
import pytest
import reverb
import sonnet as snt
import tensorflow as tf

import troupe
from troupe import specs
from troupe.agents import a2c, impala, local, on_policy, reinforce, spaces
from troupe.agents.on_policy import sequences as sequences_lib
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


BUILDERS = {a2c.A2CConfig: a2c.A2CBuilder,
            reinforce.ReinforceConfig: reinforce.ReinforceBuilder,
            impala.IMPALAConfig: impala.IMPALABuilder}


def make_builder(config, network=None):
    """The builder of `config`'s agent, for `network` if given."""
    return BUILDERS[type(config)](config, network)


def fill_queue(network, environment, config, num_episodes):
    """Acts with `network` for `num_episodes`; returns (server, address)."""
    spec = specs.make_environment_spec(environment)
    builder = make_builder(config, network)
    server = reverb.Server(builder.make_replay_tables(spec), port=None)
    address = f'localhost:{server.port}'
    adder = builder.make_adder(reverb.Client(address))
    actor = builder.make_actor(builder.make_policy(network, spec), spec, adder=adder)
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
        iterator = make_builder(config).make_dataset_iterator(address)
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
        iterator = make_builder(config).make_dataset_iterator(address)
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
    sequences = sequences_lib.prepare_sequences(sequences_lib.time_major(data),
                                                values, 0.9)
    np.testing.assert_allclose(sequences.reward.numpy()[:, 0], [1.0, 2.0, 30.0, 40.0])
    np.testing.assert_allclose(sequences.discount.numpy()[:, 0], [0.9, 0.0, 0.0, 0.0])
    np.testing.assert_allclose(sequences.mask.numpy()[:, 0], [1, 1, 0, 0])
    # A truncated episode bootstraps from its final observation's value:
    # G_0 = 1 + 0.9 (2 + 0.9 · V(final)) once the last real discount is 1.
    truncated = data._replace(discount=np.array([[1.0, 1.0, 0.0, 0.0, 0.0]],
                                                np.float32))
    sequences = sequences_lib.prepare_sequences(
        sequences_lib.time_major(truncated), values, 0.9)
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
            inserted_after.append(table_stats(agent.server_address)[0])
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
import reverb
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
def num_inserted():
    info = reverb.Client(agent.server_address).server_info()[
        agent.config.replay_table_name]
    return int(info.rate_limiter_info.insert_stats.completed)
loop.run(num_episodes=3)
while num_inserted() % 3 == 0:
    loop.run(num_episodes=1)
# The learner's sampler now waits on the queue for the rest of a batch.
print(num_inserted() % 3, agent.learner.num_updates, flush=True)
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


# ------------------------------------------------------------------ builder


def test_builder_describes_an_on_policy_agent_with_a_fifo_queue():
    _, spec = scripted_spec()
    builder = a2c.A2CBuilder(a2c.A2CConfig(sequence_length=4, batch_size=2,
                                           max_queue_size=7))
    assert (builder.name, builder.on_policy, builder.batched_acting,
            builder.actions) == ('a2c', True, False, spaces.DISCRETE)
    for distributed in (False, True):
        [table] = builder.make_replay_tables(spec, distributed=distributed)
        info = table.info
        assert (info.name, info.max_size, info.max_times_sampled) == (
            adders.DEFAULT_PRIORITY_TABLE, 7, 1)
        assert info.sampler_options.fifo and info.remover_options.fifo
        signature = info.signature
        assert signature.observation.shape == (5, 2)  # T + 1 steps.
        assert signature.action.shape == (5,)
        assert sorted(signature.extras) == ['log_prob', 'mask']
        assert signature.extras['log_prob'].dtype == tf.float32
    assert (builder.min_observations(), builder.observations_per_step()) == (2, 8.0)
    with pytest.raises(ValueError, match='a2c acts in one environment at a time; '
                                         'num_envs=2'):
        builder.make_adder(None, num_envs=2)


def test_recurrent_networks_put_their_core_state_in_the_signature():
    _, spec = scripted_spec()
    config = impala.IMPALAConfig(sequence_length=3, recurrent=True, lstm_size=6)
    # The default network of the config ...
    [table] = impala.IMPALABuilder(config).make_replay_tables(spec)
    state = table.info.signature.extras['core_state']
    assert (state.hidden.shape, state.cell.shape) == ((4, 6), (4, 6))
    # ... or the network the agent is given, whatever the config says.
    network = impala.make_network(spec, (8,), recurrent=True, lstm_size=5)
    [table] = impala.IMPALABuilder(config, network).make_replay_tables(spec)
    assert table.info.signature.extras['core_state'].hidden.shape == (4, 5)
    feed_forward = impala.make_network(spec, (8,))
    [table] = impala.IMPALABuilder(config, feed_forward).make_replay_tables(spec)
    assert sorted(table.info.signature.extras) == ['log_prob', 'mask']


def test_evaluation_policy_is_the_argmax_of_the_logits():
    tf.random.set_seed(5)
    _, spec = scripted_spec()
    builder = a2c.A2CBuilder(a2c.A2CConfig(hidden_sizes=(8,)))
    network = builder.make_networks(spec)
    assert isinstance(network, on_policy.PolicyValueMLP)
    observations = np.array([[0., 1.], [3., -2.], [-1., 4.]], np.float32)
    logits, _ = network(observations)
    expected = np.argmax(logits.numpy(), axis=-1)
    assert len(set(expected)) > 1  # Not the same action everywhere.
    policy = builder.make_policy(network, spec, evaluation=True)
    assert isinstance(policy, on_policy.GreedyLogits)
    actor = builder.make_actor(policy, spec)
    assert [int(actor.select_action(o)) for o in observations] == list(expected)
    batched = builder.make_actor(policy, spec, batched=True)
    np.testing.assert_array_equal(batched.select_action(observations), expected)
    sampled = builder.make_policy(network, spec)
    assert isinstance(sampled, on_policy.SampledPolicy)
    with pytest.raises(ValueError, match='only its feed-forward evaluation policy '
                                         'acts on a batch, got SampledPolicy'):
        builder.make_actor(sampled, spec, batched=True)


def test_recurrent_evaluation_policy_steps_the_core_greedily():
    tf.random.set_seed(6)
    env, spec = scripted_spec((6,))
    builder = impala.IMPALABuilder(impala.IMPALAConfig(
        hidden_sizes=(8,), recurrent=True, lstm_size=4))
    network = builder.make_networks(spec)
    policy = builder.make_policy(network, spec, evaluation=True)
    assert isinstance(policy, on_policy.GreedyRecurrentLogits)
    actor = builder.make_actor(policy, spec)
    troupe.EnvironmentLoop(env, actor, logger=loggers.InMemoryLogger()).run(
        num_episodes=1)
    state, expected = network.initial_state(1), []
    for t in range(6):
        (logits, _), state = network(tf.constant([[0., float(t)]]), state)
        expected.append(int(np.argmax(logits.numpy()[0])))
    assert [int(a) for a in env.actions] == expected
    with pytest.raises(ValueError, match='got GreedyRecurrentLogits'):
        builder.make_actor(policy, spec, batched=True)


def test_an_actor_with_a_variable_source_acts_with_the_learners_variables():
    tf.random.set_seed(7)
    _, spec = scripted_spec()
    config = a2c.A2CConfig(sequence_length=4, batch_size=1, hidden_sizes=(8,),
                           learning_rate=0.1)
    builder = a2c.A2CBuilder(config)
    sample = one_batch(builder.make_networks(spec), config, (3,))
    network = builder.make_networks(spec)
    learner = builder.make_learner(
        network, iter(tf.data.Dataset.from_tensors(sample).repeat()), spec,
        logger=loggers.InMemoryLogger())
    learner.step()
    copy = builder.make_networks(spec)  # The actor's own, not built yet.
    actor = builder.make_actor(builder.make_policy(copy, spec, evaluation=True),
                               spec, variable_source=learner)
    actor.update(wait=True)
    for mine, theirs in zip(copy.trainable_variables, network.trainable_variables):
        assert mine is not theirs
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())


class _BrokenNetwork(snt.Module):
    def __call__(self, observations):
        raise ValueError('this network is broken')


def test_a_failed_construction_leaves_no_server_running(monkeypatch):
    started = []

    class RecordingServer(reverb.Server):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            started.append(self)

    monkeypatch.setattr(reverb, 'Server', RecordingServer)
    _, spec = scripted_spec()
    with pytest.raises(ValueError, match='this network is broken'):
        a2c.A2C(spec, _BrokenNetwork(), checkpoint=False)
    [server] = started
    with pytest.raises(reverb.errors.DeadlineExceededError):
        reverb.Client(f'localhost:{server.port}').server_info(timeout=1)
    # The same check sees a server that runs.
    agent = a2c.A2C(spec, checkpoint=False, logger=loggers.InMemoryLogger())
    try:
        assert started[-1] is not server
        assert reverb.Client(agent.server_address).server_info(timeout=5)
    finally:
        agent.close()


def test_local_agent_runs_any_on_policy_builder():
    tf.random.set_seed(8)
    env, spec = scripted_spec((7, 3, 12, 5))
    config = reinforce.ReinforceConfig(sequence_length=4, batch_size=3,
                                       hidden_sizes=(8,))
    agent = local.LocalAgent(reinforce.ReinforceBuilder(config), spec,
                             logger=loggers.InMemoryLogger())
    try:
        assert isinstance(agent.networks, on_policy.PolicyValueMLP)
        troupe.EnvironmentLoop(env, agent, logger=loggers.InMemoryLogger()).run(
            num_episodes=4)
        assert table_stats(agent.server_address)[0] == 8
        assert (agent.num_consumed, agent.learner.num_updates) == (6, 2)
    finally:
        agent.close()


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize('config_class, kwargs, match', [
    (a2c.A2CConfig, {'max_queue_size': 1, 'batch_size': 2},
     r'^A2CConfig\.max_queue_size must be >= batch_size \(2\), got 1\.$'),
    (a2c.A2CConfig, {'hidden_sizes': (8, 0)},
     r'^A2CConfig\.hidden_sizes entry must be an integer >= 1, got 0\.$'),
    (a2c.A2CConfig, {'hidden_sizes': 8},
     r'^A2CConfig\.hidden_sizes must be a list of integers, got 8 \(int\)\.$'),
    (a2c.A2CConfig, {'max_gradient_norm': 0.0},
     r'^A2CConfig\.max_gradient_norm must be > 0, got 0\.0\.$'),
    (a2c.A2CConfig, {'n_step': 2.5},
     r'^A2CConfig\.n_step must be None or an integer, got 2\.5 \(float\)\.$'),
    (reinforce.ReinforceConfig, {'baseline_cost': -1},
     r'^ReinforceConfig\.baseline_cost must be >= 0, got -1\.0\.$'),
    (impala.IMPALAConfig, {'clip_pg_rho_threshold': -0.5},
     r'^IMPALAConfig\.clip_pg_rho_threshold must be >= 0, got -0\.5\.$'),
    (impala.IMPALAConfig, {'lstm_size': 0},
     r'^IMPALAConfig\.lstm_size must be an integer >= 1, got 0\.$'),
    (impala.IMPALAConfig, {'recurrent': 'yes'},
     r"^IMPALAConfig\.recurrent must be true or false, got 'yes' \(str\)\.$"),
])
def test_configs_name_the_bad_value(config_class, kwargs, match):
    with pytest.raises(ValueError, match=match):
        config_class(**kwargs)


def test_configs_convert_and_keep_their_defaults():
    assert (reinforce.ReinforceConfig().sequence_length,
            reinforce.ReinforceConfig().batch_size) == (500, 4)
    assert (a2c.A2CConfig().sequence_length, a2c.A2CConfig().lambda_) == (20, 0.95)
    assert a2c.A2CConfig(hidden_sizes=[32, 16]).hidden_sizes == (32, 16)
    assert a2c.A2CConfig(n_step=3.0).n_step == 3
    assert impala.IMPALAConfig(clip_rho_threshold=None).clip_rho_threshold is None
    config = impala.IMPALAConfig(recurrent=True, lstm_size=8, hidden_sizes=(4,))
    assert impala.IMPALAConfig.from_json(config.to_json()) == config


def test_positional_and_keyword_hyperparameters_make_the_config():
    _, spec = scripted_spec()
    agent = a2c.A2C(spec, None, 6, 3, 0.9, checkpoint=False, lambda_=0.5,
                    logger=loggers.InMemoryLogger())
    try:
        assert (agent.config.sequence_length, agent.config.batch_size,
                agent.config.discount, agent.config.lambda_) == (6, 3, 0.9, 0.5)
    finally:
        agent.close()
    with pytest.raises(TypeError, match="'lamda' is not a hyperparameter of A2CConfig"):
        a2c.A2C(spec, checkpoint=False, lamda=0.5)




@pytest.mark.parametrize('kwargs, match', [
    ({'discount': 1.5}, r'A2CConfig\.discount must be in \[0, 1\], got 1.5'),
    ({'discount': -0.1}, r'A2CConfig\.discount must be in \[0, 1\], got -0.1'),
    ({'lambda_': 1.2}, r'A2CConfig\.lambda_ must be in \[0, 1\], got 1.2'),
    ({'sequence_length': 0},
     r'A2CConfig\.sequence_length must be an integer >= 1, got 0'),
    ({'entropy_cost': -0.01}, r'A2CConfig\.entropy_cost must be >= 0, got -0.01'),
    ({'learning_rate': 0.0}, r'A2CConfig\.learning_rate must be > 0, got 0.0'),
    ({'learning_rate': -1e-3}, r'A2CConfig\.learning_rate must be > 0, got -0.001'),
    ({'batch_size': 0}, r'A2CConfig\.batch_size must be an integer >= 1, got 0'),
    ({'n_step': 0}, r'A2CConfig\.n_step must be an integer >= 1, got 0'),
])
def test_bad_hyperparameters_name_the_value(kwargs, match):
    _, spec = scripted_spec()
    with pytest.raises(ValueError, match=match):
        a2c.A2C(spec, a2c.make_network(spec), checkpoint=False, **kwargs)


def test_continuous_actions_are_rejected():
    _, spec = scripted_spec()
    network = a2c.make_network(spec)
    continuous = spec._replace(actions=specs.BoundedArray((1,), np.float32, -1, 1))
    with pytest.raises(ValueError, match='a2c cannot act in this environment: it '
                                         r'needs discrete actions, and this '
                                         r'environment has continuous actions'):
        a2c.A2C(continuous, network, checkpoint=False)
    with pytest.raises(ValueError, match=r'has continuous actions \(shape \(1,\)'):
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
    # The greedy evaluation actor acts with the learned networks too.
    log = loggers.InMemoryLogger()
    troupe.EnvironmentLoop(make('cartpole', seed=1), agent.make_evaluation_actor(),
                           logger=log).run(num_episodes=3)
    greedy = float(np.mean([row['episode_return'] for row in log.data]))
    assert greedy > 100, greedy
