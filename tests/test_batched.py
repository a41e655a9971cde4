"""Batched acting: the loop's per-copy accounting, batched actors and their
per-copy exploration, BatchedAdder against N single adders on a real Reverb
server, the Agent's schedule in env steps, seeded runs, and DQN / DDPG acting on
a BatchedEnvironment end to end."""

import dm_env
import numpy as np
import pytest
import reverb
import sonnet as snt
import tensorflow as tf
import tree
from dm_env import specs

import troupe
from troupe.agents import Agent, d4pg, ddpg, dqn
from troupe.agents.agent import num_learner_steps, num_learner_steps_between
from troupe.components import actors, adders, counting, loggers, networks
from troupe.environments import BatchedEnvironment
from tests import adder_helpers as helpers
from tests.scripted_env import ScriptedEnvironment
from tests.test_actors import ListAdder, TracedLinear
from tests.test_agent import CountingLearner
from tests.test_environment_loop import StepCounter

FIRST, MID, LAST = dm_env.StepType.FIRST, dm_env.StepType.MID, dm_env.StepType.LAST
# Episode lengths of the three copies: interleaved episodes of different lengths.
LENGTHS = ([2, 5], [3], [1, 4])


def scripted(seed, **kwargs):
    return ScriptedEnvironment(episode_lengths=LENGTHS[seed], **kwargs)


def scripted_batch(**kwargs):
    return BatchedEnvironment(scripted, 3, seed=0, **kwargs)


class BatchedRecordingActor(troupe.Actor):
    """Acts (episode + step) % 2 for every copy; records the calls it gets."""

    def __init__(self, adder=None):
        self.firsts, self.observes, self.updates = 0, 0, 0
        self._adder = adder

    def select_action(self, observations):
        return (observations.sum(axis=1) % 2).astype(np.int32)

    def observe_first(self, timestep):
        self.firsts += 1
        if self._adder is not None:
            self._adder.add_first(timestep)

    def observe(self, action, next_timestep):
        self.observes += 1
        if self._adder is not None:
            self._adder.add(action, next_timestep)

    def update(self, wait=False):
        self.updates += 1


def _loop(env, actor=None, **kwargs):
    log, counter = loggers.InMemoryLogger(), counting.Counter()
    loop = troupe.EnvironmentLoop(env, actor or BatchedRecordingActor(),
                                  counter=counter, logger=log, **kwargs)
    return loop, counter, log


def _episodes(log, start=0):
    return [(row['env_index'], row['episode_length'], float(row['episode_return']))
            for row in log.data[start:]]


# Worked out by hand: copy 0 ends episodes at batch steps 2, 8, 11, 17; copy 1 at
# 3, 7, 11, 15; copy 2 at 1, 6, 8, 13, 15; a copy is reset (FIRST) at the batch
# step after its LAST. A length-L episode returns 1 + ... + L.
def test_loop_logs_every_episode_of_every_copy_and_counts_env_steps():
    env = scripted_batch()
    actor = BatchedRecordingActor()
    loop, counter, log = _loop(env, actor)
    # Batch steps 1..7: 21 copy-steps minus 4 resets (copy 0 at 3, copy 1 at 4,
    # copy 2 at 2 and 7).
    assert loop.run(num_episodes=5) == 17
    assert _episodes(log) == [(2, 1, 1), (0, 2, 3), (1, 3, 6), (2, 4, 10), (1, 3, 6)]
    # Step 8 ends two episodes at once; both are logged. Copy 1 resets at 8.
    assert loop.run(num_episodes=1) == 2
    assert _episodes(log, 5) == [(0, 5, 15), (2, 1, 1)]
    # Episodes in flight carry over. Steps 9..13 take 1 + 3 + 3 + 1 + 3 env steps.
    assert loop.run(num_steps=10) == 11
    assert _episodes(log, 7) == [(0, 2, 3), (1, 3, 6), (2, 4, 10)]
    # The counter's steps at each episode's end, then the totals.
    assert [row['steps'] for row in log.data] == [3, 5, 7, 15, 17, 19, 19, 26, 26, 30]
    assert [row['episodes'] for row in log.data] == list(range(1, 11))
    assert counter.get_counts() == {'episodes': 10, 'steps': 30}
    # Reset steps are not env steps: each copy's environment stepped 10 times.
    assert [len(copy.actions) for copy in env.environments] == [10, 10, 10]
    assert (actor.firsts, actor.observes, actor.updates) == (1, 13, 13)
    row = log.data[-1]
    single_keys = {'episode_length', 'episode_return', 'steps_per_second',
                   'episode_duration_seconds', 'select_action_seconds',
                   'env_step_seconds'}
    assert single_keys | {'env_index', 'batch_steps_per_second'} <= set(row)
    assert row['steps_per_second'] > 0 and row['batch_steps_per_second'] > 0
    assert 0 < row['select_action_seconds'] <= row['episode_duration_seconds']


