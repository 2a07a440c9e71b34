"""The inboxes: received and sent lists, marking read, and who may see what."""

from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app.features.real_estates.model import RealEstate
from app.features.users.model import User
from tests.conftest import MakeToken, MakeUser, assert_problem, bearer
from tests.features.inquiries.v1.conftest import RECEIVED, SENT, add_listing, send


def read_path(inquiry_id: str) -> str:
    return f"{RECEIVED}/{inquiry_id}/read"


async def get(client: httpx.AsyncClient, token: str, path: str, **params: Any) -> dict[str, Any]:
    response = await client.get(path, headers=bearer(token), params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_the_collector_sees_name_and_phone_the_sender_only_their_message(
    client: httpx.AsyncClient,
    searcher: User,
    searcher_token: str,
    collector_token: str,
    listing: RealEstate,
) -> None:
    sent = await send(
        client, searcher_token, listing.id, phone="(11) 91234-5678", preferred_contact_time="any"
    )

    received = await client.get(RECEIVED, headers=bearer(collector_token))
    mine = await client.get(SENT, headers=bearer(searcher_token))

    assert received.status_code == mine.status_code == 200
    [item] = received.json()["items"]
    assert item["id"] == sent.json()["id"]
    assert item["sender_name"] == "Sam Searcher"
    assert item["phone"] == "+5511912345678"
    assert item["read_at"] is None
    assert item["listing"] == {
        "id": str(listing.id),
        "title": "Casa com quintal",
        "city": "Campinas",
    }
    [own] = mine.json()["items"]
    assert own == sent.json()
    assert "phone" not in own
    for text in (received.text, mine.text):
        for secret in (searcher.cpf, "sam@example.com", "carla@example.com"):
            assert secret not in text


async def test_the_inboxes_of_people_with_no_inquiries_are_empty(
    client: httpx.AsyncClient, searcher_token: str, collector_token: str, listing: RealEstate
) -> None:
    await send(client, searcher_token, listing.id)

    assert await get(client, searcher_token, RECEIVED) == {"items": [], "next_cursor": None}
    assert await get(client, collector_token, SENT) == {"items": [], "next_cursor": None}


async def test_received_pages_newest_first_with_listing_and_unread_filters(
    client: httpx.AsyncClient,
    session: AsyncSession,
    make_user: MakeUser,
    sign_in: MakeToken,
    collector: User,
    collector_token: str,
    listing: RealEstate,
) -> None:
    other = await add_listing(session, collector, title="Outro imóvel")
    ids = []
    for n, about in enumerate((listing, listing, other)):
        token = await sign_in(await make_user(name=f"Sender {n}"))
        ids.append((await send(client, token, about.id)).json()["id"])
    marked = await client.post(read_path(ids[0]), headers=bearer(collector_token))
    assert marked.status_code == 200, marked.text

    first = await get(client, collector_token, RECEIVED, limit=2)
    second = await get(client, collector_token, RECEIVED, limit=2, cursor=first["next_cursor"])
    about_listing = await get(client, collector_token, RECEIVED, listing_id=str(listing.id))
    unread = await get(client, collector_token, RECEIVED, unread="true")
    read = await get(client, collector_token, RECEIVED, unread="false")
    mixed = await client.get(
        RECEIVED,
        headers=bearer(collector_token),
        params={"limit": 2, "unread": "true", "cursor": first["next_cursor"]},
    )

    newest_first = list(reversed(ids))
    assert [item["id"] for item in first["items"] + second["items"]] == newest_first
    assert second["next_cursor"] is None
    assert [item["id"] for item in about_listing["items"]] == [ids[1], ids[0]]
    assert [item["id"] for item in unread["items"]] == [ids[2], ids[1]]
    assert [item["id"] for item in read["items"]] == [ids[0]]
    assert_problem(mixed, 422, "INVALID_CURSOR", RECEIVED)


async def test_sent_pages_newest_first_and_filter_by_listing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    collector: User,
    searcher_token: str,
    listing: RealEstate,
) -> None:
    other = await add_listing(session, collector, title="Outro imóvel")
    ids = [
        (await send(client, searcher_token, about.id)).json()["id"] for about in (listing, other)
    ]

    first = await get(client, searcher_token, SENT, limit=1)
    second = await get(client, searcher_token, SENT, limit=1, cursor=first["next_cursor"])
    about_other = await get(client, searcher_token, SENT, listing_id=str(other.id))

    assert [item["id"] for item in first["items"] + second["items"]] == [ids[1], ids[0]]
    assert second["next_cursor"] is None
    assert [item["id"] for item in about_other["items"]] == [ids[1]]


async def test_marking_read_is_idempotent_and_only_for_the_recipient(
    client: httpx.AsyncClient,
    make_user: MakeUser,
    sign_in: MakeToken,
    searcher_token: str,
    collector_token: str,
    listing: RealEstate,
) -> None:
    inquiry_id = (await send(client, searcher_token, listing.id)).json()["id"]
    stranger_token = await sign_in(await make_user(name="Nosy Stranger"))

    by_sender = await client.post(read_path(inquiry_id), headers=bearer(searcher_token))
    by_stranger = await client.post(read_path(inquiry_id), headers=bearer(stranger_token))
    first = await client.post(read_path(inquiry_id), headers=bearer(collector_token))
    again = await client.post(read_path(inquiry_id), headers=bearer(collector_token))

    assert_problem(by_sender, 404, "INQUIRY_NOT_FOUND", read_path(inquiry_id))
    assert_problem(by_stranger, 404, "INQUIRY_NOT_FOUND", read_path(inquiry_id))
    assert first.status_code == again.status_code == 200
    assert first.json()["read_at"] is not None
    assert again.json() == first.json()
    stranger_box = await get(client, stranger_token, RECEIVED)
    assert stranger_box["items"] == []


async def test_an_archived_then_deleted_listing_leaves_the_inquiry_readable_to_both(
    client: httpx.AsyncClient,
    searcher_token: str,
    collector_token: str,
    listing: RealEstate,
) -> None:
    inquiry_id = (await send(client, searcher_token, listing.id)).json()["id"]
    listing_path = f"/api/v1/real-estates/{listing.id}"

    archived = await client.post(f"{listing_path}/archive", headers=bearer(collector_token))
    while_archived = await get(client, collector_token, RECEIVED)
    deleted = await client.delete(listing_path, headers=bearer(collector_token))
    received = await get(client, collector_token, RECEIVED)
    sent = await get(client, searcher_token, SENT)
    marked = await client.post(read_path(inquiry_id), headers=bearer(collector_token))

    assert archived.status_code == 200, archived.text
    assert while_archived["items"][0]["listing"]["id"] == str(listing.id)
    assert deleted.status_code == 204, deleted.text
    snapshot = {"id": None, "title": "Casa com quintal", "city": "Campinas"}
    assert [item["listing"] for item in received["items"]] == [snapshot]
    assert [item["listing"] for item in sent["items"]] == [snapshot]
    assert sent["items"][0]["collector_deleted"] is False
    assert marked.status_code == 200, marked.text
