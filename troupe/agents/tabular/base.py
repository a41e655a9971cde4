"""TabularActor: the shared shape of the tabular agents.

A tabular agent is a `troupe.Actor` holding a Q-table indexed by (state, action);
it learns inside `observe`, so `troupe.EnvironmentLoop` runs it unchanged and no
learner or replay server is needed.

Discounting follows Acme: a transition's bootstrap is weighted by the agent's
`discount` times the environment's per-step discount, g * d. The GridWorld already
returns d = 0.9 on ordinary steps and d = 0 at the goal, so the agents' default
`discount=1.0` learns the tutorial's 0.9-discounted values. A LAST timestep with
d > 0 (a truncated episode) is bootstrapped like any other step.
"""

import abc
from typing import Optional, Union

import dm_env
import numpy as np

from troupe import errors
from troupe import core, specs, types
from troupe.agents.tabular import exploration, planning, validation


class TabularActor(core.Actor, abc.ABC):
    """An Actor with a [S, A] Q-table, an epsilon-greedy behaviour and a step size.

    Observations must be state indices (a `DiscreteArray` spec, e.g. GridWorld's
    `ObservationType.STATE_INDEX`) and actions a `DiscreteArray`. Subclasses
    implement `_learn(state, action, reward, discount, next_state, last)`, where
    `discount` is already g * d.
    """

    def __init__(self,
                 environment_spec: specs.EnvironmentSpec,
                 epsilon: exploration.EpsilonLike = 0.1,
                 step_size: float = 0.1,
                 discount: float = 1.0,
                 initial_q_values: Union[float, np.ndarray, None] = None,
                 seed: Optional[int] = None):
        """Builds the table and the behaviour policy.

        Args:
            environment_spec: the environment's specs (discrete observations/actions).
            epsilon: exploration rate in [0, 1], fixed or an `exploration.Schedule`.
            step_size: the learning rate alpha, in (0, 1].
            discount: the agent's discount g in [0, 1], multiplying the environment's.
            initial_q_values: the starting table: [S, A] values, or one value for
                every entry (zeros by default). Optimistic values (above any
                return) make a greedy learner try every action it has not tried.
            seed: seeds every random choice the agent makes.
        """
        self._num_states, self._num_actions = validation.discrete_sizes(
                environment_spec, type(self).__name__)
        self._step_size = validation.check_step_size(step_size)
        self._discount = validation.check_unit_interval('discount', discount)
        shape = (self._num_states, self._num_actions)
        if initial_q_values is None:
            self._q = np.zeros(shape, dtype=np.float64)
        elif np.ndim(initial_q_values) == 0:
            self._q = np.full(shape, float(initial_q_values), dtype=np.float64)
        else:
            self._q = np.array(initial_q_values, dtype=np.float64)
            if self._q.shape != shape:
                raise errors.InvalidInput(f'initial_q_values must have shape {shape}, got '
                                 f'{self._q.shape}.')
        if not np.isfinite(self._q).all():
            raise errors.InvalidInput(f'initial_q_values must be finite numbers, got '
                                      f'{initial_q_values!r}.')
        self._seeds = np.random.SeedSequence(seed).spawn(2)
        self._behaviour = exploration.EpsilonGreedy(self._num_actions, epsilon,
                                                    self._seeds[0])
        self._state: Optional[int] = None

    # Readable state.

    @property
    def q_values(self) -> np.ndarray:
        """The Q-table [S, A] (a read-only view of the live table)."""
        view = self._q.view()
        view.flags.writeable = False
        return view

    def greedy_policy(self) -> np.ndarray:
        """The greedy action [S] of every state (lowest index on ties)."""
        return planning.greedy_policy(self._q)

    @property
    def epsilon(self) -> float:
        """The exploration rate the next action will use."""
        return self._behaviour.epsilon

    @property
    def step_size(self) -> float:
        return self._step_size

    @property
    def discount(self) -> float:
        return self._discount

    # troupe.Actor.

    def select_action(self, observation: types.NestedArray) -> int:
        return self._behaviour(self._q[int(observation)])

    def observe_first(self, timestep: dm_env.TimeStep):
        self._state = self._check_state(timestep.observation)

    def observe(self, action: types.NestedArray, next_timestep: dm_env.TimeStep):
        if self._state is None:
            raise RuntimeError(f'{type(self).__name__}.observe called before '
                               f'observe_first.')
        next_state = int(next_timestep.observation)
        self._learn(self._state, int(action), float(next_timestep.reward),
                    self._discount * float(next_timestep.discount), next_state,
                    next_timestep.last())
        self._state = next_state

    def update(self, wait: bool = False):
        """Nothing to fetch: the table is updated in place by `observe`."""

    # For subclasses.

    def _check_state(self, observation) -> int:
        state = int(observation)
        if not 0 <= state < self._num_states:
            raise errors.InvalidInput(f'{type(self).__name__} got observation {observation!r}; '
                             f'expected a state index in [0, {self._num_states}).')
        return state

    @abc.abstractmethod
    def _learn(self, state: int, action: int, reward: float, discount: float,
               next_state: int, last: bool) -> None:
        """Updates the table from one transition (discount already includes g)."""
