"""Agent configs: one dataclass per agent is its hyperparameters.

Each field is declared with `hyperparameter(default, doc, check)`: the default,
one line of documentation (what `troupe list AGENT` prints) and the range check.
`AgentConfig.__post_init__` converts every value to its annotated type (a JSON
list becomes a tuple or a `LinearSchedule`, an integer a float where a float is
asked for) and runs the checks, so a config is validated once, when it is made,
with the same message in Python and on the command line:

    DQNConfig(batch_size=0)
    ValueError: DQNConfig.batch_size must be an integer >= 1, got 0.

`LearnerConfig` holds what every agent with a gradient learner shares (what a
NaN or Inf update does); `ReplayConfig` adds the fields every replay-based
agent shares (batch size, n-step, the replay ratio, replay sizes);
`PrioritizedReplayConfig` adds prioritisation. A subclass changes a shared
default by declaring the field again.
"""

import collections.abc
import dataclasses
import inspect
import numbers
import typing
from typing import Any, Callable, Dict, Optional, Tuple

from troupe.agents import checks
from troupe.components import learning, schedules
from troupe.components.adders import DEFAULT_PRIORITY_TABLE
from troupe import errors

Check = Callable[[str, Any], None]


def hyperparameter(default: Any, doc: str, check: Optional[Check] = None,
                   command_line: bool = True) -> Any:
    """A config field: its default, its documentation and its range check.

    Args:
      default: the default value (immutable: tuples, not lists).
      doc: one line saying what the field does (shown by `troupe list AGENT`).
      check: `check(name, value)` raises a ValueError naming the field, the
        accepted range and the value (see `troupe.agents.checks`); it is not
        called for None when the annotation is Optional.
      command_line: False for fields that only Python code can set (e.g. a
        tf.Variable); `troupe train --config` then refuses them.
    """
    return dataclasses.field(default=default, metadata={
        'doc': doc, 'check': check, 'command_line': command_line})


def doc(field: dataclasses.Field) -> str:
    return field.metadata.get('doc', '')


def command_line_fields(config_class) -> Dict[str, dataclasses.Field]:
    """The fields `troupe train --config KEY=VALUE` may set, by name."""
    return {f.name: f for f in dataclasses.fields(config_class)
            if f.metadata.get('command_line', True)}


