"""The builder: the one place an agent's parts are assembled.

The shape is Acme's JAX `ActorLearnerBuilder`: a builder holds the agent's
config and makes each part on request. The single-process agent
(`troupe.agents.local.LocalAgent`), the command line and the distributed
program (`troupe.distributed`) all call the same builder, so an agent written
once runs everywhere:

    builder = dqn.DQNBuilder(dqn.DQNConfig(batch_size=64))
    tables  = builder.make_replay_tables(spec)                # replay server
    nets    = builder.make_networks(spec)
    dataset = builder.make_dataset_iterator(address)          # learner side
    learner = builder.make_learner(nets, dataset, spec, counter, logger)
    adder   = builder.make_adder(reverb.Client(address))      # actor side
    policy  = builder.make_policy(nets, spec, evaluation=False)
    actor   = builder.make_actor(policy, spec, variable_source, adder)

Who makes which part where (sharing networks between actor and learner in one
process, copying them elsewhere) is the runners' business, never a builder's.
"""

import abc
import dataclasses
import functools
from typing import Any, ClassVar, Iterator, List, Optional

import reverb
import sonnet as snt
import tensorflow as tf

from troupe import core, errors, specs
from troupe.agents import configs, spaces
from troupe.components import adders, counting, learning, loggers
from troupe.components import utils as tf2_utils

Networks = Any  # A builder's own networks type (a module or a NamedTuple of them).


class ActorLearnerBuilder(abc.ABC):
    """Makes one agent's parts from its config.

    Class attributes describe the agent to runners and the command line:
      name: the command-line name ('dqn').
      config_class: the config dataclass.
      actions: what it acts in: spaces.DISCRETE, CONTINUOUS, MULTI_AGENT or ANY.
      batched_acting: whether its actor can act on a `BatchedEnvironment`.
      on_policy: sequences go through a FIFO queue that the learner drains
        (the local runner steps the learner once per complete batch) instead of
        a replay table sampled at a replay ratio.
      exploration_field: the config field a distributed program may set per
        actor (e.g. 'epsilon'); None: the agent has none.
    """

    name: ClassVar[str]
    config_class: ClassVar[type]
    actions: ClassVar[str] = spaces.DISCRETE
    batched_acting: ClassVar[bool] = True
    on_policy: ClassVar[bool] = False
    exploration_field: ClassVar[Optional[str]] = None

    def __init_subclass__(cls, **kwargs):
        """Makes each builder's `make_learner` set the options its config shares
        with every learner (`configs.LearnerConfig.on_non_finite`) on the
        learner it returns, so builders need not pass them one by one."""
        super().__init_subclass__(**kwargs)
        make = cls.__dict__.get('make_learner')
        if make is None or getattr(make, 'applies_learner_config', False):
            return

        @functools.wraps(make)
        def make_learner(self, *args, **kwargs):
            learner = make(self, *args, **kwargs)
            learning.apply_config(learner, self.config)
            return learner

        make_learner.applies_learner_config = True
        cls.make_learner = make_learner

    def __init__(self, config: Optional[configs.AgentConfig] = None):
        if config is None:
            config = self.config_class()
        if not isinstance(config, self.config_class):
            raise TypeError(f'{type(self).__name__} takes a {self.config_class.__name__}, '
                            f'got {type(config).__name__}.')
        self.config = config

    # What the agent can act in.
    def check_environment(self, environment_spec: specs.EnvironmentSpec,
                          environment: str = 'this environment') -> None:
        """Raises a ValueError, before anything is built, unless the agent can
        act in `environment_spec` (naming what it needs and what it got)."""
        spaces.check_can_act(self.name, self.actions, environment_spec, environment)

    def with_exploration(self, value: float) -> 'ActorLearnerBuilder':
        """A builder whose config has `exploration_field` set to `value` (a
        distributed actor's own ε or σ)."""
        if self.exploration_field is None:
            raise errors.InvalidInput(f'{self.name} has no per-actor exploration setting.')
        return type(self)(dataclasses.replace(self.config,
                                              **{self.exploration_field: value}))

    # Replay.
    @abc.abstractmethod
    def make_replay_tables(self, environment_spec: specs.EnvironmentSpec,
                           distributed: bool = False) -> List[reverb.Table]:
        """The tables of the replay server. `distributed`: actors in other
        processes insert, so inserts wait for the learner (samples per insert
        is enforced); in one process they never block."""

    @abc.abstractmethod
    def make_dataset_iterator(self, replay_address: str) -> Iterator[reverb.ReplaySample]:
        """What the learner reads: batches from the server at `replay_address`."""

    @abc.abstractmethod
    def make_adder(self, replay_client: reverb.Client,
                   num_envs: Optional[int] = None) -> adders.Adder:
        """What an actor writes with (batched over `num_envs` copies if given)."""

    # Networks, policies, actors, learners.
    @abc.abstractmethod
    def make_networks(self, environment_spec: specs.EnvironmentSpec) -> Networks:
        """The default networks for `environment_spec`, sized by the config."""

    @abc.abstractmethod
    def make_policy(self, networks: Networks, environment_spec: specs.EnvironmentSpec,
                    evaluation: bool = False) -> snt.Module:
        """The acting policy (exploring, or greedy with `evaluation`)."""

    @abc.abstractmethod
    def make_actor(self, policy: snt.Module, environment_spec: specs.EnvironmentSpec,
                   variable_source: Optional[core.VariableSource] = None,
                   adder: Optional[adders.Adder] = None, *,
                   batched: bool = False,
                   variable_update_period: int = 1) -> core.Actor:
        """An actor following `policy`. With a `variable_source` the policy's
        networks are the actor's own (their variables are created here if need
        be) and are refreshed from it; without, they are the learner's."""

    @abc.abstractmethod
    def make_learner(self, networks: Networks, dataset: Iterator[reverb.ReplaySample],
                     environment_spec: specs.EnvironmentSpec,
                     counter: Optional[counting.Counter] = None,
                     logger: Optional[loggers.Logger] = None, *,
                     replay_client: Optional[reverb.Client] = None,
                     device: Optional[str] = None) -> core.Learner:
        """The learner, training `networks` (it makes their targets and its
        optimizers on `device`). It does not checkpoint itself: runners save its
        `state`. `replay_client` is where new priorities go, if any."""

    # The learning schedule of a single process.
    def min_observations(self) -> int:
        """Env steps before the first learner step."""
        return self.config.min_observations

    def observations_per_step(self) -> float:
        """Env steps per learner step after that."""
        return self.config.observations_per_step


