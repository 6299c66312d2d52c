"""Build, check or preview the timeline site: `python build.py --help`."""

from timeline.cli import main

if __name__ == "__main__":
    main()
