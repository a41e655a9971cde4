"""Install script for troupe: an Acme-style RL framework on Reverb, TF2 and Sonnet."""

from setuptools import find_packages, setup

# The set that works together on Python 3.11 (Reverb ships wheels up to 3.11 only).
CORE = [
    'tensorflow==2.15.1',
    'dm-reverb==0.14.0',
    'dm-sonnet==2.0.2',
    'tensorflow-probability==0.23.0',
    'dm-env',
    'dm-tree',
    'numpy<2',
    # Learning curves (`troupe train`, `troupe plot`); below 3.11 for numpy<2.
    'matplotlib<3.11',
]

# Executes the tutorial notebooks with a real Jupyter kernel.
NOTEBOOKS = ['nbclient', 'nbformat', 'ipykernel']

EXTRAS = {
    # pytest below 9.2: xdist 3.8's --dist loadgroup (tests/conftest.py) needs the
    # item node ids pytest 9.2 no longer lets it rename.
    'test': ['pytest>=8,<9.2', 'pytest-timeout', 'pytest-xdist>=3,<4', 'ruff>=0.6,<1',
             'hypothesis>=6,<7'] + NOTEBOOKS,
    'notebooks': NOTEBOOKS + ['jupyter'],
    # The distributed runtime (troupe.distributed); protobuf below 5 for the
    # pinned TensorFlow.
    'distributed': ['ray>=2.40,<3', 'protobuf<5'],
    # The documentation site: `mkdocs serve`, or `mkdocs build --strict` as CI runs it.
    'docs': ['mkdocs>=1.6,<2', 'mkdocs-material>=9,<10', 'mkdocstrings[python]>=0.26,<2'],
    # Large CUDA wheels (~1.9 GB); never installed in CI.
    'gpu': ['tensorflow[and-cuda]==2.15.1'],
    # Environment adapters: gymnasium (+ Atari through ale-py, whose ROMs ship in the
    # wheel), dm_control suite and bsuite. The upper bounds keep numpy below 2, which
    # the pinned TensorFlow and Reverb need.
    'envs': [
        'gymnasium>=1.0,<2',
        'ale-py>=0.9,<1',
        'dm-control>=1.0.20,<2',
        'mujoco>=3,<4',
        'opencv-python-headless<4.12',
        'bsuite',
        # gymnasium's classic-control renderers (e.g. MountainCarContinuous videos).
        'pygame>=2.1',
        'numpy<2',
        'pandas<2',
        'plotnine<0.13',
    ],
}

setup(
    name='troupe',
    version='0.1.0',
    description='A modular reinforcement-learning framework in the style of Acme: '
                'actors, adders, Reverb replay, learners and environment loops.',
    long_description=open('README.md', encoding='utf-8').read(),
    long_description_content_type='text/markdown',
    packages=find_packages(include=['troupe', 'troupe.*']),
    python_requires='>=3.9,<3.12',
    install_requires=CORE,
    extras_require=EXTRAS,
    entry_points={'console_scripts': ['troupe = troupe.cli:main']},
    classifiers=[
        'Programming Language :: Python :: 3.9',
        'Programming Language :: Python :: 3.10',
        'Programming Language :: Python :: 3.11',
        'Topic :: Scientific/Engineering :: Artificial Intelligence',
    ],
)
