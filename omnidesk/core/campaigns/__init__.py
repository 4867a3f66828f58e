"""Campaigns: plans per channel, their guards, and the packs each channel imports."""
