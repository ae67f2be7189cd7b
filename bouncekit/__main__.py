"""`python -m bouncekit` runs the command line."""

import sys

from bouncekit.cli import main

sys.exit(main())
