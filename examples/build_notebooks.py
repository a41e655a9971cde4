"""Builds the tutorial notebooks from their scripts, so each tutorial has one source.

Each tutorial is a plain Python script (`examples/tutorial.py`, ...) split into
cells by `# %%` lines, the "percent" format that VS Code, Spyder and jupytext
read:

    # %% [markdown]
    # # A title
    # Some *markdown*: every line starts with '# ' (or is a bare '#').

    # %%
    print('a code cell')

This tool turns each script into `examples/<name>.ipynb` without outputs
(CI executes them), with stable cell ids, so that building twice gives the
same bytes. Edit the script, then run

    python examples/build_notebooks.py           # rewrite the notebooks
    python examples/build_notebooks.py --check   # exit 1 if one is out of date
"""

import argparse
import os
import re
import sys
from typing import List, Tuple

import nbformat

EXAMPLES = os.path.dirname(os.path.abspath(__file__))
TUTORIALS = ('tutorial', 'quickstart', 'eeml_rl_tutorial')

_MARKER = re.compile(r'^# %%(?P<rest>.*)$')
_KERNELSPEC = {'display_name': 'Python 3 (ipykernel)', 'language': 'python',
               'name': 'python3'}


def split_cells(source: str) -> List[Tuple[str, str]]:
    """Splits percent-format source into (cell_type, text) pairs.

    Text before the first marker is ignored (keep a shebang or licence there).
    Leading and trailing blank lines of every cell are dropped; empty cells vanish.

    Raises:
        ValueError: for a marker other than `# %%` or `# %% [markdown]`, or a
            markdown line that is not a comment.
    """
    cells: List[Tuple[str, List[str]]] = []
    for number, line in enumerate(source.splitlines(), start=1):
        match = _MARKER.match(line)
        if match:
            rest = match.group('rest').strip()
            if rest == '[markdown]':
                cells.append(('markdown', []))
            elif rest == '' or rest.startswith('#') or not rest.startswith('['):
                cells.append(('code', []))
            else:
                raise ValueError(f'line {number}: unknown cell marker {line!r}; expected '
                                 f'"# %%" or "# %% [markdown]".')
            continue
        if not cells:
            continue
        kind, lines = cells[-1]
        if kind == 'markdown':
            if line.strip() == '':
                lines.append('')
            elif line == '#' or line.startswith('# '):
                lines.append(line[2:])
            else:
                raise ValueError(f'line {number}: markdown lines must start with "# ", '
                                 f'got {line!r}.')
        else:
            lines.append(line)
    result = []
    for kind, lines in cells:
        text = '\n'.join(lines).strip('\n')
        if text.strip():
            result.append((kind, text))
    return result


def build_notebook(script_path: str) -> nbformat.NotebookNode:
    """The notebook (no outputs, stable cell ids) of the script at `script_path`."""
    with open(script_path, encoding='utf-8') as f:
        source = f.read()
    stem = os.path.splitext(os.path.basename(script_path))[0].replace('_', '-')
    notebook = nbformat.v4.new_notebook()
    notebook.metadata = {
        'kernelspec': dict(_KERNELSPEC),
        'language_info': {'name': 'python'},
    }
    for index, (kind, text) in enumerate(split_cells(source)):
        if kind == 'markdown':
            cell = nbformat.v4.new_markdown_cell(text)
        else:
            cell = nbformat.v4.new_code_cell(text)
        cell.id = f'{stem}-{index:03d}'
        notebook.cells.append(cell)
    nbformat.validate(notebook)
    return notebook


def render(script_path: str) -> str:
    """The notebook file's exact text for the script at `script_path`."""
    return nbformat.writes(build_notebook(script_path)) + '\n'


def paths(name: str) -> Tuple[str, str]:
    """(script, notebook) paths of tutorial `name`."""
    return (os.path.join(EXAMPLES, f'{name}.py'), os.path.join(EXAMPLES, f'{name}.ipynb'))


def out_of_date(names=TUTORIALS) -> List[str]:
    """The notebooks whose file differs from what their script builds."""
    stale = []
    for name in names:
        script, notebook = paths(name)
        expected = render(script)
        current = None
        if os.path.exists(notebook):
            with open(notebook, encoding='utf-8') as f:
                current = f.read()
        if current != expected:
            stale.append(notebook)
    return stale


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--check', action='store_true',
                        help='only check that the notebooks match their scripts')
    parser.add_argument('names', nargs='*', default=list(TUTORIALS),
                        help=f'tutorials to build (default: {" ".join(TUTORIALS)})')
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in TUTORIALS]
    if unknown:
        parser.error(f'unknown tutorial(s) {unknown}; known: {list(TUTORIALS)}')
    if args.check:
        stale = out_of_date(args.names)
        for path in stale:
            print(f'out of date: {path} (run python examples/build_notebooks.py)')
        return 1 if stale else 0
    for name in args.names:
        script, notebook = paths(name)
        with open(notebook, 'w', encoding='utf-8') as f:
            f.write(render(script))
        print(f'wrote {notebook}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
