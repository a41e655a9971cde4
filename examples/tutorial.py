# %% [markdown]
# # troupe tutorial: an agent built part by part
#
# This is Acme's TensorFlow tutorial, step by step, with troupe's parts. We build a
# D4PG agent for continuous control from its pieces, in the order Acme's tutorial
# does:
#
# 1. an **environment** (dm_control `cartpole/balance`, or gymnasium
#    `MountainCarContinuous-v0`) and its **spec**;
# 2. a **policy network** and a **behaviour network** that explores;
# 3. a **FeedForwardActor**, run by hand;
# 4. a **Reverb** table and server, and an **NStepTransitionAdder** fed by hand,
#    then through the actor's `observe_first` / `observe`;
# 5. a **dataset** from `make_reverb_dataset`, a distributional **critic** and the
#    **D4PGLearner**, stepped by hand;
# 6. a hand-written actor/learner **interleave**, then the **Agent** combiner driven
#    by an **EnvironmentLoop**;
# 7. an evaluation and a rendered **video** of the trained policy.
#
# Acme users will recognise every name: troupe keeps Acme's names and signatures, so
# the differences are mostly the imports. The networks and hyperparameters come from
# `benchmarks/continuous_control.py`, the configuration that reaches a greedy return
# of at least 900 on `cartpole/balance` after 20,000 environment steps.
#
# **Running it.** `jupyter notebook examples/tutorial.ipynb`, or without Jupyter
# `python examples/tutorial.py` (figures and videos are written to the output
# directory). `TROUPE_FAST=1` shrinks every budget so the whole tutorial runs in
# well under a minute; without it the tutorial trains for 20,000 steps (a few
# minutes on a 2-core CPU). `TROUPE_OUTPUT_DIR` chooses where figures and videos go.
# The notebook is generated from `examples/tutorial.py` by
# `examples/build_notebooks.py`: edit the script, then rebuild.

# %%
import copy
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
import reverb  # noqa: E402
import sonnet as snt  # noqa: E402
import tensorflow as tf  # noqa: E402

import troupe  # noqa: E402
from troupe import EnvironmentLoop, environments, specs  # noqa: E402
from troupe.agents import Agent, d4pg  # noqa: E402
from troupe.components import actors, adders, loggers, networks, replay  # noqa: E402
from troupe.components import utils as tf2_utils  # noqa: E402
from troupe.environments import wrappers  # noqa: E402
from troupe.environments.wrappers.video import write_video  # noqa: E402

FAST = os.environ.get('TROUPE_FAST') == '1'
IN_NOTEBOOK = 'ipykernel' in sys.modules
OUTPUT_DIR = os.environ.get('TROUPE_OUTPUT_DIR',
                            os.path.join(tempfile.gettempdir(), 'troupe_tutorial'))
os.makedirs(OUTPUT_DIR, exist_ok=True)
SEED = 0
tf.random.set_seed(SEED)
np.random.seed(SEED)


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


# The tuned D4PG settings for dm_control cartpole/balance.
continuous_control = import_benchmark('continuous_control')
CONFIG = continuous_control.CONFIGS[('cartpole_balance', 'd4pg')]  # A D4PGConfig.
POLICY_SIZES, CRITIC_SIZES = CONFIG.policy_hidden_sizes, CONFIG.critic_hidden_sizes
VMIN, VMAX, NUM_ATOMS = CONFIG.vmin, CONFIG.vmax, CONFIG.num_atoms
LEARNING_RATE = CONFIG.policy_learning_rate
DISCOUNT = CONFIG.discount  # D4PG's default, which the preset keeps.

# Budgets. Full mode: 20 episodes of 1,000 steps = 20,000 environment steps.
STEP_LIMIT = 100 if FAST else None           # Truncate episodes in fast mode.
BATCH_SIZE = 32 if FAST else CONFIG.batch_size
MIN_OBSERVATIONS = 50 if FAST else CONFIG.min_replay_size
OBSERVATIONS_PER_STEP = int(CONFIG.batch_size / CONFIG.samples_per_insert)  # 2
INTERLEAVE_EPISODES = 2 if FAST else 4
AGENT_EPISODES = 2 if FAST else 13
EVAL_EPISODES = 1 if FAST else 10
VIDEO_STEPS = 100 if FAST else 250        # Steps recorded in the video (GIFs get big).
print(f'fast mode: {FAST}; outputs in {OUTPUT_DIR}')
print(f'D4PG preset: policy {POLICY_SIZES}, critic {CRITIC_SIZES}, atoms '
      f'[{VMIN}, {VMAX}] x {NUM_ATOMS}, n_step {CONFIG.n_step}, sigma '
      f'{CONFIG.sigma}, learning rate {LEARNING_RATE}')

