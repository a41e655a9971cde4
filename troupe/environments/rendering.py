"""A tiny numpy rasteriser for the built-in environments' `render()`.

Rendering is for looking at an agent (videos, plots), not for the step loop, so
plain numpy masks over each shape's bounding box are enough: no drawing library
is needed. Coordinates are floats in pixels, `y` down and `x` right; a pixel is
painted when its centre falls inside the shape.
"""

from typing import Sequence, Tuple

import numpy as np

Color = Tuple[int, int, int]

WHITE = (255, 255, 255)
BLACK = (0, 0, 0)
GREY = (128, 128, 128)
LIGHT_GREY = (220, 220, 220)
DARK_GREY = (64, 64, 64)
RED = (220, 50, 47)
GREEN = (40, 160, 60)
BLUE = (38, 110, 210)
ORANGE = (240, 150, 40)
BROWN = (150, 100, 50)
YELLOW = (235, 200, 40)


class Canvas:
    """An RGB image that shapes are painted onto."""

    def __init__(self, height: int, width: int, background: Color = WHITE):
        if height <= 0 or width <= 0:
            raise ValueError(f'Canvas size must be positive, got {height}x{width}.')
        self.pixels = np.empty((height, width, 3), dtype=np.uint8)
        self.pixels[...] = background

    @property
    def height(self) -> int:
        return self.pixels.shape[0]

    @property
    def width(self) -> int:
        return self.pixels.shape[1]

    def _box(self, top: float, left: float, bottom: float, right: float):
        """Integer pixel ranges covering a float box, clipped to the canvas."""
        y0 = max(int(np.floor(top)), 0)
        x0 = max(int(np.floor(left)), 0)
        y1 = min(int(np.ceil(bottom)) + 1, self.height)
        x1 = min(int(np.ceil(right)) + 1, self.width)
        if y0 >= y1 or x0 >= x1:
            return None
        ys = np.arange(y0, y1, dtype=np.float64)[:, None] + 0.5
        xs = np.arange(x0, x1, dtype=np.float64)[None, :] + 0.5
        return (slice(y0, y1), slice(x0, x1)), ys, xs

    def _paint(self, region, mask: np.ndarray, color: Color) -> None:
        view = self.pixels[region]
        view[mask] = color

    def rectangle(self, top: float, left: float, bottom: float, right: float,
                  color: Color) -> None:
        """Fills the axis-aligned box [top, bottom] x [left, right]."""
        box = self._box(top, left, bottom, right)
        if box is None:
            return
        region, ys, xs = box
        mask = (ys >= top) & (ys <= bottom) & (xs >= left) & (xs <= right)
        self._paint(region, mask, color)

    def circle(self, y: float, x: float, radius: float, color: Color) -> None:
        """Fills a disc."""
        box = self._box(y - radius, x - radius, y + radius, x + radius)
        if box is None:
            return
        region, ys, xs = box
        self._paint(region, (ys - y) ** 2 + (xs - x) ** 2 <= radius ** 2, color)

    def line(self, y0: float, x0: float, y1: float, x1: float, thickness: float,
             color: Color) -> None:
        """Fills a segment of the given thickness with round ends."""
        half = thickness / 2.0
        box = self._box(min(y0, y1) - half, min(x0, x1) - half,
                        max(y0, y1) + half, max(x0, x1) + half)
        if box is None:
            return
        region, ys, xs = box
        dy, dx = y1 - y0, x1 - x0
        length_sq = dy * dy + dx * dx
        if length_sq == 0.0:
            t = np.zeros_like(ys + xs)
        else:
            t = np.clip(((ys - y0) * dy + (xs - x0) * dx) / length_sq, 0.0, 1.0)
        distance_sq = (ys - (y0 + t * dy)) ** 2 + (xs - (x0 + t * dx)) ** 2
        self._paint(region, distance_sq <= half * half, color)

    def polygon(self, points: Sequence[Tuple[float, float]], color: Color) -> None:
        """Fills a convex polygon given as (y, x) vertices in either winding."""
        points = np.asarray(points, dtype=np.float64)
        if points.ndim != 2 or points.shape[0] < 3 or points.shape[1] != 2:
            raise ValueError(f'A polygon needs at least 3 (y, x) points, got {points!r}.')
        box = self._box(points[:, 0].min(), points[:, 1].min(),
                        points[:, 0].max(), points[:, 1].max())
        if box is None:
            return
        region, ys, xs = box
        inside_left = np.ones(np.broadcast(ys, xs).shape, dtype=bool)
        inside_right = inside_left.copy()
        for (ay, ax), (by, bx) in zip(points, np.roll(points, -1, axis=0)):
            cross = (bx - ax) * (ys - ay) - (by - ay) * (xs - ax)
            inside_left &= cross >= 0
            inside_right &= cross <= 0
        self._paint(region, inside_left | inside_right, color)


def upscale(image: np.ndarray, factor: int) -> np.ndarray:
    """Repeats each pixel `factor` times along both axes (nearest neighbour)."""
    if factor < 1:
        raise ValueError(f'upscale factor must be >= 1, got {factor}.')
    return np.repeat(np.repeat(image, factor, axis=0), factor, axis=1)


def gray_to_rgb(image: np.ndarray) -> np.ndarray:
    """Maps a 2-D array in [0, 1] to a uint8 RGB image (0 black, 1 white)."""
    gray = np.clip(np.asarray(image, dtype=np.float64), 0.0, 1.0)
    return np.repeat((gray * 255.0).round().astype(np.uint8)[..., None], 3, axis=-1)


def diverging_color(value: float, scale: float) -> Color:
    """Blue for negative, white for zero, red for positive values of size `scale`."""
    if scale <= 0:
        return WHITE
    t = float(np.clip(value / scale, -1.0, 1.0))
    if t >= 0:
        return (255, int(round(255 * (1 - t))), int(round(255 * (1 - t))))
    return (int(round(255 * (1 + t))), int(round(255 * (1 + t))), 255)


# White, yellow, orange, red, dark red: the heat map of `heat_colors`.
_HEAT_STOPS = np.array([0.0, 0.25, 0.5, 0.75, 1.0])
_HEAT_COLORS = np.array([(255, 255, 255), (250, 220, 90), (240, 150, 40), (210, 50, 40),
                         (110, 10, 20)], dtype=np.float64)


def heat_colors(values: np.ndarray) -> np.ndarray:
    """Maps values in [0, 1] to uint8 RGB heat-map colours (0 white, 1 dark red)."""
    values = np.clip(np.asarray(values, dtype=np.float64), 0.0, 1.0)
    channels = [np.interp(values, _HEAT_STOPS, _HEAT_COLORS[:, channel]) for channel in range(3)]
    return np.stack(channels, axis=-1).round().astype(np.uint8)
