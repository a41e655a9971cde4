"""REINFORCE's hyperparameters: the on-policy family's, with longer sequences."""

import dataclasses

from troupe.agents import checks
from troupe.agents.configs import hyperparameter
from troupe.agents.on_policy import config as on_policy_config


@dataclasses.dataclass
class ReinforceConfig(on_policy_config.OnPolicyConfig):
    """REINFORCE: Monte-Carlo returns within each sequence.

    Returns run to the end of the sequence and are bootstrapped with the learned
    baseline only where a sequence cuts an episode; with `sequence_length` at
    least the longest episode (500 for CartPole-v1) they are the full
    Monte-Carlo returns of the episode.
    """

    sequence_length: int = hyperparameter(
        500, 'T, the steps of each sequence (>= the longest episode for pure '
        'Monte-Carlo returns)', checks.check_positive_int)
    batch_size: int = hyperparameter(4, 'sequences per learner update',
                                     checks.check_positive_int)
