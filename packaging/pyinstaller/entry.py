"""Entry point of the frozen app: `photosift` opens the window, `photosift --cli ...` is the CLI."""
import multiprocessing
import sys

from desktop_app.app import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
