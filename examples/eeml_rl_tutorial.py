# %% [markdown]
# # Reinforcement learning, from tables to deep Q-networks (EEML 2021 tutorial)
#
# This is the reinforcement-learning tutorial of the EEML 2021 summer school,
# whose original runs on JAX and Acme, redone in TensorFlow and Sonnet with
# troupe. It follows the original's path:
#
# 0. **The grid-world**: its layout, its observation types, a random agent and the
#    exact solution of its model.
# 1. **Tabular agents**: policy evaluation, on-policy control (SARSA), off-policy
#    control (Q-learning) and Q-learning with experience replay.
# 2. **Function approximation**: neural fitted Q (NFQ), DQN on the grid and DQN on
#    CartPole.
#
# Along the way come the original's pictures: value heatmaps, greedy-policy arrows,
# learning curves, and the grid rendered with Q-value and policy overlays.
#
# **Running it.** `jupyter notebook examples/eeml_rl_tutorial.ipynb`, or
# `python examples/eeml_rl_tutorial.py` (figures and videos go to
# `TROUPE_OUTPUT_DIR`, by default `troupe_eeml` in the temp directory).
# `TROUPE_FAST=1` shrinks the deep agents' budgets so that the whole tutorial runs in
# well under a minute; the tabular parts are cheap and keep their full budgets.
# Without it, DQN trains on CartPole for 50,000 steps with the settings of
# `benchmarks/dqn_cartpole.py` (a few minutes on a 2-core CPU). The notebook is
# generated from `examples/eeml_rl_tutorial.py` by `examples/build_notebooks.py`.

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
from troupe.agents import dqn, nfq, tabular  # noqa: E402
from troupe.agents.tabular import planning  # noqa: E402
from troupe.components import actors, loggers, networks  # noqa: E402
from troupe.environments import ObservationType, build_gridworld_task, wrappers  # noqa: E402
from troupe.environments.wrappers.video import write_video  # noqa: E402

FAST = os.environ.get('TROUPE_FAST') == '1'
IN_NOTEBOOK = 'ipykernel' in sys.modules
OUTPUT_DIR = os.environ.get('TROUPE_OUTPUT_DIR',
                            os.path.join(tempfile.gettempdir(), 'troupe_eeml'))
os.makedirs(OUTPUT_DIR, exist_ok=True)
SEED = 0
tf.random.set_seed(SEED)

# Budgets. The tabular agents run at ~10^5 steps/s, so they keep the full budget.
TABULAR_STEPS = 100_000
REPLAY_STEPS = 10_000
NFQ_EPISODES = 40 if FAST else 300
DQN_GRID_EPISODES = 40 if FAST else 300
CARTPOLE_STEPS = 2_000 if FAST else 50_000
CARTPOLE_EVAL_EVERY = 1_000 if FAST else 10_000
CARTPOLE_EVAL_EPISODES = 2 if FAST else 10
print(f'fast mode: {FAST}; outputs in {OUTPUT_DIR}')


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

# %% [markdown]
# ### Plotting helpers
#
# The original tutorial's pictures: `plot_values` draws one number per cell as a
# heatmap (walls blank); `plot_action_values` draws the four action values around
# the state value, each in the direction its action moves; `smooth` averages
# learning curves over a window.

# %%
ACTION_NAMES = ('up', 'right', 'down', 'left')
ACTION_SUBPLOT = (2, 6, 8, 4)   # Around the centre of a 3x3 grid of plots.


def per_cell(env, values):
    """[S] or [S, ...] values as [rows, columns, ...], walls masked."""
    rows, columns = env.layout.shape
    values = np.asarray(values, dtype=np.float64)
    if values.shape[:2] != (rows, columns):
        values = values.reshape((rows, columns) + values.shape[1:])
    walls = env.layout == -1
    mask = np.broadcast_to(walls.reshape(walls.shape + (1,) * (values.ndim - 2)),
                           values.shape)
    return np.ma.masked_array(values, mask)


