"""`python -m troupe` is the `troupe` command; with no arguments it runs the demo."""

import sys

from troupe.cli import main

sys.exit(main(sys.argv[1:] or ['demo']))
