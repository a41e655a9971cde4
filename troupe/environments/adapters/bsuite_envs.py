"""Loads bsuite environments, optionally recording bsuite's CSV results.

With `results_dir`, the environment is wrapped in bsuite's own CSV logging, so
a run can be scored by bsuite's analysis (`bsuite.logging.csv_load.load_bsuite`
and each experiment's `analysis.score`).
"""

import inspect
from typing import Optional

import dm_env
import numpy as np

from troupe.environments import rendering, validation
from troupe.environments.wrappers import base


class BsuiteWrapper(base.EnvironmentWrapper):
    """A bsuite environment with checked actions and a `render()` of its board."""

    def __init__(self, environment: dm_env.Environment):
        super().__init__(environment)
        self._check_action = validation.make_action_checker(environment.action_spec())
        self._observation = None

    def reset(self) -> dm_env.TimeStep:
        timestep = self._environment.reset()
        self._observation = timestep.observation
        return timestep

    def step(self, action) -> dm_env.TimeStep:
        timestep = self._environment.step(self._check_action(action))
        self._observation = timestep.observation
        return timestep

    def render(self, cell_size: int = 16) -> np.ndarray:
        """The last observation as an image, for 2-D boards (Catch, DeepSea...)."""
        observation = np.asarray(self._observation)
        if self._observation is None or observation.ndim != 2:
            raise ValueError(f'render() draws 2-D board observations after reset(); the '
                             f'last observation has shape {observation.shape}.')
        scale = max(float(np.abs(observation).max()), 1e-12)
        return rendering.upscale(rendering.gray_to_rgb(np.abs(observation) / scale), cell_size)


def load(bsuite_id: str, seed: Optional[int] = None, results_dir: Optional[str] = None,
         overwrite: bool = False) -> BsuiteWrapper:
    """Loads `bsuite_id` (e.g. 'catch/0'); see the module docstring.

    Args:
        bsuite_id: '<experiment>/<setting index>'.
        seed: replaces the environment's `seed` argument, when it has one (the
            setting's own parameters, such as DeepSea's `mapping_seed`, are kept).
        results_dir: if set, write bsuite's CSV results there.
        overwrite: replace an existing CSV file for this id.

    Raises:
        ValueError: for an unknown id, naming the known experiments.
    """
    try:
        import bsuite
        from bsuite import bsuite as bsuite_loading
        from bsuite import sweep
        from bsuite.logging import csv_logging
    except ImportError as error:
        raise ImportError('bsuite environments need bsuite: pip install "troupe[envs]".') \
            from error
    if bsuite_id not in sweep.SETTINGS:
        experiments = sorted({key.split('/')[0] for key in sweep.SETTINGS})
        raise ValueError(f'Unknown bsuite id {bsuite_id!r}; expected <experiment>/<index> '
                         f'with an experiment among {experiments}.')
    experiment, _ = bsuite_loading.unpack_bsuite_id(bsuite_id)
    kwargs = dict(sweep.SETTINGS[bsuite_id])
    constructor = bsuite_loading.EXPERIMENT_NAME_TO_ENVIRONMENT[experiment]
    if seed is not None and 'seed' in inspect.signature(constructor).parameters:
        kwargs['seed'] = seed
    environment = bsuite.load(experiment, kwargs)
    if results_dir is not None:
        environment = csv_logging.wrap_environment(environment, bsuite_id, results_dir,
                                                   overwrite=overwrite)
    return BsuiteWrapper(environment)