def plot_values(env, values, title='', vmin=None, vmax=None, colormap='RdYlBu_r',
                axis=None):
    axis = axis or plt.gca()
    image = axis.imshow(per_cell(env, values), cmap=colormap, vmin=vmin, vmax=vmax,
                        interpolation='nearest')
    axis.set_facecolor('0.25')  # Walls (masked) show the background.
    axis.set_xticks([])
    axis.set_yticks([])
    axis.set_title(title)
    return image


def plot_action_values(env, q_values, title=''):
    """q(s, a) for each action around v(s) = max_a q(s, a), on one colour scale."""
    q = per_cell(env, q_values)
    vmin, vmax = float(q.min()), float(q.max())
    figure = plt.figure(figsize=(6, 5))
    figure.subplots_adjust(wspace=0.3, hspace=0.3)
    for action in range(4):
        axis = figure.add_subplot(3, 3, ACTION_SUBPLOT[action])
        plot_values(env, q[..., action], f'q(s, {ACTION_NAMES[action]})', vmin, vmax,
                    axis=axis)
    axis = figure.add_subplot(3, 3, 5)
    image = plot_values(env, q.max(axis=-1), 'v(s) = max q', vmin, vmax, axis=axis)
    figure.colorbar(image, ax=figure.axes, shrink=0.6)
    figure.suptitle(title)
    return figure


def plot_greedy_policy(env, q_values, title):
    """The grid coloured by max_a q (red > 0 > blue) with the greedy actions as arrows."""
    q = np.asarray(q_values).reshape(-1, 4)
    figure, axis = plt.subplots(figsize=(4, 3.6))
    axis.imshow(env.render(q_values=q, policy=q.argmax(-1), show_agent=False,
                           cell_size=24))
    axis.set_xticks([])
    axis.set_yticks([])
    axis.set_title(title)
    return figure


def smooth(values, window: int):
    values = np.asarray(values, dtype=np.float64)
    if len(values) < window:
        return np.arange(1, len(values) + 1), values
    kernel = np.ones(window) / window
    return np.arange(window, len(values) + 1), np.convolve(values, kernel, 'valid')


def run_loop(environment, agent, num_episodes=None, num_steps=None):
    """Runs an EnvironmentLoop; returns each episode's (end step, return)."""
    logger = loggers.InMemoryLogger()
    EnvironmentLoop(environment, agent, logger=logger).run(num_episodes=num_episodes,
                                                           num_steps=num_steps)
    ends = np.cumsum([row['episode_length'] for row in logger.data])
    return ends, np.array([float(row['episode_return']) for row in logger.data])


def plot_curve(axis, curve, window: int, label: str):
    """Returns against environment steps, averaged over `window` episodes."""
    ends, returns = curve
    x, y = smooth(returns, window)
    axis.plot(ends[x - 1], y, label=label)


def episode_frames(env, select_action, q_values=None, max_steps=60):
    """Frames of one episode acted by `select_action(observation)`, drawn with
    optional Q-value (colour) and greedy-policy (arrows) overlays."""
    policy = None if q_values is None else np.asarray(q_values).reshape(-1, 4).argmax(-1)
    timestep = env.reset()
    frames = [env.render(q_values=q_values, policy=policy)]
    for _ in range(max_steps):
        timestep = env.step(select_action(timestep.observation))
        frames.append(env.render(q_values=q_values, policy=policy))
        if timestep.last():
            break
    return frames

# %% [markdown]
# ## 0. The grid-world
#
# The agent (orange) starts in the blue cell and must reach the goal (green). The
# four actions move up, right, down and left. Bumping into a wall costs -5 and
# leaves the agent in place; reaching the goal pays +10, ends the episode with
# discount 0 and puts the agent back on the start. Every other step pays 0 with
# discount 0.9, and episodes are cut after 200 steps. `build_gridworld_task` builds
# the tutorial's tasks, `'simple'`, `'obstacle'` and `'random_goal'`; the registry
# knows them as `'gridworld/<task>'`.

# %%
grid = build_gridworld_task('obstacle', seed=SEED)
figure = grid.plot_grid()
show(figure, 'grid_obstacle')
figure = environments.make('gridworld/simple', seed=SEED).plot_grid()
show(figure, 'grid_simple')

