"""The environments of the command line, as its agents see them."""

from typing import Any, Dict, Mapping, Optional

import dm_env
import numpy as np
import tree

from troupe.environments import ObservationType, make, wrappers
from troupe import errors



def _env_kwargs_for_make(name: str, kwargs: Mapping[str, Any]) -> Dict[str, Any]:
    kwargs = dict(kwargs)
    observation_type = kwargs.get('observation_type')
    if name.startswith('gridworld/') and isinstance(observation_type, str):
        try:
            kwargs['observation_type'] = ObservationType[observation_type.upper()]
        except KeyError:
            raise errors.InvalidInput(
                f'Unknown observation_type {observation_type!r}; expected one of '
                f'{", ".join(t.name for t in ObservationType)}.') from None
    return kwargs


def make_environment(name: str, seed: int, kwargs: Optional[Mapping[str, Any]] = None,
                     render: bool = False) -> dm_env.Environment:
    """The registry's environment `name` as the agents see it.

    Nested (dict) observations of a single-agent environment are concatenated
    into one vector and float64 parts become float32, as the agents' default
    networks expect; a multi-agent environment (a dict of action specs) keeps
    its dicts. With `render`, gymnasium environments are made with
    `render_mode='rgb_array'`. The keyword `step_latency_seconds` (not the
    environment's) wraps it in a `LatencyWrapper` that sleeps that long per
    step, as a remote simulator would.

    Raises:
      InvalidInput: for an unknown name or arguments the environment refuses.
      ImportError: for an adapter whose optional package is missing.
    """
    kwargs = _env_kwargs_for_make(name, kwargs or {})
    latency = kwargs.pop('step_latency_seconds', None)
    if render and name.startswith('gym:'):
        kwargs.setdefault('render_mode', 'rgb_array')
    try:
        environment = make(name, seed=seed, **kwargs)
    except (errors.InvalidInput, ImportError):
        raise
    except Exception as error:  # E.g. gymnasium's NameNotFound, a bad keyword.
        raise errors.InvalidInput(f'Cannot make environment {name!r}: '
                         f'{type(error).__name__}: {error}') from error
    observation_spec = environment.observation_spec()
    multi_agent = tree.is_nested(environment.action_spec())
    if isinstance(observation_spec, Mapping) and not multi_agent:
        environment = wrappers.ConcatObservationWrapper(environment)
    leaves = tree.flatten(environment.observation_spec())
    if any(np.dtype(leaf.dtype) == np.float64 for leaf in leaves):
        environment = wrappers.SinglePrecisionWrapper(environment)
    if latency is not None:
        environment = wrappers.LatencyWrapper(environment, latency)
    return environment
