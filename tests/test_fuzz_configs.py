"""Fuzz: every agent config refuses out-of-range and wrongly typed values.

Each field of each config class (troupe/agents/configs.py and every
troupe/agents/*/config.py) is fed values outside the domain this file expects
for it (`DOMAINS`, written down here independently of the configs' own checks,
so a field that checks nothing is caught). A bad value must raise
`troupe.errors.InvalidInput` (a ValueError) whose message names
`Config.field`, shows the value and says what was expected; the same values go
through the command line's path (`AgentEntry.resolve`, `from_json`). No agent is
built: constructing the config is the check.
"""

import dataclasses
import importlib
import inspect
import math
import pkgutil
import typing

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import troupe.agents
from troupe import errors
from troupe.agents import configs, registry
from tests import test_fuzz_common as common

AREA = 'agent configs'

# The domain of every config field, by name.
DOMAINS = {
    'baseline_cost': 'non-negative', 'batch_size': 'int>=1', 'centralised_critics': 'bool',
    'clip_pg_rho_threshold': 'non-negative', 'clip_rho_threshold': 'non-negative',
    'clipping': 'bool', 'critic_hidden_sizes': 'sizes', 'critic_learning_rate': 'positive',
    'discount': 'unit', 'double_q': 'bool', 'dueling': 'bool',
    'ensemble_size': 'int>=1', 'entropy_coefficient': 'non-negative',
    'entropy_cost': 'non-negative', 'epsilon': 'epsilon', 'epsilon_update_period': 'int>=1',
    'first_visit': 'bool', 'hidden_sizes': 'sizes', 'huber_loss_parameter': 'positive',
    'importance_sampling_exponent': 'unit', 'init_temperature': 'positive',
    'initial_q_values': 'finite', 'intrinsic_discount': 'unit',
    'intrinsic_feature_size': 'int>=1', 'intrinsic_hidden_sizes': 'sizes',
    'intrinsic_learning_rate': 'positive', 'intrinsic_reward': 'rnd|icm',
    'intrinsic_scale': 'non-negative', 'jit_compile': 'bool', 'lambda_': 'unit',
    'learning_rate': 'positive', 'lstm_size': 'int>=1', 'max_abs_reward': 'positive',
    'mask_probability': 'rate', 'max_gradient_norm': 'positive',
    'max_queue_size': 'int>=1',
    'max_replay_size': 'int>=1', 'min_replay_size': 'int>=1', 'n_step': 'int>=1',
    'noise_clip': 'non-negative', 'on_non_finite': 'raise|skip', 'num_atoms': 'int>=2',
    'num_offline_updates': 'int>=0',
    'num_parallel_calls': 'int>=1', 'observations_per_step': 'positive',
    'policy_hidden_sizes': 'sizes', 'policy_learning_rate': 'positive',
    'policy_update_period': 'int>=1', 'prefetch_size': 'int>=0',
    'prior_scale': 'non-negative', 'priority_exponent': 'non-negative',
    'recurrent': 'bool', 'replay_capacity': 'int>=1',
    'replay_table_name': 'str', 'reward_clip': 'positive', 'samples_per_insert': 'positive',
    'seed': 'int>=0', 'sequence_length': 'int>=1', 'shared_torso': 'bool',
    'sigma': 'non-negative', 'step_size': 'rate', 'target_entropy': 'finite',
    'target_sigma': 'non-negative', 'target_update_period': 'int>=1',
    'target_update_rate': 'rate', 'temperature_learning_rate': 'positive',
    'updates_per_call': 'int>=1', 'vmax': 'finite', 'vmin': 'finite',
}

_NUMBERS = {
    'unit': (0.0, 1.0, False), 'rate': (0.0, 1.0, True),
    'positive': (0.0, math.inf, True), 'non-negative': (0.0, math.inf, False),
    'finite': (-math.inf, math.inf, False),
}


def _bad_sizes() -> st.SearchStrategy:
    entry = st.one_of(st.integers(max_value=0), common.HUGE_INT, common.NON_INTEGRAL,
                      st.text(max_size=3), st.none(), st.booleans())
    bad_list = st.builds(lambda good, bad, at: good[:at] + [bad] + good[at:],
                         st.lists(st.integers(1, 512), max_size=3), entry,
                         st.integers(0, 3))
    return st.one_of(bad_list, st.text(min_size=1, max_size=4), st.integers(),
                     st.floats(allow_nan=True), st.dictionaries(st.text(max_size=2),
                                                                st.integers(1, 8),
                                                                max_size=2))


