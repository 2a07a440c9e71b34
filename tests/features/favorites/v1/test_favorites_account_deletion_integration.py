"""Deleting an account: its listings and favourites go, others' favourites of them stay."""

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.features.audit.model import AuditEvent
from app.features.favorites.model import Favorite
from app.features.real_estates.model import RealEstate
from app.features.users.model import Role
from tests.conftest import MakeToken, MakeUser, bearer
from tests.features.favorites.v1.conftest import FAVORITES
from tests.features.real_estates.v1.conftest import create_listing


async def test_deleting_a_user_removes_their_listings_and_favourites_in_one_transaction(
    client: httpx.AsyncClient, session: AsyncSession, make_user: MakeUser, sign_in: MakeToken
) -> None:
    leaving = await make_user(name="Leo Leaving")
    staying = await make_user(name="Stella Staying")
    admin = await sign_in(await make_user(name="Ada Admin", role=Role.ADMIN))
    leaving_token, staying_token = await sign_in(leaving), await sign_in(staying)
    theirs = await create_listing(client, leaving_token, "publish")
    kept = await create_listing(client, staying_token, "publish")
    for token, listing in ((staying_token, theirs), (leaving_token, kept)):
        saved = await client.put(f"{FAVORITES}/{listing['id']}", headers=bearer(token))
        assert saved.status_code == 204

    deleted = await client.delete(f"/api/v1/users/{leaving.id}", headers=bearer(admin))

    assert deleted.status_code == 204
    session.expunge_all()
    listings = await session.scalars(select(RealEstate.id).where(RealEstate.owner_id == leaving.id))
    assert listings.all() == []
    leavers = select(func.count()).select_from(Favorite).where(Favorite.user_id == leaving.id)
    assert await session.scalar(leavers) == 0
    [item] = (await client.get(FAVORITES, headers=bearer(staying_token))).json()["items"]
    assert item == {
        "listing_id": theirs["id"],
        "available": False,
        "favorited_at": item["favorited_at"],
    }
    stayer = await client.get(f"/api/v1/real-estates/{kept['id']}", headers=bearer(staying_token))
    assert stayer.json()["favorite_count"] == 0
    events = await session.scalars(
        select(AuditEvent.action).where(AuditEvent.target == f"user:{leaving.id}")
    )
    assert events.all() == ["user.deleted"]
