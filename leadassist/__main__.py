"""`python -m leadassist` runs the same entry point as the `leadassist` command."""

import sys

from leadassist.cli import main

if __name__ == "__main__":
    sys.exit(main())
