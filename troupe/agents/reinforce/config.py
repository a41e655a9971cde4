"""REINFORCE's hyperparameters."""

import dataclasses

from troupe.agents.a2c import config as a2c_config


@dataclasses.dataclass
class ReinforceConfig(a2c_config.OnPolicyConfig):
    """REINFORCE: Monte-Carlo returns within each sequence.

    Returns run to the end of the sequence and are bootstrapped with the learned
    baseline only where a sequence cuts an episode; with `sequence_length` at
    least the longest episode (500 for CartPole-v1) they are the full
    Monte-Carlo returns of the episode. Each update takes `batch_size` sequences.
    """
    sequence_length: int = 500
    batch_size: int = 4
