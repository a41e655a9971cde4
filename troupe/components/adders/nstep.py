"""The n-step transition adder (a plain transition adder when n = 1).

With agent discount g, the k-step transition from s_t (k <= n) is

    (s_t, a_t, R, D, s_{t+k}, e_t) with
    R = r_t + g·d_t·r_{t+1} + ... + g^(k-1)·d_t···d_{t+k-2}·r_{t+k-1}
    D = g^(k-1)·d_t···d_{t+k-1}

where r_t and d_t are the reward and discount of the timestep that followed
a_t. D carries one factor of g fewer than steps so that the learner, which
multiplies by g once more, does not apply it twice. Every step writes the
transition of length min(n, steps so far) ending at it, so an episode starts
with (s_0 -> s_1), ..., (s_0 -> s_{n-1}); at its end the shorter trailing
transitions (s_{T-n+1} -> s_T), ..., (s_{T-1} -> s_T) are written as well.

Rewards and discounts may be nested or arrays; a non-nested one is broadcast
against the other's structure, leaf by leaf with numpy broadcasting (see
`return_window`).
"""

import collections
import dataclasses
import numbers
from typing import Any, List, Optional, Tuple

import dm_env
import numpy as np
import reverb
import tree

from troupe import specs
from troupe import types
from troupe.components.adders import base
from troupe.components.adders import return_window
from troupe.components.adders import reverb_base
from troupe.components.adders import utils


@dataclasses.dataclass(frozen=True)
class _Layout:
    """Leaves per field of a row, fixed on the adder's first step.

    A row holds [next observation, action, extras, returns, discounts].
    """
    num_obs: int
    num_actions: int
    num_extras: int


