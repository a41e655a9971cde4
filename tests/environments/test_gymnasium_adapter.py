"""GymnasiumWrapper on real gymnasium environments and spaces."""

import dm_env
import numpy as np
import pytest
from dm_env import specs

gymnasium = pytest.importorskip('gymnasium')
from gymnasium import spaces  # noqa: E402

from troupe import environments  # noqa: E402
from troupe.environments import CartPole, InvalidActionError, wrappers  # noqa: E402


def test_spaces_become_specs():
    convert = wrappers.space_to_spec
    assert convert(spaces.Discrete(3), 'a') == specs.DiscreteArray(3, dtype=np.int64, name='a')
    assert convert(spaces.Discrete(3, start=1), 'a') == specs.BoundedArray(
            (), np.int64, 1, 3, name='a')
    assert convert(spaces.Box(-1.0, 2.0, (2,), np.float32), 'b') == specs.BoundedArray(
            (2,), np.float32, -1.0, 2.0, name='b')
    assert convert(spaces.Box(-np.inf, np.inf, (3,), np.float64), 'c') == specs.Array(
            (3,), np.float64, name='c')
    assert convert(spaces.MultiDiscrete([2, 3]), 'd') == specs.BoundedArray(
            (2,), np.int64, [0, 0], [1, 2], name='d')
    assert convert(spaces.MultiBinary(4), 'e') == specs.BoundedArray(
            (4,), np.int8, 0, 1, name='e')
    nested = convert(spaces.Dict({'x': spaces.Discrete(2),
                                  'y': spaces.Tuple((spaces.Discrete(4),
                                                     spaces.Box(0, 1, (1,))))}), 'o')
    assert list(nested) == ['x', 'y']
    assert nested['x'] == specs.DiscreteArray(2, dtype=np.int64, name='o/x')
    assert nested['y'][0] == specs.DiscreteArray(4, dtype=np.int64, name='o/y/0')
    assert nested['y'][1].shape == (1,)
    with pytest.raises(TypeError, match=r'Cannot convert the gymnasium space Text'):
        convert(spaces.Text(5))


def test_real_cartpole_matches_the_built_in_one():
    gym_env = wrappers.GymnasiumWrapper(gymnasium.make('CartPole-v1'), seed=5)
    built_in = CartPole(seed=5)
    assert gym_env.action_spec() == built_in.action_spec()
    assert gym_env.observation_spec().shape == (4,)
    assert gym_env.observation_spec().dtype == np.float32
    theirs, ours = gym_env.reset(), built_in.reset()
    assert theirs.first() and theirs.reward is None and theirs.discount is None
    np.testing.assert_array_equal(theirs.observation, ours.observation)
    rng = np.random.default_rng(1)
    for _ in range(3):  # Episodes: gymnasium's generator carries on from the seed.
        while True:
            action = int(rng.integers(2))
            theirs, ours = gym_env.step(action), built_in.step(action)
            np.testing.assert_array_equal(theirs.observation, ours.observation)
            assert (theirs.step_type, theirs.reward, theirs.discount) == (
                    ours.step_type, ours.reward, ours.discount)
            if theirs.last():
                assert theirs.discount == 0.0  # terminated -> termination.
                break
        theirs, ours = gym_env.step(0), built_in.step(0)  # dm_env: starts a new episode.
        assert theirs.first() and ours.first()
        np.testing.assert_array_equal(theirs.observation, ours.observation)


def test_truncated_becomes_last_with_discount_one():
    env = wrappers.GymnasiumWrapper(gymnasium.make('CartPole-v1', max_episode_steps=3), seed=0)
    env.reset()
    steps = [env.step(t % 2) for t in range(3)]
    assert [t.step_type for t in steps] == [dm_env.StepType.MID] * 2 + [dm_env.StepType.LAST]
    assert steps[-1].discount == 1.0 and steps[-1].reward == 1.0


def test_step_before_reset_starts_an_episode_and_bad_actions_raise():
    env = wrappers.GymnasiumWrapper(gymnasium.make('CartPole-v1'), seed=0)
    assert env.step(1).first()
    with pytest.raises(InvalidActionError, match=r'Action 2 .*DiscreteArray'):
        env.step(2)
    with pytest.raises(InvalidActionError, match=r'not an integer scalar'):
        env.step(0.5)


def test_continuous_actions_and_registry_names():
    env = environments.make('gym:Pendulum-v1', seed=0)
    assert env.action_spec() == specs.BoundedArray((1,), np.float32, -2.0, 2.0,
                                                   name='action')
    env.reset()
    timestep = env.step(np.array([0.5], np.float32))
    assert timestep.mid() and isinstance(timestep.reward, float)
    with pytest.raises(InvalidActionError, match=r'out of bounds'):
        env.step(np.array([3.0], np.float32))
    assert env.info == {}
    with pytest.raises(ValueError, match=r'render_mode="rgb_array"'):
        env.render()


def test_wrapper_rejects_non_gymnasium_objects():
    with pytest.raises(TypeError, match=r'wraps a gymnasium.Env, got'):
        wrappers.GymnasiumWrapper(CartPole())