# %% [markdown]
# ### Observation types
#
# The same world can be observed four ways: the index of the agent's cell
# (`STATE_INDEX`, for tables), a one-hot map of the agent (`AGENT_ONEHOT`), three
# stacked maps of walls, agent and goal (`GRID`), or the agent's and the goal's
# coordinates (`AGENT_GOAL_POS`).

# %%
figure, axes = plt.subplots(1, 4, figsize=(12, 2.8))
for observation_type in ObservationType:
    env = build_gridworld_task('obstacle', observation_type=observation_type)
    observation = env.reset().observation
    print(f'{observation_type.name:15s} spec {env.observation_spec()}')
    print(f'{"":15s} first observation: shape {np.shape(observation)}'
          + (f', value {observation}' if np.size(observation) <= 4 else ''))
grid_observation = build_gridworld_task(
    'obstacle', observation_type=ObservationType.GRID).reset().observation
for axis, channel, name in zip(axes[:3], range(3), ('walls', 'agent', 'goal')):
    axis.imshow(grid_observation[..., channel], cmap='gray_r')
    axis.set_title(f'GRID channel {channel}: {name}')
    axis.set_xticks([])
    axis.set_yticks([])
axes[3].imshow(grid.render(cell_size=20))
axes[3].set_title('render()')
axes[3].axis('off')
show(figure, 'observation_types')

# %% [markdown]
# ### A random agent
#
# Every troupe agent is an `Actor` (`select_action`, `observe_first`, `observe`,
# `update`), and an `EnvironmentLoop` runs any actor in any `dm_env` environment.
# `tabular.RandomAgent` acts uniformly at random: its episodes mostly run out of
# time, paying -5 for every wall it walks into.

# %%
spec = specs.make_environment_spec(grid)
random_agent = tabular.RandomAgent(spec, seed=SEED)
_, random_returns = run_loop(grid, random_agent, num_episodes=20)
print(f'random agent: mean return over 20 episodes {np.mean(random_returns):.1f}')
frames = episode_frames(grid, random_agent.select_action, max_steps=50)
path = write_video(os.path.join(OUTPUT_DIR, 'random_agent.gif'), frames, fps=10)
print(f'random agent video: {len(frames)} frames')
show_video(path)

# %% [markdown]
# ### The exact answer
#
# The grid exposes its model (`grid.model`: transitions, rewards and discounts), so
# dynamic programming solves it exactly. Value iteration gives the optimal values;
# from the start, the best path takes 8 steps, so V*(start) = 10 · 0.9^7. We use
# these as the reference for what the learners below should find.

# %%
optimal = tabular.solve_value_iteration(grid.model)
start_index = grid.start_state[0] * grid.layout.shape[1] + grid.start_state[1]
print(f'V*(start) = {optimal.values[start_index]:.6f}; 10 * 0.9**7 = {10 * 0.9**7:.6f}')
print('optimal path length:', tabular.greedy_path_length(grid, optimal.policy))
show(plot_action_values(grid, optimal.q_values, 'value iteration: q*(s, a)'),
     'value_iteration_q')

# %% [markdown]
# ## 1. Tabular agents
#
# ### 1.1 Policy evaluation
#
# How good is the uniformly random policy? `TDPolicyEvaluation` acts with a given
# policy and learns its values by TD(0): V(s) ← V(s) + α (r + γ V(s') - V(s)). Its
# Q-table rides along, and acting greedily on it is one step of policy improvement.
# Iterative policy evaluation on the model gives the exact values to compare with.

# %%
uniform_policy = np.full((grid.number_of_states, 4), 0.25)
evaluator = tabular.TDPolicyEvaluation(spec, uniform_policy, step_size=0.1, seed=SEED)
run_loop(grid, evaluator, num_steps=TABULAR_STEPS)
exact_values = planning.policy_evaluation(grid.model, uniform_policy)
free = grid.model.states
error = np.abs(evaluator.state_values[free] - exact_values[free]).max()
print(f'TD(0) after {TABULAR_STEPS} steps: max |V - V_exact| = {error:.2f} '
      f'(values range {exact_values[free].min():.1f} to {exact_values[free].max():.1f})')

