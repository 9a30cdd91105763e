"""``python -m genovocab`` runs the command line."""

import sys

from genovocab.cli import main

sys.exit(main())
