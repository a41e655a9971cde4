"""Wrappers: environments that change another environment's data or specs.

Adapters from other APIs live here too. Those that need an optional package
(`GymnasiumWrapper` needs gymnasium, from the `envs` extra) are imported on
first use, so `import troupe.environments.wrappers` works without the extras.
"""

import importlib
from typing import Any

from troupe.environments.wrappers.action_repeat import ActionRepeatWrapper
from troupe.environments.wrappers.atari import AtariWrapper
from troupe.environments.wrappers.base import EnvironmentWrapper
from troupe.environments.wrappers.canonical_spec import CanonicalSpecWrapper
from troupe.environments.wrappers.concat_observation import ConcatObservationWrapper
from troupe.environments.wrappers.frame_stacking import FrameStacker, FrameStackingWrapper
from troupe.environments.wrappers.latency import LatencyWrapper
from troupe.environments.wrappers.noop_starts import NoopStartsWrapper
from troupe.environments.wrappers.observation_action_reward import (
        OAR, ObservationActionRewardWrapper)
from troupe.environments.wrappers.single_precision import SinglePrecisionWrapper
from troupe.environments.wrappers.spec_validation import SpecValidationWrapper
from troupe.environments.wrappers.step_limit import StepLimitWrapper
from troupe.environments.wrappers.video import VideoWrapper

_LAZY = {
    'GymnasiumWrapper': 'troupe.environments.wrappers.gymnasium_wrapper',
    'space_to_spec': 'troupe.environments.wrappers.gymnasium_wrapper',
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        try:
            module = importlib.import_module(_LAZY[name])
        except ImportError as error:
            raise ImportError(f'{name} needs gymnasium: pip install "troupe[envs]" '
                              f'({error}).') from error
        return getattr(module, name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')


__all__ = [
    'ActionRepeatWrapper', 'AtariWrapper', 'CanonicalSpecWrapper',
    'ConcatObservationWrapper', 'EnvironmentWrapper', 'FrameStacker',
    'FrameStackingWrapper', 'GymnasiumWrapper', 'LatencyWrapper', 'NoopStartsWrapper', 'OAR',
    'ObservationActionRewardWrapper', 'SinglePrecisionWrapper', 'SpecValidationWrapper',
    'StepLimitWrapper', 'VideoWrapper', 'space_to_spec',
]
