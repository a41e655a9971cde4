"""The local runner: any builder's agent, acting and learning in one process.

`LocalAgent(builder, environment_spec, networks=None, num_envs=None, ...)` does,
once for every agent:

1. checks that the agent can act in the environment (before any server starts);
2. starts a Reverb server with the builder's tables;
3. builds the learner on its device (the first GPU, else the CPU) and the
   actor on the CPU: with the learner on the CPU the actor shares its networks
   (no copies on the acting path), otherwise it acts with CPU copies refreshed
   from the learner;
4. interleaves learner steps with acting: Acme's replay ratio
   (`min_observations`, `observations_per_step`) for replay-based agents, one
   step per complete batch in the queue for on-policy agents;
5. stops the server if any of that fails half-way, and on `close()`.

The Acme-named agents (`dqn.DQN(environment_spec, network, ...)`) are thin
subclasses that turn their arguments into a config and networks.
"""

import copy
import dataclasses
from typing import Any, Optional

import dm_env
import reverb
import tensorflow as tf

from troupe import core, errors, specs, types
from troupe.agents import agent as agent_lib
from troupe.agents import builders as builders_lib
from troupe.agents import checks
from troupe.components import counting, devices, loggers, savers

_CPU = '/CPU:0'


def learner_on_cpu(device: str) -> bool:
    """Whether variables on `device` live on a CPU, where actors can share them."""
    return tf.DeviceSpec.from_string(device).device_type == 'CPU'


class LocalAgent(agent_lib.Agent):
    """A builder's actor and learner in one process (see the module docstring).

    Attributes:
      builder: the builder the agent was made from.
      config: the builder's config (the hyperparameters).
      networks: the learner's networks.
    """

    def __init__(self,
                 builder: builders_lib.ActorLearnerBuilder,
                 environment_spec: specs.EnvironmentSpec,
                 networks: Any = None,
                 *,
                 num_envs: Optional[int] = None,
                 counter: Optional[counting.Counter] = None,
                 logger: Optional[loggers.Logger] = None,
                 device: Optional[str] = None,
                 checkpoint: bool = False,
                 checkpoint_subpath: str = '~/troupe/',
                 replay_checkpointer=None):
        """Builds every part.

        Args:
          builder: the agent's builder.
          environment_spec: the spec of one environment (not of a batch).
          networks: the learner's networks, of the builder's networks type
            (default: `builder.make_networks(environment_spec)`).
          num_envs: None acts in one environment; N builds a batched actor and
            adder for a `BatchedEnvironment` of N copies. The schedule counts
            env steps of all copies.
          counter: the learner's counter.
          logger: the learner's logger.
          device: the learner's device (default: the first GPU, else the CPU).
          checkpoint: save the learner's `state` under `checkpoint_subpath`
            (at most every few minutes, as Acme's learners do, and on close()).
          checkpoint_subpath: the checkpoint root directory.
          replay_checkpointer: a Reverb checkpointer for the server (e.g.
            `run_checkpoints.replay_checkpointer`): where `replay_client.checkpoint()`
            writes, and the checkpoint the tables start from.
        """
        builder.check_environment(environment_spec)
        if num_envs is not None:
            checks.check_positive_int('num_envs', num_envs)
            if not builder.batched_acting:
                raise errors.InvalidInput(
                    f'{builder.name} acts in one environment at a time; num_envs='
                    f'{num_envs} is for agents with batched actors.')
        self.builder = builder
        self.config = builder.config
        self._environment_spec = environment_spec
        self._num_envs = num_envs
        self._closed = False
        self._server = reverb.Server(builder.make_replay_tables(environment_spec),
                                     port=None, checkpointer=replay_checkpointer)
        try:
            self._build(networks, counter, logger, device)
            self._checkpointer = None
            if checkpoint:
                self._checkpointer = savers.Checkpointer(
                    dict(self._learner.state), directory=checkpoint_subpath,
                    subdirectory=f'{builder.name}_learner')
        except BaseException:
            self._server.stop()
            self._closed = True
            raise

    def _build(self, networks, counter, logger, device) -> None:
        builder, spec = self.builder, self._environment_spec
        address = self.server_address
        if networks is None:
            networks = builder.make_networks(spec)
        self._device = devices.select_device(device, role=f'{builder.name} learner')
        self._share = learner_on_cpu(self._device)
        # Copies are made before the learner creates variables on its device.
        self._actor_networks = networks if self._share else copy.deepcopy(networks)
        self.networks = networks
        learner = builder.make_learner(
            networks, builder.make_dataset_iterator(address), spec, counter, logger,
            replay_client=reverb.Client(address), device=self._device)
        adder = builder.make_adder(reverb.Client(address), self._num_envs)
        self._adder = adder
        actor, self.policy = self._make_actor(learner, evaluation=False, adder=adder,
                                              batched=self._num_envs is not None)
        super().__init__(actor, learner, min_observations=builder.min_observations(),
                         observations_per_step=builder.observations_per_step())
        if builder.on_policy:
            self._queue = _QueueSchedule(reverb.Client(address),
                                         builder.config.replay_table_name,
                                         builder.config.batch_size,
                                         builder.config.sequence_length)

    def _make_actor(self, learner: core.Learner, evaluation: bool,
                    adder=None, batched: bool = False):
        """(actor, its policy) on the CPU, sharing or copying the networks."""
        source = None if self._share else learner
        with tf.device(_CPU):
            policy = self.builder.make_policy(self._actor_networks,
                                              self._environment_spec, evaluation)
            actor = self.builder.make_actor(policy, self._environment_spec,
                                            variable_source=source, adder=adder,
                                            batched=batched)
        if source is not None:
            actor.update(wait=True)
        elif not evaluation:
            # The shared networks change only in learner steps, each followed by
            # an actor update (Agent.update), so the actor may act in numpy.
            declare = getattr(actor, 'weights_change_on_update', None)
            if declare is not None:
                declare()
        return actor, policy

    def make_evaluation_actor(self, batched: bool = False) -> core.Actor:
        """An actor following the evaluation (greedy) policy with the learner's
        current networks, writing nothing to replay (`batched`: for a
        `BatchedEnvironment`, whatever the agent's own `num_envs`)."""
        return self._make_actor(self._learner, evaluation=True, batched=batched)[0]

    # The on-policy schedule replaces the replay ratio.
    def observe(self, action: types.NestedArray, next_timestep: dm_env.TimeStep):
        super().observe(action, next_timestep)
        if self.builder.on_policy:
            self._queue.observe(next_timestep)

    def update(self, wait: bool = False):
        if not self.builder.on_policy:
            super().update(wait)
        else:
            steps = self._queue.steps_due()
            for _ in range(steps):
                self._learner.step()
            if steps > 0:
                # On-policy: act with the new parameters from the next step on.
                self._actor.update(wait=True)
        if self._checkpointer is not None:
            self._checkpointer.save()

    @property
    def num_consumed(self) -> int:
        """Sequences an on-policy learner has consumed."""
        return self._queue.consumed if self.builder.on_policy else 0

    @property
    def acting_state(self) -> core.Saveable:
        """The acting side's position for whole-run checkpoints: observations
        counted by the replay-ratio schedule, sequences an on-policy learner has
        consumed, and the actor's exploration schedule (ε, σ)."""
        return _ActingState(self)

    def flush_replay_writes(self) -> None:
        """Blocks until every item the actor's adder created is in the tables."""
        if self._adder is not None:
            self._adder.flush()

    # The server.
    @property
    def replay_client(self) -> reverb.Client:
        """A client of the agent's replay server (e.g. to checkpoint it)."""
        return reverb.Client(self.server_address)

    @property
    def server_address(self) -> str:
        return f'localhost:{self._server.port}'

    @property
    def device(self) -> str:
        """The learner's device."""
        return self._device

    def close(self) -> None:
        """Stops the replay server, releasing any iterator waiting on it."""
        if not self._closed:
            self._closed = True
            if getattr(self, '_checkpointer', None) is not None:
                self._checkpointer.save(force=True)
            self._server.stop()

    def __enter__(self):
        return self

    def __exit__(self, *unused_exc_info):
        self.close()