figure, axes = plt.subplots(1, 2, figsize=(9, 3.5))
vmin, vmax = exact_values[free].min(), exact_values[free].max()
plot_values(grid, evaluator.state_values, 'TD(0) estimate of v_random', vmin, vmax,
            axis=axes[0])
image = plot_values(grid, exact_values, 'exact v_random (policy evaluation)', vmin,
                    vmax, axis=axes[1])
figure.colorbar(image, ax=axes)
show(figure, 'policy_evaluation')
show(plot_action_values(grid, evaluator.q_values, 'q of the random policy'),
     'policy_evaluation_q')
show(plot_greedy_policy(grid, evaluator.q_values,
                        'greedy w.r.t. q_random: one improvement step'),
     'policy_evaluation_greedy')

# %% [markdown]
# ### 1.2 On-policy control: SARSA
#
# SARSA learns the values of the ε-greedy policy it follows,
# Q(s, a) ← Q(s, a) + α (r + γ Q(s', a') - Q(s, a)), with a' the action it takes
# next. Starting the table at 10 (the goal's reward, above any return) makes every
# untried action look good, which drives exploration.

# %%
def train_tabular(agent_class, steps=TABULAR_STEPS, **kwargs):
    env = build_gridworld_task('obstacle', seed=SEED)
    agent = agent_class(specs.make_environment_spec(env), epsilon=0.1, step_size=0.1,
                        initial_q_values=10.0, seed=SEED, **kwargs)
    start = time.perf_counter()
    curve = run_loop(env, agent, num_steps=steps)
    path_length = tabular.greedy_path_length(env, agent.greedy_policy())
    print(f'{agent_class.__name__}: {steps} steps, {len(curve[1])} episodes in '
          f'{time.perf_counter() - start:.1f} s; greedy path from the start: '
          f'{path_length} steps (shortest: 8)')
    return agent, curve


sarsa, sarsa_curve = train_tabular(tabular.Sarsa)
show(plot_action_values(grid, sarsa.q_values, 'SARSA'), 'sarsa_q')
show(plot_greedy_policy(grid, sarsa.q_values, 'SARSA: greedy policy'), 'sarsa_policy')

# %% [markdown]
# ### 1.3 Off-policy control: Q-learning
#
# Q-learning bootstraps from the best next action instead of the one taken,
# Q(s, a) ← Q(s, a) + α (r + γ max_a' Q(s', a') - Q(s, a)), so it learns the
# greedy policy's values while it explores.

# %%
q_learning, q_learning_curve = train_tabular(tabular.QLearning)
show(plot_action_values(grid, q_learning.q_values, 'Q-learning'), 'q_learning_q')
show(plot_greedy_policy(grid, q_learning.q_values, 'Q-learning: greedy policy'),
     'q_learning_policy')

# %% [markdown]
# ### 1.4 Experience replay
#
# Real steps are expensive; updates are cheap. `QLearningWithReplay` stores every
# transition and, after each real step, repeats the Q-learning update on
# `num_offline_updates` transitions drawn from its store. With 10 replays per step it
# needs a tenth of the environment steps.

# %%
replay_agent, replay_curve = train_tabular(tabular.QLearningWithReplay,
                                           steps=REPLAY_STEPS, num_offline_updates=10)
_, q_short_curve = train_tabular(tabular.QLearning, steps=REPLAY_STEPS)
show(plot_greedy_policy(grid, replay_agent.q_values,
                        f'Q-learning with replay, {REPLAY_STEPS} steps'),
     'replay_policy')

# %%
figure, axes = plt.subplots(1, 2, figsize=(11, 3.5))
plot_curve(axes[0], sarsa_curve, 50, 'SARSA')
plot_curve(axes[0], q_learning_curve, 50, 'Q-learning')
axes[0].set_title('ε = 0.1, α = 0.1 (mean of 50 episodes)')
plot_curve(axes[1], q_short_curve, 10, 'Q-learning')
plot_curve(axes[1], replay_curve, 10, 'Q-learning + 10 replays per step')
axes[1].set_title('the first 10,000 steps (mean of 10 episodes)')
for axis in axes:
    axis.set_xlabel('environment steps')
    axis.set_ylabel('episode return')
    axis.legend(loc='lower right')
