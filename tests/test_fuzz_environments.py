"""Fuzz: every environment constructor refuses out-of-range and wrongly typed
arguments, by name, through `troupe.environments.make(name, **kwargs)`.

`DOMAINS` says, independently of the constructors, what each argument of each
built-in name accepts; every argument is fed values outside it and must raise
`troupe.errors.InvalidInput` naming the argument and the value and saying what
was expected (an unknown keyword is Python's TypeError naming it). The adapter
prefixes (gym:, atari:, dm_control:, bsuite:) get unknown names and bad seeds.
Last, every built-in environment stepped after its LAST timestep starts a new
episode (FIRST), as dm_env specifies.
"""

import inspect

import dm_env
import numpy as np
import pytest
import tree
from hypothesis import given, settings
from hypothesis import strategies as st

from troupe import errors
from troupe.environments import GridWorld, ObservationType, gridworld_tasks, make, registry
from tests import test_fuzz_common as common

AREA = 'environment constructors'

_SEED = ('seed', 'seed', True)
# name -> {argument: (domain, optional)}; every built-in name also takes `seed`.
DOMAINS = {
    'catch': {'rows': ('int>=2', False), 'columns': ('int>=1', False)},
    'cartpole': {'max_episode_steps': ('int>=1', True)},
    'pendulum': {'max_episode_steps': ('int>=1', True), 'gravity': ('finite', False)},
    'mountain_car': {'max_episode_steps': ('int>=1', True),
                     'goal_velocity': ('finite', False)},
    'mountain_car_continuous': {'max_episode_steps': ('int>=1', True),
                                'goal_velocity': ('finite', False)},
    'bandit': {'num_arms': ('int>=1', False), 'probabilities': ('probabilities', True)},
    'deep_sea': {'size': ('int>=1', False), 'move_cost': ('finite', False),
                 'randomize_actions': ('bool', False)},
    'cooperative_navigation': {'num_agents': ('int>=1', False),
                               'num_landmarks': ('int>=1', True),
                               'max_episode_steps': ('int>=1', False),
                               'collision_penalty': ('finite', False)},
    'speaker_listener': {'num_landmarks': ('int>=2', False),
                         'max_episode_steps': ('int>=1', False)},
    'key_door_rooms': {'num_rooms': ('int>=2', False), 'room_size': ('int>=3', False),
                       'max_episode_steps': ('int>=1', False),
                       'observation_type': ('key_door_observation', False),
                       'action_noise': ('unit', False)},
}
_GRIDWORLD = {'discount': ('unit', False), 'penalty_for_walls': ('finite', False),
              'observation_type': ('observation_type', False),
              'max_episode_length': ('int>=1', True)}
for _task in gridworld_tasks.TASKS:
    DOMAINS[f'gridworld/{_task}'] = dict(_GRIDWORLD)


def _ints_below(minimum: int) -> st.SearchStrategy:
    # No huge integers: a board of 2**70 rows is a valid request numpy cannot hold.
    return st.one_of(st.integers(-10 ** 6, minimum - 1), common.NON_INTEGRAL,
                     common.NOT_A_NUMBER)


def bad_values(domain: str, optional: bool) -> st.SearchStrategy:
    if domain.startswith('int>='):
        strategy = _ints_below(int(domain[len('int>='):]))
    elif domain == 'finite':
        strategy = st.one_of(common.NON_FINITE, common.NOT_A_NUMBER)
    elif domain == 'unit':
        strategy = common.numbers_outside(0.0, 1.0)
    elif domain == 'bool':
        strategy = st.one_of(st.integers(), st.floats(), st.text(max_size=4),
                             st.lists(st.booleans(), max_size=2))
    elif domain == 'seed':
        strategy = st.one_of(st.integers(max_value=-1), st.integers(min_value=2 ** 32),
                             common.NON_INTEGRAL, common.NOT_A_NUMBER)
    elif domain == 'observation_type':
        strategy = st.one_of(
            st.text(max_size=8).filter(lambda t: t not in ObservationType.__members__),
            st.integers().filter(lambda i: i not in set(ObservationType)),
            st.booleans(), st.floats(), st.lists(st.integers(), max_size=2))
    elif domain == 'key_door_observation':
        strategy = st.one_of(
            st.text(max_size=8).filter(lambda t: t not in ('position', 'index', 'grid')),
            st.integers(), st.booleans(), st.floats(), st.lists(st.integers(), max_size=2))
    elif domain == 'probabilities':
        number = st.floats(0.0, 1.0)
        bad = st.one_of(common.numbers_outside(0.0, 1.0).filter(
            lambda v: not isinstance(v, (list, dict, bytes))), st.none())
        strategy = st.one_of(
            st.builds(lambda good, b, at: good[:at] + [b] + good[at:],
                      st.lists(number, max_size=3), bad, st.integers(0, 3)),
            st.just([]), st.lists(st.lists(number, min_size=2, max_size=2), min_size=1,
                                  max_size=2),
            st.text(max_size=4), st.integers(), st.dictionaries(
                st.text(max_size=2), number, max_size=2))
    else:
        raise AssertionError(domain)
    return strategy if optional else st.one_of(st.none(), strategy)


