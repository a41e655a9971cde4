"""Stacks the last few observations, so a feed-forward agent can see motion."""

import collections

import dm_env
import numpy as np
import tree
from dm_env import specs

from troupe.environments.wrappers import base


class FrameStacker:
    """Keeps the last `num_frames` frames of one array, zero-padded at the start."""

    def __init__(self, num_frames: int, flatten: bool = False):
        if int(num_frames) != num_frames or num_frames < 1:
            raise ValueError(f'num_frames must be a positive int, got {num_frames!r}.')
        self._num_frames = int(num_frames)
        self._flatten = flatten
        self._frames = collections.deque(maxlen=self._num_frames)

    def reset(self) -> None:
        """Forgets the frames (the next `step` starts a zero-padded stack)."""
        self._frames.clear()

    def get_frames(self) -> tuple:
        """Copies of the frames kept, oldest first (for state snapshots)."""
        return tuple(frame.copy() for frame in self._frames)

    def set_frames(self, frames) -> None:
        """Replaces the frames kept with copies of `frames`, oldest first."""
        self._frames.clear()
        self._frames.extend(np.array(frame) for frame in frames)

    def step(self, frame: np.ndarray) -> np.ndarray:
        """Adds `frame` and returns the stack, frames along a new last axis."""
        frame = np.asarray(frame)
        if not self._frames:
            self._frames.extend([np.zeros_like(frame)] * (self._num_frames - 1))
        self._frames.append(frame)
        stacked = np.stack(self._frames, axis=-1)
        if self._flatten:
            stacked = stacked.reshape(stacked.shape[:-2] + (-1,))
        return stacked

    def update_spec(self, spec: specs.Array) -> specs.Array:
        """The spec of the stacks of frames of `spec`."""
        shape = spec.shape + (self._num_frames,)
        if self._flatten:
            if not spec.shape:
                raise ValueError(f'flatten needs frames of rank >= 1, got {spec!r}.')
            shape = spec.shape[:-1] + (spec.shape[-1] * self._num_frames,)
        if isinstance(spec, specs.BoundedArray):
            minimum = np.broadcast_to(spec.minimum[..., None], spec.shape + (self._num_frames,))
            maximum = np.broadcast_to(spec.maximum[..., None], spec.shape + (self._num_frames,))
            # Zero padding must stay inside the bounds.
            return specs.BoundedArray(shape, spec.dtype,
                                      np.minimum(minimum, 0).reshape(shape),
                                      np.maximum(maximum, 0).reshape(shape), name=spec.name)
        return specs.Array(shape, spec.dtype, name=spec.name)


class FrameStackingWrapper(base.EnvironmentWrapper):
    """Observations become the last `num_frames` observations, stacked on a new
    last axis (or merged into the last axis with `flatten=True`).

    At the start of an episode the missing older frames are zeros.
    """

    def __init__(self, environment: dm_env.Environment, num_frames: int = 4,
                 flatten: bool = False):
        super().__init__(environment)
        self._num_frames = num_frames
        self._flatten = flatten
        self._stackers = tree.map_structure(lambda _: FrameStacker(num_frames, flatten),
                                            environment.observation_spec())

    def _state_config(self) -> dict:
        return {'num_frames': self._num_frames, 'flatten': self._flatten}

    def _get_own_state(self) -> dict:
        return {'frames': [stacker.get_frames() for stacker in tree.flatten(self._stackers)]}

    def _set_own_state(self, data: dict) -> None:
        for stacker, frames in zip(tree.flatten(self._stackers), data['frames']):
            stacker.set_frames(frames)

    def _process(self, timestep: dm_env.TimeStep) -> dm_env.TimeStep:
        if timestep.first():
            tree.map_structure(lambda stacker: stacker.reset(), self._stackers)
        observation = tree.map_structure(lambda stacker, frame: stacker.step(frame),
                                         self._stackers, timestep.observation)
        return timestep._replace(observation=observation)

    def reset(self) -> dm_env.TimeStep:
        return self._process(self._environment.reset())

    def step(self, action) -> dm_env.TimeStep:
        return self._process(self._environment.step(action))

    def observation_spec(self):
        return tree.map_structure(lambda stacker, spec: stacker.update_spec(spec),
                                  self._stackers, self._environment.observation_spec())