# %% [markdown]
# ## 1. The environment
#
# `troupe.environments.make` builds environments by name. `dm_control:` names load a
# task from the DeepMind Control Suite and `gym:` names wrap a gymnasium environment;
# both come out as `dm_env.Environment`s. Acme's tutorial then applies the same
# wrappers we use here:
#
# - `ConcatObservationWrapper` turns dm_control's dict of observations into one
#   flat vector;
# - `CanonicalSpecWrapper(clip=True)` rescales bounded actions to [-1, 1] (both tasks
#   already use [-1, 1], so it changes nothing here, but it makes the networks below
#   correct for any bounds);
# - `SinglePrecisionWrapper` turns float64 into float32 everywhere, which is what
#   TensorFlow networks want.
#
# In fast mode a `StepLimitWrapper` also cuts every episode short.

# %%
def make_environment(name: str = 'dm_cartpole', seed: int = SEED,
                     step_limit=STEP_LIMIT) -> troupe.environments.Environment:
    """The tutorial's environments, wrapped as in Acme's tutorial."""
    if name == 'dm_cartpole':
        environment = environments.make('dm_control:cartpole/balance', seed=seed)
        environment = wrappers.ConcatObservationWrapper(environment)
    elif name == 'gym_mountaincar':
        environment = environments.make('gym:MountainCarContinuous-v0', seed=seed)
    elif name == 'mountaincar_builtin':
        # troupe's numpy twin of MountainCarContinuous-v0: the same dynamics step for
        # step, and a render() that needs no pygame.
        environment = environments.make('mountain_car_continuous', seed=seed)
    else:
        raise ValueError(f'Unknown tutorial environment {name!r}.')
    environment = wrappers.CanonicalSpecWrapper(environment, clip=True)
    environment = wrappers.SinglePrecisionWrapper(environment)
    if step_limit is not None:
        environment = wrappers.StepLimitWrapper(environment, step_limit)
    return environment


for name in ('dm_cartpole', 'gym_mountaincar'):
    print(name, specs.make_environment_spec(make_environment(name)), '\n')

# %% [markdown]
# A frame of each. dm_control draws through MuJoCo (`render(height, width,
# camera_id)`; headless EGL by default). gymnasium's classic-control environments
# draw with pygame, which troupe's `envs` extra does not install, so the mountain car
# is drawn by troupe's built-in twin `mountain_car_continuous`.

# %%
cartpole_frame = make_environment('dm_cartpole').render(height=240, width=320)
mountain_car = make_environment('mountaincar_builtin')
mountain_car.reset()
figure, axes = plt.subplots(1, 2, figsize=(9, 3.5))
for axis, frame, title in zip(axes, (cartpole_frame, mountain_car.render()),
                              ('dm_control cartpole/balance', 'MountainCarContinuous')):
    axis.imshow(frame)
    axis.set_title(title)
    axis.axis('off')
show(figure, 'environments')

# %% [markdown]
# We train on cartpole/balance: a pole on a cart starts upright and the agent pushes
# the cart (one action in [-1, 1]) to keep it up. Each of the 1,000 steps pays up to
# 1, so returns lie in [0, 1000]. Change `ENVIRONMENT_NAME` to `'gym_mountaincar'` to
# run everything below on the mountain car instead (it needs much more exploration).

# %%
ENVIRONMENT_NAME = 'dm_cartpole'
environment = make_environment(ENVIRONMENT_NAME)
environment_spec = specs.make_environment_spec(environment)
print('observations:', environment_spec.observations)
print('actions:     ', environment_spec.actions)
print('rewards:     ', environment_spec.rewards)
print('discounts:   ', environment_spec.discounts)

# %% [markdown]
# ## 2. The networks
#
# The policy maps an observation to an action: a `LayerNormMLP` torso, a final
# linear layer initialised near zero (so the first actions sit in the middle of the
# range) and `TanhToSpec`, which squashes the output into the action bounds. An
# observation network (`tf2_utils.batch_concat`) flattens whatever nest of
# observations the environment gives; the learner trains it with the critic.
#
# The behaviour network explores: it adds Gaussian noise to the policy's action with
# `ClippedGaussian(sigma)` (clipped to [-1, 1]) and keeps the result in the action
# spec with `ClipToSpec`.

