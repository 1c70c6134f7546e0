"""``python -m fatigue``: see fatigue.cli."""
import sys

from fatigue.cli import main

sys.exit(main())
