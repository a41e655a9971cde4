"""The base of adders whose items are runs of `Step`s (sequences, episodes).

Each `add` appends one complete row `Step(o_t, a_t, r_t, d_t, start_t, e_t)`
(o_t is held back from the previous call, so no partial rows are needed). After
a LAST timestep one more row carries the final observation with zero action,
reward, discount and extras and start_of_episode False, as in Acme.
"""

import collections
import dataclasses
from typing import Any, List, Optional

import dm_env
import numpy as np
import reverb
import tree

from troupe import specs
from troupe import types
from troupe.components.adders import base
from troupe.components.adders import reverb_base
from troupe.components.adders import utils


@dataclasses.dataclass(frozen=True)
class _Layout:
    """Number of leaves of each field of a row, fixed on the first step."""
    num_obs: int
    num_actions: int
    num_rewards: int
    num_discounts: int
    num_extras: int
    skeleton: base.Step  # The row's structure, to unflatten priority inputs.


class StepAdder(reverb_base.ReverbAdder):
    """Appends one `Step` row per step; subclasses choose the items to create."""

    def __init__(self,
                 client: reverb.Client,
                 num_keep_alive_refs: int,
                 *,
                 priority_fns: Optional[base.PriorityFnMapping] = None,
                 max_in_flight_items: int = 1,
                 validate_items: bool = True):
        """See `ReverbAdder`; `num_keep_alive_refs` is the longest item in rows."""
        super().__init__(client, num_keep_alive_refs, priority_fns=priority_fns,
                         max_in_flight_items=max_in_flight_items,
                         validate_items=validate_items)
        self._layout: Optional[_Layout] = None
        self._num_obs: Optional[int] = None
        self._pending_obs: Optional[List[Any]] = None  # Leaves of o_t.
        self._start_of_episode = False
        self._num_rows = 0  # Rows in the writer's history.
        self._previous_discount: Optional[List[Any]] = None
        # Copies of the latest rows, kept only for priority functions.
        self._rows = collections.deque(maxlen=num_keep_alive_refs)

    def add_first(self, timestep: dm_env.TimeStep):
        self._check_first(timestep)
        if self._num_obs is None:
            self._num_obs = len(tree.flatten(timestep.observation))
        self._pending_obs = utils.flatten_checked(
            'observation', timestep.observation, self._num_obs)
        self._start_of_episode = True
        self._in_episode = True

    def add(self, action: types.NestedArray, next_timestep: dm_env.TimeStep,
            extras: types.NestedArray = ()):
        self._check_started()
        self._check_capacity()
        last = next_timestep.step_type == dm_env.StepType.LAST
        if self._layout is None:
            self._layout = self._make_layout(action, next_timestep, extras)
        layout = self._layout
        flat_action = utils.flatten_checked('action', action, layout.num_actions)
        flat_reward = utils.flatten_checked('reward', next_timestep.reward,
                                            layout.num_rewards)
        flat_discount = utils.flatten_discount(next_timestep.discount, last,
                                               self._previous_discount)
        if len(flat_discount) != layout.num_discounts:
            raise ValueError(
                f'The discount has {len(flat_discount)} leaves '
                f'({next_timestep.discount!r}) but earlier steps had '
                f'{layout.num_discounts}.')
        flat_extras = utils.flatten_extras(extras)
        if len(flat_extras) != layout.num_extras:
            raise ValueError(
                f'The extras have {len(flat_extras)} leaves ({extras!r}) but '
                f'earlier steps had {layout.num_extras}.')
        next_obs = utils.flatten_checked('observation', next_timestep.observation,
                                         layout.num_obs)

        self._append_row(self._pending_obs + flat_action + flat_reward
                         + flat_discount + [self._start_of_episode] + flat_extras)
        self._previous_discount = flat_discount
        self._pending_obs = next_obs
        self._start_of_episode = False
        self._on_step()

        if last:
            final_row = (next_obs + utils.zeros_like_leaves(flat_action)
                         + utils.zeros_like_leaves(flat_reward)
                         + utils.zeros_like_leaves(flat_discount) + [False]
                         + utils.zeros_like_leaves(flat_extras))
            self._append_row(final_row)
            self._on_episode_end(final_row)
            self.reset()

    def reset(self, timeout_ms: Optional[int] = None):
        super().reset(timeout_ms)
        self._num_rows = 0
        self._rows.clear()
        self._pending_obs = None

    def _make_layout(self, action: Any, timestep: dm_env.TimeStep,
                     extras: Any) -> _Layout:
        skeleton = base.Step(
            observation=utils.nest_skeleton(timestep.observation),
            action=utils.nest_skeleton(action),
            reward=utils.nest_skeleton(timestep.reward),
            discount=utils.nest_skeleton(timestep.discount),
            start_of_episode=None,
            extras=utils.nest_skeleton(() if extras is None else extras))
        return _Layout(
            num_obs=self._num_obs,
            num_actions=len(tree.flatten(action)),
            num_rewards=len(tree.flatten(timestep.reward)),
            num_discounts=len(tree.flatten(timestep.discount)),
            num_extras=len(utils.flatten_extras(extras)),
            skeleton=skeleton)

    def _append_row(self, row: List[Any]):
        self._append(row)
        self._num_rows += 1
        if self._needs_priority_input:
            self._rows.append([np.array(x) for x in row])

    def _write_latest(self, length: int):
        """Creates an item of the latest `length` rows (time-major)."""
        trajectory = [column[-length:] for column in self._columns]
        self._create_items(trajectory, self._priority_input(length)
                           if self._needs_priority_input else None)

    def _priority_input(self, length: int) -> base.Step:
        rows = list(self._rows)[-length:]
        return tree.unflatten_as(self._layout.skeleton, utils.stack_rows(rows))

    def _check_capacity(self):
        """Raises before `add` changes anything if the step cannot be stored."""

    def _on_step(self):
        """Called after each regular row is appended."""

    def _on_episode_end(self, final_row: List[Any]):
        """Called after the final row (the last observation) is appended."""


def step_signature(environment_spec: specs.EnvironmentSpec,
                   extras_spec: types.NestedSpec = (),
                   sequence_length: Optional[int] = None) -> base.Step:
    """A `Step` of `tf.TensorSpec`s with a leading time dimension.

    Args:
      environment_spec: the environment's specs.
      extras_spec: specs of the extras passed to `add`.
      sequence_length: the time dimension's size, or None for any length.
    """
    def timed(nest, name):
        return utils.tensor_specs(nest, name, time_dim=True,
                                  sequence_length=sequence_length)
    return base.Step(
        observation=timed(environment_spec.observations, 'observation'),
        action=timed(environment_spec.actions, 'action'),
        reward=timed(environment_spec.rewards, 'reward'),
        discount=timed(environment_spec.discounts, 'discount'),
        start_of_episode=timed(specs.Array((), bool), 'start_of_episode'),
        extras=timed(extras_spec, 'extras'))
