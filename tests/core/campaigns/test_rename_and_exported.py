"""A campaign renamed keeps its steps, exported ones too; the steps already exported are known by id."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from omnidesk.core.campaigns.campaign import exported_steps, get_campaign, rename_campaign, save_campaign
from omnidesk.core.errors import UserError
from omnidesk.core.messages.store import save_message
from omnidesk.core.models import CampaignStep

NY = "America/New_York"


@pytest.fixture
def spring(ws):
    save_message(ws, "Sale", {"headline": "Sale"})
    save_campaign(ws, "Autumn", message="Sale")
    return save_campaign(ws, "Spring", message="Sale", steps=[
        {"channel": "email", "at": "2027-03-01T10:00", "timezone": NY},
        {"channel": "sms", "at": "2027-03-02T10:00", "timezone": NY}])


def test_exported_steps_are_listed_by_id(ws, spring):
    assert exported_steps(ws, "spring") == {}
    with ws.writing() as conn:
        conn.execute(update(CampaignStep.__table__).where(CampaignStep.__table__.c.id == spring.steps[1].id)
                     .values(exported_at="2027-02-01T10:00:00Z"))
    assert exported_steps(ws, "Spring") == {spring.steps[1].id: "2027-02-01T10:00:00Z"}
    with pytest.raises(UserError, match="no campaign 'Winter'"):
        exported_steps(ws, "Winter")


def test_rename_keeps_the_steps_and_their_export(ws, spring):
    with ws.writing() as conn:
        conn.execute(update(CampaignStep.__table__).where(CampaignStep.__table__.c.id == spring.steps[0].id)
                     .values(exported_at="2027-02-01T10:00:00Z"))
    renamed = rename_campaign(ws, "spring", "  Spring   clearance ")
    assert renamed.name == "Spring clearance" and renamed.id == spring.id
    assert [s.id for s in renamed.steps] == [s.id for s in spring.steps]
    assert exported_steps(ws, "Spring clearance") == {spring.steps[0].id: "2027-02-01T10:00:00Z"}
    assert rename_campaign(ws, "Spring clearance", "spring CLEARANCE").name == "spring CLEARANCE"  # its own name
    with pytest.raises(UserError, match="'Autumn' exists already"):
        rename_campaign(ws, "spring clearance", "AUTUMN")
    with pytest.raises(UserError, match="needs a name"):
        rename_campaign(ws, "spring clearance", "   ")
    assert get_campaign(ws, "Spring clearance").name == "spring CLEARANCE"