def test_loop_sums_nested_rewards_per_copy():
    env = BatchedEnvironment(scripted, 3, seed=0, nested_reward=True)
    loop, _, log = _loop(env)
    loop.run(num_episodes=5)
    returns = [(row['env_index'], float(row['episode_return']['a']),
                float(row['episode_return']['b'])) for row in log.data]
    assert returns == [(2, 1, 2), (0, 3, 6), (1, 6, 12), (2, 10, 20), (1, 6, 12)]


def test_observers_see_their_own_copy():
    loop, _, log = _loop(scripted_batch(), observers=[StepCounter()])
    loop.run(num_steps=30)
    assert len(log.data) == 10
    for row in log.data:
        assert row['observed_steps'] == row['episode_length']


def test_run_episode_on_a_batch_raises_and_budgets_are_checked():
    loop, _, _ = _loop(scripted_batch())
    with pytest.raises(ValueError, match='BatchedEnvironment of 3 copies'):
        loop.run_episode()
    with pytest.raises(ValueError, match='not both'):
        loop.run(num_episodes=1, num_steps=1)
    assert loop.run(num_steps=0) == 0


def test_batched_feed_forward_actor_one_call_no_added_axis():
    network = TracedLinear()
    actor = actors.FeedForwardActor(network, batched=True)
    assert actor.batched
    weights = np.array([[1., 2.], [3., 4.]])
    for n in (3, 5, 1):  # Any batch size runs the same compiled function.
        observations = np.arange(2 * n, dtype=np.float32).reshape(n, 2)
        actions = actor.select_action(observations)
        assert actions.shape == (n, 2)
        np.testing.assert_allclose(actions, observations @ weights)
    assert network.traces == 1
    with pytest.raises(ValueError, match='shape after the batch axis'):
        actor.select_action(np.ones((3, 3), np.float32))


def test_batched_actor_hands_batched_timesteps_to_its_adder():
    adder = ListAdder()
    actor = actors.FeedForwardActor(TracedLinear(), adder=adder, batched=True)
    env = BatchedEnvironment(scripted, 3, seed=0)
    timestep = env.reset()
    actor.observe_first(timestep)
    action = np.array([0, 1, 1])
    next_timestep = env.step(action)
    actor.observe(action, next_timestep)
    assert adder.firsts == [timestep]
    assert adder.steps == [(action, next_timestep, ())]


def _identical_rows(n, size):
    return np.ones((n, size), np.float32)


def test_epsilon_greedy_draws_per_copy():
    spec = specs.DiscreteArray(4, dtype=np.int64)
    epsilon = tf.Variable(1.0)
    q_network = snt.Linear(4)
    actor = actors.FeedForwardActor(
        networks.EpsilonGreedyPolicy(q_network, epsilon, spec), batched=True)
    actions = actor.select_action(_identical_rows(400, 3))
    assert actions.shape == (400,) and actions.dtype == np.int64
    # The same observation in every row, yet each copy draws its own action.
    counts = np.bincount(actions, minlength=4)
    assert (counts > 60).all(), counts
    epsilon.assign(0.0)
    greedy = actor.select_action(_identical_rows(400, 3))
    assert len(set(greedy.tolist())) == 1


def test_gaussian_exploration_draws_per_copy():
    spec = specs.BoundedArray((1,), np.float32, -2.0, 2.0)
    policy = snt.Sequential([lambda x: tf.zeros([tf.shape(x)[0], 1])])
    behavior = ddpg.make_behavior_network(policy, spec, sigma=0.3)
    actor = actors.FeedForwardActor(behavior, batched=True)
    actions = actor.select_action(_identical_rows(2000, 3))
    assert actions.shape == (2000, 1)
    # Distinct noise per copy; σ = 0.3 of the half-range 2 is 0.6.
    assert len(np.unique(actions)) >= 1990
    assert np.std(actions) == pytest.approx(0.6, abs=0.05)
    assert np.abs(actions).max() <= 2.0


ADDERS = {
    'nstep': (lambda client, table: adders.NStepTransitionAdder(
        client, n_step=3, discount=0.9, priority_fns={table: None}),
        lambda spec: adders.NStepTransitionAdder.signature(spec)),
    'sequence': (lambda client, table: adders.SequenceAdder(
        client, sequence_length=4, period=2, priority_fns={table: None}),
        lambda spec: adders.SequenceAdder.signature(spec, sequence_length=4)),
}


def _run_single(env, adder, num_steps, policy):
    """Copy i's steps, driven one environment at a time the way the loop does."""
    timestep = env.reset()
    adder.add_first(timestep)
    for _ in range(num_steps):
        if timestep.last():
            timestep = env.reset()
            adder.add_first(timestep)
        action = policy(timestep.observation[None])[0]
        timestep = env.step(action)
        adder.add(action, timestep)


