"""A2C's hyperparameters: the on-policy family's, and the advantage estimator."""

import dataclasses
from typing import Optional

from troupe.agents import checks
from troupe.agents.configs import hyperparameter
from troupe.agents.on_policy import config as on_policy_config


@dataclasses.dataclass
class A2CConfig(on_policy_config.OnPolicyConfig):
    """A2C: advantages by GAE(λ), or n-step returns when `n_step` is set."""

    lambda_: float = hyperparameter(
        0.95, "GAE's λ (0: one-step TD, 1: returns to the sequence end)",
        checks.check_unit_interval)
    n_step: Optional[int] = hyperparameter(
        None, 'n-step bootstrapped returns instead of GAE (None: GAE)',
        checks.check_positive_int)
