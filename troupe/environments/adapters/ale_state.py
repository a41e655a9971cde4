"""The saveable state of an ALE (Atari) game behind gymnasium.

ALE clones the emulator with `cloneState(include_rng=True)`: the console's
RAM, CPU and frame counters and the generator behind sticky actions. The
serialised clone (bytes) goes into the snapshot together with the generator of
ale-py's gymnasium environment (used for random frame skips) and the step
count of a gymnasium `TimeLimit` (a restored `PassiveEnvChecker` skips its
first-call checks). Other gymnasium environments, and ALE under
gymnasium wrappers other than `OrderEnforcing`, `PassiveEnvChecker` and
`TimeLimit`, cannot be saved: `unsupported_reason` says why.
"""

from typing import Any, List, Optional

from troupe.environments import state as env_state

# gymnasium wrappers whose state is known: none, or TimeLimit's step count.
_KNOWN_WRAPPERS = ('OrderEnforcing', 'PassiveEnvChecker', 'TimeLimit')


def _chain(environment: Any) -> List[Any]:
    """The gymnasium wrappers from the outermost in, then the base environment."""
    chain = [environment]
    while hasattr(chain[-1], 'env') and chain[-1] is not chain[-1].unwrapped:
        chain.append(chain[-1].env)
    return chain


def _is_ale(environment: Any) -> bool:
    ale = getattr(environment, 'ale', None)
    return (type(environment).__module__.startswith('ale_py')
            and callable(getattr(ale, 'cloneState', None)))


def unsupported_reason(environment: Any) -> Optional[str]:
    """Why this gymnasium environment's state cannot be saved, or None."""
    chain = _chain(environment)
    if not _is_ale(chain[-1]):
        return (f'the gymnasium environment {type(chain[-1]).__name__} has no simulator '
                f'state troupe can save (among gymnasium environments, only ALE games can)')
    for wrapper in chain[:-1]:
        if type(wrapper).__name__ not in _KNOWN_WRAPPERS:
            return (f'the gymnasium wrapper {type(wrapper).__name__} keeps state troupe cannot '
                    f'save (known: {", ".join(_KNOWN_WRAPPERS)})')
    return None


def get_state(environment: Any) -> dict:
    """The emulator clone (bytes), the generator and the wrappers' step counts."""
    chain = _chain(environment)
    game = chain[-1]
    rng = getattr(game, '_np_random', None)
    return {
        'ale': bytes(game.ale.cloneState(include_rng=True).serialize()),
        'np_random': None if rng is None else env_state.rng_state(rng),
        'elapsed_steps': [getattr(wrapper, '_elapsed_steps', None) for wrapper in chain[:-1]],
        'has_reset': [getattr(wrapper, '_has_reset', None) for wrapper in chain[:-1]],
    }


def set_state(environment: Any, data: dict) -> None:
    """Restores what `get_state` returned into an environment built the same way."""
    import ale_py  # Present: `unsupported_reason` found an ALE game.
    chain = _chain(environment)
    game = chain[-1]
    game.ale.restoreState(ale_py.ALEState(data['ale']))
    if data['np_random'] is not None:
        env_state.set_rng_state(game.np_random, data['np_random'])
    for wrapper, elapsed, has_reset in zip(chain[:-1], data['elapsed_steps'],
                                           data['has_reset']):
        if elapsed is not None:
            wrapper._elapsed_steps = elapsed
        if has_reset is not None:
            wrapper._has_reset = has_reset
        if type(wrapper).__name__ == 'PassiveEnvChecker':
            # Its first-call checks compare with data it kept from the calls before;
            # a restored environment is past them.
            for flag in ('checked_reset', 'checked_step', 'checked_data_reuse'):
                if hasattr(wrapper, flag):
                    setattr(wrapper, flag, True)
            if hasattr(wrapper, '_previous_data'):
                wrapper._previous_data = None
