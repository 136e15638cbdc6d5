"""The active campaign: found, or created from the config's ``[campaign]`` section."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import AuditLog, Campaign


class CampaignError(Exception):
    """A campaign cannot be created as configured; the message is for a person."""


ACTIVE_CAMPAIGN = "minqing.active_campaign"  # key in Session.info


def remember_active_campaign(session: Session, campaign: Campaign | None) -> None:
    """The callback's claim read the active campaign already (storage.callbacks): later
    lookups in this unit of work use it instead of another query."""
    session.info[ACTIVE_CAMPAIGN] = campaign


def find_active_campaign(session: Session) -> Campaign | None:
    """The active campaign (the newest one when several are marked active), or None."""
    if ACTIVE_CAMPAIGN in session.info:
        found: Campaign | None = session.info[ACTIVE_CAMPAIGN]
        return found
    return session.scalars(
        select(Campaign).where(Campaign.active.is_(True)).order_by(Campaign.id.desc()).limit(1)
    ).first()


def get_or_create_active_campaign(
    session: Session, name: str, template: str, quota: int
) -> Campaign:
    """Return the active campaign; without one, add it from the given settings.

    An existing active campaign is returned unchanged (its name, template and quota
    are the administrator's, not the config's). The caller commits. Raises
    :class:`CampaignError` when an inactive campaign already has ``name``.
    """
    campaign = find_active_campaign(session)
    if campaign is not None:
        return campaign
    if session.scalars(select(Campaign.id).where(Campaign.name == name)).first() is not None:
        raise CampaignError(
            f"活动“{name}”已存在但已结束（未激活）；请在配置 [campaign] name 中换一个新活动名称"
        )
    campaign = Campaign(name=name, template=template, quota_per_cadre=quota, active=True)
    session.add(campaign)
    session.flush()
    if ACTIVE_CAMPAIGN in session.info:
        remember_active_campaign(session, campaign)
    return campaign


def switch_template(
    session: Session, campaign: Campaign, template: str, actor: str, now: datetime
) -> str:
    """Point ``campaign`` at another questionnaire template, with an AuditLog row.

    ``template`` must already be checked by the caller (it names a loadable file);
    ``actor`` is who did it (a userid, or "cli"). Returns the previous template.
    Drafts in progress continue under the new template (the dialog keeps the answers
    to questions both share).
    """
    before = campaign.template
    campaign.template = template
    session.add(
        AuditLog(
            at=now,
            actor=actor[:64],
            action="campaign_template",
            detail={"campaign": campaign.name, "from": before, "to": template},
        )
    )
    return before
