"""Adapters that load environments from optional packages (the `envs` extra).

Each module imports its package only when it is used, so nothing here is
needed to `import troupe.environments`:

- `gymnasium_envs.make_gymnasium` / `make_atari`: gymnasium and ALE (Atari).
- `dm_control_suite.load`: dm_control suite tasks (rendering through MuJoCo).
- `bsuite_envs.load`: bsuite environments, optionally logging bsuite's CSV.
"""
