"""IMPALA's hyperparameters."""

import dataclasses
from typing import Optional

from troupe.agents.a2c import config as a2c_config


@dataclasses.dataclass
class IMPALAConfig(a2c_config.OnPolicyConfig):
    """IMPALA: V-trace targets and advantages (Espeholt et al., 2018).

    Attributes:
      clip_rho_threshold: ρ̄ (>= 0) clipping the importance weights of the value
        targets; None: no clipping.
      clip_pg_rho_threshold: ρ̄ (>= 0) for the policy-gradient advantages.
      lambda_: V-trace's λ in [0, 1], mixing in the trace cut.
    """
    clip_rho_threshold: Optional[float] = 1.0
    clip_pg_rho_threshold: Optional[float] = 1.0
    lambda_: float = 1.0

    def validate(self) -> None:
        super().validate()
        for name in ('clip_rho_threshold', 'clip_pg_rho_threshold'):
            if getattr(self, name) is not None:
                a2c_config.check_non_negative(name, getattr(self, name))
        a2c_config.check_unit_interval('lambda_', self.lambda_)
