"""FeedForwardActor: a stateless policy network acting on one observation at a
time, or on a batch of observations from a `BatchedEnvironment`."""

import logging
from typing import Optional

import dm_env
import numpy as np
import sonnet as snt
import tensorflow as tf
import tree

from troupe import errors, types
from troupe.components.actors import numpy_policy
from troupe.components.actors import policy as policy_lib
from troupe.components.actors.base import AdderActor
from troupe.components.adders.base import Adder
from troupe.components.variables import VariableClient

logger = logging.getLogger(__name__)

INFERENCE_MODES = ('auto', 'numpy', 'tensorflow')
# The numpy path is chosen automatically up to this many multiply-adds per call
# (e.g. a 256-256 MLP on 16 observations is ~1.1M): beyond it TF's threaded
# kernels win over its dispatch cost.
MAX_NUMPY_MACS = 4_000_000
# The largest difference allowed between the numpy and the TF policy.
TOLERANCE = 1e-5


class FeedForwardActor(AdderActor):
    """Acts with `policy_network` and writes what it sees through an optional adder.

    The network maps a batch of observations to actions, or to a
    `tfd.Distribution` over actions, which the actor samples. On the first call the
    policy is compiled for the observation's shape and dtype (a fixed input
    signature), so later steps never retrace.

    With `batched=True` the actor acts for N environments at once (a
    `troupe.environments.BatchedEnvironment`): `select_action` takes [N, ...]
    observations and returns [N, ...] actions from ONE network call, with no
    batch axis added or removed, and `observe_first` / `observe` take batched
    timesteps, so the adder must accept them (`adders.BatchedAdder`). Batching is
    a constructor flag rather than a second set of methods (`select_actions`,
    ...) so that a batched actor is still a plain `troupe.Actor`: the
    EnvironmentLoop, `Agent` (which forwards the calls) and the variable client
    need no batched twins of the Actor interface, and an agent is made batched by
    building its actor and adder batched. Sampled exploration (ε-greedy
    categoricals, `ClippedGaussian` noise) draws independently for every row, so
    every copy gets its own noise. The compiled signature leaves the batch axis
    free: any N runs the same concrete function.

    Inference: with `inference='auto'` (the default) a small policy made of
    parts `numpy_policy.NumpyPolicy` supports (MLPs, ε-greedy, clipped noise,
    spec squashers) acts in numpy, skipping TF's per-call dispatch (a call of
    the CartPole DQN policy: 0.5-1.2 ms in TF, 0.08-0.13 ms in numpy), when the numpy copy agrees with the TF policy to 1e-5 on
    the first observation, and when the actor knows when its weights change:
    it has a variable client (the numpy weights are re-read after it copied
    new values), or its owner declared, with `weights_change_on_update()`,
    that the networks it shares change only before an `update()` call (as
    `LocalAgent` does: its learner steps, then it updates the actor). An actor
    sharing networks without that declaration stays in TF, since it could not
    see their changes. 'numpy' insists (and raises if it cannot; without a
    client its weights are then re-read at every `update()`,
    `observe_first()` and `variables_changed()`), 'tensorflow' never uses
    numpy.
    Random draws of the numpy path come from a numpy generator seeded from
    TensorFlow's random state (so `tf.random.set_seed` fixes them too).
    """

    def __init__(self,
                 policy_network: snt.Module,
                 adder: Optional[Adder] = None,
                 variable_client: Optional[VariableClient] = None,
                 batched: bool = False,
                 inference: str = 'auto'):
        if inference not in INFERENCE_MODES:
            raise errors.InvalidInput(f'inference must be one of {INFERENCE_MODES}, '
                                      f'got {inference!r}.')
        super().__init__(adder, variable_client)
        self._network = policy_network
        self._batched = bool(batched)
        self._inference = inference
        self._policy = None
        self._signature = None
        self._numpy: Optional[numpy_policy.NumpyPolicy] = None
        # The numpy path's sampling noise, drawn from TF's seeded stream and made
        # here rather than with that path, so that a whole-run checkpoint made
        # before the first action still finds it (troupe.components.random_state).
        self._rng = np.random.default_rng(
            int(tf.random.uniform([], maxval=2**31 - 1, dtype=tf.int64)))
        self._numpy_stale = False  # True: re-read all; a list: re-read those.
        self._client_version = None
        self._changes_on_update = False

    @property
    def inference(self) -> Optional[str]:
        """'numpy' or 'tensorflow' once the first action chose; None before."""
        if self._policy is None:
            return None
        return 'numpy' if self._numpy is not None else 'tensorflow'

    @property
    def batched(self) -> bool:
        """Whether the actor acts on batches of observations."""
        return self._batched

    def _make_policy(self):
        network = self._network
        if self._batched:
            def batched_policy(observations):
                return policy_lib.sample_if_distribution(network(observations))
            return batched_policy

        def policy(observation):
            batched = tf.nest.map_structure(lambda x: tf.expand_dims(x, 0), observation)
            action = policy_lib.sample_if_distribution(network(batched))
            return tf.nest.map_structure(lambda x: tf.squeeze(x, 0), action)
        return policy

    def select_action(self, observation: types.NestedArray) -> types.NestedArray:
        if self._policy is None:
            self._policy = policy_lib.compile_once(self._make_policy, [observation],
                                                   batched=self._batched)
            self._signature = policy_lib.signature_of(observation, self._batched)
            if self._inference == 'numpy' or (
                    self._inference == 'auto' and (self._variable_client is not None
                                                   or self._changes_on_update)):
                self._numpy = self._make_numpy_policy(observation)
        if self._numpy is not None:
            if self._numpy_stale:
                stale = self._numpy_stale
                self._numpy.refresh(None if stale is True else stale)
                self._numpy_stale = False
            if self._batched:
                return self._numpy(observation)
            if type(observation) is np.ndarray:  # The common case, without tree.
                action = self._numpy(observation[None])
                if type(action) is np.ndarray:
                    return action[0]
                return tree.map_structure(lambda x: x[0], action)
            batch = tree.map_structure(lambda x: np.asarray(x)[None], observation)
            return tree.map_structure(lambda x: x[0], self._numpy(batch))
        if self._batched:
            action = policy_lib.flat_call(self._policy, self._signature, observation,
                                          batched=True)
        else:
            action = policy_lib.flat_call(self._policy, self._signature, observation)
        return policy_lib.to_numpy_nest(action)

    # The numpy path.
    def _make_numpy_policy(self, observation) -> Optional[numpy_policy.NumpyPolicy]:
        """The numpy copy of the policy, or None to act in TF (see the class
        docstring); the TF policy has been compiled, so variables exist."""
        try:
            policy = numpy_policy.NumpyPolicy(self._network, self._rng)
            core = numpy_policy.deterministic_core(self._network)
            check = (policy if core is self._network
                     else numpy_policy.NumpyPolicy(core))
        except numpy_policy.Unsupported as error:
            if self._inference == 'numpy':
                raise errors.InvalidInput(
                    f"inference='numpy' cannot run this policy: {error}.") from error
            return None
        batch = (observation if self._batched else
                 tree.map_structure(lambda x: np.asarray(x)[None], observation))
        rows = len(tree.flatten(batch)[0])
        if self._inference == 'auto' and policy.macs_per_row * rows > MAX_NUMPY_MACS:
            return None
        expected = tree.map_structure(
            lambda t: t.numpy(),
            core(tree.map_structure(tf.convert_to_tensor, batch)))
        got = check(batch)
        error = max(float(np.max(np.abs(np.asarray(e, np.float64) - np.asarray(g))))
                    for e, g in zip(tree.flatten(expected), tree.flatten(got)))
        if not error <= TOLERANCE:
            message = (f'the numpy copy of the policy differs from TF by {error:.3g} '
                       f'(> {TOLERANCE})')
            if self._inference == 'numpy':
                raise errors.InvalidInput(f"inference='numpy': {message}.")
            logger.warning('%s; acting in TF.', message)
            return None
        return policy

    def weights_change_on_update(self) -> None:
        """Declares that the networks this actor shares (it has no variable
        client) change only before a call of `update()`, so that it may act in
        numpy and re-read their weights at each `update()`."""
        self._changes_on_update = True

    def variables_changed(self, variables=None) -> None:
        """Tells the actor that its policy's variables (all, or the list
        `variables`) changed, so that the numpy path re-reads them before the
        next action."""
        if variables is None or self._numpy_stale is True:
            self._numpy_stale = True
        else:
            self._numpy_stale = list(self._numpy_stale or ()) + list(variables)

    def observe_first(self, timestep: dm_env.TimeStep):
        if self._variable_client is None:
            self._numpy_stale = True
        super().observe_first(timestep)

    def update(self, wait: bool = False):
        super().update(wait)
        client = self._variable_client
        if client is None:
            self._numpy_stale = True
        elif client.version != self._client_version:
            self._client_version = client.version
            self._numpy_stale = True
