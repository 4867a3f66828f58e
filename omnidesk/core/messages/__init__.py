"""Messages: one master message and the version of it each channel sends.

The pieces every variant is checked and rendered with live here, free of Qt and of the
workspace: SMS segment counting (``sms``), each social network's length rule (``social``),
personalization tokens such as ``{first_name|there}`` (``tokens``) and campaign-tagged links
(``links``), next to the email and poster renderers.  Import the module you need; this
package imports none of them, so reading one does not load the others' libraries.
"""
