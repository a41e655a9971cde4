"""The DQN "Nature" preprocessing of Atari frames, as a dm_env wrapper.

Wraps an environment whose observations are raw RGB frames (H, W, 3) uint8 and
whose every step is one emulator frame, e.g. `GymnasiumWrapper` around ALE with
`frameskip=1`. Each agent step repeats the action `action_repeats` times, takes
the pixel-wise max of the last `pooled_frames` frames (to undo Atari flicker),
converts to grayscale, resizes to `scale_dims` with area interpolation and
stacks the last `num_stacked_frames` results: (84, 84, 4) uint8 by default.
Resizing uses OpenCV (`opencv-python-headless`, in the `envs` extra).
"""

import collections
from typing import Callable, Optional, Tuple

import dm_env
import numpy as np
from dm_env import specs

from troupe.environments.wrappers import base, frame_stacking


def _cv2():
    try:
        import cv2  # Only the Atari preprocessing needs OpenCV.
    except ImportError as error:
        raise ImportError('AtariWrapper needs OpenCV: pip install "troupe[envs]" (it '
                          'installs opencv-python-headless).') from error
    return cv2


class AtariWrapper(base.EnvironmentWrapper):
    """Action repeat, max-pooling, grayscale, resize and frame stacking.

    Args:
        environment: raw-frame environment (see the module docstring).
        max_abs_reward: if set, each agent step's summed reward is clipped to
            [-max_abs_reward, max_abs_reward] (1.0 in the DQN papers).
        scale_dims: (height, width) of the processed frames.
        action_repeats: emulator frames per agent step.
        pooled_frames: how many of the last frames are max-pooled.
        zero_discount_on_life_loss: give discount 0 (without ending the episode)
            on a step that loses a life; needs `lives_fn`, or an environment with
            an `info` dict holding 'lives' (as `GymnasiumWrapper` on ALE has).
        num_stacked_frames: how many processed frames are stacked.
        grayscaling: convert to grayscale (otherwise RGB frames are stacked into
            the channel axis: (H, W, 3 * num_stacked_frames)).
        to_float: return float32 observations in [0, 1] instead of uint8.
        lives_fn: returns the number of lives left.
    """

    def __init__(self, environment: dm_env.Environment,
                 max_abs_reward: Optional[float] = None,
                 scale_dims: Tuple[int, int] = (84, 84),
                 action_repeats: int = 4,
                 pooled_frames: int = 2,
                 zero_discount_on_life_loss: bool = False,
                 num_stacked_frames: int = 4,
                 grayscaling: bool = True,
                 to_float: bool = False,
                 lives_fn: Optional[Callable[[], int]] = None):
        super().__init__(environment)
        spec = environment.observation_spec()
        if (not isinstance(spec, specs.Array) or len(spec.shape) != 3 or spec.shape[-1] != 3
                or spec.dtype != np.uint8):
            raise ValueError(f'AtariWrapper needs RGB uint8 frames of shape (H, W, 3), got '
                             f'the observation spec {spec!r}.')
        if action_repeats < 1 or not 1 <= pooled_frames <= action_repeats:
            raise ValueError(f'Need action_repeats >= 1 and 1 <= pooled_frames <= '
                             f'action_repeats, got action_repeats={action_repeats!r}, '
                             f'pooled_frames={pooled_frames!r}.')
        if max_abs_reward is not None and max_abs_reward <= 0:
            raise ValueError(f'max_abs_reward must be positive or None, got '
                             f'{max_abs_reward!r}.')
        if zero_discount_on_life_loss and lives_fn is None:
            if not hasattr(environment, 'info'):
                raise ValueError('zero_discount_on_life_loss needs lives_fn, or an '
                                 'environment with an `info` dict that has "lives".')
            lives_fn = lambda: environment.info.get('lives')  # noqa: E731
        self._cv2 = _cv2()
        self._max_abs_reward = max_abs_reward
        self._scale_dims = tuple(scale_dims)
        self._action_repeats = action_repeats
        self._zero_discount_on_life_loss = zero_discount_on_life_loss
        self._grayscaling = grayscaling
        self._to_float = to_float
        self._lives_fn = lives_fn
        self._lives = None
        self._pool = collections.deque(maxlen=pooled_frames)
        self._stacker = frame_stacking.FrameStacker(num_stacked_frames,
                                                    flatten=not grayscaling)
        frame_shape = self._scale_dims if grayscaling else self._scale_dims + (3,)
        dtype, maximum = (np.float32, 1.0) if to_float else (np.uint8, 255)
        frame_spec = specs.BoundedArray(frame_shape, dtype, 0, maximum, name='pixels')
        self._observation_spec = self._stacker.update_spec(frame_spec)

    def observation_spec(self) -> specs.BoundedArray:
        return self._observation_spec

    def _state_config(self) -> dict:
        return {'max_abs_reward': self._max_abs_reward, 'scale_dims': self._scale_dims,
                'action_repeats': self._action_repeats, 'pooled_frames': self._pool.maxlen,
                'zero_discount_on_life_loss': self._zero_discount_on_life_loss,
                'grayscaling': self._grayscaling, 'to_float': self._to_float,
                'observation_shape': self._observation_spec.shape}

    def _get_own_state(self) -> dict:
        return {'pool': tuple(frame.copy() for frame in self._pool),
                'stack': self._stacker.get_frames(), 'lives': self._lives}

    def _set_own_state(self, data: dict) -> None:
        self._pool.clear()
        self._pool.extend(np.array(frame) for frame in data['pool'])
        self._stacker.set_frames(data['stack'])
        self._lives = data['lives']

    def _process(self) -> np.ndarray:
        frame = self._pool[0] if len(self._pool) == 1 else np.maximum.reduce(self._pool)
        if self._grayscaling:
            frame = self._cv2.cvtColor(frame, self._cv2.COLOR_RGB2GRAY)
        height, width = self._scale_dims
        frame = self._cv2.resize(frame, (width, height), interpolation=self._cv2.INTER_AREA)
        if self._to_float:
            frame = frame.astype(np.float32) / 255.0
        return self._stacker.step(frame)

    def reset(self) -> dm_env.TimeStep:
        timestep = self._environment.reset()
        self._pool.clear()
        self._pool.append(timestep.observation)
        self._stacker.reset()
        if self._lives_fn is not None:
            self._lives = self._lives_fn()
        return timestep._replace(observation=self._process())

    def step(self, action) -> dm_env.TimeStep:
        reward = 0.0
        timestep = None
        for _ in range(self._action_repeats):
            timestep = self._environment.step(action)
            if timestep.first():  # The wrapped environment started a new episode.
                self._pool.clear()
                self._pool.append(timestep.observation)
                self._stacker.reset()
                return timestep._replace(observation=self._process())
            reward += timestep.reward
            self._pool.append(timestep.observation)
            if timestep.last():
                break
        if self._max_abs_reward is not None:
            reward = float(np.clip(reward, -self._max_abs_reward, self._max_abs_reward))
        discount = timestep.discount
        if self._lives_fn is not None:
            lives = self._lives_fn()
            if (self._zero_discount_on_life_loss and self._lives is not None
                    and lives is not None and lives < self._lives):
                discount = 0.0 * discount
            self._lives = lives
        return timestep._replace(observation=self._process(), reward=reward,
                                 discount=discount)