def _bad_epsilon() -> st.SearchStrategy:
    bad_end = common.numbers_outside(0.0, 1.0).filter(
        lambda v: isinstance(v, (int, float)) and not isinstance(v, bool))
    good = st.floats(0.0, 1.0)
    steps = st.one_of(st.integers(max_value=0), st.floats(0.1, 1e4).filter(
        lambda x: not x.is_integer()), st.text(max_size=2))
    return st.one_of(
        common.numbers_outside(0.0, 1.0).filter(
            lambda v: not (isinstance(v, list) and len(v) == 3)),
        st.tuples(bad_end, good, st.integers(1, 10_000)).map(list),   # start
        st.tuples(good, bad_end, st.integers(1, 10_000)).map(list),   # end
        st.tuples(good, good, steps).map(list),                       # steps
        st.lists(good, min_size=0, max_size=2),                       # too short
        st.lists(good, min_size=4, max_size=5))                       # too long


def bad_values(domain: str, optional: bool) -> st.SearchStrategy:
    """Values outside `domain` (None too, unless the field is Optional)."""
    if domain.startswith('int>='):
        strategy = common.ints_below(int(domain[len('int>='):]))
    elif domain in _NUMBERS:
        low, high, low_open = _NUMBERS[domain]
        strategy = common.numbers_outside(low, high, low_open=low_open)
    elif domain == 'bool':
        strategy = st.one_of(st.integers(), st.floats(), st.text(max_size=5),
                             st.lists(st.booleans(), max_size=2))
    elif domain == 'str':
        strategy = st.one_of(st.integers(), st.floats(), st.booleans(),
                             st.lists(st.text(max_size=2), max_size=2))
    elif domain == 'raise|skip':
        strategy = st.one_of(st.text(max_size=6).filter(lambda t: t not in ('raise', 'skip')),
                             st.sampled_from(['RAISE', 'Skip', ' raise']), st.integers(),
                             st.booleans())
    elif domain == 'rnd|icm':
        strategy = st.one_of(st.text(max_size=6).filter(lambda t: t not in ('rnd', 'icm')),
                             st.sampled_from(['RND', 'Icm', ' rnd']), st.integers(),
                             st.booleans())
    elif domain == 'sizes':
        strategy = _bad_sizes()
    elif domain == 'epsilon':
        strategy = _bad_epsilon()
    else:
        raise AssertionError(f'unknown domain {domain!r}')
    if not optional:
        strategy = st.one_of(st.none(), strategy)
    return strategy


def _config_classes():
    """Every AgentConfig dataclass in troupe/agents/configs.py and
    troupe/agents/*/config.py."""
    modules = [configs]
    for info in pkgutil.iter_modules(troupe.agents.__path__):
        if info.ispkg:
            try:
                modules.append(importlib.import_module(
                    f'troupe.agents.{info.name}.config'))
            except ModuleNotFoundError:
                continue  # A package without a config (e.g. bc, registry).
    classes = {}
    for module in modules:
        for _, value in inspect.getmembers(module, inspect.isclass):
            if (issubclass(value, configs.AgentConfig) and dataclasses.is_dataclass(value)
                    and value.__module__ == module.__name__):
                classes[value.__name__] = value
    return classes


CONFIG_CLASSES = _config_classes()
FIELDS = [(name, field.name) for name, cls in sorted(CONFIG_CLASSES.items())
          for field in dataclasses.fields(cls)]


@pytest.fixture(scope='module', autouse=True)
def _summary(pytestconfig):
    common.register_summary(pytestconfig)


def _is_optional(cls, field_name: str) -> bool:
    annotation = typing.get_type_hints(cls)[field_name]
    return (typing.get_origin(annotation) is typing.Union
            and type(None) in typing.get_args(annotation))


def test_every_config_and_field_is_covered():
    """Every agent in the registry has its config here, and every field a domain."""
    for entry in registry.AGENTS.values():
        assert entry.config_class.__name__ in CONFIG_CLASSES, entry.name
    assert len(CONFIG_CLASSES) >= 15
    missing = sorted({field for _, field in FIELDS} - set(DOMAINS))
    assert not missing, f'give these config fields a domain in DOMAINS: {missing}'


def _check_refused(cls, field: str, value, area_suffix: str = '') -> None:
    try:
        cls(**{field: value})
    except errors.InvalidInput as error:
        outcome = 'refused with InvalidInput'
        try:
            common.assert_clear(error, field, value)
        except AssertionError:
            common.TALLY.record(AREA + area_suffix, 'refused, but the message is unclear')
            raise
        common.TALLY.record(AREA + area_suffix, outcome)
        return
    except Exception as error:  # noqa: BLE001 - recorded, then failed.
        common.TALLY.record(AREA + area_suffix, f'other error: {type(error).__name__}')
        raise AssertionError(f'{cls.__name__}({field}={value!r}) raised '
                             f'{type(error).__name__}, not InvalidInput: {error}') from error
    common.TALLY.record(AREA + area_suffix, 'ACCEPTED (a gap)')
    raise AssertionError(f'{cls.__name__}({field}={value!r}) was accepted; expected '
                         f'{DOMAINS[field]}')


