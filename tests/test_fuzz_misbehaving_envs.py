"""Fuzz: environments that break their specs or dm_env's episode rules, run
through troupe's EnvironmentLoop (single and batched) and a real DQN agent.

A `Misbehaving` environment follows its specs except for one misbehaviour drawn
by hypothesis, at a drawn step: an observation of the wrong shape, dtype or
kind, a NaN, Inf or otherwise bad reward, a discount outside [0, 1], a reset
that returns MID or LAST, a step that returns FIRST or no TimeStep. The loop
must stop at that step with an `InvalidTimestepError` (a ValueError) that names
the environment, the field and the bad value and says what was expected, before
the actor sees it: never a hang (timeouts), an error from deep inside Reverb or
TensorFlow, or a run that trains on it. The loop must never step an
environment after LAST without resetting it, and well-behaved environments
(every built-in one) must pass the checks untouched.
"""

import dm_env
import numpy as np
import pytest
from dm_env import specs
from hypothesis import given, settings
from hypothesis import strategies as st

import troupe
from troupe.components import actors, loggers
from troupe.environments import BatchedEnvironment, registry
from troupe.environments.validation import InvalidTimestepError
from tests import test_fuzz_common as common

AREA = 'misbehaving environments'
SHAPE, DTYPE = (4,), np.dtype(np.float32)


class Misbehaving(dm_env.Environment):
    """Episodes of `length` steps of [4] float32 observations and reward 1,
    except that at step `at` (0: the reset) of episode `from_episode` and later
    ones `kind` goes wrong with `value`.

    It also counts the steps it was given after a LAST timestep without a reset
    in between (`stepped_after_last`).
    """

    def __init__(self, kind=None, value=None, at=2, length=5, from_episode=1):
        self.kind, self.value, self.at, self.length = kind, value, at, length
        self.from_episode = from_episode
        self.episodes = 0
        self.t = 0
        self.done = True
        self.stepped_after_last = 0

    @property
    def _bad_now(self):
        return self.t == self.at and self.episodes >= self.from_episode

    def observation_spec(self):
        return specs.Array(SHAPE, DTYPE, name='observation')

    def action_spec(self):
        return specs.DiscreteArray(2, name='action')

    def reward_spec(self):
        return specs.Array((), np.float32, name='reward')

    def _observation(self):
        observation = np.full(SHAPE, self.t, DTYPE)
        if self._bad_now and self.kind == 'observation':
            return self.value
        return observation

    def reset(self):
        self.t, self.done = 0, False
        self.episodes += 1
        if self._bad_now and self.kind == 'reset':
            return self.value(self._observation())
        return dm_env.restart(self._observation())

    def step(self, action):
        if self.done:
            self.stepped_after_last += 1
            return dm_env.transition(np.float32(1.0), self._observation())
        self.t += 1
        reward, discount = np.float32(1.0), 1.0
        if self._bad_now:
            if self.kind == 'reward':
                reward = self.value
            elif self.kind == 'discount':
                discount = self.value
            elif self.kind == 'step':
                return self.value(self._observation())
        if self.t >= self.length:
            self.done = True
            return dm_env.truncation(reward, self._observation(), discount)
        return dm_env.transition(reward, self._observation(), discount)


# The misbehaviours: (kind, bad value, what the error must show).

def _array(shape, dtype):
    if np.dtype(dtype).kind == 'U':
        return np.full(shape, 'a', dtype)
    if np.dtype(dtype).kind == 'O':
        return np.full(shape, None, dtype)
    return np.zeros(shape, dtype)


_SHAPES = st.lists(st.integers(0, 5), max_size=3).map(tuple).filter(lambda s: s != SHAPE)
_DTYPES = st.sampled_from(['float64', 'float16', 'int32', 'int64', 'uint8', 'bool',
                           'complex64', 'object', '<U1'])
_OBSERVATIONS = st.one_of(
    _SHAPES.map(lambda s: (_array(s, DTYPE), [str(s)])),
    _DTYPES.map(lambda d: (_array(SHAPE, d), [str(np.dtype(d))])),
    st.sampled_from([None, 'abcd', 3.0]).map(lambda v: (v, [repr(v)])),
    st.just(([1.0, 2.0], ['[1.0, 2.0]'])), st.just(({'a': 1}, ["{'a': 1}"])))