def _canonical(item):
    data, priority = item
    return repr((tree.map_structure(lambda x: np.asarray(x).tolist(), data), priority))


@pytest.mark.parametrize('kind', sorted(ADDERS))
def test_batched_adder_writes_exactly_what_n_single_adders_write(
        kind, reverb_server_factory):
    make_adder, make_signature = ADDERS[kind]
    env = scripted_batch()
    signature = make_signature(troupe.make_environment_spec(env))
    tables = [f'copy_{i}' for i in range(3)] + ['shared']
    batched_client = helpers.make_client(reverb_server_factory, signature, tables)
    single_client = helpers.make_client(reverb_server_factory, signature, tables)

    # One table per copy, and the three copies sharing one table (as agents do).
    per_copy = adders.BatchedAdder([make_adder(batched_client, f'copy_{i}')
                                    for i in range(3)])
    shared = adders.BatchedAdder([make_adder(batched_client, 'shared')
                                  for _ in range(3)])
    actor = BatchedRecordingActor(adders.ForkingAdder([per_copy, shared]))
    loop, _, _ = _loop(env, actor)
    loop.run(num_steps=30)
    for adder in per_copy.adders + shared.adders:
        adder.reset()  # Waits for pending writes.

    for i in range(3):
        steps = len(env.environments[i].actions)
        for table in (f'copy_{i}', 'shared'):
            single = make_adder(single_client, table)
            _run_single(scripted(i), single, steps, actor.select_action)
            single.reset()

    for table in tables[:3]:
        got = helpers.read_items(batched_client, table)
        want = helpers.read_items(single_client, table)
        assert len(got) == len(want) >= 3
        for (got_data, got_priority), (want_data, want_priority) in zip(got, want):
            helpers.assert_nest_close(got_data, want_data)
            assert got_priority == want_priority
    got = sorted(map(_canonical, helpers.read_items(batched_client, 'shared')))
    want = sorted(map(_canonical, helpers.read_items(single_client, 'shared')))
    assert got == want


def test_batched_adder_bad_input():
    with pytest.raises(ValueError, match='at least one adder'):
        adders.BatchedAdder([])
    same = ListAdder()
    with pytest.raises(ValueError, match='distinct adder per copy'):
        adders.BatchedAdder([same, same])
    adder = adders.BatchedAdder([ListAdder(), ListAdder()])
    timestep = scripted_batch().reset()
    with pytest.raises(ValueError, match=r'step_type of shape \(2,\), got \(3,\)'):
        adder.add_first(timestep)
    env = BatchedEnvironment(scripted, 2, seed=0)
    adder.add_first(env.reset())
    with pytest.raises(ValueError, match=r'actions with a leading axis of 2, got '
                                         r'shape \(3,\)'):
        adder.add(np.zeros(3, np.int32), env.step(np.zeros(2, np.int32)))


def test_num_learner_steps_between_sums_the_single_steps():
    for min_obs in (0, 3, 7):
        for per_step in (0.25, 0.5, 1, 2, 3, 8):
            for before in range(12):
                for after in range(before, before + 10):
                    want = sum(num_learner_steps(k, min_obs, per_step)
                               for k in range(before + 1, after + 1))
                    assert num_learner_steps_between(
                        before, after, min_obs, per_step) == want


@pytest.mark.parametrize('per_step, expected', [(2, 14), (0.5, 54)])
def test_agent_counts_env_steps_of_all_copies(per_step, expected):
    actor, learner = BatchedRecordingActor(), CountingLearner()
    agent = Agent(actor, learner, min_observations=4, observations_per_step=per_step)
    loop, _, _ = _loop(scripted_batch(), agent)
    assert loop.run(num_steps=30) == 30
    assert agent.num_observations == 30
    # As one environment would after 30 observations: from 4 on, every 2nd
    # (4, 6, ..., 30: 14 steps), or 2 per observation (27 * 2).
    assert learner.steps == expected
    assert sum(num_learner_steps(k, 4, per_step) for k in range(1, 31)) == expected


def _seeded_run(env_seed, actor_seed):
    env = BatchedEnvironment('cartpole', 4, seed=env_seed, max_episode_steps=40)
    actor = actors.RandomActor(env.action_spec(), seed=actor_seed, num_envs=4)
    loop, _, log = _loop(env, actor)
    loop.run(num_steps=400)
    return _episodes(log)


def test_a_seeded_batched_run_is_reproducible():
    first = _seeded_run(3, 0)
    assert len(first) >= 10
    assert _seeded_run(3, 0) == first
    assert _seeded_run(4, 0) != first
    assert _seeded_run(3, 1) != first