def _parameters(name: str):
    """The keyword arguments `make(name)` passes to the constructor."""
    constructor = registry._BUILTIN[name]
    if name.startswith('gridworld/'):
        target = gridworld_tasks.build_gridworld_task
    else:
        target = constructor.__init__
    return [p for p in inspect.signature(target).parameters
            if p not in ('self', 'task')]


CASES = sorted((name, argument) for name, arguments in DOMAINS.items()
               for argument in list(arguments) + ['seed'])


@pytest.fixture(scope='module', autouse=True)
def _summary(pytestconfig):
    common.register_summary(pytestconfig)


def test_every_builtin_name_and_argument_is_covered():
    builtin = [name for name in registry.registered_names() if ':' not in name]
    assert sorted(builtin) == sorted(DOMAINS), 'give new environments a DOMAINS entry'
    for name in builtin:
        assert sorted(_parameters(name)) == sorted(list(DOMAINS[name]) + ['seed']), name


def _expect_refused(area: str, build, argument: str, value) -> None:
    try:
        environment = build()
    except errors.InvalidInput as error:
        try:
            common.assert_clear(error, argument, value)
        except AssertionError:
            common.TALLY.record(area, 'refused, but the message is unclear')
            raise
        common.TALLY.record(area, 'refused with InvalidInput')
        return
    except Exception as error:  # noqa: BLE001 - recorded, then failed.
        common.TALLY.record(area, f'other error: {type(error).__name__}')
        raise AssertionError(f'{argument}={value!r} raised {type(error).__name__}, not '
                             f'InvalidInput: {error}') from error
    common.TALLY.record(area, 'ACCEPTED (a gap)')
    environment.close()
    raise AssertionError(f'{argument}={value!r} was accepted')


@pytest.mark.timeout(60)
@pytest.mark.parametrize('name, argument', CASES)
def test_a_bad_argument_is_refused_by_name(name, argument):
    domain, optional = _SEED[1:] if argument == 'seed' else DOMAINS[name][argument]

    @settings(common.FUZZ, max_examples=25)
    @given(value=bad_values(domain, optional))
    def check(value):
        _expect_refused(AREA, lambda: make(name, **{argument: value}), argument, value)

    check()


@pytest.mark.timeout(60)
@common.FUZZ
@given(name=st.sampled_from(sorted(DOMAINS)),
       keyword=st.text('abcdefghijklmnopqrstuvwxyz_', min_size=1, max_size=10))
def test_an_unknown_keyword_is_named(name, keyword):
    if keyword in _parameters(name):
        return
    with pytest.raises(TypeError, match=repr(keyword)):
        make(name, **{keyword: 1})
    common.TALLY.record(AREA + ' (unknown keyword)', 'refused with TypeError naming it')


_LAYOUT = [[-1, -1, -1, -1], [-1, 0, 0, -1], [-1, 0, 0, -1], [-1, -1, -1, -1]]


@pytest.mark.timeout(60)
@common.FUZZ
@given(data=st.data())
def test_gridworld_layouts_and_cells_are_checked(data):
    """GridWorld(layout, start_state, goal_state): a bad layout, a cell outside
    the grid or on a wall, or a non-cell, is refused naming it."""
    which = data.draw(st.sampled_from(['layout', 'start_state', 'goal_state']))
    kwargs = {'layout': _LAYOUT, 'start_state': (1, 1), 'goal_state': (2, 2)}
    if which == 'layout':
        value = data.draw(st.one_of(
            st.just([]), st.just([[]]), st.lists(st.lists(st.sampled_from([2, 5, -2, 0.5]),
                                                          min_size=2, max_size=2),
                                                 min_size=2, max_size=2),
            st.text(max_size=3), st.integers(), st.just([[0, 0], [0]])))
        name = 'layout'
    else:
        value = data.draw(st.one_of(
            st.tuples(st.integers(-5, 10), st.integers(-5, 10)).filter(
                lambda cell: not (1 <= cell[0] <= 2 and 1 <= cell[1] <= 2)),
            st.just((1,)), st.just((1, 1, 1)), st.text(max_size=3), st.integers(),
            st.tuples(st.floats(0.1, 0.9), st.just(1))))
        name = which
    kwargs[which] = value
    area = AREA + ' (GridWorld layout and cells)'
    try:
        GridWorld(**kwargs)
    except errors.InvalidInput as error:
        common.TALLY.record(area, 'refused with InvalidInput')
        assert name in str(error) or which == 'layout', str(error)
        assert common.says_what_was_expected(str(error)), str(error)
        return
    except ValueError as error:
        common.TALLY.record(area, 'refused with ValueError')
        message = str(error)
        assert name in message or 'Layout' in message or 'layout' in message, message
        return
    except Exception as error:  # noqa: BLE001
        common.TALLY.record(area, f'other error: {type(error).__name__}')
        raise
    common.TALLY.record(area, 'ACCEPTED (a gap)')
    raise AssertionError(f'GridWorld({which}={value!r}) was accepted')


