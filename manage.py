#!/usr/bin/env python
from fengling.cli import main

if __name__ == "__main__":
    main()
