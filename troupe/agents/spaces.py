"""The kinds of action (and observation) space agents act in, described for people.

Every check that an agent can act in an environment goes through
`check_can_act`, so the message is the same from Python, the command line and
the distributed program, and it comes before any server starts.
"""

import numpy as np
import tree
from dm_env import specs as dm_specs

from troupe import specs
from troupe import errors

DISCRETE, CONTINUOUS, MULTI_AGENT, ANY = 'discrete', 'continuous', 'multi-agent', 'any'

_NEEDS = {DISCRETE: 'discrete actions',
          CONTINUOUS: 'continuous actions',
          MULTI_AGENT: 'a multi-agent environment',
          ANY: 'a single-agent environment (not a multi-agent environment)'}


def is_index(spec) -> bool:
    return isinstance(spec, dm_specs.DiscreteArray)


def _single_kind(actions) -> str:
    if isinstance(actions, dm_specs.DiscreteArray):
        return DISCRETE
    if (isinstance(actions, dm_specs.BoundedArray)
            and np.issubdtype(actions.dtype, np.floating)):
        return CONTINUOUS
    return 'other'


def action_kind(spec: specs.EnvironmentSpec) -> str:
    """'discrete', 'continuous', 'multi-agent' (any nest of action specs, e.g. a
    dict keyed by agent) or 'other'."""
    actions = spec.actions
    if tree.is_nested(actions):
        return MULTI_AGENT
    return _single_kind(actions)


def describe_spec(spec) -> str:
    if isinstance(spec, dm_specs.DiscreteArray):
        return f'a state index in [0, {spec.num_values})'
    if tree.is_nested(spec):
        return 'a nest of arrays'
    return f'a {tuple(spec.shape)} {np.dtype(spec.dtype).name} array'


def describe_actions(spec: specs.EnvironmentSpec) -> str:
    """E.g. 'discrete actions (3)' or 'continuous actions (shape (1,) in [-2, 2])'."""
    kind = action_kind(spec)
    actions = spec.actions
    if kind == DISCRETE:
        return f'discrete actions ({actions.num_values})'
    if kind == CONTINUOUS:
        low, high = np.min(actions.minimum), np.max(actions.maximum)
        return (f'continuous actions (shape {tuple(actions.shape)} in '
                f'[{low:g}, {high:g}])')
    if kind == MULTI_AGENT:
        return f'one action per agent ({len(actions)} agents, multi-agent)'
    return f'actions {actions!r}'


def can_act(actions: str, spec: specs.EnvironmentSpec) -> bool:
    """Whether an agent acting in `actions` can act in `spec`."""
    kind = action_kind(spec)
    if actions == ANY:
        return kind != MULTI_AGENT
    if actions == MULTI_AGENT:
        return kind == MULTI_AGENT and all(
            _single_kind(a) == CONTINUOUS for a in tree.flatten(spec.actions))
    if kind != actions:
        return False
    if kind == CONTINUOUS:
        return bool(np.all(np.isfinite(spec.actions.minimum))
                    and np.all(np.isfinite(spec.actions.maximum)))
    return True


def check_can_act(agent: str, actions: str, spec: specs.EnvironmentSpec,
                  environment: str = 'this environment') -> None:
    """Raises a ValueError unless an agent acting in `actions` can act in `spec`.

    Args:
      agent: the agent's name, for the message.
      actions: DISCRETE, CONTINUOUS, MULTI_AGENT or ANY.
      spec: the environment's spec.
      environment: the environment's name, for the message.
    """
    if can_act(actions, spec):
        return
    needs = _NEEDS[actions]
    if actions == CONTINUOUS and action_kind(spec) == CONTINUOUS:
        needs = 'continuous actions with finite bounds'
    raise errors.InvalidInput(f'{agent} cannot act in {environment}: it needs {needs}, and '
                     f'{environment} has {describe_actions(spec)}.')
