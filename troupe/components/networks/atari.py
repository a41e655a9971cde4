"""Convolutional networks for Atari frames: the Nature-DQN torso and a DQN Q-network."""

import sonnet as snt
import tensorflow as tf

from troupe.components.networks.duelling import DuellingMLP


def _to_float_frames(frames: tf.Tensor) -> tf.Tensor:
    """uint8 (or other integer) frames become float32 in [0, 1]; floats pass unchanged."""
    if frames.dtype.is_floating:
        return frames
    return tf.cast(frames, tf.float32) / 255.0


class AtariTorso(snt.Module):
    """Nature-DQN conv stack: 32×8×8/4, 64×4×4/2, 64×3×3/1 (ReLU each), then flatten.

    Takes [B, H, W, C] frames; integer frames are scaled to [0, 1] so raw uint8
    observations can be fed directly. The convolutions use Sonnet's default SAME
    padding, as Acme's torso does, so 84×84 inputs give [B, 11·11·64 = 7744].
    """

    def __init__(self, name: str = 'atari_torso'):
        super().__init__(name=name)
        self._network = snt.Sequential([
            snt.Conv2D(32, [8, 8], [4, 4]),
            tf.nn.relu,
            snt.Conv2D(64, [4, 4], [2, 2]),
            tf.nn.relu,
            snt.Conv2D(64, [3, 3], [1, 1]),
            tf.nn.relu,
            snt.Flatten(),
        ])

    def __call__(self, inputs: tf.Tensor) -> tf.Tensor:
        if inputs.shape.rank != 4:
            raise ValueError('AtariTorso expects frames of shape [B, H, W, C], got shape '
                             f'{inputs.shape}.')
        return self._network(_to_float_frames(inputs))


class DQNAtariNetwork(snt.Module):
    """The Ape-X DQN Atari Q-network: `AtariTorso`, then a duelling MLP (512 hidden)."""

    def __init__(self, num_actions: int, name: str = 'dqn_atari_network'):
        super().__init__(name=name)
        self._network = snt.Sequential([
            AtariTorso(),
            DuellingMLP(num_actions, hidden_sizes=[512]),
        ])

    def __call__(self, inputs: tf.Tensor) -> tf.Tensor:
        """Maps [B, H, W, C] frames to [B, num_actions] Q-values."""
        return self._network(inputs)
