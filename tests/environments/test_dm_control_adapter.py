"""dm_control suite tasks through the registry (real MuJoCo)."""

import numpy as np
import pytest
from dm_env import specs

pytest.importorskip('dm_control')

from troupe import environments  # noqa: E402
from troupe.environments import InvalidActionError, wrappers  # noqa: E402


def test_cartpole_balance_specs_and_steps():
    env = environments.make('dm_control:cartpole/balance', seed=0)
    observation_spec = env.observation_spec()
    assert list(observation_spec) == ['position', 'velocity']
    assert observation_spec['position'] == specs.Array((3,), np.float64, name='position')
    assert observation_spec['velocity'] == specs.Array((2,), np.float64, name='velocity')
    action_spec = env.action_spec()
    assert action_spec.shape == (1,) and action_spec.dtype == np.float64
    np.testing.assert_array_equal(action_spec.minimum, [-1.0])
    np.testing.assert_array_equal(action_spec.maximum, [1.0])
    first = env.reset()
    assert first.first()
    timestep = env.step(np.zeros(1))
    assert timestep.mid() and 0.0 <= timestep.reward <= 1.0 and timestep.discount == 1.0


def test_seeded_tasks_repeat():
    first = environments.make('dm_control:cartpole/balance', seed=4).reset().observation
    again = environments.make('dm_control:cartpole/balance', seed=4).reset().observation
    np.testing.assert_array_equal(first['position'], again['position'])
    np.testing.assert_array_equal(first['velocity'], again['velocity'])


def test_concat_and_single_precision_give_a_flat_float32_vector():
    env = wrappers.SinglePrecisionWrapper(wrappers.ConcatObservationWrapper(
            environments.make('dm_control:cartpole/balance', seed=0)))
    assert env.observation_spec() == specs.Array((5,), np.float32, name='observation')
    observation = env.reset().observation
    assert observation.shape == (5,) and observation.dtype == np.float32


def test_render_rgb():
    env = environments.make('dm_control:cartpole/balance', seed=0)
    env.reset()
    image = env.render(height=48, width=64)
    assert image.shape == (48, 64, 3) and image.dtype == np.uint8 and image.std() > 0


def test_bad_actions_and_names():
    env = environments.make('dm_control:cartpole/balance', seed=0)
    env.reset()
    with pytest.raises(InvalidActionError, match=r'has shape \(2,\); expected shape \(1,\)'):
        env.step(np.zeros(2))
    with pytest.raises(InvalidActionError, match=r'out of bounds'):
        env.step(np.array([1.5]))
    with pytest.raises(ValueError, match=r'Unknown dm_control task cartpole/fly.*'
                                         r'cartpole/balance'):
        environments.make('dm_control:cartpole/fly')
    with pytest.raises(ValueError, match=r'"dm_control:<domain>/<task>"'):
        environments.make('dm_control:cartpole')
