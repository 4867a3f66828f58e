"""Errors a user can cause and fix: their text is shown as it is, in the GUI and the CLI."""


class UserError(Exception):
    """Bad input or a refused action; ``str()`` is one clear sentence for the user."""
