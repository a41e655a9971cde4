"""CartPole, Pendulum and MountainCarContinuous: specs, episode rules, and
step-for-step equality with gymnasium from the same state (when installed)."""

import math

import dm_env
import numpy as np
import pytest
from dm_env import specs

from troupe.environments import (CartPole, InvalidActionError, MountainCarContinuous,
                                 Pendulum)


def test_cartpole_specs():
    env = CartPole(seed=0)
    assert env.observation_spec() == specs.Array((4,), np.float32, name='observation')
    assert env.action_spec() == specs.DiscreteArray(2, dtype=np.int64, name='action')
    assert env.reward_spec() == specs.Array((), float)
    assert env.discount_spec() == specs.BoundedArray((), float, 0.0, 1.0)


def test_cartpole_initial_state_is_seeded_and_small():
    first = CartPole(seed=7).reset().observation
    np.testing.assert_array_equal(first, CartPole(seed=7).reset().observation)
    assert not np.array_equal(first, CartPole(seed=8).reset().observation)
    assert first.dtype == np.float32 and (np.abs(first) <= 0.05).all()


def test_cartpole_euler_step_by_hand():
    env = CartPole(seed=0)
    env.reset()
    env.state = (0.0, 0.0, 0.1, 0.0)
    timestep = env.step(1)
    # Force +10 with the pole tilted 0.1 rad right: worked through Barto et al.'s
    # equations; the Euler step moves only the velocities on the first step.
    sin, cos = math.sin(0.1), math.cos(0.1)
    temp = 10.0 / 1.1
    theta_acc = (9.8 * sin - cos * temp) / (0.5 * (4.0 / 3.0 - 0.1 * cos * cos / 1.1))
    x_acc = temp - 0.05 * theta_acc * cos / 1.1
    np.testing.assert_array_equal(
            env.state, [0.0, 0.02 * x_acc, 0.1, 0.02 * theta_acc])
    assert (timestep.step_type, timestep.reward, timestep.discount) == (
            dm_env.StepType.MID, 1.0, 1.0)


def test_cartpole_terminates_with_reward_one_and_discount_zero():
    env = CartPole(seed=0)
    env.reset()
    env.state = (2.39, 1.0, 0.0, 0.0)  # x becomes 2.41 > 2.4.
    timestep = env.step(0)
    assert (timestep.step_type, timestep.reward, timestep.discount) == (
            dm_env.StepType.LAST, 1.0, 0.0)
    assert env.step(0).first()


def test_cartpole_truncates_with_discount_one():
    env = CartPole(max_episode_steps=4, seed=0)
    env.reset()
    steps = [env.step(t % 2) for t in range(4)]
    assert [t.step_type for t in steps] == [dm_env.StepType.MID] * 3 + [dm_env.StepType.LAST]
    assert steps[-1].discount == 1.0 and steps[-1].reward == 1.0


def test_cartpole_default_limit_is_500_steps():
    env = CartPole(seed=0)
    env.reset()
    for _ in range(499):
        env.state = (0.0, 0.0, 0.0, 0.0)  # Keep balancing by hand.
        assert env.step(0).mid()
    env.state = (0.0, 0.0, 0.0, 0.0)
    assert env.step(0).last()


@pytest.mark.parametrize('action', [2, -1, 0.0, np.array([1]), True, None])
def test_cartpole_rejects_bad_actions(action):
    env = CartPole(seed=0)
    env.reset()
    with pytest.raises(InvalidActionError, match=r'Action .*DiscreteArray'):
        env.step(action)


def test_pendulum_specs():
    env = Pendulum(seed=0)
    high = np.array([1.0, 1.0, 8.0], np.float32)
    assert env.observation_spec() == specs.BoundedArray((3,), np.float32, -high, high,
                                                        name='observation')
    assert env.action_spec() == specs.BoundedArray((1,), np.float32, -2.0, 2.0,
                                                   name='action')


def test_pendulum_step_by_hand_and_truncation():
    env = Pendulum(max_episode_steps=2, seed=0)
    env.reset()
    env.state = (math.pi / 2, 0.5)
    timestep = env.step(np.array([1.0], np.float32))
    theta_dot = 0.5 + (15.0 * math.sin(math.pi / 2) + 3.0 * 1.0) * 0.05
    np.testing.assert_array_equal(env.state, [math.pi / 2 + theta_dot * 0.05, theta_dot])
    assert timestep.reward == -((math.pi / 2) ** 2 + 0.1 * 0.25 + 0.001)
    np.testing.assert_array_equal(
            timestep.observation,
            np.array([math.cos(env.state[0]), math.sin(env.state[0]), theta_dot], np.float32))
    assert timestep.mid()
    last = env.step(np.array([0.0], np.float32))
    assert last.last() and last.discount == 1.0


def test_pendulum_speed_is_clipped():
    env = Pendulum(seed=0)
    env.reset()
    env.state = (0.5, 7.9)
    env.step(np.array([2.0], np.float32))
    assert env.state[1] == 8.0


