"""IMPALA's hyperparameters: the on-policy family's, V-trace's, and the
default network's recurrence."""

import dataclasses
from typing import Optional

from troupe.agents import checks
from troupe.agents.configs import hyperparameter
from troupe.agents.on_policy import config as on_policy_config


@dataclasses.dataclass
class IMPALAConfig(on_policy_config.OnPolicyConfig):
    """IMPALA: V-trace targets and advantages (Espeholt et al., 2018)."""

    clip_rho_threshold: Optional[float] = hyperparameter(
        1.0, "V-trace's ρ̄ clipping the value targets' importance weights "
        '(None: no clipping)', checks.check_non_negative)
    clip_pg_rho_threshold: Optional[float] = hyperparameter(
        1.0, "V-trace's ρ̄ for the policy-gradient advantages (None: no clipping)",
        checks.check_non_negative)
    lambda_: float = hyperparameter(1.0, "V-trace's λ, mixing in the trace cut",
                                    checks.check_unit_interval)
    recurrent: bool = hyperparameter(
        False, 'the default network is an MLP torso with an LSTM')
    lstm_size: int = hyperparameter(64, "the default recurrent network's LSTM units",
                                    checks.check_positive_int)
