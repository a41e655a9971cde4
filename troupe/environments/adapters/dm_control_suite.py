"""Loads dm_control suite tasks, with actions checked and RGB rendering.

dm_control tasks already speak dm_env; the wrapper adds action checks and a
`render()` that draws a camera view through MuJoCo. Headless rendering uses
EGL unless `MUJOCO_GL` is already set (to 'osmesa' or 'glfw', say); the
variable is read when MuJoCo's GL context is first made, so it is set here,
before dm_control is imported.
"""

import os
import sys
from typing import Any, Mapping, Optional

import dm_env
import numpy as np

from troupe.environments import validation
from troupe.environments.wrappers import base

if sys.platform.startswith('linux'):
    os.environ.setdefault('MUJOCO_GL', 'egl')


class DmControlWrapper(base.EnvironmentWrapper):
    """A dm_control environment with checked actions and RGB `render()`."""

    def __init__(self, environment: dm_env.Environment):
        super().__init__(environment)
        self._check_action = validation.make_action_checker(environment.action_spec())

    def step(self, action) -> dm_env.TimeStep:
        return self._environment.step(self._check_action(action))

    def render(self, height: int = 240, width: int = 320, camera_id: int = 0) -> np.ndarray:
        """The view of camera `camera_id` as an RGB array (height, width, 3)."""
        return self._environment.physics.render(height=height, width=width,
                                                camera_id=camera_id)


def load(domain: str, task: str, seed: Optional[int] = None,
         task_kwargs: Optional[Mapping[str, Any]] = None,
         environment_kwargs: Optional[Mapping[str, Any]] = None) -> DmControlWrapper:
    """`dm_control.suite.load(domain, task)` seeded with `seed`, wrapped.

    Raises:
        ValueError: for an unknown domain or task, listing the known ones.
    """
    try:
        from dm_control import suite
    except ImportError as error:
        raise ImportError('dm_control tasks need dm-control: pip install "troupe[envs]".') \
            from error
    if (domain, task) not in suite.ALL_TASKS:
        known = ', '.join(f'{d}/{t}' for d, t in suite.ALL_TASKS)
        raise ValueError(f'Unknown dm_control task {domain}/{task!s}; known tasks: {known}.')
    task_kwargs = dict(task_kwargs or {})
    if seed is not None:
        task_kwargs['random'] = seed
    environment = suite.load(domain, task, task_kwargs=task_kwargs,
                             environment_kwargs=dict(environment_kwargs or {}))
    return DmControlWrapper(environment)