@pytest.mark.parametrize('action, message', [
        (np.array([2.5], np.float32), r'out of bounds'),
        (np.array([1.0, 1.0], np.float32), r'has shape \(2,\); expected shape \(1,\)'),
        (np.array([1], np.int64), r'has dtype int64'),
        (np.array([np.nan], np.float32), r'contains NaN'),
        (1.0, r'has shape \(\)'),
])
def test_pendulum_rejects_bad_actions(action, message):
    env = Pendulum(seed=0)
    env.reset()
    with pytest.raises(InvalidActionError, match=message):
        env.step(action)


def test_mountain_car_reaching_the_flag():
    env = MountainCarContinuous(seed=0)
    env.reset()
    env.state = (0.449, 0.07)
    timestep = env.step(np.array([1.0], np.float32))
    assert (timestep.step_type, timestep.discount) == (dm_env.StepType.LAST, 0.0)
    assert timestep.reward == 100.0 - 0.1
    np.testing.assert_array_equal(timestep.observation, np.array([0.519, 0.07], np.float32))


def test_mountain_car_left_wall_stops_the_car():
    env = MountainCarContinuous(seed=0)
    env.reset()
    env.state = (-1.19, -0.05)
    timestep = env.step(np.array([-1.0], np.float32))
    np.testing.assert_array_equal(timestep.observation, np.array([-1.2, 0.0], np.float32))
    assert timestep.reward == -0.1 and timestep.mid()


def test_mountain_car_truncates_after_999_steps():
    env = MountainCarContinuous(seed=0)
    env.reset()
    steps = [env.step(np.zeros(1, np.float32)) for _ in range(999)]
    assert all(t.mid() for t in steps[:-1])
    assert steps[-1].last() and steps[-1].discount == 1.0


def _compare_with_gymnasium(gym_id, make_env, actions, episodes):
    """Runs both for `episodes` episodes with the same seeds and actions; every
    observation, reward and ending must be equal."""
    gymnasium = pytest.importorskip('gymnasium')
    gym_env = gymnasium.make(gym_id).unwrapped  # No time limit: ours has none either.
    rng = np.random.default_rng(0)
    steps = 0
    for episode in range(episodes):
        gym_observation, _ = gym_env.reset(seed=episode)
        env = make_env(max_episode_steps=None, seed=episode)
        timestep = env.reset()
        np.testing.assert_array_equal(timestep.observation, gym_observation)
        for _ in range(300):
            action = actions(rng)
            gym_observation, reward, terminated, _, _ = gym_env.step(action)
            timestep = env.step(action)
            steps += 1
            assert timestep.observation.dtype == gym_observation.dtype
            np.testing.assert_array_equal(timestep.observation, gym_observation)
            assert timestep.reward == reward
            assert timestep.last() == terminated
            assert timestep.discount == (0.0 if terminated else 1.0)
            if terminated:
                break
    return steps


def test_cartpole_matches_gymnasium_step_for_step():
    steps = _compare_with_gymnasium('CartPole-v1', CartPole,
                                    lambda rng: int(rng.integers(2)), episodes=20)
    assert steps > 200


def test_cartpole_matches_gymnasium_from_a_set_state():
    gymnasium = pytest.importorskip('gymnasium')
    gym_env = gymnasium.make('CartPole-v1').unwrapped
    gym_env.reset(seed=0)
    env = CartPole(max_episode_steps=None, seed=0)
    env.reset()
    state = np.array([0.3, -0.2, 0.05, 0.1])
    gym_env.state = state.copy()
    env.state = state
    for t in range(30):
        gym_observation, _, terminated, _, _ = gym_env.step(t % 3 % 2)
        timestep = env.step(t % 3 % 2)
        np.testing.assert_array_equal(timestep.observation, gym_observation)
        np.testing.assert_array_equal(env.state, gym_env.state)
        if terminated:
            assert timestep.last()
            break


def test_pendulum_matches_gymnasium_step_for_step():
    steps = _compare_with_gymnasium(
            'Pendulum-v1', Pendulum,
            lambda rng: rng.uniform(-2, 2, size=(1,)).astype(np.float32), episodes=3)
    assert steps == 900


def test_pendulum_matches_gymnasium_from_a_set_state():
    gymnasium = pytest.importorskip('gymnasium')
    gym_env = gymnasium.make('Pendulum-v1').unwrapped
    gym_env.reset(seed=0)
    env = Pendulum(max_episode_steps=None, seed=0)
    env.reset()
    gym_env.state = np.array([3.0, -7.5])
    env.state = (3.0, -7.5)
    for t in range(100):
        action = np.array([2.0 * math.sin(t)], np.float32)
        gym_observation, reward, _, _, _ = gym_env.step(action)
        timestep = env.step(action)
        np.testing.assert_array_equal(timestep.observation, gym_observation)
        assert timestep.reward == reward


def test_mountain_car_matches_gymnasium_step_for_step():
    steps = _compare_with_gymnasium(
            'MountainCarContinuous-v0', MountainCarContinuous,
            lambda rng: rng.uniform(-1, 1, size=(1,)).astype(np.float32), episodes=2)
    assert steps == 600


@pytest.mark.parametrize('make', [CartPole, Pendulum, MountainCarContinuous])
def test_render_shapes(make):
    env = make(seed=0)
    env.reset()
    image = env.render()
    assert image.dtype == np.uint8 and image.ndim == 3 and image.shape[-1] == 3
    assert (image != 255).any()  # Something was drawn on the white background.
