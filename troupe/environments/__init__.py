"""Environments speaking dm_env: built-in ones, wrappers and adapters.

Built-in (pure numpy, seeded, each with `render()` to RGB): `GridWorld` and
`build_gridworld_task`, `Catch`, `CartPole`, `Pendulum`,
`MountainCar`, `MountainCarContinuous`, `Bandit`, `DeepSea`, `KeyDoorRooms` and the multi-agent
`CooperativeNavigation` and `SpeakerListener`. `make(name, **kwargs)` builds them, and gymnasium,
Atari, dm_control and bsuite environments, by name. Adapters import their
optional packages only when used. `BatchedEnvironment` steps N copies of one
together (in this process or in worker processes) for batched acting.
`supports_state`/`check_supports_state` tell which environments can save and
restore their state (`get_state()`/`set_state()`, see `state`).
"""

from troupe.environments import multiagent, validation, wrappers
from troupe.environments.bandit import Bandit
from troupe.environments.base import Environment
from troupe.environments.batched import BatchedEnvironment
from troupe.environments.cartpole import CartPole
from troupe.environments.catch import Catch
from troupe.environments.cooperative_navigation import CooperativeNavigation
from troupe.environments.deep_sea import DeepSea
from troupe.environments.gridworld import GridWorld, ObservationType, TabularModel
from troupe.environments.gridworld_tasks import build_gridworld_task
from troupe.environments.key_door_rooms import KeyDoorRooms
from troupe.environments.mountain_car import MountainCarContinuous
from troupe.environments.mountain_car_discrete import MountainCar
from troupe.environments.pendulum import Pendulum
from troupe.environments.registry import make, register, registered_names
from troupe.environments.speaker_listener import SpeakerListener
from troupe.environments.state import Snapshot, check_supports_state, supports_state
from troupe.environments.validation import InvalidActionError, InvalidTimestepError

__all__ = [
    'Bandit', 'BatchedEnvironment', 'CartPole', 'Catch', 'CooperativeNavigation',
    'DeepSea', 'Environment', 'GridWorld', 'InvalidActionError', 'InvalidTimestepError',
    'KeyDoorRooms',
    'MountainCar', 'MountainCarContinuous', 'ObservationType', 'Pendulum', 'SpeakerListener',
    'Snapshot', 'TabularModel',
    'build_gridworld_task', 'check_supports_state', 'make', 'multiagent', 'register',
    'registered_names', 'supports_state', 'validation', 'wrappers',
]
