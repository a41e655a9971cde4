"""Running normalisation for intrinsic rewards: statistics, observations, returns.

`RunningMeanStd` keeps the mean and variance of everything it has been shown,
merging each batch with the parallel form of Welford's update (Chan, Golub and
LeVeque 1979): with n_a examples of mean m_a and variance v_a so far and a
batch of n_b examples of mean m_b and variance v_b,

    n = n_a + n_b,   δ = m_b − m_a
    m = m_a + δ · n_b / n
    v = (v_a · n_a + v_b · n_b + δ² · n_a · n_b / n) / n

which never subtracts two large sums (the textbook Σx² − n·m² loses every
digit once the mean is large beside the spread). The statistics are float64
`tf.Variable`s, so they are saved with the learner that owns them.

`ObservationNormalizer` whitens observations with them and clips the result to
[−5, 5], as RND does (Burda et al. 2019, section 2.4). `ReturnNormalizer`
divides rewards by a running estimate of the standard deviation of their
discounted return, the paper's reward normalisation: each stream (column) keeps
a running discounted sum R ← γ·R + r, and the statistics are those of R.

Variables are created on first use or by `create_variables()`, so a learner
makes them on its own device.
"""

from typing import Sequence

import sonnet as snt
import tensorflow as tf

from troupe import errors


class RunningMeanStd(snt.Module):
    """The running mean and (population) variance of batches of examples of
    shape `shape` (see the module docstring for the update).

    Before any update the mean is 0, the variance 1 and the count 0; the first
    batch then sets them to its own mean and variance exactly.
    """

    def __init__(self, shape: Sequence[int] = (), name: str = 'running_mean_std'):
        """Creates the statistics (their variables are made on first use).

        Args:
          shape: the shape of one example (e.g. (D,) for D-vectors, () for scalars).
          name: the module name.
        """
        super().__init__(name=name)
        try:
            self._shape = tuple(int(size) for size in shape)
        except (TypeError, ValueError):
            raise errors.InvalidInput(
                f'RunningMeanStd shape must be a sequence of sizes, got {shape!r}.'
            ) from None
        if any(size < 1 for size in self._shape):
            raise errors.InvalidInput(
                f'RunningMeanStd shape must hold sizes >= 1, got {shape!r}.')

    @snt.once
    def create_variables(self) -> None:
        """Makes the mean, variance and count variables (once; on the current device)."""
        with self.name_scope:
            self.mean = tf.Variable(tf.zeros(self._shape, tf.float64), trainable=False,
                                    name='mean')
            self.variance = tf.Variable(tf.ones(self._shape, tf.float64),
                                        trainable=False, name='variance')
            self.count = tf.Variable(tf.zeros([], tf.float64), trainable=False,
                                     name='count')

    @property
    def shape(self):
        """The shape of one example."""
        return self._shape

    def update(self, batch: tf.Tensor) -> None:
        """Merges `batch`, of shape [..., *shape] (all leading axes are
        examples; at least one example), into the statistics."""
        self.create_variables()
        batch = tf.convert_to_tensor(batch)
        trailing = batch.shape[batch.shape.rank - len(self._shape):]
        if batch.shape.rank < len(self._shape) + 1 or tuple(trailing) != self._shape:
            raise errors.InvalidInput(
                f'{self.name}: a batch of examples of shape {self._shape} must have '
                f'shape [N, {", ".join(map(str, self._shape))}], got {batch.shape}.')
        examples = tf.reshape(tf.cast(batch, tf.float64), (-1,) + self._shape)
        if examples.shape[0] == 0:
            raise errors.InvalidInput(f'{self.name}: an update needs at least one '
                                      f'example, got a batch of shape {batch.shape}.')
        batch_count = tf.cast(tf.shape(examples)[0], tf.float64)
        batch_mean, batch_variance = tf.nn.moments(examples, axes=[0])
        count = self.count + batch_count
        delta = batch_mean - self.mean
        mean = self.mean + delta * batch_count / count
        squares = (self.variance * self.count + batch_variance * batch_count
                   + tf.square(delta) * self.count * batch_count / count)
        self.mean.assign(mean)
        self.variance.assign(squares / count)
        self.count.assign(count)


