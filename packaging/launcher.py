"""Entry script for the PyInstaller bundle.

PyInstaller needs a script, not a console-script entry point; this one does
exactly what the installed ``omnidesk`` command does.
"""

import sys

# Alembic imports the migration scripts from source at run time; the bundle may
# sit in a read-only or shared folder, so do not try to leave __pycache__ there.
sys.dont_write_bytecode = True

from omnidesk.cli import main  # noqa: E402

if __name__ == "__main__":
    # A big import normalizes its rows in worker processes (importing/parallel.py): in a
    # frozen bundle each worker starts as this executable, and this turns it into one.
    import multiprocessing

    multiprocessing.freeze_support()
    sys.exit(main())
