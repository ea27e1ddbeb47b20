"""Entry point for ``python -m ilb_eval``."""

import sys

from ilb_eval.cli import main

sys.exit(main())