class ObservationNormalizer(snt.Module):
    """Whitens [B, D] observations with running statistics and clips them:
    clip((x − mean) / sqrt(variance + ε), −clip, clip), as RND does.

    `update(x)` adds observations to the statistics; calling the normaliser
    only reads them. Before any update it only clips (mean 0, variance 1).
    """

    def __init__(self, size: int, clip: float = 5.0, epsilon: float = 1e-8,
                 name: str = 'observation_normalizer'):
        """Creates the normaliser.

        Args:
          size: D, the length of a (flattened) observation.
          clip: the bound of the normalised values (RND: 5), > 0.
          epsilon: added to the variance before the square root, > 0.
          name: the module name.
        """
        super().__init__(name=name)
        if not clip > 0:
            raise errors.InvalidInput(f'ObservationNormalizer clip must be > 0, got {clip!r}.')
        if not epsilon > 0:
            raise errors.InvalidInput(
                f'ObservationNormalizer epsilon must be > 0, got {epsilon!r}.')
        self._clip = float(clip)
        self._epsilon = float(epsilon)
        self.statistics = RunningMeanStd((int(size),), name='statistics')

    def create_variables(self) -> None:
        """Makes the statistics' variables (see `RunningMeanStd`)."""
        self.statistics.create_variables()

    def update(self, observations: tf.Tensor) -> None:
        """Adds [B, D] observations to the running statistics."""
        self.statistics.update(observations)

    def __call__(self, observations: tf.Tensor) -> tf.Tensor:
        """The normalised, clipped [B, D] observations, in their own dtype."""
        self.create_variables()
        statistics = self.statistics
        dtype = observations.dtype
        scaled = ((tf.cast(observations, tf.float64) - statistics.mean)
                  / tf.sqrt(statistics.variance + self._epsilon))
        return tf.cast(tf.clip_by_value(scaled, -self._clip, self._clip), dtype)


class ReturnNormalizer(snt.Module):
    """Divides rewards by the running standard deviation of their discounted
    return (Burda et al. 2019): r / sqrt(Var[R] + ε), R ← γ·R + r per stream.

    A call takes rewards of shape [T, S] (T consecutive steps of S streams,
    e.g. the S environments of an on-policy rollout) or [S] (one step). It
    advances each stream's return through the T steps, adds the T·S returns to
    the statistics, then divides all the rewards by the updated standard
    deviation (rewards are only scaled, never shifted, as in the paper).

    An off-policy learner passes each sampled batch as one step of S =
    batch-size streams: a column then holds the return of a stream of
    independently sampled rewards, whose spread is the rewards' own scaled by
    about 1/sqrt(1 − γ²) when they are uncorrelated.
    """

    def __init__(self, discount: float, num_streams: int, epsilon: float = 1e-8,
                 name: str = 'return_normalizer'):
        """Creates the normaliser.

        Args:
          discount: γ of the running return, in [0, 1].
          num_streams: S, the number of streams (columns) of every call.
          epsilon: added to the variance before the square root, > 0.
          name: the module name.
        """
        super().__init__(name=name)
        if isinstance(discount, bool) or not 0.0 <= discount <= 1.0:
            raise errors.InvalidInput(
                f'ReturnNormalizer discount must be in [0, 1], got {discount!r}.')
        if isinstance(num_streams, bool) or not isinstance(num_streams, int) or (
                num_streams < 1):
            raise errors.InvalidInput(
                f'ReturnNormalizer num_streams must be an integer >= 1, got '
                f'{num_streams!r}.')
        if not epsilon > 0:
            raise errors.InvalidInput(
                f'ReturnNormalizer epsilon must be > 0, got {epsilon!r}.')
        self._discount = float(discount)
        self._num_streams = num_streams
        self._epsilon = float(epsilon)
        self.statistics = RunningMeanStd((), name='statistics')

    @snt.once
    def create_variables(self) -> None:
        """Makes the running returns and the statistics' variables."""
        self.statistics.create_variables()
        with self.name_scope:
            self.returns = tf.Variable(tf.zeros([self._num_streams], tf.float64),
                                       trainable=False, name='returns')

    def __call__(self, rewards: tf.Tensor) -> tf.Tensor:
        """Advances the returns, updates the statistics and returns the scaled
        rewards (shape and dtype of `rewards`: [T, S] or [S])."""
        self.create_variables()
        rewards = tf.convert_to_tensor(rewards)
        one_step = rewards.shape.rank == 1
        steps = rewards[None] if one_step else rewards
        if steps.shape.rank != 2 or steps.shape[1] != self._num_streams or (
                steps.shape[0] is None):
            raise errors.InvalidInput(
                f'{self.name}: rewards must have shape [T, {self._num_streams}] or '
                f'[{self._num_streams}] with a known T, got {rewards.shape}.')
        running = self.returns.read_value()
        returns = []
        for reward in tf.unstack(tf.cast(steps, tf.float64)):
            running = self._discount * running + reward
            returns.append(running)
        self.returns.assign(running)
        self.statistics.update(tf.stack(returns))
        scale = tf.sqrt(self.statistics.variance + self._epsilon)
        return tf.cast(tf.cast(rewards, tf.float64) / scale, rewards.dtype)