show(figure, 'tabular_learning_curves')

# %% [markdown]
# A greedy episode of the Q-learning agent, drawn with its values (colour) and
# policy (arrows):

# %%
greedy_policy = q_learning.greedy_policy()
frames = episode_frames(build_gridworld_task('obstacle'),
                        lambda observation: greedy_policy[int(observation)],
                        q_values=q_learning.q_values)
path = write_video(os.path.join(OUTPUT_DIR, 'q_learning_greedy.gif'), frames, fps=4)
print(f'greedy Q-learning episode: {len(frames) - 1} steps')
show_video(path)

# %% [markdown]
# ## 2. Function approximation
#
# Tables do not generalise: every cell is learned on its own, and an observation
# such as a picture of the grid has far too many values to tabulate. A neural
# network Q(s, ·; θ) maps any observation to four action values.
#
# We use the `'simple'` task, observed by coordinates or maps instead of a cell
# index. `SinglePrecisionWrapper` makes every number float32, as the networks want.
#
# To draw a network's values we need the observation of every cell; they are built
# here by hand from the observation types' definitions (and checked against the
# environment's own first observation).

# %%
def make_grid(observation_type, seed=SEED):
    return wrappers.SinglePrecisionWrapper(build_gridworld_task(
        'simple', observation_type=observation_type, seed=seed))


def every_cell_observation(env, observation_type):
    """[rows * columns, ...] observations with the agent on each cell in turn."""
    layout = env.layout
    rows, columns = layout.shape
    goal = env.goal_state
    observations = []
    for row in range(rows):
        for column in range(columns):
            if observation_type == ObservationType.AGENT_GOAL_POS:
                observation = np.array([row, column, *goal], dtype=np.float32)
            elif observation_type == ObservationType.AGENT_ONEHOT:
                observation = np.zeros(layout.shape, np.float32)
                observation[row, column] = 1.0
            else:  # GRID: walls, agent, goal.
                observation = np.zeros(layout.shape + (3,), np.float32)
                observation[..., 0] = layout == -1
                observation[row, column, 1] = 1.0
                observation[goal + (2,)] = 1.0
            observations.append(observation)
    observations = np.stack(observations)
    start = env.start_state[0] * columns + env.start_state[1]
    assert np.array_equal(observations[start], env.reset().observation)
    return observations


def network_q_values(network, env, observation_type):
    return network(tf.constant(every_cell_observation(env, observation_type))).numpy()


def greedy_actor(network, spec):
    """An actor that takes argmax_a Q(s, a) with `network` and records nothing."""
    return actors.FeedForwardActor(networks.GreedyPolicy(network, spec.actions))


def greedy_grid_evaluation(network, observation_type, seed):
    """Return and length of one greedy episode of the network on a fresh grid."""
    env = make_grid(observation_type, seed)
    actor = greedy_actor(network, specs.make_environment_spec(env))
    result = EnvironmentLoop(env, actor, should_update=False,
                             logger=loggers.NoOpLogger()).run_episode()
    return float(result['episode_return']), int(result['episode_length'])

# %% [markdown]
# ### 2.1 Neural fitted Q (NFQ)
#
# NFQ (Riedmiller, 2005) regresses Q(s, a; θ) onto the one-step target
# r + γ max_a' Q(s', a'; θ), computed with the same network and held fixed
# (stop-gradient), on minibatches of stored transitions. troupe's `nfq.NFQ` is an
# `Agent` made of the usual parts: an ε-greedy `FeedForwardActor`, an
# `NStepTransitionAdder` writing to a Reverb table, `make_reverb_dataset` and the
# `NFQLearner`. Observations are the agent's and goal's coordinates; the network is
# the tutorial's MLP with two hidden layers of 50 units.

