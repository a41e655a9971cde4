"""BootstrappedActor: one ensemble member per episode, and bootstrap masks.

Thompson-style deep exploration (Osband et al. 2016): at the start of every
episode the actor draws one of the K members uniformly and follows it for the
whole episode, so an optimistic member's plan is carried out to its end rather
than dithered away step by step. With every transition it writes a mask of K
Bernoulli(p) draws in the adder's extras (`{'mask': float32 [K]}`), member k
learning from the transition only where its draw is 1 (a bootstrap sample of
the replay per member).

Its two numpy generators (members, masks) are attributes, so a run's
`components.random_state.RandomState` saves and restores them with the other
actors' generators; `save()` / `restore()` hold the acting member, for the
run's acting state.
"""

from typing import Optional

import dm_env
import numpy as np
import tensorflow as tf

from troupe import core, errors, types
from troupe.components.adders.base import Adder

MASK = 'mask'  # The extras key of the bootstrap mask.


def mask_spec(ensemble_size: int) -> dict:
    """The extras' specs: the [K] float32 mask (table signatures use it)."""
    return {MASK: tf.TensorSpec([ensemble_size], tf.float32, name=MASK)}


class BootstrappedActor(core.Actor):
    """Acts with `actor` (a `FeedForwardActor` of a member policy, without an
    adder), setting `member` to a uniformly drawn member at every
    `observe_first`, and writes each transition with its mask through `adder`.

    Attributes:
      member: the index of the member acting in the current episode.
    """

    def __init__(self, actor: core.Actor, member: tf.Variable, ensemble_size: int,
                 mask_probability: float, adder: Optional[Adder] = None,
                 seed: Optional[int] = None):
        """Wraps the actor.

        Args:
          actor: acts with a policy reading `member`; writes nothing itself.
          member: the policy's int32 member variable.
          ensemble_size: K >= 1.
          mask_probability: p in (0, 1].
          adder: where transitions go, with their masks in the extras.
          seed: seeds the member and mask draws (None: drawn from TensorFlow's
            random stream, so `tf.random.set_seed` fixes them, as
            `FeedForwardActor`'s noise).
        """
        if isinstance(ensemble_size, bool) or not isinstance(ensemble_size, int) \
                or ensemble_size < 1:
            raise errors.InvalidInput(
                f'ensemble_size must be an integer >= 1, got {ensemble_size!r}.')
        if isinstance(mask_probability, bool) or not isinstance(
                mask_probability, (int, float)) or not 0.0 < mask_probability <= 1.0:
            raise errors.InvalidInput(
                f'mask_probability must be in (0, 1], got {mask_probability!r}.')
        self._actor = actor
        self._member_variable = member
        self._ensemble_size = int(ensemble_size)
        self._mask_probability = float(mask_probability)
        self._adder = adder
        if seed is None:
            seed = int(tf.random.uniform([], maxval=2**31 - 1, dtype=tf.int64))
        member_seed, mask_seed = np.random.SeedSequence(seed).spawn(2)
        self._member_rng = np.random.default_rng(member_seed)
        self._mask_rng = np.random.default_rng(mask_seed)
        self.member = int(member.numpy())

    @property
    def batched(self) -> bool:
        """False: the actor acts in one environment."""
        return False

    def select_action(self, observation: types.NestedArray) -> types.NestedArray:
        return self._actor.select_action(observation)

    def observe_first(self, timestep: dm_env.TimeStep):
        self.member = int(self._member_rng.integers(self._ensemble_size))
        self._member_variable.assign(self.member)
        self._actor.observe_first(timestep)
        if self._adder is not None:
            self._adder.add_first(timestep)

    def observe(self, action: types.NestedArray, next_timestep: dm_env.TimeStep):
        self._actor.observe(action, next_timestep)
        if self._adder is not None:
            mask = (self._mask_rng.random(self._ensemble_size)
                    < self._mask_probability).astype(np.float32)
            self._adder.add(action, next_timestep, extras={MASK: mask})

    def update(self, wait: bool = False):
        self._actor.update(wait)

    def weights_change_on_update(self) -> None:
        """Forwards the declaration to the wrapped actor (see `FeedForwardActor`)."""
        declare = getattr(self._actor, 'weights_change_on_update', None)
        if declare is not None:
            declare()

    # The acting member, for whole-run checkpoints.
    def save(self) -> dict:
        """The acting member (the generators are saved by `RandomState`)."""
        return {'member': self.member}

    def restore(self, state: dict) -> None:
        """Acts with the saved member until the next episode starts."""
        self.member = int(state['member'])
        self._member_variable.assign(self.member)
