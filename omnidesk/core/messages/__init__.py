"""Messages: one master message and its per-channel variants, rendered without Qt or a database."""