# %%
nfq_env = make_grid(ObservationType.AGENT_GOAL_POS)
nfq_spec = specs.make_environment_spec(nfq_env)
nfq_network = snt.nets.MLP([50, 50, nfq_spec.actions.num_values])
nfq_agent = nfq.NFQ(nfq_spec, nfq_network, logger=loggers.NoOpLogger())
start = time.perf_counter()
nfq_curve = run_loop(nfq_env, nfq_agent, num_episodes=NFQ_EPISODES)
nfq_agent.close()
nfq_return, nfq_length = greedy_grid_evaluation(nfq_network,
                                                ObservationType.AGENT_GOAL_POS, SEED + 1)
print(f'NFQ: {NFQ_EPISODES} episodes ({nfq_agent.num_observations} steps) in '
      f'{time.perf_counter() - start:.1f} s; greedy episode: return {nfq_return:.0f} '
      f'in {nfq_length} steps (shortest path: 5)')
nfq_q = network_q_values(nfq_network, nfq_env, ObservationType.AGENT_GOAL_POS)
show(plot_action_values(nfq_env, nfq_q, 'NFQ'), 'nfq_q')
show(plot_greedy_policy(nfq_env, nfq_q, 'NFQ: greedy policy'), 'nfq_policy')

# %% [markdown]
# ### 2.2 DQN on the grid
#
# DQN (Mnih et al., 2015) adds a target network (the bootstrap uses a copy of θ
# refreshed every `target_update_period` updates) and replays past transitions;
# troupe's `dqn.DQN` also has double-Q targets, n-step returns and prioritized
# replay. Here it sees the grid as a picture (`GRID`: three 9×10 maps) through an
# MLP. Exploration decays linearly from ε = 1 to 0.05.

# %%
dqn_env = make_grid(ObservationType.GRID)
dqn_spec = specs.make_environment_spec(dqn_env)
dqn_grid_network = dqn.make_mlp_network(dqn_spec, hidden_sizes=(64, 64))
dqn_grid_agent = dqn.DQN(
    dqn_spec, dqn_grid_network, batch_size=32, samples_per_insert=8.0,
    min_replay_size=100, n_step=1, epsilon=dqn.LinearEpsilon(1.0, 0.05, 2_000),
    learning_rate=1e-3, target_update_period=100, discount=1.0,
    logger=loggers.NoOpLogger(), checkpoint=False)
start = time.perf_counter()
dqn_grid_curve = run_loop(dqn_env, dqn_grid_agent, num_episodes=DQN_GRID_EPISODES)
dqn_grid_agent.close()
dqn_return, dqn_length = greedy_grid_evaluation(dqn_grid_network, ObservationType.GRID,
                                                SEED + 1)
print(f'DQN on the grid: {DQN_GRID_EPISODES} episodes, {dqn_grid_agent.learner.num_updates} '
      f'updates in {time.perf_counter() - start:.1f} s; greedy episode: return '
      f'{dqn_return:.0f} in {dqn_length} steps (shortest path: 5)')
dqn_q = network_q_values(dqn_grid_network, dqn_env, ObservationType.GRID)
show(plot_action_values(dqn_env, dqn_q, 'DQN (GRID observations)'), 'dqn_grid_q')
show(plot_greedy_policy(dqn_env, dqn_q, 'DQN: greedy policy'), 'dqn_grid_policy')

# %%
figure, axis = plt.subplots(figsize=(6, 3.5))
plot_curve(axis, nfq_curve, 10, 'NFQ (AGENT_GOAL_POS)')
plot_curve(axis, dqn_grid_curve, 10, 'DQN (GRID)')
axis.set_xlabel('environment steps')
axis.set_ylabel('episode return (mean of 10)')
axis.set_title("'simple' grid, training episodes (with exploration)")
axis.legend()
show(figure, 'deep_grid_learning_curves')

