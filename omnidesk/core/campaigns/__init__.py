"""Campaigns: one message to one audience, in steps per channel, guarded per recipient, exported as send packs."""
