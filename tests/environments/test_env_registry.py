"""The registry: built-in names, seeds, keyword arguments and unknown names."""

import dm_env
import numpy as np
import pytest
import tree

from troupe import environments
from troupe.environments import (Bandit, CartPole, Catch, CooperativeNavigation, DeepSea,
                                 GridWorld, MountainCarContinuous, ObservationType, Pendulum)

BUILT_IN = {
    'gridworld/simple': GridWorld,
    'gridworld/obstacle': GridWorld,
    'gridworld/random_goal': GridWorld,
    'catch': Catch,
    'cartpole': CartPole,
    'pendulum': Pendulum,
    'mountain_car_continuous': MountainCarContinuous,
    'bandit': Bandit,
    'deep_sea': DeepSea,
    'cooperative_navigation': CooperativeNavigation,
}


@pytest.mark.parametrize('name', sorted(BUILT_IN))
def test_built_in_names_make_seeded_environments(name):
    env = environments.make(name, seed=3)
    assert type(env) is BUILT_IN[name]
    assert env.seed == 3
    first, again = env.reset(), environments.make(name, seed=3).reset()
    tree.map_structure(np.testing.assert_array_equal, first.observation, again.observation)


def test_keyword_arguments_reach_the_constructor():
    env = environments.make('gridworld/obstacle', observation_type=ObservationType.GRID,
                            max_episode_length=7)
    assert env.observation_spec().shape == (9, 10, 3)
    assert environments.make('deep_sea', size=5).observation_spec().shape == (5, 5)
    with pytest.raises(TypeError):
        environments.make('catch', colour='red')


def test_unknown_names_list_the_known_ones():
    with pytest.raises(ValueError) as error:
        environments.make('cartpole-v9')
    message = str(error.value)
    assert "Unknown environment 'cartpole-v9'" in message
    for name in list(BUILT_IN) + ['gym:<gymnasium id>', 'dm_control:<domain>/<task>',
                                  'bsuite:<experiment>/<index>', 'atari:<game>']:
        assert name in message
    with pytest.raises(ValueError, match=r"'gym:' names no environment"):
        environments.make('gym:')
    with pytest.raises(ValueError, match=r'names are strings, got 3'):
        environments.make(3)


@pytest.fixture
def _forget_test_names():
    """Takes the names a test registers out of the registry again, so that
    tests that list every built-in name (tests/test_fuzz_environments.py) do
    not see them."""
    from troupe.environments import registry
    before = set(registry._BUILTIN)  # pylint: disable=protected-access
    yield
    for name in set(registry._BUILTIN) - before:  # pylint: disable=protected-access
        del registry._BUILTIN[name]  # pylint: disable=protected-access


def test_register_adds_a_name(_forget_test_names):
    environments.register('test/tiny_catch', lambda seed=None: Catch(3, 2, seed=seed))
    env = environments.make('test/tiny_catch', seed=1)
    assert env.observation_spec().shape == (3, 2)
    assert 'test/tiny_catch' in environments.registered_names()
    with pytest.raises(ValueError, match=r"'test/tiny_catch' is already registered"):
        environments.register('test/tiny_catch', Catch)
    with pytest.raises(ValueError, match=r'without the adapter prefixes'):
        environments.register('gym:Mine', Catch)


@pytest.mark.parametrize('name', sorted(BUILT_IN))
def test_step_before_reset_and_after_last_start_a_new_episode(name):
    env = environments.make(name, seed=0)
    spec = env.action_spec()
    action = ({k: s.generate_value() for k, s in spec.items()} if isinstance(spec, dict)
              else spec.generate_value())
    assert env.step(action).first()
    for _ in range(1000):
        timestep = env.step(action)
        if timestep.last():
            break
    assert timestep.last()
    assert env.step(action).step_type == dm_env.StepType.FIRST
