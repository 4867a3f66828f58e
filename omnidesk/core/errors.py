"""Errors a user can cause and fix: their text is shown as it is, in the GUI and the CLI."""


class UserError(Exception):
    """Bad input or a refused action; ``str()`` is one clear sentence for the user."""


class ValueRefused(UserError):
    """A value typed in that its field, name or setting does not take (too long, not of its kind).

    The command line counts it as the command line itself being wrong (exit 2), as a setting
    refusing a value is, whichever command the value was given to."""
