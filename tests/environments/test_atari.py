"""AtariWrapper on a real ALE Pong (ale-py ships its ROMs in the wheel)."""

import numpy as np
import pytest
from dm_env import specs

gymnasium = pytest.importorskip('gymnasium')
ale_py = pytest.importorskip('ale_py')
cv2 = pytest.importorskip('cv2')

from troupe import environments  # noqa: E402
from troupe.environments import wrappers  # noqa: E402


def _raw_pong(seed: int) -> 'wrappers.GymnasiumWrapper':
    gymnasium.register_envs(ale_py)
    return wrappers.GymnasiumWrapper(
            gymnasium.make('ALE/Pong-v5', frameskip=1, repeat_action_probability=0.0),
            seed=seed)


def test_pong_frame_through_atari_wrapper_is_84x84x4():
    env = environments.make('atari:Pong', seed=0)
    assert env.observation_spec() == specs.BoundedArray((84, 84, 4), np.uint8, 0, 255,
                                                        name='pixels')
    assert env.action_spec() == specs.DiscreteArray(6, dtype=np.int64, name='action')
    first = env.reset()
    assert first.first() and first.observation.shape == (84, 84, 4)
    assert first.observation.dtype == np.uint8
    np.testing.assert_array_equal(first.observation[..., :3], 0)  # Zero padding.
    timestep = env.step(0)
    assert timestep.observation.shape == (84, 84, 4) and timestep.mid()
    assert timestep.observation[..., 3].std() > 0  # A real, non-blank screen.


def test_atari_preprocessing_equals_the_nature_recipe():
    env = wrappers.AtariWrapper(_raw_pong(seed=3))
    reference = _raw_pong(seed=3)
    env.reset()
    reference.reset()
    for _ in range(3):
        timestep = env.step(2)
        frames = [reference.step(2).observation for _ in range(4)]
    pooled = np.maximum(frames[-2], frames[-1])
    gray = cv2.cvtColor(pooled, cv2.COLOR_RGB2GRAY)
    expected = cv2.resize(gray, (84, 84), interpolation=cv2.INTER_AREA)
    np.testing.assert_array_equal(timestep.observation[..., -1], expected)


def test_atari_options_float_rgb_and_clipping():
    env = wrappers.AtariWrapper(_raw_pong(seed=0), to_float=True, grayscaling=False,
                                num_stacked_frames=2, scale_dims=(42, 42), max_abs_reward=1.0)
    assert env.observation_spec() == specs.BoundedArray((42, 42, 6), np.float32, 0.0, 1.0,
                                                        name='pixels')
    observation = env.reset().observation
    assert observation.shape == (42, 42, 6) and observation.max() <= 1.0
    with pytest.raises(ValueError, match=r'needs RGB uint8 frames'):
        wrappers.AtariWrapper(environments.CartPole())


def test_life_loss_gives_discount_zero_without_ending_the_episode():
    env = environments.make('atari:Breakout', seed=0, noop_max=0,
                            zero_discount_on_life_loss=True)
    env.reset()
    assert env.environment.info['lives'] == 5
    discounts = []
    while not discounts or discounts[-1] == 1.0:
        timestep = env.step(1)  # FIRE launches the ball; the still paddle misses it.
        discounts.append(timestep.discount)
        assert len(discounts) < 500
    assert timestep.mid() and timestep.discount == 0.0
    assert env.environment.info['lives'] == 4
    assert env.step(1).discount == 1.0


def test_raw_ale_through_the_registry_renders():
    env = environments.make('gym:ALE/Pong-v5', seed=0, render_mode='rgb_array')
    assert env.observation_spec() == specs.BoundedArray((210, 160, 3), np.uint8, 0, 255,
                                                        name='observation')
    first = env.reset()
    assert first.observation.shape == (210, 160, 3) and env.info['lives'] == 0
    np.testing.assert_array_equal(env.render(), first.observation)