_REWARDS = st.one_of(
    st.sampled_from([np.float32('nan'), float('nan'), float('inf'), -np.inf]).map(
        lambda v: (v, [repr(v), str(v)])),
    st.sampled_from([None, 'x', True]).map(lambda v: (v, [repr(v)])),
    st.just((np.ones(3, np.float32), ['(3,)'])))
_DISCOUNTS = st.one_of(
    st.sampled_from([-0.5, 1.5, 2.0, float('nan'), float('inf'), -1e-9]).map(
        lambda v: (v, [repr(v), str(v)])),
    st.sampled_from([None, 'x']).map(lambda v: (v, [repr(v)])),
    st.just((np.full(2, 0.5), ['(2,)'])))


_RESETS = st.sampled_from([
    (lambda o: dm_env.transition(1.0, o), ['MID']),
    (lambda o: dm_env.termination(1.0, o), ['LAST']),
    (lambda o: None, ['None']),
    (lambda o: (dm_env.StepType.FIRST, None, None, o), ['tuple']),
])
_STEPS = st.sampled_from([
    (lambda o: dm_env.restart(o), ['FIRST']),
    (lambda o: dm_env.TimeStep(7, 1.0, 1.0, o), ['7']),
    (lambda o: None, ['None']),
])


@st.composite
def misbehaviours(draw):
    kind = draw(st.sampled_from(['observation', 'reward', 'discount', 'reset', 'step']))
    if kind == 'reset':
        value, shown = draw(_RESETS)
        at, field = 0, 'reset()'
    else:
        value, shown = draw({'observation': _OBSERVATIONS, 'reward': _REWARDS,
                             'discount': _DISCOUNTS, 'step': _STEPS}[kind])
        at = draw(st.integers(0 if kind == 'observation' else 1, 4))
        field = {'step': 'step_type' if shown != ['None'] else 'TimeStep'}.get(kind, kind)
    return kind, value, at, field, shown


