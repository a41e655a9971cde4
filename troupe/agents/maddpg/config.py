"""MADDPG's hyperparameters and the checks of its multi-agent inputs.

`MADDPGConfig` extends `DDPGConfig` (same names, same range checks) with
`centralised_critics`. Its defaults are those tuned for 3-agent cooperative
navigation (benchmarks/maddpg_particles.py): γ = 0.95 as in Lowe et al.,
3-step returns, Adam(3e-3), Polyak τ = 0.01, 32 samples per insert.
"""

import dataclasses
from typing import Mapping, Optional, Tuple

from troupe import specs
from troupe.agents.ddpg import config as ddpg_config
from troupe.agents.ddpg import networks as ddpg_networks


@dataclasses.dataclass
class MADDPGConfig(ddpg_config.DDPGConfig):
    """Everything MADDPG needs besides the spec and the networks.

    `centralised_critics=False` gives each critic only its own agent's observation
    and action: independent DDPG learners with otherwise identical settings.
    """
    discount: float = 0.95
    batch_size: int = 256
    target_update_period: int = 1
    target_update_rate: Optional[float] = 0.01
    min_replay_size: int = 1000
    samples_per_insert: float = 32.0
    n_step: int = 3
    sigma: float = 0.3
    policy_learning_rate: float = 3e-3
    critic_learning_rate: float = 3e-3
    centralised_critics: bool = True

    def validate(self) -> None:
        """Raises a ValueError naming the first parameter out of its range."""
        super().validate()
        check_bool('centralised_critics', self.centralised_critics)


def make_config(config: Optional[MADDPGConfig] = None,
                **hyperparameters) -> MADDPGConfig:
    """`config` (default `MADDPGConfig()`) with the given fields replaced.

    Raises:
      TypeError: naming any keyword that is not a field of `MADDPGConfig`.
    """
    if config is not None and not isinstance(config, MADDPGConfig):
        raise TypeError(f'config must be a MADDPGConfig, got {config!r}.')
    fields = [field.name for field in dataclasses.fields(MADDPGConfig)]
    unknown = sorted(set(hyperparameters) - set(fields))
    if unknown:
        raise TypeError(f'Unknown MADDPG hyperparameters {unknown}; expected fields '
                        f'of MADDPGConfig: {fields}.')
    return dataclasses.replace(config or MADDPGConfig(), **hyperparameters)


def check_bool(name: str, value) -> None:
    """Raises unless `value` is a bool."""
    if not isinstance(value, bool):
        raise ValueError(f'{name} must be a bool, got {value!r}.')


def check_multi_agent_spec(environment_spec: specs.EnvironmentSpec,
                           who: str = 'MADDPG') -> Tuple[str, ...]:
    """Returns the agent ids of a multi-agent spec with continuous actions.

    The four specs must be dicts with the same keys (`troupe.environments.
    multiagent`), and every agent's action spec a float BoundedArray with finite
    bounds.

    Raises:
      ValueError: naming the offending spec and what was expected.
    """
    fields = environment_spec._asdict()
    for field, spec in fields.items():
        if not isinstance(spec, Mapping) or not spec:
            raise ValueError(
                f'{who} needs a multi-agent environment spec whose observations, '
                'actions, rewards and discounts are dicts keyed by agent id (see '
                f'troupe.environments.multiagent), got {field}={spec!r}.')
    ids = tuple(environment_spec.actions)
    for field, spec in fields.items():
        if set(spec) != set(ids):
            raise ValueError(
                f'{who} needs the same agent ids in every spec: actions has '
                f'{list(ids)} but {field} has {list(spec)}.')
    for i in ids:
        ddpg_networks.check_continuous_actions(environment_spec.actions[i],
                                               f'{who} (agent {i!r})')
    return ids


def check_agent_keys(name: str, networks, agent_ids: Tuple[str, ...]) -> None:
    """Raises unless `networks` is a dict keyed by exactly `agent_ids`."""
    if not isinstance(networks, Mapping):
        raise ValueError(f'{name} must be a dict keyed by the agent ids '
                         f'{list(agent_ids)}, got {type(networks).__name__}: '
                         f'{networks!r}.')
    if set(networks) != set(agent_ids):
        raise ValueError(f'{name} must be a dict keyed by the agent ids '
                         f'{sorted(agent_ids)}, got keys {sorted(networks)}.')
