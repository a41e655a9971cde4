"""Adders: write what an actor observes into Reverb tables.

`NStepTransitionAdder` writes (n-step) `types.Transition`s, `SequenceAdder`
fixed-length runs of `Step`s, `EpisodeAdder` whole episodes; `ForkingAdder`
feeds several adders at once; `BatchedAdder` keeps one trajectory per copy of a
`BatchedEnvironment`. Each adder's `signature(environment_spec, ...)`
gives the `reverb.Table` signature of its items.
"""

from troupe.components.adders.base import Adder
from troupe.components.adders.base import DEFAULT_PRIORITY_TABLE
from troupe.components.adders.base import PriorityFn
from troupe.components.adders.base import PriorityFnMapping
from troupe.components.adders.base import Step
from troupe.components.adders.base import Trajectory
from troupe.components.adders.batched import BatchedAdder
from troupe.components.adders.batched import make_nstep_adder
from troupe.components.adders.episode import EpisodeAdder
from troupe.components.adders.forking import ForkingAdder
from troupe.components.adders.nstep import NStepTransitionAdder
from troupe.components.adders.reverb_base import ReverbAdder
from troupe.components.adders.sequence import EndBehavior
from troupe.components.adders.sequence import SequenceAdder

__all__ = [
    'Adder', 'BatchedAdder', 'DEFAULT_PRIORITY_TABLE', 'EndBehavior', 'EpisodeAdder', 'make_nstep_adder',
    'ForkingAdder', 'NStepTransitionAdder', 'PriorityFn', 'PriorityFnMapping',
    'ReverbAdder', 'SequenceAdder', 'Step', 'Trajectory',
]
