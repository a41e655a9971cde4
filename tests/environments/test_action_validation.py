"""The action checks shared by the built-in environments and adapters."""

import numpy as np
import pytest
from dm_env import specs

from troupe.environments import validation
from troupe.environments.validation import InvalidActionError

DISCRETE = specs.DiscreteArray(3, dtype=np.int64, name='action')
BOUNDED = specs.BoundedArray((2,), np.float32, -1.0, [1.0, 2.0], name='force')


def test_discrete_actions_accept_integers_of_any_width():
    for action in (0, 2, np.int8(1), np.uint16(2), np.array(1, np.int32), np.int64(0)):
        value = validation.check_discrete_action(action, DISCRETE)
        assert type(value) is int and value == int(action)


@pytest.mark.parametrize('action, reason', [
        (3, r'out of bounds; expected an integer in \[0, 2\]'),
        (-1, r'out of bounds'),
        (1.0, r'is not an integer scalar'),
        (np.array([1]), r'is not an integer scalar'),
        (False, r'is a boolean'),
        ('2', r'is not an integer scalar'),
])
def test_bad_discrete_actions(action, reason):
    with pytest.raises(InvalidActionError, match=reason) as error:
        validation.check_discrete_action(action, DISCRETE)
    assert repr(action) in str(error.value) and 'DiscreteArray' in str(error.value)
    assert isinstance(error.value, ValueError) and isinstance(error.value, TypeError)


def test_bounded_integer_spec_uses_its_bounds():
    spec = specs.BoundedArray((), np.int64, 2, 4)
    assert validation.check_discrete_action(4, spec) == 4
    with pytest.raises(InvalidActionError, match=r'\[2, 4\]'):
        validation.check_discrete_action(1, spec)


def test_array_actions_are_cast_to_the_spec_dtype():
    value = validation.check_array_action(np.array([0.5, 2.0]), BOUNDED)
    assert value.dtype == np.float32
    np.testing.assert_array_equal(value, [0.5, 2.0])
    assert validation.check_array_action([1.0, -1.0], BOUNDED).dtype == np.float32


@pytest.mark.parametrize('action, reason', [
        (np.array([0.5, 2.5], np.float32), r'out of bounds'),
        (np.array([0.5], np.float32), r'has shape \(1,\); expected shape \(2,\)'),
        (np.array([0, 1]), r'has dtype int64; expected a float32'),
        (np.array([np.nan, 0.0]), r'contains NaN'),
        ([[1.0, 2.0]], r'has shape \(1, 2\)'),
])
def test_bad_array_actions(action, reason):
    with pytest.raises(InvalidActionError, match=reason) as error:
        validation.check_array_action(action, BOUNDED)
    assert "name='force'" in str(error.value)


def test_nested_actions():
    spec = {'a': DISCRETE, 'b': BOUNDED}
    checked = validation.check_action({'a': np.int32(1), 'b': [0.0, 0.0]}, spec)
    assert checked['a'] == 1 and checked['b'].dtype == np.float32
    with pytest.raises(InvalidActionError, match=r'does not have the structure'):
        validation.check_action({'a': 1}, spec)
    with pytest.raises(InvalidActionError, match=r'out of bounds'):
        validation.check_action({'a': 5, 'b': [0.0, 0.0]}, spec)
