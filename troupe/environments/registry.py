"""`make(name, **kwargs)`: environments by name, for the CLI, tutorials and configs.

Built-in names map to the pure-numpy environments. Prefixed names reach the
adapters of the `envs` extra:

    gym:<gymnasium id>          gym:CartPole-v1, gym:ALE/Pong-v5
    atari:<game>                atari:Pong (ALE with the DQN preprocessing)
    dm_control:<domain>/<task>  dm_control:cartpole/balance
    bsuite:<id>                 bsuite:catch/0

Every name accepts `seed=`; other keyword arguments go to the constructor.
"""

from typing import Callable, Dict, List

import dm_env

from troupe.environments import (arguments, bandit, cartpole, catch,
                                 cooperative_navigation, deep_sea, gridworld_tasks,
                                 key_door_rooms, mountain_car, mountain_car_discrete, pendulum,
                                 speaker_listener)

from troupe import errors

Constructor = Callable[..., dm_env.Environment]


def _gridworld(task: str) -> Constructor:
    def build(**kwargs) -> dm_env.Environment:
        return gridworld_tasks.build_gridworld_task(task, **kwargs)
    return build


_BUILTIN: Dict[str, Constructor] = {
    'gridworld/simple': _gridworld('simple'),
    'gridworld/obstacle': _gridworld('obstacle'),
    'gridworld/random_goal': _gridworld('random_goal'),
    'catch': catch.Catch,
    'cartpole': cartpole.CartPole,
    'pendulum': pendulum.Pendulum,
    'mountain_car': mountain_car_discrete.MountainCar,
    'mountain_car_continuous': mountain_car.MountainCarContinuous,
    'bandit': bandit.Bandit,
    'deep_sea': deep_sea.DeepSea,
    'key_door_rooms': key_door_rooms.KeyDoorRooms,
    'cooperative_navigation': cooperative_navigation.CooperativeNavigation,
    'speaker_listener': speaker_listener.SpeakerListener,
}


def _gym(env_id: str, **kwargs) -> dm_env.Environment:
    from troupe.environments.adapters import gymnasium_envs
    return gymnasium_envs.make_gymnasium(env_id, **kwargs)


def _atari(game: str, **kwargs) -> dm_env.Environment:
    from troupe.environments.adapters import gymnasium_envs
    return gymnasium_envs.make_atari(game, **kwargs)


def _dm_control(domain_task: str, **kwargs) -> dm_env.Environment:
    domain, separator, task = domain_task.partition('/')
    if not separator or not domain or not task:
        raise errors.InvalidInput(f'dm_control names are "dm_control:<domain>/<task>", got '
                         f'"dm_control:{domain_task}".')
    from troupe.environments.adapters import dm_control_suite
    return dm_control_suite.load(domain, task, **kwargs)


def _bsuite(bsuite_id: str, **kwargs) -> dm_env.Environment:
    from troupe.environments.adapters import bsuite_envs
    return bsuite_envs.load(bsuite_id, **kwargs)


_PREFIXES: Dict[str, Callable[..., dm_env.Environment]] = {
    'gym:': _gym,
    'atari:': _atari,
    'dm_control:': _dm_control,
    'bsuite:': _bsuite,
}

_PREFIX_EXAMPLES = ('gym:<gymnasium id>', 'atari:<game>', 'dm_control:<domain>/<task>',
                    'bsuite:<experiment>/<index>')


def register(name: str, constructor: Constructor) -> None:
    """Adds `name` to the registry; `constructor(**kwargs)` must accept `seed=`."""
    if not isinstance(name, str) or not name or any(name.startswith(p) for p in _PREFIXES):
        raise errors.InvalidInput(f'Registry names must be non-empty strings without the adapter '
                         f'prefixes {list(_PREFIXES)}, got {name!r}.')
    if name in _BUILTIN:
        raise errors.InvalidInput(f'Environment name {name!r} is already registered.')
    if not callable(constructor):
        raise TypeError(f'constructor for {name!r} must be callable, got {constructor!r}.')
    _BUILTIN[name] = constructor


def registered_names() -> List[str]:
    """The registered names, then the adapter prefixes as patterns."""
    return sorted(_BUILTIN) + list(_PREFIX_EXAMPLES)


def make(name: str, **kwargs) -> dm_env.Environment:
    """Builds the environment called `name` (see the module docstring).

    Raises:
        ValueError: for an unknown name, listing the known names and prefixes.
        ImportError: for an adapter whose optional package is not installed.
    """
    if not isinstance(name, str):
        raise errors.InvalidInput(f'Environment names are strings, got {name!r}.')
    if 'seed' in kwargs:  # One check for every name, adapters' included.
        kwargs['seed'] = arguments.check_seed(kwargs['seed'])
    if name in _BUILTIN:
        return _BUILTIN[name](**kwargs)
    for prefix, build in _PREFIXES.items():
        if name.startswith(prefix):
            rest = name[len(prefix):]
            if not rest:
                raise errors.InvalidInput(f'{name!r} names no environment after the prefix '
                                 f'{prefix!r}.')
            return build(rest, **kwargs)
    raise errors.InvalidInput(f'Unknown environment {name!r}. Known names: '
                     f'{", ".join(registered_names())}.')
