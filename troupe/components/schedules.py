"""Values that change with the number of steps taken: exploration rates and the like.

One schedule type serves every agent: DQN's ε over env steps (`dqn.LinearEpsilon`
is this class), the tabular agents' ε over their own actions, and any config
field that accepts "a number or a schedule". A schedule is a frozen dataclass, so
it is hashable, printable and written to a run's config as `[start, end, steps]`.
"""

import abc
import dataclasses
import numbers
from typing import Union
from troupe import errors


class Schedule(abc.ABC):
    """A value that depends on how many steps have been taken."""

    @abc.abstractmethod
    def __call__(self, step: int) -> float:
        """The value at `step` (0 for the first step)."""


@dataclasses.dataclass(frozen=True)
class ConstantSchedule(Schedule):
    """The same value at every step."""
    value: float

    def __call__(self, step: int) -> float:
        return float(self.value)


@dataclasses.dataclass(frozen=True)
class LinearSchedule(Schedule):
    """Moves linearly from `start` to `end` over `decay_steps` steps, then stays.

    value(t) = start + (end − start) · min(t / decay_steps, 1).
    """
    start: float = 1.0
    end: float = 0.05
    decay_steps: int = 10_000

    def __post_init__(self):
        for name in ('start', 'end'):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise errors.InvalidInput(f'LinearSchedule {name} must be a number, got '
                                 f'{value!r}.')
        if (isinstance(self.decay_steps, bool)
                or not isinstance(self.decay_steps, numbers.Integral)
                or self.decay_steps < 1):
            raise errors.InvalidInput('LinearSchedule decay_steps must be an integer >= 1, got '
                             f'{self.decay_steps!r}.')

    def __call__(self, step: int) -> float:
        fraction = min(max(step, 0) / self.decay_steps, 1.0)
        return self.start + (self.end - self.start) * fraction

    def to_list(self) -> list:
        """The JSON form `[start, end, decay_steps]`."""
        return [float(self.start), float(self.end), int(self.decay_steps)]


# A number, or a schedule of one over steps.
ScheduleLike = Union[float, Schedule]


def as_schedule(value: ScheduleLike) -> Schedule:
    """`value` as a Schedule (a number becomes a ConstantSchedule)."""
    return value if isinstance(value, Schedule) else ConstantSchedule(float(value))


def initial_value(value: ScheduleLike) -> float:
    """The value at step 0 of a number or a schedule."""
    return float(as_schedule(value)(0))
