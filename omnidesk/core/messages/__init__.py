"""One brand voice: the brand kit, master messages and their per-channel variants, checked before they go out.

Beside the brand kit (``brand``), the masters and variants (``derive``, ``store``) and the
values tokens take for a customer (``personal``) live the pieces every variant is counted
and rendered with, free of Qt and of the workspace: SMS segment counting (``sms``), each
social network's length rule (``social``), personalization tokens such as
``{first_name|there}`` (``tokens``), campaign-tagged links (``links``),
the email as clients need it (``email``) and the printable poster (``poster``); the check
reads them all (``lint``).  Import the
module you need; this package imports none of them, so reading one does not load the
others' libraries.
"""
