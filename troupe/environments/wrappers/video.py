"""Records rendered frames of chosen episodes to video files."""

import os
from typing import Callable, Collection, List, Optional, Union

import dm_env
import numpy as np

from troupe.environments.wrappers import base

FORMATS = ('gif', 'mp4', 'npz')


def write_video(path: str, frames: List[np.ndarray], fps: float) -> str:
    """Writes RGB uint8 frames to `path`; the format is the file's extension.

    'npz' needs only numpy (the frames array under 'frames' and 'fps'); 'gif'
    needs Pillow and 'mp4' OpenCV (both come with the `envs` extra).
    """
    extension = os.path.splitext(path)[1].lstrip('.').lower()
    if extension not in FORMATS:
        raise ValueError(f'Unknown video format {extension!r} of {path!r}; expected one '
                         f'of {FORMATS}.')
    if not frames:
        raise ValueError(f'No frames to write to {path!r}.')
    array = np.stack([np.asarray(frame, dtype=np.uint8) for frame in frames])
    if array.ndim != 4 or array.shape[-1] != 3:
        raise ValueError(f'Frames must be RGB arrays (H, W, 3), got shape {array.shape[1:]}.')
    if extension == 'npz':
        np.savez_compressed(path, frames=array, fps=np.float64(fps))
    elif extension == 'gif':
        from PIL import Image  # Pillow, only for GIF output.
        images = [Image.fromarray(frame) for frame in array]
        images[0].save(path, save_all=True, append_images=images[1:],
                       duration=max(int(round(1000 / fps)), 1), loop=0)
    else:
        import cv2  # OpenCV, only for MP4 output.
        height, width = array.shape[1:3]
        writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), fps, (width, height))
        if not writer.isOpened():
            raise OSError(f'OpenCV could not open {path!r} for writing mp4 video.')
        for frame in array:
            writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
        writer.release()
    return path


class VideoWrapper(base.EnvironmentWrapper):
    """Renders every step of the chosen episodes and writes each one to a file.

    Files are `{directory}/{prefix}_{episode:06d}.{format}`, episodes counted
    from 0 in the order `reset()` starts them. The wrapped environment must have
    `render()` returning an RGB array.

    Args:
        environment: the environment to record.
        directory: where the videos go (created if missing).
        episodes: which episodes to record: a collection of episode numbers or a
            predicate on the episode number (default: every 100th, from the first).
        video_format: 'gif', 'mp4' or 'npz'.
        fps: frames per second of the video.
        prefix: the file name prefix.
        render_kwargs: passed to `render()` (e.g. a size).
    """

    def __init__(self, environment: dm_env.Environment, directory: str,
                 episodes: Union[Collection[int], Callable[[int], bool], None] = None,
                 video_format: str = 'gif', fps: float = 30.0, prefix: str = 'episode',
                 render_kwargs: Optional[dict] = None):
        super().__init__(environment)
        if video_format not in FORMATS:
            raise ValueError(f'video_format must be one of {FORMATS}, got {video_format!r}.')
        if fps <= 0:
            raise ValueError(f'fps must be positive, got {fps!r}.')
        if episodes is None:
            self._should_record = lambda episode: episode % 100 == 0
        elif callable(episodes):
            self._should_record = episodes
        else:
            chosen = frozenset(int(e) for e in episodes)
            self._should_record = lambda episode: episode in chosen
        self._directory = directory
        self._format = video_format
        self._fps = fps
        self._prefix = prefix
        self._render_kwargs = dict(render_kwargs or {})
        self._episode = -1
        self._frames: List[np.ndarray] = []
        self._recording = False
        self.paths: List[str] = []

    def _capture(self, timestep: dm_env.TimeStep) -> dm_env.TimeStep:
        if timestep.first():
            self._flush()
            self._episode += 1
            self._recording = bool(self._should_record(self._episode))
        if self._recording:
            self._frames.append(np.array(self._environment.render(**self._render_kwargs)))
            if timestep.last():
                self._flush()
        return timestep

    def _flush(self) -> None:
        """Writes the episode recorded so far (also a partial one) and stops."""
        if self._recording and self._frames:
            os.makedirs(self._directory, exist_ok=True)
            path = os.path.join(self._directory,
                                f'{self._prefix}_{self._episode:06d}.{self._format}')
            self.paths.append(write_video(path, self._frames, self._fps))
        self._frames = []
        self._recording = False

    _STATE_ATTRIBUTES = None

    def state_unsupported_reason(self) -> str:
        """VideoWrapper refuses: its episodes are being written to files."""
        return 'VideoWrapper records episodes to files, which a restore would garble'

    def reset(self) -> dm_env.TimeStep:
        return self._capture(self._environment.reset())

    def step(self, action) -> dm_env.TimeStep:
        return self._capture(self._environment.step(action))

    def close(self) -> None:
        self._flush()
        return self._environment.close()