def test_batched_random_actor():
    spec = {'move': specs.DiscreteArray(3, dtype=np.int64),
            'force': specs.BoundedArray((2,), np.float32, -1.0, [1.0, 3.0])}
    actions = actors.RandomActor(spec, seed=0, num_envs=500).select_action(None)
    assert actions['move'].shape == (500,) and actions['move'].dtype == np.int64
    assert set(actions['move'].tolist()) == {0, 1, 2}
    assert actions['force'].shape == (500, 2) and actions['force'].dtype == np.float32
    assert (actions['force'] >= -1).all() and (actions['force'] <= [1, 3]).all()
    assert actions['force'][:, 1].max() > 2.5
    again = actors.RandomActor(spec, seed=0, num_envs=500).select_action(None)
    np.testing.assert_array_equal(again['force'], actions['force'])
    with pytest.raises(ValueError, match='num_envs must be None or an integer >= 1, '
                                         'got 0'):
        actors.RandomActor(spec, num_envs=0)


def _dqn(num_envs, **kwargs):
    spec = troupe.make_environment_spec(BatchedEnvironment('cartpole', 1))
    tf.random.set_seed(0)
    return dqn.DQN(spec, dqn.make_mlp_network(spec, (32, 32)), batch_size=16,
                   samples_per_insert=4.0, min_replay_size=40, n_step=3,
                   epsilon=dqn.LinearEpsilon(1.0, 0.1, 200), epsilon_update_period=10,
                   checkpoint=False, logger=loggers.NoOpLogger(), num_envs=num_envs,
                   jit_compile=False, **kwargs)


def test_dqn_acts_on_a_batch_of_cartpoles():
    agent = _dqn(num_envs=4)
    try:
        assert agent.num_envs == 4
        env = BatchedEnvironment('cartpole', 4, seed=0)
        loop, counter, log = _loop(env, agent)
        steps = loop.run(num_steps=100)
        assert 100 <= steps < 104
        assert agent.num_observations == steps
        # ε is written every 10 env steps (a batch step adds up to 4).
        assert 1.0 - 0.9 * steps / 200 <= agent.epsilon <= 1.0 - 0.9 * (steps - 13) / 200
        steps += loop.run(num_steps=100)
        assert agent.num_observations == steps
        # One update every 16 / 4 = 4 env steps from the 40th on.
        assert agent.learner.num_updates == num_learner_steps_between(0, steps, 40, 4)
        table = reverb.Client(agent.server_address).server_info()
        assert sum(info.current_size for info in table.values()) >= steps - 32
        with pytest.raises(ValueError, match=r'step_type of shape \(4,\), got \(3,\)'):
            troupe.EnvironmentLoop(BatchedEnvironment('cartpole', 3), agent,
                                   logger=loggers.NoOpLogger()).run(num_steps=1)
    finally:
        agent.close()
    with pytest.raises(ValueError, match='num_envs must be an integer >= 1, got 0'):
        _dqn(num_envs=0)


@pytest.mark.parametrize('agent_module', [ddpg, d4pg], ids=['ddpg', 'd4pg'])
def test_ddpg_and_d4pg_act_on_a_batch_of_pendulums(agent_module):
    env = BatchedEnvironment('pendulum', 3, seed=0)
    spec = troupe.make_environment_spec(env)
    tf.random.set_seed(0)
    nets = agent_module.make_networks(spec, (16, 16), (16, 16))
    agent_class = ddpg.DDPG if agent_module is ddpg else d4pg.D4PG
    agent = agent_class(spec, nets.policy, nets.critics[0], batch_size=16,
                      min_replay_size=30, samples_per_insert=16.0, n_step=2,
                      checkpoint=False, jit_compile=False,
                      logger=loggers.NoOpLogger(), num_envs=3)
    try:
        loop, _, _ = _loop(env, agent)
        steps = loop.run(num_steps=90)
        assert steps == 90 and agent.num_observations == 90
        # One update per env step from the 30th on.
        assert agent.learner.num_updates == 61
        evaluation = agent.make_evaluation_actor(batched=True)
        actions = evaluation.select_action(env.reset().observation)
        assert actions.shape == (3,) + spec.actions.shape
        assert np.all(np.abs(actions) <= 2.0)
    finally:
        agent.close()


def test_make_nstep_adder_one_or_one_per_copy(reverb_server_factory):
    from troupe.components import adders as adders_lib
    server = reverb_server_factory([reverb.Table.queue('t', 10)])
    client = reverb.Client(f'localhost:{server.port}')
    single = adders_lib.make_nstep_adder(client, 3, 0.9, 't')
    assert isinstance(single, adders_lib.NStepTransitionAdder)
    batched = adders_lib.make_nstep_adder(client, 3, 0.9, 't', num_envs=4)
    assert isinstance(batched, adders_lib.BatchedAdder)
    assert batched.num_envs == 4
