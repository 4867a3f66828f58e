"""One brand voice: the brand kit, master messages and their per-channel variants, checked before they go out."""
