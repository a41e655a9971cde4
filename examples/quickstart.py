# %% [markdown]
# # troupe quickstart: D4PG on continuous control
#
# Acme's TensorFlow quickstart with troupe: load an environment, build the D4PG
# agent's networks, train the whole agent with an `EnvironmentLoop` and a logger,
# then watch it act. We run it on the two environments of Acme's quickstart,
# dm_control `cartpole/balance` and gymnasium `MountainCarContinuous-v0`.
#
# The cartpole networks and hyperparameters are those of
# `benchmarks/continuous_control.py`, which reach a greedy return of at least 900
# after 20,000 environment steps. For the part-by-part version of the same agent,
# see `tutorial.ipynb`.
#
# **Running it.** `jupyter notebook examples/quickstart.ipynb`, or
# `python examples/quickstart.py`. `TROUPE_FAST=1` shrinks every budget (well under a
# minute in all); without it the cartpole trains for 20,000 steps and the mountain
# car for 10 episodes (several minutes on a 2-core CPU). Figures and videos go to
# `TROUPE_OUTPUT_DIR` (default: a `troupe_quickstart` folder in the temp directory).
# The notebook is generated from `examples/quickstart.py` by
# `examples/build_notebooks.py`.

# %%
import importlib
import os
import sys
import tempfile
import time

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')

import matplotlib  # noqa: E402

if 'ipykernel' not in sys.modules:
    matplotlib.use('Agg')  # A plain script writes figures to files instead.
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import sonnet as snt  # noqa: E402
import tensorflow as tf  # noqa: E402

import troupe  # noqa: E402
from troupe import EnvironmentLoop, environments, specs  # noqa: E402
from troupe.agents import d4pg  # noqa: E402
from troupe.components import loggers, networks  # noqa: E402
from troupe.components import utils as tf2_utils  # noqa: E402
from troupe.environments import wrappers  # noqa: E402

FAST = os.environ.get('TROUPE_FAST') == '1'
IN_NOTEBOOK = 'ipykernel' in sys.modules
OUTPUT_DIR = os.environ.get('TROUPE_OUTPUT_DIR',
                            os.path.join(tempfile.gettempdir(), 'troupe_quickstart'))
os.makedirs(OUTPUT_DIR, exist_ok=True)
SEED = 0


