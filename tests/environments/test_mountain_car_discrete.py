"""MountainCar (discrete): specs, the step by hand, episode ends, the registry
name, and step-for-step equality with gymnasium's MountainCar-v0."""

import math

import dm_env
import numpy as np
import pytest

from troupe import environments
from troupe.environments import InvalidActionError, MountainCar


def test_specs_and_registry_name():
    env = environments.make('mountain_car', seed=3)
    assert type(env) is MountainCar and env.seed == 3
    assert env.action_spec().num_values == 3
    assert env.observation_spec().shape == (2,)
    with pytest.raises(InvalidActionError):
        env.step(3)


def test_a_step_by_hand():
    env = MountainCar(seed=0)
    env.reset()
    env.state = (-0.5, 0.01)
    timestep = env.step(2)
    velocity = 0.01 + 0.001 - 0.0025 * math.cos(3 * -0.5)
    np.testing.assert_array_equal(timestep.observation,
                                  np.array([-0.5 + velocity, velocity], np.float32))
    assert timestep.reward == -1.0 and timestep.mid()


def test_reaching_the_flag_terminates_and_the_limit_truncates():
    env = MountainCar(seed=0)
    env.reset()
    env.state = (0.49, 0.07)
    timestep = env.step(1)
    assert (timestep.step_type, timestep.discount, timestep.reward) == (
        dm_env.StepType.LAST, 0.0, -1.0)
    env.reset()
    steps = [env.step(1) for _ in range(200)]
    assert all(t.mid() for t in steps[:-1])
    assert steps[-1].last() and steps[-1].discount == 1.0


def test_matches_gymnasium_step_for_step():
    gymnasium = pytest.importorskip('gymnasium')
    gym_env = gymnasium.make('MountainCar-v0').unwrapped  # No time limit.
    rng = np.random.default_rng(0)
    for episode in range(2):
        gym_observation, _ = gym_env.reset(seed=episode)
        env = MountainCar(max_episode_steps=None, seed=episode)
        np.testing.assert_array_equal(env.reset().observation, gym_observation)
        for _ in range(300):
            action = int(rng.integers(3))
            gym_observation, reward, terminated, _, _ = gym_env.step(action)
            timestep = env.step(action)
            np.testing.assert_array_equal(timestep.observation, gym_observation)
            assert timestep.reward == reward and timestep.last() == terminated
