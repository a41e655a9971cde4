"""Builds gymnasium and Atari (ALE) environments as dm_env environments."""

from typing import Any, Optional

import dm_env

from troupe import errors
from troupe.environments.wrappers import atari, noop_starts


def _import_gymnasium():
    try:
        import gymnasium
    except ImportError as error:
        raise ImportError('gymnasium environments need gymnasium: pip install '
                          '"troupe[envs]".') from error
    return gymnasium


def make_gymnasium(env_id: str, seed: Optional[int] = None, **kwargs: Any) -> dm_env.Environment:
    """`gymnasium.make(env_id, **kwargs)` behind `GymnasiumWrapper`.

    ALE ids ('ALE/Pong-v5') work once ale-py is installed: its ROMs ship in the
    wheel. Pass `render_mode='rgb_array'` to be able to `render()`.
    """
    gymnasium = _import_gymnasium()
    if env_id.startswith('ALE/'):
        _register_ale(gymnasium)
    from troupe.environments.wrappers.gymnasium_wrapper import GymnasiumWrapper
    try:
        environment = gymnasium.make(env_id, **kwargs)
    except gymnasium.error.Error as error:  # E.g. NameNotFound: not a ValueError.
        raise errors.InvalidInput(f'Cannot make the gymnasium environment {env_id!r}: '
                                  f'{type(error).__name__}: {error}') from error
    return GymnasiumWrapper(environment, seed=seed)


def _register_ale(gymnasium) -> None:
    try:
        import ale_py
    except ImportError as error:
        raise ImportError('Atari environments need ale-py: pip install "troupe[envs]".') \
            from error
    gymnasium.register_envs(ale_py)


def make_atari(game: str, seed: Optional[int] = None, noop_max: int = 30,
               repeat_action_probability: float = 0.25, full_action_space: bool = False,
               render_mode: Optional[str] = None, **wrapper_kwargs: Any) -> dm_env.Environment:
    """An Atari game with the DQN preprocessing: ALE/{game}-v5 at one emulator
    frame per step, `noop_max` random no-op frames at each start, then
    `AtariWrapper(**wrapper_kwargs)` (4-frame action repeat, max-pool,
    grayscale, 84x84, 4-frame stack).

    Args:
        game: the ALE game name, e.g. 'Pong' or 'Breakout'.
        seed: seeds the emulator and the no-op starts.
        noop_max: the most no-op frames at the start of an episode (0: none).
        repeat_action_probability: ALE's sticky actions (0.25 for v5 games).
        full_action_space: use all 18 Atari actions instead of the game's set.
        render_mode: 'rgb_array' to be able to `render()` the raw screen.
        **wrapper_kwargs: passed to `AtariWrapper`.
    """
    raw = make_gymnasium(f'ALE/{game}-v5', seed=seed, frameskip=1,
                         repeat_action_probability=repeat_action_probability,
                         full_action_space=full_action_space, render_mode=render_mode)
    environment = raw
    if noop_max:
        environment = noop_starts.NoopStartsWrapper(environment, noop_action=0,
                                                    noop_max=noop_max, seed=seed)
    wrapper_kwargs.setdefault('lives_fn', lambda: raw.info.get('lives'))
    return atari.AtariWrapper(environment, **wrapper_kwargs)
