"""``python -m bench``: generate (or reuse) the data, measure every page, print and write the report."""

from bench.run import main

raise SystemExit(main())
