"""Entry point of the frozen app.

`photosift` opens the window, `photosift --cli ...` is the CLI, and
`photosift --decode-worker MODULE R W C` is a decode worker process (core.pipeline.decode_pool
starts it this way in a bundle, where there is no `python -m`). The worker branch
comes first and imports no Qt.
"""
import importlib
import sys

if __name__ == "__main__":
    if sys.argv[1:2] == ["--decode-worker"]:
        importlib.import_module(sys.argv[2]).main(sys.argv[3:])
        sys.exit(0)
    from desktop_app.app import main

    sys.exit(main())
