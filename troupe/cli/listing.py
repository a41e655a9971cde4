"""`troupe list [AGENT]`: the agents and environments, or one agent's hyperparameters."""

import argparse
from typing import List, Optional

ADAPTERS = (
    ('gym:<gymnasium id>', 'as the gymnasium space (e.g. gym:CartPole-v1)'),
    ('atari:<game>', 'discrete (e.g. atari:Pong)'),
    ('dm_control:<domain>/<task>', 'continuous (e.g. dm_control:cartpole/balance)'),
    ('bsuite:<experiment>/<index>', 'discrete (e.g. bsuite:catch/0)'),
)


def add_parser(commands) -> None:
    listing = commands.add_parser(
        'list', help='list agents and environments, or one agent\'s hyperparameters')
    listing.add_argument('agent', nargs='?', metavar='AGENT',
                         help='show this agent\'s hyperparameters and presets')
    listing.set_defaults(handler=run)


def _table(rows: List[List[str]], indent: str = '  ') -> List[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return [indent + '  '.join(cell.ljust(width) for cell, width in zip(row, widths))
            + '  ' + row[-1] for row in rows]


def _environment_rows() -> List[List[str]]:
    import troupe
    from troupe import environments
    from troupe.agents import registry

    rows = [['NAME', 'ACTIONS', 'AGENTS']]
    for name in environments.registered_names():
        if '<' in name:
            continue
        try:
            environment = registry.make_environment(name, seed=0)
            spec = troupe.make_environment_spec(environment)
        except Exception as error:  # noqa: BLE001 - shown, not raised.
            rows.append([name, f'(cannot build: {error})', ''])
            continue
        agents = []
        for agent_name, entry in registry.AGENTS.items():
            try:
                entry.check_can_act(name, spec)
            except ValueError:
                continue
            agents.append(agent_name)
        rows.append([name, registry.describe_actions(spec), ', '.join(agents) or '-'])
    return rows


def _print_agent(name: str) -> None:
    from troupe.agents import configs, registry

    entry = registry.get(name)
    where = ('; runs distributed (--distributed)' if entry.distributed else '')
    batched = '; acts batched (--num-envs N)' if entry.batched_acting else ''
    print(f'{entry.name}: {entry.description}; acts in {entry.actions} action '
          f'spaces{batched}{where}.')
    defaults = entry.defaults()
    if entry.parameters:
        print(f'Hyperparameters (--config KEY=VALUE; the fields of '
              f'{entry.config_class.__name__}), with defaults:')
        rows = [[key, repr(configs.to_json(getattr(defaults, key))),
                 configs.doc(field)] for key, field in entry.parameters.items()]
        for line in _table(rows):
            print(line)
    else:
        print('No hyperparameters.')
    steps, episodes = entry.budget('')
    print(f'Default budget: {steps:,} env steps.' if steps else
          f'Default budget: {episodes:,} episodes.')
    for env_name, preset in entry.presets.items():
        budget = (f'{preset.episodes:,} episodes' if preset.episodes
                  else f'{preset.steps:,} steps' if preset.steps else 'default budget')
        settings = _changed(preset.config, defaults) if preset.config else {}
        settings.update({f'env:{k}': v for k, v in preset.env_kwargs.items()})
        print(f'Preset for --env {env_name} ({budget}; {preset.source}):')
        for key, value in settings.items():
            print(f'  {key} = {value!r}')


def _changed(config, defaults) -> dict:
    """The fields of `config` that differ from `defaults`, JSON-friendly."""
    from troupe.agents import configs
    new, old = configs.to_json(config.to_json()), configs.to_json(defaults.to_json())
    return {key: value for key, value in new.items() if old.get(key) != value}


def run(args: argparse.Namespace) -> int:
    from troupe.agents import registry

    if args.agent:
        _print_agent(args.agent)
        return 0
    print('Agents (troupe train AGENT --env NAME; troupe list AGENT for its '
          'hyperparameters):')
    rows = [['AGENT', 'ACTIONS', 'PRESETS', 'DESCRIPTION']]
    for name, entry in registry.AGENTS.items():
        kind = entry.actions + (' (state index)' if entry.state_index_observations
                                else '')
        presets = sorted(dict.fromkeys(entry.presets)) or ['-']
        rows.append([name, kind, _shorten(', '.join(presets)), entry.description])
    for line in _table(rows):
        print(line)
    print()
    print('Environments (--env NAME):')
    for line in _table(_environment_rows()):
        print(line)
    print()
    print('Adapters (need the envs extra: pip install "troupe[envs]"):')
    for line in _table([['NAME', 'ACTIONS']] + [list(row) for row in ADAPTERS]):
        print(line)
    return 0


def _shorten(text: str, width: Optional[int] = 44) -> str:
    return text if width is None or len(text) <= width else text[:width - 1] + '…'
