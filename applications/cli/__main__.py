"""`python -m applications.cli`: the `audiozoo` command from a checkout."""

import sys

from applications.cli import main

sys.exit(main())
