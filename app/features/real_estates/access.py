"""Who may see a listing and who may change it: one rule for every feature that asks."""

from app.features.real_estates.model import ListingStatus, RealEstate
from app.features.users.model import Role, User


def manages(user: User | None, listing: RealEstate) -> bool:
    """Whether `user` may change `listing`: its owner, or an admin."""
    return user is not None and (user.role is Role.ADMIN or user.id == listing.owner_id)


def visible_to(listing: RealEstate, viewer: User | None) -> bool:
    """Whether `viewer` may see `listing`: anyone a published one, managers any."""
    return listing.status is ListingStatus.PUBLISHED or manages(viewer, listing)
