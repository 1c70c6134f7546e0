"""``python -m fatigue``: see fatigue.cli."""
import sys

from fatigue.cli import main

if __name__ == "__main__":  # not when a spawned child process re-imports it
    sys.exit(main())
