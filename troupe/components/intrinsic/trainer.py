"""`IntrinsicRewardTrainer`: what a learner calls, inside its update, to turn a
sampled batch into intrinsic rewards and train the intrinsic model on it.

One call, on a batch of transitions:

1. adds the batch to the model's running statistics (`update_statistics`),
2. computes the bonus and the loss in one forward pass (`compute`), with the
   model as it is before this update, and applies one optimizer step to the
   model's `trainable_variables`,
3. optionally divides the bonus by the running standard deviation of the
   intrinsic return (`ReturnNormalizer`, as RND does) and multiplies it by
   `scale`.

It returns the [B] intrinsic rewards and the fetches to log. Because the bonus
is computed when a batch is sampled, replayed transitions get fresh bonuses
from the current model. `state` holds everything to checkpoint with the learner.
"""

from typing import Dict, Optional, Tuple

import sonnet as snt
import tensorflow as tf

from troupe import errors, types
from troupe.components.intrinsic import base, normalization


class IntrinsicRewardTrainer:
    """Intrinsic rewards for sampled batches, and the model's training (module
    docstring). Used by a learner inside its (compiled) update."""

    def __init__(self,
                 model: base.IntrinsicReward,
                 optimizer: snt.Optimizer,
                 scale: float = 1.0,
                 reward_normalizer: Optional[normalization.ReturnNormalizer] = None):
        """Creates the trainer.

        Args:
          model: the intrinsic reward (e.g. `RND`, `ICM`).
          optimizer: trains the model's `trainable_variables` on its loss.
          scale: multiplies the (normalised) bonus, >= 0.
          reward_normalizer: divides the bonus by the running standard
            deviation of its return; None leaves it as the model computes it.
        """
        if not isinstance(model, base.IntrinsicReward):
            raise errors.InvalidInput(f'IntrinsicRewardTrainer needs an IntrinsicReward '
                                      f'model, got {model!r}.')
        if isinstance(scale, bool) or not scale >= 0 or scale == float('inf'):
            raise errors.InvalidInput(
                f'intrinsic reward scale must be a finite number >= 0, got {scale!r}.')
        self.model = model
        self.optimizer = optimizer
        self.scale = float(scale)
        self.reward_normalizer = reward_normalizer

    def create_variables(self) -> None:
        """Makes the model's and the normaliser's variables on the current device."""
        self.model.create_variables()
        if self.reward_normalizer is not None:
            self.reward_normalizer.create_variables()

    def __call__(self, transitions: types.Transition
                 ) -> Tuple[tf.Tensor, Dict[str, tf.Tensor]]:
        """Intrinsic rewards for a batch and one training step of the model.

        Returns:
          The [B] intrinsic rewards (float32, no gradient) and the fetches
          'intrinsic_loss' (the model's loss before the step),
          'intrinsic_bonus' (the batch's mean raw bonus) and
          'intrinsic_reward' (the mean reward returned).
        """
        model = self.model
        model.update_statistics(transitions)
        with tf.GradientTape() as tape:
            output = model.compute(transitions)
        variables = model.trainable_variables
        self.optimizer.apply(tape.gradient(output.loss, variables), variables)
        bonus = tf.cast(output.bonus, tf.float32)
        rewards = bonus
        if self.reward_normalizer is not None:
            rewards = self.reward_normalizer(rewards)
        rewards = tf.stop_gradient(self.scale * rewards)
        return rewards, {'intrinsic_loss': output.loss,
                         'intrinsic_bonus': tf.reduce_mean(bonus),
                         'intrinsic_reward': tf.reduce_mean(rewards)}

    @property
    def state(self) -> Dict[str, tf.Module]:
        """What a learner checkpoints for the trainer: the model (with its
        running statistics), the optimizer and the reward normaliser."""
        state = {'intrinsic_model': self.model, 'intrinsic_optimizer': self.optimizer}
        if self.reward_normalizer is not None:
            state['intrinsic_reward_normalizer'] = self.reward_normalizer
        return state