@dataclasses.dataclass
class AgentConfig:
    """The base of every agent's config (see the module docstring)."""

    seed: Optional[int] = hyperparameter(
        None, 'seeds the agent\'s own random draws (None: TensorFlow\'s global seed)',
        checks.check_non_negative_int)

    def __post_init__(self):
        hints = typing.get_type_hints(type(self))
        name = type(self).__name__
        for field in dataclasses.fields(self):
            value = convert(f'{name}.{field.name}', getattr(self, field.name),
                            hints[field.name])
            object.__setattr__(self, field.name, value)
            check = field.metadata.get('check')
            if check is not None and value is not None:
                check(f'{name}.{field.name}', value)
        self.check_relations()

    def check_relations(self) -> None:
        """Checks between fields (e.g. max >= min); subclasses extend it."""

    def replace(self, **changes) -> 'AgentConfig':
        """A copy with `changes`, validated again."""
        return dataclasses.replace(self, **changes)

    def to_json(self) -> Dict[str, Any]:
        """The fields as JSON-friendly values (schedules as [start, end, steps])."""
        return {f.name: to_json(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def from_json(cls, values: Dict[str, Any]) -> 'AgentConfig':
        """The config from `to_json`'s form; unknown keys raise a ValueError that
        lists the fields."""
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - fields)
        if unknown:
            raise errors.InvalidInput(f'{cls.__name__} has no field {unknown[0]!r}. Fields: '
                             f'{", ".join(sorted(fields))}.')
        return cls(**values)


@dataclasses.dataclass
class LearnerConfig(AgentConfig):
    """What every agent whose learner is a `components.learning.LearnerBase`
    shares; its builder sets these on the learner it makes."""

    on_non_finite: str = hyperparameter(
        'raise', "on a NaN/Inf loss or gradient: 'raise' (an error naming it and the "
        "step; the last good checkpoint is kept) or 'skip' (skip the update, count it)",
        learning.check_non_finite_mode)


@dataclasses.dataclass
class ReplayConfig(LearnerConfig):
    """What every agent with an off-policy replay table shares.

    The replay ratio: after max(batch_size, min_replay_size) env steps, one
    learner step (of `updates_per_call` updates of `batch_size` transitions)
    every batch_size · updates_per_call / samples_per_insert env steps.
    """

    discount: float = hyperparameter(0.99, 'the agent discount γ',
                                     checks.check_unit_interval)
    batch_size: int = hyperparameter(256, 'transitions per update',
                                     checks.check_positive_int)
    prefetch_size: int = hyperparameter(4, 'batches the dataset prefetches (0: none)',
                                        checks.check_non_negative_int)
    n_step: int = hyperparameter(5, 'steps of the n-step returns',
                                 checks.check_positive_int)
    samples_per_insert: float = hyperparameter(
        32.0, 'how often each transition is replayed on average', checks.check_positive)
    min_replay_size: int = hyperparameter(
        1000, 'transitions stored before learning starts', checks.check_positive_int)
    max_replay_size: int = hyperparameter(
        1_000_000, 'replay capacity (oldest evicted first)', checks.check_positive_int)
    updates_per_call: int = hyperparameter(
        1, 'SGD updates per learner step (one Python call; the schedule adapts)',
        checks.check_positive_int)
    num_parallel_calls: int = hyperparameter(
        2, 'Reverb sampling streams feeding the learner', checks.check_positive_int)
    jit_compile: bool = hyperparameter(True, 'XLA-compile the update')
    replay_table_name: str = hyperparameter(DEFAULT_PRIORITY_TABLE,
                                            'the replay table\'s name')

    def check_relations(self) -> None:
        super().check_relations()
        if self.max_replay_size < self.min_replay_size:
            raise errors.InvalidInput(
                f'{type(self).__name__}.max_replay_size must be >= min_replay_size '
                f'({self.min_replay_size}), got {self.max_replay_size}.')

    @property
    def min_observations(self) -> int:
        """No learning before max(batch_size, min_replay_size) env steps (Acme)."""
        return max(self.batch_size, self.min_replay_size)

    @property
    def observations_per_step(self) -> float:
        """Env steps per learner step: batch · updates / samples_per_insert."""
        return self.batch_size * self.updates_per_call / self.samples_per_insert


@dataclasses.dataclass
class PrioritizedReplayConfig(ReplayConfig):
    """A replay table sampled in proportion to |TD error|^α, with PER weights."""

    priority_exponent: float = hyperparameter(
        0.6, 'α of the prioritized sampler (0: uniform)', checks.check_non_negative)
    importance_sampling_exponent: float = hyperparameter(
        0.2, 'β of the importance-sampling weights', checks.check_unit_interval)


# Conversion of values to the annotated types.

def to_json(value: Any) -> Any:
    """A JSON-friendly copy of a value (schedules as [start, end, steps])."""
    if isinstance(value, schedules.LinearSchedule):
        return value.to_list()
    if isinstance(value, schedules.ConstantSchedule):
        return float(value.value)
    if isinstance(value, collections.abc.Mapping):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    if hasattr(value, 'item') and callable(value.item) and not hasattr(value, 'numpy'):
        return value.item()  # numpy scalars
    return value


def _is_schedule(annotation) -> bool:
    return inspect.isclass(annotation) and issubclass(annotation, schedules.Schedule)


def describe_type(annotation) -> str:
    """E.g. 'an integer', 'None or a number', 'a list of integers'."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Union:
        parts = [describe_type(a) for a in args
                 if a is not type(None) and describe_type(a)]
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
        item = describe_type(args[0]) if args else 'value'
        plural = {'an integer': 'integers', 'a number': 'numbers',
                  'a string': 'strings'}.get(item, 'values')
        return f'a list of {plural}'
    if _is_schedule(annotation):
        return 'a schedule [start, end, steps]'
    return ''


def _convert(value: Any, annotation) -> Tuple[bool, Any]:
    """(ok, converted value) for `value` against `annotation`."""
    if annotation is Any:
        return True, value
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
        item_type = args[0] if args else Any
        items = []
        for item in value:
            ok, converted = _convert(item, item_type)
            if not ok:
                return False, None
            items.append(converted)
        return True, tuple(items)
    if _is_schedule(annotation):
        if isinstance(value, annotation):
            return True, value
        if (annotation in (schedules.Schedule, schedules.LinearSchedule)
                and isinstance(value, (list, tuple)) and len(value) == 3
                and all(isinstance(v, numbers.Real) and not isinstance(v, bool)
                        for v in value) and float(value[2]).is_integer()):
            return True, schedules.LinearSchedule(float(value[0]), float(value[1]),
                                                  int(value[2]))
        return False, None
    if inspect.isclass(annotation):
        return isinstance(value, annotation), value
    return True, value


def convert(name: str, value: Any, annotation) -> Any:
    """`value` as the type `annotation` asks for, or a ValueError naming `name`,
    what was expected and the value."""
    try:
        ok, converted = _convert(value, annotation)
    except errors.InvalidInput as error:  # E.g. a schedule [1, 0, 0] of 0 steps.
        raise errors.InvalidInput(f'{name} must be {describe_type(annotation)}: '
                                  f'{error}') from None
    if not ok:
        expected = describe_type(annotation) or 'a value of another type'
        raise errors.InvalidInput(f'{name} must be {expected}, got {value!r} '
                         f'({type(value).__name__}).')
    return converted
