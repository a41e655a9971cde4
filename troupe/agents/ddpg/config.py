"""DDPG's hyperparameters: the family's (`actor_critic.ActorCriticConfig`), with
Acme's TF DDPG names and defaults."""

import dataclasses

from troupe.agents.actor_critic import config as ac_config


@dataclasses.dataclass
class DDPGConfig(ac_config.ActorCriticConfig):
    """Deep Deterministic Policy Gradient: Adam(1e-4) for both networks, target
    copies every 100 updates (or Polyak τ every update with
    `target_update_rate`), 5-step transitions, exploration σ = 0.3 relative to
    the half-range of the action bounds, gradient clipping (Acme's defaults).
    The default networks are Acme's DDPG example's: a 256-256-256 policy and a
    512-512-256 critic."""