def import_benchmark(name: str):
    """Imports `benchmarks/<name>.py` of the troupe source checkout (tuned presets)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(troupe.__file__)))
    directory = os.path.join(root, 'benchmarks')
    if not os.path.isdir(directory):
        raise ImportError(f'The tutorials read tuned settings from {directory}; run '
                          f'them from a troupe source checkout (pip install -e .).')
    if directory not in sys.path:
        sys.path.insert(0, directory)
    return importlib.import_module(name)


def show(figure, name: str) -> None:
    """Saves `figure` under OUTPUT_DIR; shows it in a notebook, closes it in a script."""
    path = os.path.join(OUTPUT_DIR, f'{name}.png')
    figure.savefig(path, dpi=80, bbox_inches='tight')
    if IN_NOTEBOOK:
        plt.show()
    else:
        plt.close(figure)
        print(f'figure written to {path}')


def show_video(path: str) -> None:
    """Shows a GIF inline in a notebook; a script just says where it is."""
    if IN_NOTEBOOK:
        from IPython.display import Image, display
        display(Image(filename=path))
    else:
        print(f'video written to {path}')


continuous_control = import_benchmark('continuous_control')
CONFIG = continuous_control.CONFIGS[('cartpole_balance', 'd4pg')]  # A D4PGConfig.
LEARNING_RATE = CONFIG.policy_learning_rate
if FAST:  # Smaller batches, the same number of environment steps per update.
    steps_per_update = CONFIG.batch_size / CONFIG.samples_per_insert
    CONFIG = CONFIG.replace(batch_size=32, samples_per_insert=32 / steps_per_update,
                            min_replay_size=100)

STEP_LIMIT = 100 if FAST else None        # Fast mode truncates every episode.
CARTPOLE_EPISODES = 4 if FAST else 20     # 20 x 1,000 = 20,000 steps.
MOUNTAIN_CAR_EPISODES = 2 if FAST else 10
EVAL_EPISODES = 1 if FAST else 10
VIDEO_STEPS = 100 if FAST else 250        # Steps recorded per video (GIFs get big).
print(f'fast mode: {FAST}; outputs in {OUTPUT_DIR}')

# %% [markdown]
# ## Load an environment
#
# `troupe.environments.make` builds both tasks by name. The wrappers are Acme's:
# flatten dm_control's dict observation, scale actions to [-1, 1] and use float32.
# gymnasium draws classic-control scenes with pygame, which troupe's `envs` extra
# does not install, so videos of the mountain car come from troupe's built-in twin
# `mountain_car_continuous` (the same dynamics, drawn with numpy).

# %%
def make_environment(name: str, seed: int = SEED, step_limit=STEP_LIMIT):
    if name == 'dm_cartpole':
        environment = environments.make('dm_control:cartpole/balance', seed=seed)
        environment = wrappers.ConcatObservationWrapper(environment)
    elif name == 'gym_mountaincar':
        environment = environments.make('gym:MountainCarContinuous-v0', seed=seed)
    elif name == 'mountaincar_builtin':
        environment = environments.make('mountain_car_continuous', seed=seed)
    else:
        raise ValueError(f'Unknown quickstart environment {name!r}.')
    environment = wrappers.CanonicalSpecWrapper(environment, clip=True)
    environment = wrappers.SinglePrecisionWrapper(environment)
    if step_limit is not None:
        environment = wrappers.StepLimitWrapper(environment, step_limit)
    return environment


environment = make_environment('dm_cartpole')
environment_spec = specs.make_environment_spec(environment)
print(environment_spec)

# %% [markdown]
# ## Create a D4PG agent
#
# D4PG needs a policy network, a distributional critic and an observation network.
# These are the networks of Acme's quickstart (`d4pg.D4PGBuilder.make_networks`
# builds the same from a config); the sizes and the critic's support come from the
# cartpole preset, a `d4pg.D4PGConfig`.

# %%
def make_networks(action_spec, policy_layer_sizes, critic_layer_sizes, vmin, vmax,
                  num_atoms):
    """The policy, critic and observation networks of Acme's D4PG quickstart."""
    num_dimensions = int(np.prod(action_spec.shape, dtype=int))
    policy_network = snt.Sequential([
        networks.LayerNormMLP(policy_layer_sizes, activate_final=True),
        networks.NearZeroInitializedLinear(num_dimensions),
        networks.TanhToSpec(action_spec),
    ])
    critic_network = snt.Sequential([
        networks.CriticMultiplexer(
            critic_network=networks.LayerNormMLP(critic_layer_sizes,
                                                 activate_final=True)),
        networks.DiscreteValuedHead(vmin, vmax, num_atoms),
    ])
    return {'policy': policy_network, 'critic': critic_network,
            'observation': tf2_utils.batch_concat}


def make_agent(environment_spec, config, logger):
    agent_networks = make_networks(environment_spec.actions, config.policy_hidden_sizes,
                                   config.critic_hidden_sizes, config.vmin, config.vmax,
                                   config.num_atoms)
    return d4pg.D4PG(
        environment_spec=environment_spec,
        policy_network=agent_networks['policy'],
        critic_network=agent_networks['critic'],
        observation_network=agent_networks['observation'],
        config=config,
        policy_optimizer=snt.optimizers.Adam(LEARNING_RATE),
        critic_optimizer=snt.optimizers.Adam(LEARNING_RATE),
        logger=logger,
        checkpoint=False)


tf.random.set_seed(SEED)
agent_logger = loggers.TerminalLogger(label='agent', time_delta=10.)
agent = make_agent(environment_spec, CONFIG, agent_logger)
print(agent.config)

# %% [markdown]
# ## Run a training loop
#
# The `EnvironmentLoop` runs the agent: every step the agent acts with exploration
# noise, writes the transition to its Reverb table and, on schedule, takes a learner
# step. The loop logs every episode; the `TerminalLogger`s print at most every 10
# seconds, and an `InMemoryLogger` keeps every row for the plot.

# %%
def train(environment, agent, num_episodes: int):
    history = loggers.InMemoryLogger()
    env_loop_logger = loggers.Dispatcher(
        [loggers.TerminalLogger(label='env_loop', time_delta=10.), history])
    env_loop = EnvironmentLoop(environment, agent, logger=env_loop_logger)
    start = time.perf_counter()
    steps = env_loop.run(num_episodes=num_episodes)
    seconds = time.perf_counter() - start
    print(f'{steps} steps in {seconds:.0f} s ({steps / seconds:.0f} steps/s), '
          f'{agent.learner.num_updates} learner updates')
    return [float(row['episode_return']) for row in history.data]


