"""D4PG's hyperparameters: the family's (`actor_critic.ActorCriticConfig`, Acme's
TF D4PG names and defaults) plus the support of the distributional critic."""

import dataclasses

from troupe import errors
from troupe.agents import checks
from troupe.agents.actor_critic import config as ac_config
from troupe.agents.configs import hyperparameter


@dataclasses.dataclass
class D4PGConfig(ac_config.ActorCriticConfig):
    """Distributed Distributional DDPG: DDPG's defaults (Acme's) with a
    categorical critic over `num_atoms` atoms evenly spaced in [vmin, vmax]
    (the default network's; Acme's D4PG example uses [-150, 150], 51 atoms).
    The support should cover the task's discounted returns."""

    vmin: float = hyperparameter(-150.0, "the lowest atom of the default critic's "
                                 'support', checks.check_finite)
    vmax: float = hyperparameter(150.0, "the highest atom of the default critic's "
                                 'support', checks.check_finite)
    num_atoms: int = hyperparameter(51, "atoms of the default critic's support",
                                    checks.check_positive_int)

    def check_relations(self) -> None:
        super().check_relations()
        name = type(self).__name__
        if not self.vmin < self.vmax:
            raise errors.InvalidInput(f'{name}.vmax must be > vmin ({self.vmin}), got '
                                      f'{self.vmax}.')
        if self.num_atoms < 2:
            raise errors.InvalidInput(f'{name}.num_atoms must be an integer >= 2, got '
                                      f'{self.num_atoms}.')