# %% [markdown]
# ### 2.3 DQN on CartPole
#
# Finally a task without a table at all: balance a pole on a cart (troupe's
# built-in CartPole, gymnasium's CartPole-v1 physics, +1 per step, at most 500
# steps). The settings are those of `benchmarks/dqn_cartpole.py`, which reach a
# greedy return of at least 475 within 50,000 steps for 5 of 5 seeds. Every
# `CARTPOLE_EVAL_EVERY` steps the greedy policy plays a few evaluation episodes.

# %%
dqn_cartpole = import_benchmark('dqn_cartpole')
cartpole_config = dqn_cartpole.CONFIG   # A dqn.DQNConfig.
if FAST:
    cartpole_config = cartpole_config.replace(
        min_replay_size=200, epsilon=dqn.LinearEpsilon(1.0, 0.04, CARTPOLE_STEPS // 2))
print('config:', cartpole_config)

cartpole = environments.make('cartpole', seed=SEED)
cartpole_spec = specs.make_environment_spec(cartpole)
cartpole_network = dqn.make_mlp_network(cartpole_spec, cartpole_config.hidden_sizes)
cartpole_agent = dqn.DQN(cartpole_spec, cartpole_network, config=cartpole_config,
                         checkpoint=False, logger=loggers.NoOpLogger())
training_logger = loggers.InMemoryLogger()
training_loop = EnvironmentLoop(cartpole, cartpole_agent, logger=training_logger)
evaluation_loop = EnvironmentLoop(
    environments.make('cartpole', seed=SEED + 1000),
    greedy_actor(cartpole_network, cartpole_spec),
    should_update=False, logger=loggers.NoOpLogger())

evaluations = []
steps, train_seconds = 0, 0.0
while steps < CARTPOLE_STEPS:
    start = time.perf_counter()
    steps += training_loop.run(num_steps=min(CARTPOLE_EVAL_EVERY, CARTPOLE_STEPS - steps))
    train_seconds += time.perf_counter() - start
    score = np.mean([evaluation_loop.run_episode()['episode_return']
                     for _ in range(CARTPOLE_EVAL_EPISODES)])
    evaluations.append((steps, float(score)))
    print(f'{steps:6d} steps, {train_seconds:5.1f} s of training: greedy return '
          f'{score:.1f} ({CARTPOLE_EVAL_EPISODES} episodes)')
cartpole_agent.close()
if not FAST:
    print('goal (issue 4): greedy return >= 475 within 50,000 steps:',
          'met' if max(score for _, score in evaluations) >= 475 else 'NOT met')

# %%
episode_ends = np.cumsum([row['episode_length'] for row in training_logger.data])
episode_returns = np.array([float(row['episode_return'])
                            for row in training_logger.data])
figure, axis = plt.subplots(figsize=(6.5, 3.8))
axis.plot(episode_ends, episode_returns, alpha=0.3, label='training episode')
plot_curve(axis, (episode_ends, episode_returns), 20, 'training, mean of 20 episodes')
axis.plot(*zip(*evaluations), 'o-', color='black', label='greedy evaluation')
axis.set_xlabel('environment steps')
axis.set_ylabel('return')
axis.set_title('DQN on CartPole')
axis.legend(loc='upper left')
show(figure, 'dqn_cartpole_learning_curve')

# %%
video_env = wrappers.VideoWrapper(environments.make('cartpole', seed=SEED + 2000),
                                  directory=OUTPUT_DIR, episodes=[0], fps=50,
                                  prefix='dqn_cartpole')
result = EnvironmentLoop(video_env,
                         greedy_actor(cartpole_network, cartpole_spec),
                         should_update=False, logger=loggers.NoOpLogger()).run_episode()
print(f"greedy CartPole episode: return {float(result['episode_return']):.0f}")
show_video(video_env.paths[0])

# %% [markdown]
# ## Where next
#
# - Swap `'simple'` for `'obstacle'` or `'random_goal'`, or the observation types,
#   and see which agents still cope.
# - `tabular.ExpectedSarsa` and `tabular.MonteCarloControl` are the other tabular
#   learners; `tabular.policy_iteration` the other planner.
# - `tutorial.ipynb` builds an agent part by part; `quickstart.ipynb` trains D4PG on
#   continuous control.
