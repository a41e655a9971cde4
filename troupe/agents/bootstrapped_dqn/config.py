"""Bootstrapped DQN's hyperparameters: bsuite's `boot_dqn` defaults, one
documented field each."""

import dataclasses
from typing import Optional, Sequence

from troupe.agents import checks, configs
from troupe.agents.configs import hyperparameter


@dataclasses.dataclass
class BootstrappedDQNConfig(configs.ReplayConfig):
    """Bootstrapped DQN with randomized prior functions (Osband et al. 2016,
    2018), from one uniform replay table.

    Defaults follow bsuite's `boot_dqn` baselines: 50-50 MLPs, prior scale 3
    (its TF baseline; the JAX one uses 5), plain one-step Q-learning targets
    from a target ensemble copied every 4 updates, Adam(1e-3), batches of 128,
    one update per env step (`samples_per_insert` 128), a replay of 10,000
    from 128 transitions, discount 0.99, ε 0 (its JAX baseline; the TF one
    decays ε as 10/(10+t)). Two choices differ: `ensemble_size` is 10, as in
    Osband et al. 2016 (bsuite's baselines use 20, at twice the cost), and
    `mask_probability` is 1 (bsuite's JAX baseline; its TF baseline draws
    masks with p = 0.5): the members' different priors and initialisations
    already make them disagree where there is no data, and every member
    learns from every transition.
    """

    discount: float = hyperparameter(0.99, 'the agent discount γ',
                                     checks.check_unit_interval)
    batch_size: int = hyperparameter(128, 'transitions per update',
                                     checks.check_positive_int)
    n_step: int = hyperparameter(1, 'steps of the n-step returns',
                                 checks.check_positive_int)
    samples_per_insert: float = hyperparameter(
        128.0, 'how often each transition is replayed on average',
        checks.check_positive)
    min_replay_size: int = hyperparameter(
        128, 'transitions stored before learning starts', checks.check_positive_int)
    max_replay_size: int = hyperparameter(
        10_000, 'replay capacity (oldest evicted first)', checks.check_positive_int)
    ensemble_size: int = hyperparameter(
        10, 'K, the Q-networks of the ensemble', checks.check_positive_int)
    prior_scale: float = hyperparameter(
        3.0, "β, the scale of each member's fixed random prior network (0: none)",
        checks.check_non_negative)
    mask_probability: float = hyperparameter(
        1.0, 'p of the Bernoulli bootstrap mask each member draws per transition',
        checks.check_rate)
    epsilon: float = hyperparameter(
        0.0, "ε of the acting member's ε-greedy policy", checks.check_unit_interval)
    learning_rate: float = hyperparameter(1e-3, "Adam's learning rate",
                                          checks.check_positive)
    target_update_period: int = hyperparameter(
        4, 'updates between target-ensemble copies', checks.check_positive_int)
    double_q: bool = hyperparameter(
        False, 'double-Q targets (the online member picks the next action) '
        'instead of plain Q-learning targets')
    huber_loss_parameter: Optional[float] = hyperparameter(
        None, 'the Huber loss δ (None: the squared TD loss, as bsuite)',
        checks.check_positive)
    max_gradient_norm: Optional[float] = hyperparameter(
        None, 'clips the global gradient norm (None: no clipping)',
        checks.check_positive)
    hidden_sizes: Sequence[int] = hyperparameter(
        (50, 50), "each member's hidden layers (and its prior's)")

    def check_relations(self) -> None:
        super().check_relations()
        for size in self.hidden_sizes:
            checks.check_positive_int(f'{type(self).__name__}.hidden_sizes entry', size)
