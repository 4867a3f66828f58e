"""The Campaigns screen: the campaigns, the editor of one, and who each step reaches."""

from omnidesk.ui.views.campaigns.view import CampaignsView

__all__ = ["CampaignsView"]
