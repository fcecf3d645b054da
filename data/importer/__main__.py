"""``python -m data.importer``: the command line lives in data.importer.cli."""

import sys

from data.importer.cli import main

if __name__ == "__main__":
    sys.exit(main())
