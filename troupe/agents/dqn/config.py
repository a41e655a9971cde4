"""DQN's hyperparameters: Acme's names and defaults, one documented field each."""

import dataclasses
from typing import Optional, Sequence, Union

import tensorflow as tf

from troupe import errors
from troupe.agents import checks, configs
from troupe.agents.configs import hyperparameter
from troupe.components import intrinsic, schedules

# ε: a constant, a schedule over the actor's env steps, or a float32 variable
# that the caller anneals (as in Acme).
LinearEpsilon = schedules.LinearSchedule
Epsilon = Union[float, schedules.LinearSchedule, tf.Variable]


def check_epsilon(name: str, value) -> None:
    """ε in [0, 1]; a schedule's start and end in [0, 1]."""
    if isinstance(value, schedules.LinearSchedule):
        checks.check_unit_interval(f'{name} start', value.start)
        checks.check_unit_interval(f'{name} end', value.end)
    elif not isinstance(value, tf.Variable):
        checks.check_unit_interval(name, value)


@dataclasses.dataclass
class DQNConfig(configs.PrioritizedReplayConfig):
    """Deep Q-Networks: double-Q n-step targets from a prioritized replay table.

    Defaults are Acme's TF DQN ones, except `max_gradient_norm` (Acme: 1e10,
    i.e. none) and `reward_clip` (Acme always clips to [-1, 1]; here it is off
    unless set, since n-step returns of e.g. CartPole are not in [-1, 1]).

    `intrinsic_reward` ('rnd' or 'icm') adds an exploration bonus: a second
    Q-network learns the intrinsic rewards (computed by the learner on each
    sampled batch, scaled by `intrinsic_scale`) with `intrinsic_discount` and
    no episode ends, and the actor is ε-greedy on the sum of the two
    (`networks.ExtrinsicIntrinsicQ`). The `intrinsic_*` fields do nothing
    while it is None.
    """

    learning_rate: float = hyperparameter(1e-3, "Adam's learning rate",
                                          checks.check_positive)
    target_update_period: int = hyperparameter(
        100, 'updates between target-network copies', checks.check_positive_int)
    target_update_rate: Optional[float] = hyperparameter(
        None, 'Polyak rate τ applied every update instead of periodic copies',
        checks.check_rate)
    epsilon: Epsilon = hyperparameter(
        0.05, 'ε of the ε-greedy actor: a number or a schedule [start, end, steps] '
        "over the actor's env steps", check_epsilon)
    epsilon_update_period: int = hyperparameter(
        10, 'actor env steps between writes of a scheduled ε',
        checks.check_positive_int)
    huber_loss_parameter: float = hyperparameter(1.0, 'the Huber loss δ',
                                                 checks.check_positive)
    max_gradient_norm: Optional[float] = hyperparameter(
        None, 'clips the global gradient norm (None: no clipping)',
        checks.check_positive)
    reward_clip: Optional[float] = hyperparameter(
        None, 'clips n-step rewards to [-c, c] (None: no clipping)',
        checks.check_positive)
    hidden_sizes: Sequence[int] = hyperparameter(
        (64, 64), "the default Q-network's hidden layers (vector observations)")
    dueling: bool = hyperparameter(False, 'a duelling head on the default Q-network')
    intrinsic_reward: Optional[str] = hyperparameter(
        None, "an exploration bonus: 'rnd' (random network distillation) or 'icm' "
        '(curiosity; needs n_step=1); None: none', intrinsic.check_kind)
    intrinsic_scale: float = hyperparameter(
        1.0, 'the weight of the intrinsic rewards (RND: after dividing them by the '
        'running std of their return)', checks.check_non_negative)
    intrinsic_discount: float = hyperparameter(
        0.99, "the intrinsic stream's discount per env step (it ignores episode ends)",
        checks.check_unit_interval)
    intrinsic_learning_rate: float = hyperparameter(
        1e-4, "Adam's learning rate for the intrinsic model (RND predictor, ICM)",
        checks.check_positive)
    intrinsic_hidden_sizes: Sequence[int] = hyperparameter(
        (64, 64), "the intrinsic model's hidden layers")
    intrinsic_feature_size: int = hyperparameter(
        64, "the intrinsic model's embedding size (RND target outputs, ICM features)",
        checks.check_positive_int)

    def check_relations(self) -> None:
        super().check_relations()
        name = type(self).__name__
        for size in self.hidden_sizes:
            checks.check_positive_int(f'{name}.hidden_sizes entry', size)
        for size in self.intrinsic_hidden_sizes:
            checks.check_positive_int(f'{name}.intrinsic_hidden_sizes entry', size)
        if self.intrinsic_reward == 'icm' and self.n_step != 1:
            raise errors.InvalidInput(
                f"{name}.intrinsic_reward='icm' needs n_step=1 (ICM's forward and "
                f'inverse models are one-step models of (s_t, a_t, s_t+1)), got '
                f'n_step={self.n_step}.')
