"""TD3's hyperparameters: the family's plus delayed policy updates and target
smoothing.

Defaults follow Fujimoto et al. (2018) and Acme's TD3: one-step transitions,
exploration σ = 0.1, Polyak τ = 0.005, a policy (and target) update every 2
critic updates, target smoothing noise σ' = 0.2 clipped to ±0.5, Adam(3e-4),
one update of 256 transitions per environment step, no gradient clipping,
256-256 networks. All noise scales are relative to the half-range of the
action bounds.
"""

import dataclasses
from typing import Optional, Sequence

from troupe.agents import checks
from troupe.agents.actor_critic import config as ac_config
from troupe.agents.configs import hyperparameter


@dataclasses.dataclass
class TD3Config(ac_config.ActorCriticConfig):
    """Twin Delayed DDPG (see the module docstring). `seed` seeds the target
    smoothing noise (None: drawn from TensorFlow's global seed)."""

    target_update_period: int = hyperparameter(
        1, 'updates between target copies when target_update_rate is None',
        checks.check_positive_int)
    target_update_rate: Optional[float] = hyperparameter(
        0.005, 'Polyak rate τ applied at every policy update (None: periodic '
        'copies)', checks.check_rate)
    samples_per_insert: float = hyperparameter(
        256.0, 'how often each transition is replayed on average', checks.check_positive)
    n_step: int = hyperparameter(1, 'steps of the n-step returns',
                                 checks.check_positive_int)
    sigma: float = hyperparameter(
        0.1, 'σ of the Gaussian exploration noise, relative to the half-range of '
        'the action bounds', checks.check_non_negative)
    clipping: bool = hyperparameter(
        False, 'clip dQ/da to norm 1 and gradients to global norm 40 (Acme DDPG)')
    policy_learning_rate: float = hyperparameter(
        3e-4, "the policy's Adam learning rate", checks.check_positive)
    critic_learning_rate: float = hyperparameter(
        3e-4, "the critics' Adam learning rate", checks.check_positive)
    policy_hidden_sizes: Sequence[int] = hyperparameter(
        (256, 256), "the default policy's hidden layers")
    critic_hidden_sizes: Sequence[int] = hyperparameter(
        (256, 256), "the default critics' hidden layers")
    policy_update_period: int = hyperparameter(
        2, 'critic updates per policy and target update', checks.check_positive_int)
    target_sigma: float = hyperparameter(
        0.2, "σ' of the target smoothing noise (relative)", checks.check_non_negative)
    noise_clip: float = hyperparameter(
        0.5, 'the smoothing noise is clipped to ±noise_clip (relative)',
        checks.check_non_negative)