class _ActingState(core.Saveable):
    """See `LocalAgent.acting_state`."""

    def __init__(self, agent: LocalAgent):
        self._agent = agent

    def save(self) -> dict:
        agent = self._agent
        save_actor = getattr(agent._actor, 'save', None)
        return {'num_observations': agent._num_observations,
                'consumed': agent._queue.consumed if agent.builder.on_policy else 0,
                'actor': save_actor() if save_actor is not None else None}

    def restore(self, state: dict) -> None:
        agent = self._agent
        agent._num_observations = int(state['num_observations'])
        agent._batch_steps_due = None
        if agent.builder.on_policy:
            agent._queue.consumed = int(state['consumed'])
        if state.get('actor') is not None:
            agent._actor.restore(state['actor'])


class _QueueSchedule:
    """When an on-policy learner can step without waiting on an empty queue.

    Every `check_period` observations and at the end of each episode it reads
    how many sequences the server has received, and allows one learner step per
    `batch_size` of them not yet consumed.
    """

    def __init__(self, client: reverb.Client, table: str, batch_size: int,
                 check_period: int):
        self._client = client
        self._table = table
        self._batch_size = int(batch_size)
        self._check_period = int(check_period)
        self._since_check = 0
        self._episode_ended = False
        self.consumed = 0

    def observe(self, next_timestep: dm_env.TimeStep) -> None:
        self._since_check += 1
        if next_timestep.last():
            self._episode_ended = True

    def num_inserted(self) -> int:
        info = self._client.server_info()[self._table]
        return int(info.rate_limiter_info.insert_stats.completed)

    def steps_due(self) -> int:
        if not (self._episode_ended or self._since_check >= self._check_period):
            return 0
        self._since_check = 0
        self._episode_ended = False
        steps = (self.num_inserted() - self.consumed) // self._batch_size
        self.consumed += steps * self._batch_size
        return steps


def make_config(config_class, config, positional_names, args, keywords):
    """The config of an Acme-named agent: `config` (or the defaults) with the
    positional `args` (named by `positional_names`, Acme's order) and the
    keyword hyperparameters replacing its fields.

    Raises:
      TypeError: for too many positional arguments, or a keyword that is not a
        field (listing the fields), as a call with a wrong keyword would.
    """
    if len(args) > len(positional_names):
        raise TypeError(f'{config_class.__name__[:-len("Config")]} takes at most '
                        f'{len(positional_names)} positional hyperparameters '
                        f'({", ".join(positional_names)}), got {len(args)}.')
    values = dict(zip(positional_names, args))
    for name, value in keywords.items():
        if name in values:
            raise TypeError(f'{name} given both positionally and as a keyword.')
        values[name] = value
    fields = {f.name for f in dataclasses.fields(config_class)}
    unknown = sorted(set(values) - fields)
    if unknown:
        raise TypeError(f'{unknown[0]!r} is not a hyperparameter of '
                        f'{config_class.__name__}; its fields: '
                        f'{", ".join(sorted(fields))}.')
    if config is None:
        return config_class(**values)
    return dataclasses.replace(config, **values)
