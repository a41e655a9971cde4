"""Intrinsic rewards by name, for agent configs: `KINDS`, `check_kind` and
`make_trainer`, the one call a builder makes to give its learner a bonus.

Each kind is set up as its paper does: 'rnd' with observation normalisation
and its rewards divided by the running standard deviation of the intrinsic
return; 'icm' with its raw bonus (η = 1, so the scale plays η's part).
"""

from typing import Optional, Sequence

import sonnet as snt

from troupe import errors, specs
from troupe.components.intrinsic import icm, normalization, rnd, trainer

KINDS = ('rnd', 'icm')


def check_kind(name: str, value) -> None:
    """Raises an InvalidInput unless `value` is one of `KINDS`."""
    if not isinstance(value, str) or value not in KINDS:
        raise errors.InvalidInput(
            f"{name} must be one of {', '.join(map(repr, KINDS))} (or None: no "
            f"intrinsic reward), got {value!r}.")


def make_model(kind: str, environment_spec: specs.EnvironmentSpec,
               hidden_sizes: Sequence[int] = (64, 64), feature_size: int = 64):
    """The `IntrinsicReward` called `kind` ('rnd' or 'icm') with MLPs of
    `hidden_sizes` and embeddings of `feature_size`."""
    check_kind('intrinsic reward kind', kind)
    if kind == 'rnd':
        return rnd.RND(environment_spec, hidden_sizes, feature_size)
    return icm.ICM(environment_spec, hidden_sizes, feature_size)


def make_trainer(kind: str, environment_spec: specs.EnvironmentSpec, *,
                 scale: float, discount: float, batch_size: int,
                 learning_rate: float, hidden_sizes: Sequence[int] = (64, 64),
                 feature_size: int = 64,
                 optimizer: Optional[snt.Optimizer] = None
                 ) -> trainer.IntrinsicRewardTrainer:
    """The trainer of the intrinsic reward `kind`, as its paper sets it up.

    Args:
      kind: 'rnd' or 'icm'.
      environment_spec: the environment's specs.
      scale: the weight of the intrinsic rewards (>= 0).
      discount: the intrinsic discount γ_I (RND's return normaliser uses it).
      batch_size: the learner's batch size (the normaliser's streams).
      learning_rate: Adam's learning rate for the model, unless `optimizer`.
      hidden_sizes: the model's hidden layers.
      feature_size: the model's embedding size.
      optimizer: trains the model instead of Adam(learning_rate).
    """
    model = make_model(kind, environment_spec, hidden_sizes, feature_size)
    normalizer = (normalization.ReturnNormalizer(discount, batch_size)
                  if kind == 'rnd' else None)
    return trainer.IntrinsicRewardTrainer(
        model, optimizer or snt.optimizers.Adam(learning_rate), scale=scale,
        reward_normalizer=normalizer)