cartpole_returns = train(environment, agent, CARTPOLE_EPISODES)

# %% [markdown]
# ## Evaluate and visualize
#
# `agent.make_evaluation_actor()` acts greedily (no noise) with the learner's
# current policy and writes nothing to replay.

# %%
def evaluate(agent, name: str, episodes: int) -> float:
    logger = loggers.InMemoryLogger()
    EnvironmentLoop(make_environment(name, seed=SEED + 1000),
                    agent.make_evaluation_actor(), should_update=False,
                    logger=logger).run(num_episodes=episodes)
    returns = [float(row['episode_return']) for row in logger.data]
    print(f'{name}: greedy return over {episodes} episode(s): mean '
          f'{np.mean(returns):.1f}, min {np.min(returns):.1f}, max {np.max(returns):.1f}')
    return float(np.mean(returns))


def record(agent, name: str, prefix: str, step_limit=VIDEO_STEPS,
           **render_kwargs) -> str:
    """A greedy episode (at most `step_limit` steps) recorded by a VideoWrapper as
    a GIF; returns its path."""
    video_environment = wrappers.VideoWrapper(
        make_environment(name, seed=SEED + 2000, step_limit=step_limit),
        directory=OUTPUT_DIR, episodes=[0], video_format='gif', fps=50, prefix=prefix,
        render_kwargs=render_kwargs)
    result = EnvironmentLoop(video_environment, agent.make_evaluation_actor(),
                             should_update=False,
                             logger=loggers.NoOpLogger()).run_episode()
    print(f"video of {name}: episode_length {result['episode_length']}, return "
          f"{float(result['episode_return']):.1f}")
    return video_environment.paths[0]


cartpole_score = evaluate(agent, 'dm_cartpole', EVAL_EPISODES)
if not FAST:
    print('goal (issue 5): >= 900 after 20,000 environment steps:',
          'met' if cartpole_score >= 900 else 'NOT met')
show_video(record(agent, 'dm_cartpole', 'quickstart_cartpole', height=144, width=192))
agent.close()

# %% [markdown]
# ## The same agent on MountainCarContinuous
#
# Only the environment and the critic's support change: a mountain-car episode pays
# +100 for reaching the flag and -0.1·a² per step, so the atoms span [-20, 100]. As
# in Acme's quickstart the exploration noise is large (`sigma=1.0`). The mountain car
# is a classic hard-exploration task: noise drawn afresh at every step seldom drives
# the car up the hill, and until one episode has reached the flag, all the replay
# shows is that actions cost reward, so the policy drifts towards standing still.
# Once a success is in replay, D4PG learns to repeat it within a few episodes.
# Whether that first success comes within the budget is down to luck (the seed).

# %%
mountain_car = make_environment('gym_mountaincar')
mountain_car_spec = specs.make_environment_spec(mountain_car)
tf.random.set_seed(SEED)
mountain_car_agent = make_agent(
    mountain_car_spec, CONFIG.replace(vmin=-20.0, vmax=100.0, num_atoms=51, sigma=1.0),
    loggers.TerminalLogger(label='agent', time_delta=10.))
mountain_car_returns = train(mountain_car, mountain_car_agent, MOUNTAIN_CAR_EPISODES)
evaluate(mountain_car_agent, 'gym_mountaincar', EVAL_EPISODES)
# The whole episode: a successful car needs a few hundred steps to reach the flag.
show_video(record(mountain_car_agent, 'mountaincar_builtin', 'quickstart_mountain_car',
                  step_limit=STEP_LIMIT))
mountain_car_agent.close()

# %%
figure, axes = plt.subplots(1, 2, figsize=(10, 3.5))
for axis, returns, title in ((axes[0], cartpole_returns, 'dm_control cartpole/balance'),
                             (axes[1], mountain_car_returns, 'MountainCarContinuous-v0')):
    axis.plot(np.arange(1, len(returns) + 1), returns, marker='o')
    axis.set_title(f'D4PG on {title}')
    axis.set_xlabel('training episode')
    axis.set_ylabel('episode return (with exploration)')
show(figure, 'quickstart_learning_curves')