@pytest.mark.timeout(60)
@pytest.mark.parametrize('class_name, field', FIELDS)
def test_a_bad_value_is_refused_by_name(class_name, field):
    cls = CONFIG_CLASSES[class_name]
    strategy = bad_values(DOMAINS[field], _is_optional(cls, field))

    @settings(common.FUZZ, max_examples=15)
    @given(value=strategy)
    def check(value):
        _check_refused(cls, field, value)

    check()


@pytest.mark.timeout(60)
@common.FUZZ
@given(data=st.data())
def test_relations_between_fields_are_checked(data):
    """max_replay_size < min_replay_size, max_queue_size < batch_size and
    vmax <= vmin are refused, naming both fields."""
    case = data.draw(st.sampled_from(['replay', 'queue', 'support']))
    if case == 'replay':
        cls = data.draw(st.sampled_from([c for c in CONFIG_CLASSES.values()
                                         if issubclass(c, configs.ReplayConfig)]))
        low = data.draw(st.integers(2, 10_000))
        high = data.draw(st.integers(1, low - 1))
        kwargs, names = {'min_replay_size': low, 'max_replay_size': high}, (
            'max_replay_size', 'min_replay_size')
    elif case == 'queue':
        from troupe.agents.on_policy.config import OnPolicyConfig
        cls = data.draw(st.sampled_from([c for c in CONFIG_CLASSES.values()
                                         if issubclass(c, OnPolicyConfig)]))
        batch = data.draw(st.integers(2, 1_000))
        queue = data.draw(st.integers(1, batch - 1))
        kwargs, names = {'batch_size': batch, 'max_queue_size': queue}, (
            'max_queue_size', 'batch_size')
    else:
        cls = CONFIG_CLASSES['D4PGConfig']
        vmin = data.draw(st.floats(-1e6, 1e6))
        vmax = data.draw(st.floats(-1e6, vmin))
        kwargs, names = {'vmin': vmin, 'vmax': vmax}, ('vmax', 'vmin')
    with pytest.raises(errors.InvalidInput) as raised:
        try:
            cls(**kwargs)
        except errors.InvalidInput:
            common.TALLY.record(AREA + ' (relations)', 'refused with InvalidInput')
            raise
        except Exception as error:  # noqa: BLE001
            common.TALLY.record(AREA + ' (relations)',
                                f'other error: {type(error).__name__}')
            raise
        common.TALLY.record(AREA + ' (relations)', 'ACCEPTED (a gap)')
    message = str(raised.value)
    for name in names:
        assert name in message, message


_AGENTS_WITH_FIELDS = [name for name, entry in registry.AGENTS.items() if entry.parameters]


@pytest.mark.timeout(60)
@common.FUZZ
@given(data=st.data())
def test_the_command_line_path_refuses_the_same_values(data):
    """`AgentEntry.resolve` (what `--config KEY=VALUE` calls) and `from_json`
    (what --resume and `troupe evaluate` call) refuse bad values the same way,
    and an unknown key lists the valid ones."""
    name = data.draw(st.sampled_from(_AGENTS_WITH_FIELDS))
    entry = registry.get(name)
    field = data.draw(st.sampled_from(sorted(entry.parameters)))
    value = data.draw(bad_values(DOMAINS[field], _is_optional(entry.config_class, field)))
    how = data.draw(st.sampled_from(['resolve', 'from_json', 'unknown key']))
    if how == 'unknown key':
        key = data.draw(st.text(min_size=1, max_size=8).filter(
            lambda k: k not in entry.parameters and k != 'seed'))
        with pytest.raises(errors.InvalidInput) as raised:
            entry.resolve('cartpole', {key: value})
        common.TALLY.record(AREA + ' (command-line path)', 'unknown key refused')
        assert repr(key) in str(raised.value)
        assert 'Valid keys' in str(raised.value)
        return
    call = ((lambda: entry.resolve('cartpole', {field: value})) if how == 'resolve'
            else (lambda: entry.config_from_json({field: value})))
    try:
        call()
    except errors.InvalidInput as error:
        common.TALLY.record(AREA + ' (command-line path)', 'refused with InvalidInput')
        common.assert_clear(error, field, value)
        return
    except Exception as error:  # noqa: BLE001
        common.TALLY.record(AREA + ' (command-line path)',
                            f'other error: {type(error).__name__}')
        raise
    common.TALLY.record(AREA + ' (command-line path)', 'ACCEPTED (a gap)')
    raise AssertionError(f'{name}: {field}={value!r} was accepted by {how}')
