"""`python -m server.cli`, as the `alliances` script."""

import sys

from server.cli import main

sys.exit(main())