def create_policy_variables(policy: snt.Module,
                            environment_spec: specs.EnvironmentSpec) -> None:
    """Creates `policy`'s variables (feed-forward or an `snt.RNNCore`) for one
    observation of the spec, on the current device."""
    if isinstance(policy, snt.RNNCore):
        observation = tf2_utils.zeros_like(environment_spec.observations, 1)
        policy(tf.nest.map_structure(tf.convert_to_tensor, observation),
               policy.initial_state(1))
    else:
        tf2_utils.create_variables(policy, [environment_spec.observations])


class TransitionReplayBuilder(ActorLearnerBuilder):
    """A builder whose replay is one table of n-step transitions (a
    `configs.ReplayConfig`): uniform, or prioritized when the config has
    `priority_exponent`. The one definition of that table, its dataset and its
    adder for DQN, NFQ, SAC and the deterministic actor-critics."""

    def replay_samples_per_insert(self) -> float:
        """The replay ratio the distributed table enforces."""
        return self.config.samples_per_insert

    def extras_spec(self, environment_spec: specs.EnvironmentSpec) -> Any:
        """The specs of the extras the actor writes with each transition (none
        by default; e.g. bootstrapped DQN's masks); part of the table signature."""
        del environment_spec
        return ()

    def make_replay_tables(self, environment_spec: specs.EnvironmentSpec,
                           distributed: bool = False) -> List[reverb.Table]:
        from troupe.components import replay
        config = self.config
        return [replay.transition_table(
            config.replay_table_name, config.max_replay_size,
            min_size=config.min_replay_size,
            samples_per_insert=self.replay_samples_per_insert(),
            signature=adders.NStepTransitionAdder.signature(
                environment_spec, self.extras_spec(environment_spec)),
            blocking_inserts=distributed,
            priority_exponent=getattr(config, 'priority_exponent', None))]

    def make_dataset_iterator(self, replay_address: str) -> Iterator[reverb.ReplaySample]:
        from troupe.components import replay
        config = self.config
        return iter(replay.make_reverb_dataset(
            replay_address, batch_size=config.batch_size,
            prefetch_size=config.prefetch_size or None,
            table=config.replay_table_name,
            num_parallel_calls=config.num_parallel_calls))

    def make_adder(self, replay_client: reverb.Client,
                   num_envs: Optional[int] = None) -> adders.Adder:
        config = self.config
        return adders.make_nstep_adder(replay_client, config.n_step, config.discount,
                                       config.replay_table_name, num_envs)