# %%
action_spec = environment_spec.actions
num_dimensions = int(np.prod(action_spec.shape, dtype=int))
observation_network = tf2_utils.batch_concat

policy_network = snt.Sequential([
    networks.LayerNormMLP(POLICY_SIZES, activate_final=True),
    networks.NearZeroInitializedLinear(num_dimensions),
    networks.TanhToSpec(action_spec),
])

behavior_network = snt.Sequential([
    observation_network,
    policy_network,
    networks.ClippedGaussian(CONFIG.sigma),
    networks.ClipToSpec(action_spec),
])

# %% [markdown]
# ## 3. An actor, run by hand
#
# A `FeedForwardActor` turns a network into an `Actor`: `select_action` adds a batch
# dimension, calls the network (compiled once, for the first observation's shape) and
# returns a numpy action. Here is the untrained greedy policy acting on both
# environments, in the plain dm_env loop every RL course starts with. The same
# policy architecture fits either task because both specs have one action in
# [-1, 1]; we build a fresh network per task so that the cartpole's network only
# ever sees cartpole observations.

# %%
def run_episode_by_hand(actor, env) -> float:
    timestep = env.reset()
    episode_return = 0.0
    while not timestep.last():
        action = actor.select_action(timestep.observation)
        timestep = env.step(action)
        episode_return += float(timestep.reward)
    return episode_return


actor = actors.FeedForwardActor(snt.Sequential([observation_network, policy_network]))
print(f'{ENVIRONMENT_NAME}: untrained policy return '
      f'{run_episode_by_hand(actor, environment):.1f}')

other_spec = specs.make_environment_spec(make_environment('gym_mountaincar'))
other_policy = snt.Sequential([
    networks.LayerNormMLP(POLICY_SIZES, activate_final=True),
    networks.NearZeroInitializedLinear(int(np.prod(other_spec.actions.shape))),
    networks.TanhToSpec(other_spec.actions),
])
other_actor = actors.FeedForwardActor(other_policy)
print(f'gym_mountaincar: untrained policy return '
      f'{run_episode_by_hand(other_actor, make_environment("gym_mountaincar")):.1f}')

# %% [markdown]
# ## 4. Storing experience: a Reverb table, a server and an adder
#
# Experience goes to a Reverb table. Its signature (the shapes and dtypes of one
# item) comes from the adder that will write to it. The table samples uniformly and
# evicts the oldest items first; `MinSize(1)` lets the learner sample as soon as one
# item is in.

# %%
replay_table = reverb.Table(
    name=adders.DEFAULT_PRIORITY_TABLE,
    max_size=1_000_000,
    remover=reverb.selectors.Fifo(),
    sampler=reverb.selectors.Uniform(),
    rate_limiter=reverb.rate_limiters.MinSize(1),
    signature=adders.NStepTransitionAdder.signature(environment_spec))
replay_server = reverb.Server([replay_table], port=None)
replay_server_address = f'localhost:{replay_server.port}'
replay_client = reverb.Client(replay_server_address)


def table_size() -> int:
    return replay_client.server_info()[adders.DEFAULT_PRIORITY_TABLE].current_size


print('Reverb server at', replay_server_address)

# %% [markdown]
# The `NStepTransitionAdder` turns the stream of timesteps into n-step transitions
# `(observation, action, reward, discount, next_observation)`: the reward sums n
# rewards discounted by `discount`, and the discount is what remains to bootstrap
# with. We feed it by hand: `add_first` with the first timestep of an episode, then
# `add(action, next_timestep)` after every step.

# %%
adder = adders.NStepTransitionAdder(client=replay_client, n_step=CONFIG.n_step,
                                    discount=DISCOUNT)

training_steps = 0    # Environment steps whose experience went to the table.
for episode in range(2):
    timestep = environment.reset()
    adder.add_first(timestep)
    while not timestep.last():
        action = actor.select_action(timestep.observation)
        timestep = environment.step(action)
        adder.add(action=action, next_timestep=timestep)
        training_steps += 1
print(f'{training_steps} steps; transitions in the table: {table_size()}')

# %% [markdown]
# An actor given the adder does this itself: the loop calls `observe_first` and
# `observe`, and the actor hands the timesteps to its adder. This actor uses the
# behaviour network, so what it writes includes exploration.

# %%
actor = actors.FeedForwardActor(policy_network=behavior_network, adder=adder)