class NStepTransitionAdder(reverb_base.ReverbAdder):
    """Writes n-step `types.Transition`s (see the module docstring)."""

    def __init__(self,
                 client: reverb.Client,
                 n_step: int,
                 discount: float,
                 *,
                 priority_fns: Optional[base.PriorityFnMapping] = None,
                 max_in_flight_items: int = 5,
                 max_chunk_length: Optional[int] = 1):
        """Creates an n-step transition adder.

        Args:
          client: a client of the Reverb server to write to.
          n_step: the maximum number of steps a transition spans (>= 1).
          discount: the agent's discount g. As in Acme it is kept as float32,
            so float64 rewards and discounts are combined with float32(g).
          priority_fns: table name -> priority function of the transition (as
            numpy) or None for 1.0; defaults to `{DEFAULT_PRIORITY_TABLE: None}`.
          max_in_flight_items: items allowed to wait for the server before
            `add` blocks.
          max_chunk_length: steps per chunk of every column (at most n + 1),
            or None for Reverb's auto-tuned lengths. An item takes one step
            from each column, and a sample decompresses each chunk it
            references, so one-step chunks (the default) are read fastest
            (see benchmarks/replay_sampling.py). The items are the same.
        """
        if isinstance(n_step, bool) or not isinstance(n_step, numbers.Integral) \
                or n_step < 1:
            raise ValueError(f'n_step must be an integer >= 1, got {n_step!r}.')
        if isinstance(discount, bool) or not isinstance(discount, numbers.Real):
            raise ValueError(f'discount must be a real number, got {discount!r}.')
        super().__init__(client, num_keep_alive_refs=int(n_step) + 1,
                         priority_fns=priority_fns,
                         max_in_flight_items=max_in_flight_items,
                         max_chunk_length=max_chunk_length)
        self.n_step = int(n_step)
        self._discount = np.float32(discount)
        self._num_obs: Optional[int] = None
        self._layout: Optional[_Layout] = None
        self._window = return_window.ReturnWindow(self.n_step, self._discount)
        # Copies of the window's data, kept only for priority functions.
        self._observations = collections.deque(maxlen=self.n_step + 1)
        self._actions = collections.deque(maxlen=self.n_step)
        # The writer's columns, grouped by field once the layout is known.
        self._obs_columns: Optional[Tuple[Any, ...]] = None
        self._action_columns: Tuple[Any, ...] = ()
        self._extras_columns: Tuple[Any, ...] = ()
        self._return_columns: Tuple[Any, ...] = ()

    def add_first(self, timestep: dm_env.TimeStep):
        self._check_first(timestep)
        if self._num_obs is None:
            self._num_obs = len(tree.flatten(timestep.observation))
        row = utils.flatten_checked('observation', timestep.observation,
                                    self._num_obs)
        if self._layout is not None:
            row.extend([None] * (len(self._columns) - len(row)))
        self._append(row)
        self._window.clear()
        if self._needs_priority_input:
            self._observations.clear()
            self._actions.clear()
            self._observations.append(tree.map_structure(np.array,
                                                         timestep.observation))
        self._in_episode = True

    def add(self, action: types.NestedArray, next_timestep: dm_env.TimeStep,
            extras: types.NestedArray = ()):
        self._check_started()
        last = next_timestep.step_type == dm_env.StepType.LAST
        layout = self._layout
        if layout is None:
            layout = self._layout = _Layout(
                num_obs=self._num_obs, num_actions=len(tree.flatten(action)),
                num_extras=len(utils.flatten_extras(extras)))
        row = utils.flatten_checked('observation', next_timestep.observation,
                                    layout.num_obs)
        row += utils.flatten_checked('action', action, layout.num_actions)
        flat_extras = utils.flatten_extras(extras)
        if len(flat_extras) != layout.num_extras:
            raise ValueError(
                f'The extras have {len(flat_extras)} leaves ({extras!r}) but '
                f'earlier steps had {layout.num_extras}.')
        row += flat_extras
        self._window.push(next_timestep.reward, next_timestep.discount, last)

        returns, discounts = self._window.returns()
        self._append(row + returns + discounts)
        if self._obs_columns is None:
            self._on_new_columns()
        if self._needs_priority_input:
            self._observations.append(
                tree.map_structure(np.array, next_timestep.observation))
            self._actions.append(tree.map_structure(np.array, (action, extras)))
        span = len(self._window)
        self._write(span, -1, returns, discounts)

        if last:
            self._write_trailing(span)
            self.reset()

    def _write_trailing(self, span: int):
        """Writes the transitions shorter than `span` that end at the last state.

        Their returns go into extra rows holding only the return columns; the
        last observation then sits `m + 1` rows back after `m` such rows.
        """
        layout = self._layout
        empty = [None] * (layout.num_obs + layout.num_actions + layout.num_extras)
        for extra_rows in range(1, span):
            self._window.drop_oldest()
            returns, discounts = self._window.returns()
            self._append(empty + returns + discounts)
            self._write(span, -(extra_rows + 1), returns, discounts)

    def _on_new_columns(self):
        layout = self._layout
        if layout is None:
            return  # Only the observation columns exist so far.
        o, a, e = layout.num_obs, layout.num_actions, layout.num_extras
        columns = self._columns
        self._obs_columns = tuple(columns[:o])
        self._action_columns = tuple(columns[o:o + a])
        self._extras_columns = tuple(columns[o + a:o + a + e])
        self._return_columns = tuple(columns[o + a + e:])

    def _write(self, span: int, next_obs_row: int, returns: List[Any],
               discounts: List[Any]):
        """Creates the item for the transition starting `span + 1` rows back.

        The start observation sits in row -(span + 1), its action and extras in
        the row after it, the return and discount in the latest row and the
        next observation in row `next_obs_row`.
        """
        start, action_row = -span - 1, -span
        trajectory = [c[start] for c in self._obs_columns]
        trajectory += [c[action_row] for c in self._action_columns]
        trajectory += [c[-1] for c in self._return_columns]
        trajectory += [c[next_obs_row] for c in self._obs_columns]
        if self._extras_columns:
            trajectory += [c[action_row] for c in self._extras_columns]
        self._create_items(trajectory, self._priority_input(returns, discounts)
                           if self._needs_priority_input else None)

    def _priority_input(self, returns: List[Any],
                        discounts: List[Any]) -> types.Transition:
        """The transition being written, as numpy, for the priority functions."""
        span = len(self._window)
        skeleton = self._window.skeleton
        action, extras = self._actions[-span]
        return types.Transition(
            observation=self._observations[-(span + 1)],
            action=action,
            reward=tree.unflatten_as(skeleton, [np.asarray(x) for x in returns]),
            discount=tree.unflatten_as(skeleton, [np.asarray(x) for x in discounts]),
            next_observation=self._observations[-1],
            extras=extras)

    @classmethod
    def signature(cls, environment_spec: specs.EnvironmentSpec,
                  extras_spec: types.NestedSpec = ()) -> types.Transition:
        """The table signature (a `Transition` of `tf.TensorSpec`s) of the items.

        The reward and discount follow the broadcast structure of the
        environment's reward and discount specs; each return leaf has their
        broadcast shape and the numpy result type of their dtypes.
        """
        rewards, discounts = environment_spec.rewards, environment_spec.discounts
        if tree.is_nested(rewards) and not tree.is_nested(discounts):
            discounts = tree.map_structure(lambda _: discounts, rewards)
        elif tree.is_nested(discounts) and not tree.is_nested(rewards):
            rewards = tree.map_structure(lambda _: rewards, discounts)

        def _return_spec(r, d):
            return specs.Array(shape=np.broadcast_shapes(tuple(r.shape),
                                                         tuple(d.shape)),
                               dtype=np.result_type(utils.numpy_dtype(r.dtype),
                                                    utils.numpy_dtype(d.dtype)))
        return_specs = tree.map_structure(_return_spec, rewards, discounts)
        return types.Transition(
            observation=utils.tensor_specs(environment_spec.observations,
                                           'observation'),
            action=utils.tensor_specs(environment_spec.actions, 'action'),
            reward=utils.tensor_specs(return_specs, 'reward'),
            discount=utils.tensor_specs(discounts, 'discount'),
            next_observation=utils.tensor_specs(environment_spec.observations,
                                                'next_observation'),
            extras=utils.tensor_specs(extras_spec, 'extras'))
