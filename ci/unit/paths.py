"""Put ci/ and tools/ on the import path for the unit tests."""

import os
import sys

UNIT_DIR = os.path.dirname(os.path.realpath(__file__))
CI_DIR = os.path.dirname(UNIT_DIR)
TOOLS_DIR = os.path.join(os.path.dirname(CI_DIR), "tools")
for folder in (CI_DIR, TOOLS_DIR):
    if folder not in sys.path:
        sys.path.insert(0, folder)
