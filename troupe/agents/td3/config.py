"""TD3's hyperparameters: DDPG's plus delayed policy updates and target smoothing.

Defaults follow Fujimoto et al. (2018) and Acme's TD3: one-step transitions,
exploration σ = 0.1, Polyak τ = 0.005, a policy (and target) update every 2
critic updates, target smoothing noise σ' = 0.2 clipped to ±0.5, Adam(3e-4),
one update of 256 transitions per environment step, no gradient clipping. All
noise scales are relative to the half-range of the action bounds.
"""

import dataclasses
from typing import Optional

from troupe.agents.ddpg import config as ddpg_config


@dataclasses.dataclass
class TD3Config(ddpg_config.DDPGConfig):
    """Everything a TD3 agent needs besides the spec and the networks."""
    target_update_period: int = 1
    target_update_rate: Optional[float] = 0.005
    samples_per_insert: float = 256.0
    n_step: int = 1
    sigma: float = 0.1
    clipping: bool = False
    policy_learning_rate: float = 3e-4
    critic_learning_rate: float = 3e-4
    policy_update_period: int = 2
    target_sigma: float = 0.2
    noise_clip: float = 0.5
    seed: int = 0

    def validate(self) -> None:
        """Raises a ValueError naming the first parameter out of its range."""
        super().validate()
        ddpg_config.check_positive_int('policy_update_period', self.policy_update_period)
        ddpg_config.check_non_negative('target_sigma', self.target_sigma)
        ddpg_config.check_non_negative('noise_clip', self.noise_clip)
        ddpg_config.check_non_negative_int('seed', self.seed)
