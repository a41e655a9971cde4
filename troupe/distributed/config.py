"""What a distributed program runs: the agent, environment and settings that
every node rebuilds its part from, and when the program stops."""

import dataclasses
from typing import Any, Mapping, Optional, Sequence


def _check_positive(name: str, value, allow_none: bool = True) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ValueError(f'{name} must be a positive number'
                         f'{" or None" if allow_none else ""}, got {value!r}.')


@dataclasses.dataclass(frozen=True)
class ProgramConfig:
    """The agent and environment of a distributed program (picklable: every
    node receives it and rebuilds its own part).

    Attributes:
      agent: a command-line agent name with a builder (see
        `troupe.distributed.parts.distributed_agents`).
      env: a registry environment name.
      hyperparameters: the agent's config (`registry.get(agent).resolve(env,
        overrides)`), kept in its JSON form (`config.to_json()`).
      env_kwargs: keyword arguments of `environments.make`.
      seed: the program's seed; actor i acts with seed `seed + 1000 * (i + 1)`,
        the evaluator with `seed + 999`.
      num_envs: None: each actor steps one environment; N: each steps a
        `BatchedEnvironment` of N copies with one policy call per step.
      actor_exploration: per-actor exploration (one value per actor): ε for
        DQN, the Gaussian noise σ for D4PG; None: the hyperparameters' setting
        for every actor.
      variable_update_period: actor steps between variable fetches.
      logdir: where logs, counters and checkpoints go (on the driver's node).
      checkpoint_minutes: minutes between the learner's and the counter's
        periodic checkpoints (they are also saved when the program stops).
      replay_checkpoint_minutes: minutes between the replay node's checkpoints
        of its tables (`<logdir>/checkpoints/replay`, also saved when the
        program stops); a restarted replay node starts from the latest, losing
        the items inserted after it. None: `checkpoint_minutes`.
      evaluation_episodes: episodes per evaluation of the greedy policy.
      evaluation_period_seconds: pause between evaluations.
    """
    agent: str
    env: str
    hyperparameters: Mapping[str, Any]
    env_kwargs: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    seed: int = 0
    num_envs: Optional[int] = None
    actor_exploration: Optional[Sequence[float]] = None
    variable_update_period: int = 100
    logdir: str = 'runs/distributed'
    checkpoint_minutes: float = 5.0
    replay_checkpoint_minutes: Optional[float] = None
    evaluation_episodes: int = 5
    evaluation_period_seconds: float = 10.0

    def __post_init__(self):
        if hasattr(self.hyperparameters, 'to_json'):  # A config instance.
            object.__setattr__(self, 'hyperparameters', self.hyperparameters.to_json())
        if self.num_envs is not None and (isinstance(self.num_envs, bool) or
                                          not isinstance(self.num_envs, int) or
                                          self.num_envs < 1):
            raise ValueError(f'num_envs must be None or an integer >= 1, got '
                             f'{self.num_envs!r}.')
        if (isinstance(self.variable_update_period, bool)
                or not isinstance(self.variable_update_period, int)
                or self.variable_update_period < 1):
            raise ValueError('variable_update_period must be an integer >= 1, got '
                             f'{self.variable_update_period!r}.')
        _check_positive('checkpoint_minutes', self.checkpoint_minutes, False)
        _check_positive('replay_checkpoint_minutes', self.replay_checkpoint_minutes)
        _check_positive('evaluation_period_seconds', self.evaluation_period_seconds,
                        False)
        if (isinstance(self.evaluation_episodes, bool)
                or not isinstance(self.evaluation_episodes, int)
                or self.evaluation_episodes < 0):
            raise ValueError('evaluation_episodes must be an integer >= 0 (0: no '
                             f'evaluator), got {self.evaluation_episodes!r}.')

    @property
    def replay_checkpoint_period_minutes(self) -> float:
        """`replay_checkpoint_minutes`, or `checkpoint_minutes` if it is None."""
        return (self.checkpoint_minutes if self.replay_checkpoint_minutes is None
                else float(self.replay_checkpoint_minutes))

    def actor_seed(self, index: int) -> int:
        return self.seed + 1000 * (index + 1)

    @property
    def evaluator_seed(self) -> int:
        return self.seed + 999


@dataclasses.dataclass(frozen=True)
class StopConditions:
    """The program stops at the first condition met (None: not a condition).

    Attributes:
      max_actor_steps: environment steps of all actors together.
      max_learner_steps: learner steps.
      max_seconds: the run's wall time since its nodes started, summed over
        its launches on the same logdir (a resumed run's budget is its total).
    """
    max_actor_steps: Optional[int] = None
    max_learner_steps: Optional[int] = None
    max_seconds: Optional[float] = None

    def __post_init__(self):
        for name in ('max_actor_steps', 'max_learner_steps', 'max_seconds'):
            _check_positive(name, getattr(self, name))
        if (self.max_actor_steps is None and self.max_learner_steps is None
                and self.max_seconds is None):
            raise ValueError('A distributed program needs a stop condition: give '
                             'max_actor_steps, max_learner_steps or max_seconds.')

    def reached(self, actor_steps: int, learner_steps: int,
                seconds: float) -> Optional[str]:
        """Which condition is met, described, or None."""
        if self.max_actor_steps is not None and actor_steps >= self.max_actor_steps:
            return f'{actor_steps} actor steps (max {self.max_actor_steps})'
        if (self.max_learner_steps is not None
                and learner_steps >= self.max_learner_steps):
            return f'{learner_steps} learner steps (max {self.max_learner_steps})'
        if self.max_seconds is not None and seconds >= self.max_seconds:
            return f'{seconds:.0f} s (max {self.max_seconds:g})'
        return None
