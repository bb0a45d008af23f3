"""``python -m symbackprop``."""

import sys

from symbackprop.cli import main

sys.exit(main())
