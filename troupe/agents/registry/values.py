"""Hyperparameters of the command line's agents: where they come from, their types
and their JSON form.

An agent's hyperparameters are the keyword arguments (with defaults) of its
constructor and of its network factory, read from their signatures, so no
default is copied. Values are checked against the annotations and kept
JSON-friendly (numbers, booleans, None, strings, lists; an ε schedule as
`[start, end, steps]`), so a run's configuration can be written and read back.
"""

import collections.abc
import dataclasses
import inspect
import numbers
import typing
from typing import Any, Callable, Dict, Mapping, Optional, Sequence, Tuple

import numpy as np

from troupe.agents import dqn
from troupe.agents.tabular import exploration

# Constructor arguments the command line supplies itself (or never sets).
# `num_envs` (a batched actor) is `troupe train --num-envs N`, a setting of the
# run that comes with its BatchedEnvironment: `builders.build` passes it on.
NOT_HYPERPARAMETERS = frozenset({
    'self', 'environment_spec', 'network', 'policy_network', 'critic_network',
    'critic_networks', 'twin_critic_network', 'observation_network', 'logger',
    'counter', 'checkpoint', 'checkpoint_subpath', 'device', 'policy_optimizer',
    'critic_optimizer', 'seed', 'action_spec', 'num_envs'})


@dataclasses.dataclass(frozen=True)
class Parameter:
    """One hyperparameter: its default and its type annotation."""
    name: str
    default: Any
    annotation: Any
    of: str  # 'agent' (constructor) or 'network' (network factory)


def to_json(value: Any) -> Any:
    """A JSON-friendly copy of a hyperparameter value (schedules as lists)."""
    if isinstance(value, dqn.LinearEpsilon):
        return [value.start, value.end, value.decay_steps]
    if isinstance(value, Mapping):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _is_schedule_type(annotation) -> bool:
    return inspect.isclass(annotation) and issubclass(
        annotation, (dqn.LinearEpsilon, exploration.Schedule))


def _describe_type(annotation) -> str:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Union:
        parts = [_describe_type(a) for a in args
                 if a is not type(None) and _describe_type(a)]
        described = ' or '.join(dict.fromkeys(parts))
        return ('None or ' + described) if type(None) in args else described
    if annotation is bool:
        return 'true or false'
    if annotation is int:
        return 'an integer'
    if annotation is float:
        return 'a number'
    if annotation is str:
        return 'a string'
    if origin in (collections.abc.Sequence, list, tuple):
        return f'a list of {(_describe_type(args[0]) if args else "values")}s'.replace(
            'an integers', 'integers').replace('a numbers', 'numbers')
    if _is_schedule_type(annotation):
        return 'a schedule [start, end, steps]'
    return ''


def _convert(value: Any, annotation) -> Tuple[bool, Any]:
    """(ok, converted value) for `value` against `annotation`."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Union:
        if value is None:
            return type(None) in args, None
        for arg in args:
            if arg is type(None):
                continue
            ok, converted = _convert(value, arg)
            if ok:
                return True, converted
        return False, None
    if annotation is bool:
        return isinstance(value, bool), value
    if annotation is int:
        if isinstance(value, bool):
            return False, None
        if isinstance(value, numbers.Integral):
            return True, int(value)
        if isinstance(value, float) and value.is_integer():
            return True, int(value)
        return False, None
    if annotation is float:
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            return True, float(value)
        return False, None
    if annotation is str:
        return isinstance(value, str), value
    if origin in (collections.abc.Sequence, list, tuple):
        if not isinstance(value, (list, tuple)):
            return False, None
        item_type = args[0] if args else typing.Any
        items = []
        for item in value:
            ok, converted = (True, item) if item_type is typing.Any else _convert(
                item, item_type)
            if not ok:
                return False, None
            items.append(converted)
        return True, items
    if _is_schedule_type(annotation):
        if (isinstance(value, (list, tuple)) and len(value) == 3
                and all(isinstance(v, numbers.Real) and not isinstance(v, bool)
                        for v in value) and float(value[2]).is_integer()):
            return True, [float(value[0]), float(value[1]), int(value[2])]
        return False, None
    return False, None


def check_value(agent: str, key: str, value: Any, annotation) -> Any:
    """`value` converted to the type `annotation` asks for, or a ValueError."""
    ok, converted = _convert(value, annotation)
    if not ok:
        expected = _describe_type(annotation) or 'a value of another type'
        raise ValueError(f'{agent} hyperparameter {key!r} must be {expected}, got '
                         f'{value!r} ({type(value).__name__}).')
    return converted


def parameters(agent_fn: Callable, network_fn: Optional[Callable] = None,
                skip: Sequence[str] = ()) -> Dict[str, Parameter]:
    """Hyperparameters from the keyword arguments of the agent and network factory."""
    result: Dict[str, Parameter] = {}
    for of, fn in (('agent', agent_fn), ('network', network_fn)):
        if fn is None:
            continue
        for name, parameter in _signature(fn).parameters.items():
            if (name in NOT_HYPERPARAMETERS or name in skip
                    or parameter.default is inspect.Parameter.empty
                    or parameter.kind in (parameter.VAR_POSITIONAL,
                                          parameter.VAR_KEYWORD)):
                continue
            if name in result:
                raise ValueError(f'{name!r} is both an agent and a network argument.')
            result[name] = Parameter(name, parameter.default, parameter.annotation, of)
    return result


def _signature(fn: Callable) -> inspect.Signature:
    """The signature of `fn`; for a class whose `__init__` only forwards
    `*args, **kwargs` (e.g. `tabular.Sarsa`), that of the nearest base class
    whose `__init__` names its arguments."""
    if inspect.isclass(fn):
        for cls in fn.__mro__:
            init = cls.__dict__.get('__init__')
            if init is not None and any(
                    p.default is not inspect.Parameter.empty
                    for p in inspect.signature(init).parameters.values()):
                return inspect.signature(init)
    return inspect.signature(fn)


def split(hyperparameters: Mapping[str, Any], parameters: Mapping[str, Parameter]
           ) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    agent = {k: v for k, v in hyperparameters.items() if parameters[k].of == 'agent'}
    network = {k: v for k, v in hyperparameters.items()
               if parameters[k].of == 'network'}
    return agent, network
