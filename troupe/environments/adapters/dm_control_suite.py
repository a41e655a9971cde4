"""Loads dm_control suite tasks, with actions checked, RGB rendering and state snapshots.

dm_control tasks already speak dm_env; the wrapper adds action checks, a
`render()` that draws a camera view through MuJoCo, and `get_state`/`set_state`
(see `DmControlWrapper.get_state`). Headless rendering uses
EGL unless `MUJOCO_GL` is already set (to 'osmesa' or 'glfw', say); the
variable is read when MuJoCo's GL context is first made, so it is set here,
before dm_control is imported.
"""

import os
import sys
from typing import Any, Mapping, Optional

import dm_env
import numpy as np

from troupe.environments import state as env_state
from troupe.environments import validation
from troupe.environments.wrappers import base

if sys.platform.startswith('linux'):
    os.environ.setdefault('MUJOCO_GL', 'egl')


# Model arrays that suite tasks change when an episode starts (targets, colours,
# terrain): a snapshot holds those that differ from the model as it was when
# the wrapper was made.
_MODEL_FIELDS = ('body_pos', 'body_quat', 'dof_damping', 'geom_pos', 'geom_quat', 'geom_rgba',
                 'geom_size', 'hfield_data', 'light_pos', 'mat_rgba', 'site_pos', 'site_rgba',
                 'site_size', 'wrap_prm')


class DmControlWrapper(base.EnvironmentWrapper):
    """A dm_control environment with checked actions, RGB `render()` and snapshots."""

    def __init__(self, environment: dm_env.Environment):
        super().__init__(environment)
        self._check_action = validation.make_action_checker(environment.action_spec())
        # The model as loaded (before any episode), the reference of snapshots.
        self._loaded_model = ({name: value.copy() for name, value in self._model_fields().items()}
                              if self.state_unsupported_reason() is None else {})

    def state_unsupported_reason(self) -> Optional[str]:
        """None for a `dm_control.rl.control.Environment`, else why not."""
        inner = self._environment
        if not all(hasattr(inner, name) for name in ('physics', 'task', '_step_count',
                                                       '_reset_next_step')):
            return f'{type(inner).__name__} is not a dm_control.rl.control.Environment'
        return None

    def _model_fields(self) -> dict:
        model = self._environment.physics.model
        return {name: getattr(model, name) for name in _MODEL_FIELDS if hasattr(model, name)}

    def _state_config(self) -> dict:
        physics = self._environment.physics
        return {'task': type(self._environment.task).__name__,
                'model_sizes': (physics.model.nq, physics.model.nv, physics.model.na,
                                physics.model.nu, physics.model.nbody),
                'n_sub_steps': self._environment._n_sub_steps}

    def get_state(self) -> env_state.Snapshot:
        """The physics' full integration state (MuJoCo's `mjSTATE_INTEGRATION`:
        time, positions, velocities, actuator states, warm start, controls,
        applied forces, mocap), the model arrays the task changed at the start of
        the episode, the task's `RandomState` and the step count.

        Task attributes other than its generator are not saved (the suite tasks
        keep none that change during an episode).
        """
        import mujoco  # Present: dm_control needs it.
        env_state.check_supports_state(self)
        inner = self._environment
        changed = {name: value for name, value in self._model_fields().items()
                   if not np.array_equal(value, self._loaded_model[name])}
        data = {'physics': inner.physics.get_state(sig=int(mujoco.mjtState.mjSTATE_INTEGRATION)),
                'model': changed,
                'task_random': inner.task.random.get_state(),
                'step_count': inner._step_count,
                'reset_next_step': inner._reset_next_step}
        return env_state.make_snapshot(self, self._state_config(), data)

    def set_state(self, snapshot: env_state.Snapshot) -> None:
        """Restores a snapshot from `get_state()` of the same task.

        Raises:
            InvalidInput: for a snapshot of another environment or task.
        """
        import mujoco
        env_state.check_supports_state(self)
        snapshot = env_state.check_snapshot(self, snapshot, self._state_config())
        data = snapshot.data
        inner = self._environment
        physics = inner.physics
        for name, value in self._model_fields().items():
            np.copyto(value, data['model'].get(name, self._loaded_model[name]))
        physics.set_state(data['physics'], sig=int(mujoco.mjtState.mjSTATE_INTEGRATION))
        # Recompute what depends on positions and velocities, as after a step
        # (mj_step1 leaves the solver's warm start as restored).
        mujoco.mj_step1(physics.model.ptr, physics.data.ptr)
        inner.task.random.set_state(env_state.copy_data(data['task_random']))
        inner._step_count = int(data['step_count'])
        inner._reset_next_step = bool(data['reset_next_step'])

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
