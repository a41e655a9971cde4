"""Settings for the environment tests: headless plotting and rendering."""

import os
import sys

# matplotlib (GridWorld's plot_* helpers) must not look for a display.
os.environ.setdefault('MPLBACKEND', 'Agg')
# dm_control renders through MuJoCo; EGL works headless.
if sys.platform.startswith('linux'):
    os.environ.setdefault('MUJOCO_GL', 'egl')