timestep = environment.reset()
actor.observe_first(timestep)
while not timestep.last():
    action = actor.select_action(timestep.observation)
    timestep = environment.step(action)
    actor.observe(action=action, next_timestep=timestep)
    training_steps += 1
print(f'{training_steps} steps; transitions in the table: {table_size()}')

# %% [markdown]
# ## 5. Learning: a dataset, a critic and the D4PG learner
#
# `make_reverb_dataset` reads batches of transitions from the table as a
# `tf.data.Dataset` of `reverb.ReplaySample(info, data)`.
#
# D4PG's critic is distributional: `CriticMultiplexer` concatenates observation and
# action for a `LayerNormMLP`, and `DiscreteValuedHead` returns a categorical
# distribution over `NUM_ATOMS` fixed values spanning the task's range of
# discounted returns. The learner keeps target copies of both networks;
# `create_variables` builds every network's variables from the specs before
# training.

# %%
dataset = iter(replay.make_reverb_dataset(replay_server_address, batch_size=BATCH_SIZE,
                                          prefetch_size=4))

critic_network = snt.Sequential([
    networks.CriticMultiplexer(
        critic_network=networks.LayerNormMLP(CRITIC_SIZES, activate_final=True)),
    networks.DiscreteValuedHead(vmin=VMIN, vmax=VMAX, num_atoms=NUM_ATOMS),
])
target_policy_network = copy.deepcopy(policy_network)
target_critic_network = copy.deepcopy(critic_network)

observation_spec = environment_spec.observations
embedding_spec = tf2_utils.create_variables(observation_network, [observation_spec])
for network in (policy_network, target_policy_network):
    tf2_utils.create_variables(network, [embedding_spec])
for network in (critic_network, target_critic_network):
    tf2_utils.create_variables(network, [embedding_spec, action_spec])
print('embedding:', embedding_spec)

# %% [markdown]
# The learner takes the networks, the dataset and two Sonnet optimizers, as in
# Acme. We use the preset's Polyak-averaged targets (`target_update_rate`); Acme's
# periodic copy is `target_update_period`. `checkpoint=False` keeps this tutorial
# from writing checkpoints.

# %%
learner_logger = loggers.InMemoryLogger()
learner = d4pg.D4PGLearner(
    policy_network=policy_network,
    critic_network=critic_network,
    target_policy_network=target_policy_network,
    target_critic_network=target_critic_network,
    dataset_iterator=dataset,
    discount=DISCOUNT,
    target_update_period=CONFIG.target_update_period,
    target_update_rate=CONFIG.target_update_rate,
    policy_optimizer=snt.optimizers.Adam(LEARNING_RATE),
    critic_optimizer=snt.optimizers.Adam(LEARNING_RATE),
    observation_network=observation_network,
    logger=learner_logger,
    checkpoint=False)

start = time.perf_counter()
learner.step()
print(f'first learner step (builds and compiles the update): '
      f'{time.perf_counter() - start:.1f} s')
print('learner logged:', {k: round(float(v), 4) for k, v in learner_logger.data[-1].items()
                          if k in ('critic_loss', 'policy_loss', 'steps')})

# %% [markdown]
# ## 6. Training loop, by hand
#
# Acting and learning interleave: once enough transitions are stored, the learner
# takes one step every `OBSERVATIONS_PER_STEP` environment steps. The actor shares
# its networks with the learner (same process, same variables), so it always acts
# with the latest policy.

# %%
returns = []          # Every training episode's return, for the learning curve.
num_actor_steps = 0
num_learner_steps = 0
stored = table_size()
start = time.perf_counter()
for episode in range(INTERLEAVE_EPISODES):
    timestep = environment.reset()
    actor.observe_first(timestep)
    episode_return = 0.0
    while not timestep.last():
        action = actor.select_action(timestep.observation)
        timestep = environment.step(action)
        actor.observe(action=action, next_timestep=timestep)
        num_actor_steps += 1
        if (stored + num_actor_steps >= MIN_OBSERVATIONS
                and num_actor_steps % OBSERVATIONS_PER_STEP == 0):
            learner.step()
            num_learner_steps += 1
        episode_return += float(timestep.reward)
    returns.append(episode_return)
    print(f'episode {episode}: return {episode_return:7.1f}, actor steps '
          f'{num_actor_steps}, learner steps {num_learner_steps}')
training_steps += num_actor_steps
print(f'{num_actor_steps / (time.perf_counter() - start):.0f} environment steps/s')

