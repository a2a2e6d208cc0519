"""Run every benchmark module in this folder."""

import importlib
import pkgutil
from pathlib import Path

for module in sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if not m.name.startswith("_")):
    print(f"== bench.{module}")
    importlib.import_module(f"bench.{module}").main()
