"""An actor whose exploration follows a schedule over its own env steps."""

from typing import Optional

import dm_env
import tensorflow as tf

from troupe import core, types
from troupe.components import counting, schedules


class ScheduledActor(core.Actor):
    """Forwards to `actor`, and writes `schedule(env steps so far)` into
    `variable` (which the actor's policy reads, e.g. ε) at most once every
    `update_period` env steps.

    Env steps are this actor's own (every copy's, for a batched actor), so a
    distributed actor anneals over its own experience and a single-process
    agent over all of it.
    """

    def __init__(self, actor: core.Actor, variable: tf.Variable,
                 schedule: Optional[schedules.Schedule], update_period: int = 10):
        if isinstance(update_period, bool) or not isinstance(update_period, int) \
                or update_period < 1:
            raise ValueError(f'update_period must be an integer >= 1, got '
                             f'{update_period!r}.')
        self._actor = actor
        self.variable = variable
        self._schedule = schedule
        self._update_period = int(update_period)
        self._updated_at = 0
        self.num_steps = 0

    @property
    def batched(self):
        return self._actor.batched

    def select_action(self, observation: types.NestedArray) -> types.NestedArray:
        return self._actor.select_action(observation)

    def observe_first(self, timestep: dm_env.TimeStep):
        self._actor.observe_first(timestep)

    def observe(self, action: types.NestedArray, next_timestep: dm_env.TimeStep):
        self._actor.observe(action, next_timestep)
        self.num_steps += counting.count_env_steps(next_timestep.step_type)
        if (self._schedule is not None
                and self.num_steps - self._updated_at >= self._update_period):
            self._updated_at = self.num_steps
            self.variable.assign(self._schedule(self.num_steps))
            changed = getattr(self._actor, 'variables_changed', None)
            if changed is not None:  # E.g. a numpy policy re-reads ε.
                changed([self.variable])

    def update(self, wait: bool = False):
        self._actor.update(wait)

    def weights_change_on_update(self) -> None:
        declare = getattr(self._actor, 'weights_change_on_update', None)
        if declare is not None:
            declare()

    def variables_changed(self, variables=None) -> None:
        changed = getattr(self._actor, 'variables_changed', None)
        if changed is not None:
            changed(variables)

    # The schedule's position, for whole-run checkpoints.
    def save(self) -> dict:
        return {'num_steps': self.num_steps, 'updated_at': self._updated_at,
                'value': float(self.variable.numpy())}

    def restore(self, state: dict) -> None:
        """Continues the schedule from a `save()` state (ε as it was then)."""
        self.num_steps = int(state['num_steps'])
        self._updated_at = int(state['updated_at'])
        self.variable.assign(state['value'])
        self.variables_changed([self.variable])


def scheduled_variable(value, name: str) -> tf.Variable:
    """The float32 variable a policy reads: `value` itself if it is a
    tf.Variable (annealed by the caller, as in Acme), else one holding the
    schedule's value at step 0."""
    if isinstance(value, tf.Variable):
        return value
    return tf.Variable(schedules.initial_value(value), dtype=tf.float32,
                       trainable=False, name=name)
