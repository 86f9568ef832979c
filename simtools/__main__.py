"""``python -m simtools`` runs the command-line interface."""

from simtools.cli import main

raise SystemExit(main())
