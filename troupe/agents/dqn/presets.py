"""Tuned DQN hyperparameters for small tasks, shared by the CLI and benchmarks."""

from troupe.agents.dqn.config import LinearEpsilon

# Catch in a 500-episode (4,500-step) budget: a small batch, one-step targets and ε
# decayed to 0 over the first third of the run. Mean return of the last 100 of 500
# episodes: 1.0 for seeds 0, 1 and 2 (benchmarks/dqn_catch.py).
CATCH = dict(batch_size=64, samples_per_insert=16.0, min_replay_size=200, n_step=1,
             epsilon=LinearEpsilon(1.0, 0.0, 1500), learning_rate=1e-3,
             target_update_period=50, discount=0.99, priority_exponent=0.6,
             importance_sampling_exponent=0.2)
CATCH_HIDDEN_SIZES = (64, 64)
