"""``python -m simtools.sandbox``."""

from __future__ import annotations

import sys

from simtools.sandbox.cli import main

sys.exit(main())