# %% [markdown]
# ## 7. The Agent combiner and the EnvironmentLoop
#
# `Agent(actor, learner, min_observations, observations_per_step)` packages that
# schedule: it is an `Actor` whose `update()` steps the learner when it is due. The
# `EnvironmentLoop` runs any actor in any environment and logs each episode. The
# table is already past its minimum size, so learning continues at once.

# %%
agent = Agent(actor=actor, learner=learner, min_observations=0,
              observations_per_step=OBSERVATIONS_PER_STEP)
loop_logger = loggers.InMemoryLogger()
loop = EnvironmentLoop(environment, agent, logger=loop_logger)
start = time.perf_counter()
steps = loop.run(num_episodes=AGENT_EPISODES)
print(f'{steps} steps in {time.perf_counter() - start:.1f} s; learner updates so far: '
      f'{learner.num_updates}')
for row in loop_logger.data:
    print(f"  episode return {float(row['episode_return']):7.1f}, "
          f"{row['steps_per_second']:.0f} steps/s")
returns += [float(row['episode_return']) for row in loop_logger.data]
training_steps += steps

# %%
figure, axis = plt.subplots(figsize=(6, 3.5))
axis.plot(np.arange(1, len(returns) + 1), returns, marker='o')
axis.axvline(INTERLEAVE_EPISODES + 0.5, color='grey', linestyle=':',
             label='hand-written loop | Agent + EnvironmentLoop')
axis.set_xlabel('training episode (after the 3 episodes of section 4)')
axis.set_ylabel('episode return (with exploration)')
axis.set_title(f'D4PG on {ENVIRONMENT_NAME}: {training_steps} training steps in all')
axis.legend(loc='lower right')
show(figure, 'tutorial_learning_curve')

# %% [markdown]
# ## 8. Evaluation and a video
#
# The greedy policy (no exploration noise) on a fresh environment. The
# `EnvironmentLoop` with `should_update=False` never asks the actor to update.

# %%
greedy_actor = actors.FeedForwardActor(snt.Sequential([observation_network,
                                                       policy_network]))
eval_logger = loggers.InMemoryLogger()
EnvironmentLoop(make_environment(ENVIRONMENT_NAME, seed=SEED + 1000), greedy_actor,
                should_update=False, logger=eval_logger).run(num_episodes=EVAL_EPISODES)
eval_returns = [float(row['episode_return']) for row in eval_logger.data]
print(f'greedy evaluation over {EVAL_EPISODES} episode(s): mean return '
      f'{np.mean(eval_returns):.1f} (min {np.min(eval_returns):.1f})')
if not FAST and ENVIRONMENT_NAME == 'dm_cartpole':
    print('goal (issue 5): >= 900 after 20,000 environment steps:',
          'met' if np.mean(eval_returns) >= 900 else 'NOT met')

# %% [markdown]
# `VideoWrapper` renders every step of the chosen episodes and writes one file per
# episode (`gif`, `mp4` or `npz`): the first frame plus one frame per step. (A GIF
# stores a run of identical frames once, with their display times added, so a viewer
# still plays every step.) We record the first `VIDEO_STEPS` steps of an episode:
# encoding a GIF frame costs more than a simulation step.

# %%
video_environment = wrappers.VideoWrapper(
    make_environment(ENVIRONMENT_NAME, seed=SEED + 2000, step_limit=VIDEO_STEPS),
    directory=OUTPUT_DIR, episodes=[0], video_format='gif', fps=50, prefix='tutorial',
    render_kwargs=dict(height=144, width=192))
result = EnvironmentLoop(video_environment, greedy_actor, should_update=False,
                         logger=loggers.NoOpLogger()).run_episode()
video_path = video_environment.paths[0]
print(f"video: {video_path}; episode_length {result['episode_length']}, "
      f"return {float(result['episode_return']):.1f}")
show_video(video_path)

# %% [markdown]
# Frames can also be collected by hand and written with `write_video`, e.g. the
# first 50 steps of the untrained mountain-car policy on the built-in twin:

# %%
mountain_car = make_environment('mountaincar_builtin', seed=SEED)
timestep = mountain_car.reset()
frames = [mountain_car.render()]
for _ in range(50):
    timestep = mountain_car.step(other_actor.select_action(timestep.observation))
    frames.append(mountain_car.render())
mountain_car_path = write_video(os.path.join(OUTPUT_DIR, 'mountain_car_untrained.gif'),
                                frames, fps=25)
print(f'wrote {len(frames)} frames to {mountain_car_path}')
show_video(mountain_car_path)

# %%
replay_server.stop()