class RecordingActor(actors.RandomActor):
    """A random actor that remembers every observation it was given."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seen = []

    def select_action(self, observation):
        self.seen.append(observation)
        return super().select_action(observation)

    def observe_first(self, timestep):
        self.seen.append(timestep.observation)

    def observe(self, action, next_timestep):
        self.seen.append(next_timestep.observation)


@pytest.fixture(scope='module', autouse=True)
def _summary(pytestconfig):
    common.register_summary(pytestconfig)


def _expect_stopped(area, run, field, shown):
    try:
        run()
    except InvalidTimestepError as error:
        message = str(error)
        checks = [('Misbehaving' in message, 'the environment'),
                  (field in message, field),
                  (any(text in message for text in shown), f'one of {shown}'),
                  (common.says_what_was_expected(message), 'what was expected')]
        missing = [what for ok, what in checks if not ok]
        if missing:
            common.TALLY.record(area, 'stopped, but the message is unclear')
            raise AssertionError(f'the error does not name {missing}: {message}')
        common.TALLY.record(area, 'stopped with InvalidTimestepError')
        return error
    except Exception as error:  # noqa: BLE001 - recorded, then failed.
        common.TALLY.record(area, f'other error: {type(error).__name__}')
        raise AssertionError(f'{type(error).__name__} instead of InvalidTimestepError: '
                             f'{error}') from error
    common.TALLY.record(area, 'RAN ON (a gap)')
    raise AssertionError('the loop ran on')


def _bad_reached_actor(actor, case):
    """Whether the actor was given the bad observation."""
    kind, value = case[0], case[1]
    return kind == 'observation' and any(seen is value for seen in actor.seen)


@pytest.mark.timeout(60)
@settings(common.FUZZ, max_examples=60)
@given(case=misbehaviours())
def test_the_loop_stops_at_the_bad_timestep(case):
    kind, value, at, field, shown = case
    environment = Misbehaving(kind, value, at)
    actor = RecordingActor(environment.action_spec(), seed=0)
    loop = troupe.EnvironmentLoop(environment, actor, logger=loggers.NoOpLogger())
    _expect_stopped(AREA + ' (EnvironmentLoop)', lambda: loop.run(num_episodes=2),
                    field, shown)
    assert not _bad_reached_actor(actor, case)
    assert environment.stepped_after_last == 0


@pytest.mark.timeout(60)
@settings(common.FUZZ, max_examples=25)
@given(case=misbehaviours(), num_envs=st.integers(1, 3), bad_copy=st.integers(0, 2))
def test_a_batched_loop_stops_at_the_bad_copy(case, num_envs, bad_copy):
    kind, value, at, field, shown = case
    bad_copy = min(bad_copy, num_envs - 1)

    def factory(seed):
        return Misbehaving(kind, value, at) if seed == bad_copy else Misbehaving()

    environment = BatchedEnvironment(factory, num_envs, seed=0)
    actor = actors.RandomActor(environment.action_spec(), seed=0, num_envs=num_envs)
    loop = troupe.EnvironmentLoop(environment, actor, logger=loggers.NoOpLogger())
    try:
        error = _expect_stopped(AREA + ' (BatchedEnvironment loop)',
                                lambda: loop.run(num_steps=20), field, shown)
        assert f'copy {bad_copy}' in str(error), str(error)
    finally:
        environment.close()


@pytest.fixture(scope='module')
def dqn_config():
    from troupe.agents import dqn
    return dqn.DQNConfig(batch_size=4, min_replay_size=4, max_replay_size=100,
                         samples_per_insert=4.0, n_step=2, hidden_sizes=(8,),
                         jit_compile=False, prefetch_size=0, num_parallel_calls=1,
                         seed=0)


@pytest.mark.timeout(120)
@settings(common.FUZZ, max_examples=6)
@given(case=st.one_of(
    st.tuples(st.just('observation'), st.just(np.zeros((3,), np.float32)), st.just(3),
              st.just('observation'), st.just(['(3,)'])),
    st.tuples(st.just('observation'), st.just(np.zeros(SHAPE, np.float64)), st.just(0),
              st.just('observation'), st.just(['float64'])),
    st.tuples(st.just('reward'), st.just(np.float32('nan')), st.just(3), st.just('reward'),
              st.just(['nan'])),
    st.tuples(st.just('discount'), st.just(2.0), st.just(3), st.just('discount'),
              st.just(['2.0'])),
    st.tuples(st.just('reset'), st.just(lambda o: dm_env.transition(0.0, o)), st.just(0),
              st.just('reset()'), st.just(['MID'])),
    st.tuples(st.just('step'), st.just(lambda o: dm_env.restart(o)), st.just(2),
              st.just('step_type'), st.just(['FIRST']))))
def test_a_dqn_agent_is_stopped_before_the_bad_data_reaches_it(case, dqn_config):
    """The real thing: a DQN agent (Reverb replay, TF learner) learning from the
    environment. The bad timestep arrives in the second episode, after the
    learner has started, and stops the loop with InvalidTimestepError, not a
    Reverb or TensorFlow error; closing the agent afterwards does not hang."""
    from troupe.agents import dqn
    from troupe.agents.local import LocalAgent

    kind, value, at, field, shown = case
    environment = Misbehaving(kind, value, at=at, length=3, from_episode=3)
    agent = LocalAgent(dqn.DQNBuilder(dqn_config), troupe.make_environment_spec(
        environment), logger=loggers.NoOpLogger())
    try:
        loop = troupe.EnvironmentLoop(environment, agent, logger=loggers.NoOpLogger())
        _expect_stopped(AREA + ' (DQN agent)', lambda: loop.run(num_episodes=4),
                        field, shown)
        assert environment.episodes == 3
        assert agent.num_observations >= 6  # It learned from the good episodes.
    finally:
        agent.close()


@pytest.mark.timeout(60)
@settings(common.FUZZ, max_examples=30)
@given(lengths=st.lists(st.integers(1, 6), min_size=1, max_size=4),
       budget=st.one_of(st.tuples(st.just('episodes'), st.integers(1, 6)),
                        st.tuples(st.just('steps'), st.integers(1, 25))),
       num_envs=st.one_of(st.none(), st.integers(1, 3)))
def test_the_loop_never_steps_after_last(lengths, budget, num_envs):
    """Episodes of drawn lengths, run to a drawn budget, single or batched: no
    environment is ever stepped after a LAST timestep without a reset."""
    made = []

    def factory(seed, **unused):
        environment = Misbehaving(length=lengths[(seed or 0) % len(lengths)])
        made.append(environment)
        return environment

    if num_envs is None:
        environment = factory(0)
        actor = actors.RandomActor(environment.action_spec(), seed=0)
    else:
        environment = BatchedEnvironment(factory, num_envs, seed=0)
        actor = actors.RandomActor(environment.action_spec(), seed=0, num_envs=num_envs)
    loop = troupe.EnvironmentLoop(environment, actor, logger=loggers.NoOpLogger())
    loop.run(**{('num_' + budget[0]): budget[1]})
    loop.run(num_episodes=1)
    environment.close()
    assert sum(env.stepped_after_last for env in made) == 0
    common.TALLY.record('episode rules (never a step after LAST)',
                        'no step after LAST')


def _wrapped(name):
    """The wrappers, each around an environment it suits."""
    from troupe.environments import make, wrappers
    return {
        'FrameStackingWrapper': lambda seed: wrappers.FrameStackingWrapper(
            make('cartpole', seed=seed), 3),
        'ObservationActionRewardWrapper': lambda seed: (
            wrappers.ObservationActionRewardWrapper(make('catch', seed=seed))),
        'StepLimitWrapper': lambda seed: wrappers.StepLimitWrapper(
            make('pendulum', seed=seed), 10),
        'CanonicalSpecWrapper': lambda seed: wrappers.CanonicalSpecWrapper(
            make('mountain_car_continuous', seed=seed)),
        'ActionRepeatWrapper': lambda seed: wrappers.ActionRepeatWrapper(
            make('cartpole', seed=seed), 2),
        'NoopStartsWrapper': lambda seed: wrappers.NoopStartsWrapper(
            make('catch', seed=seed), noop_max=3, seed=seed),
        'SinglePrecisionWrapper': lambda seed: wrappers.SinglePrecisionWrapper(
            make('gym:Pendulum-v1', seed=seed)),
        'ConcatObservationWrapper': lambda seed: wrappers.ConcatObservationWrapper(
            make('dm_control:cartpole/balance', seed=seed)),
    }[name]


_WELL_BEHAVED = ([n for n in registry.registered_names() if ':' not in n]
                 + ['gym:CartPole-v1', 'gym:Pendulum-v1', 'bsuite:catch/0', 'atari:Pong']
                 + ['wrapper:' + n for n in (
                     'FrameStackingWrapper', 'ObservationActionRewardWrapper',
                     'StepLimitWrapper', 'CanonicalSpecWrapper', 'ActionRepeatWrapper',
                     'NoopStartsWrapper', 'SinglePrecisionWrapper',
                     'ConcatObservationWrapper')])


@pytest.mark.timeout(120)
@pytest.mark.parametrize('name', _WELL_BEHAVED)
@settings(common.FUZZ, max_examples=3)
@given(seed=st.integers(0, 1000), num_envs=st.one_of(st.none(), st.just(2)))
def test_well_behaved_environments_pass_the_checks(name, seed, num_envs):
    """Every built-in environment, gymnasium's, bsuite's and Atari's through the
    adapters, and every wrapper, runs through the checking loop (single and
    batched) without an error."""
    if ':' in name:
        for package in ('gymnasium', 'bsuite', 'dm_control', 'ale_py'):
            pytest.importorskip(package)
    from troupe.agents.registry import make_environment
    if name.startswith('wrapper:'):
        factory = _wrapped(name[len('wrapper:'):])
        environment = (factory(seed) if num_envs is None else
                       BatchedEnvironment(lambda s: factory(s), num_envs, seed=seed))
        actor = actors.RandomActor(environment.action_spec(), seed=seed, num_envs=num_envs)
    elif num_envs is None:
        environment = make_environment(name, seed)
        actor = actors.RandomActor(environment.action_spec(), seed=seed)
    else:
        environment = BatchedEnvironment(name, num_envs, seed=seed)
        actor = actors.RandomActor(environment.action_spec(), seed=seed, num_envs=num_envs)
    loop = troupe.EnvironmentLoop(environment, actor, logger=loggers.NoOpLogger())
    try:
        loop.run(num_steps=60)
    except Exception as error:  # noqa: BLE001
        common.TALLY.record('well-behaved environments', f'REFUSED: {type(error).__name__}')
        raise
    finally:
        environment.close()
    common.TALLY.record('well-behaved environments', 'ran through the checks')