_ADAPTER_NAMES = st.one_of(
    st.builds(lambda s: f'gym:{s}-v0', st.text('QXZqxz', min_size=3, max_size=6)),
    st.builds(lambda s: f'atari:{s}', st.text('QXZqxz', min_size=3, max_size=6)),
    st.builds(lambda s: f'bsuite:{s}', st.sampled_from(['nope/0', 'catch/999', 'catch',
                                                        'catch/x'])),
    st.builds(lambda s: f'dm_control:{s}', st.sampled_from(['cartpole/nope', 'nope/x',
                                                            'cartpole', '/balance'])),
    st.sampled_from(['gym:', 'atari:', 'bsuite:', 'dm_control:', 'CartPole', 'gym',
                     'gridworld/maze', '']))


@pytest.mark.timeout(120)
@settings(common.FUZZ, max_examples=25)
@given(name=_ADAPTER_NAMES)
def test_unknown_names_are_refused_by_name(name):
    """Unknown names, with or without an adapter prefix, raise a ValueError
    (InvalidInput for troupe's own, the adapter's ValueError otherwise) that
    names them."""
    pytest.importorskip('gymnasium')
    pytest.importorskip('bsuite')
    pytest.importorskip('dm_control')
    area = AREA + ' (unknown names)'
    try:
        make(name).close()
    except ValueError as error:
        common.TALLY.record(area, f'refused with {type(error).__name__}')
        shown = name.split(':', 1)[-1].split('/')[-1] or name
        assert shown in str(error) or repr(name) in str(error), str(error)
        return
    except Exception as error:  # noqa: BLE001
        common.TALLY.record(area, f'other error: {type(error).__name__}')
        raise
    common.TALLY.record(area, 'ACCEPTED (a gap)')
    raise AssertionError(f'make({name!r}) was accepted')


@pytest.mark.timeout(120)
@settings(common.FUZZ, max_examples=12)
@given(name=st.sampled_from(['gym:CartPole-v1', 'bsuite:catch/0',
                             'dm_control:cartpole/balance']),
       seed=bad_values('seed', optional=True))
def test_adapters_refuse_bad_seeds_by_name(name, seed):
    pytest.importorskip('gymnasium')
    pytest.importorskip('bsuite')
    pytest.importorskip('dm_control')
    _expect_refused(AREA + ' (adapter seeds)', lambda: make(name, seed=seed), 'seed', seed)


def _random_action(spec, rng):
    def one(s):
        if isinstance(s, dm_env.specs.DiscreteArray):
            return np.asarray(rng.integers(s.num_values), s.dtype)
        if isinstance(s, dm_env.specs.BoundedArray):
            return rng.uniform(s.minimum, s.maximum, s.shape).astype(s.dtype)
        return np.zeros(s.shape, s.dtype)
    return tree.map_structure(one, spec)


_SHORT = {'catch': {'rows': 3}, 'deep_sea': {'size': 3}, 'bandit': {}}


@pytest.mark.timeout(60)
@settings(common.FUZZ, max_examples=30)
@given(name=st.sampled_from(sorted(DOMAINS)), seed=st.integers(0, 2 ** 32 - 1),
       extra=st.integers(1, 3))
def test_a_step_after_last_starts_a_new_episode(name, seed, extra):
    """Stepping after LAST (without reset) gives FIRST, then the episode goes on;
    reset() always gives FIRST."""
    kwargs = dict(_SHORT.get(name, {}))
    for argument in ('max_episode_steps', 'max_episode_length'):
        if argument in DOMAINS[name]:
            kwargs[argument] = 3
    environment = make(name, seed=seed, **kwargs)
    rng = np.random.default_rng(seed)
    spec = environment.action_spec()
    timestep = environment.reset()
    assert timestep.first()
    for episode in range(extra):
        steps = 0
        while not timestep.last():
            timestep = environment.step(_random_action(spec, rng))
            steps += 1
            assert not timestep.first(), f'{name}: FIRST in the middle of an episode'
            assert steps <= 100, f'{name}: no LAST within 100 steps'
        timestep = environment.step(_random_action(spec, rng))
        assert timestep.first(), f'{name}: {timestep.step_type} after LAST'
        assert timestep.reward is None and timestep.discount is None
    common.TALLY.record('built-in environments stepped after LAST',
                        'started a new episode (FIRST)')
    environment.close()
