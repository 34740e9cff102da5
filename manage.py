#!/usr/bin/env python
from jiesu.cli import main

if __name__ == "__main__":
    main()
