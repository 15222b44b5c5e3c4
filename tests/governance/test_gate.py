"""The access gate decides who sees and who writes what; these tests hold it to its docstring."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.http import Http404
from django.utils import timezone

from territoria.catalog.enums import AccessLevel
from territoria.catalog.models import Dataset
from territoria.governance.gate import (
    access_dataset_for,
    can_manage_organisation,
    can_set_access_level,
    can_write_dataset,
    forget_memberships,
    is_region_staff,
    is_steward,
    visible_datasets,
    writable_organisations,
)
from territoria.governance.models import DatasetGrant
from tests.governance.agreements import grant
from tests.governance.world import LEVELS, MISSING_SLUG, OWNER, ROLES, SLUGS, VISIBLE

pytestmark = pytest.mark.usefixtures("world_datastore")


def _user(world, role):
    user = world.user(role)
    return AnonymousUser() if user is None else user


def _levels_seen(user) -> set[str]:
    slugs = visible_datasets(user).filter(slug__in=SLUGS.values())
    return set(slugs.values_list("access_level", flat=True))


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_exactly_the_levels_of_the_visibility_table(world, role):
    assert _levels_seen(_user(world, role)) == VISIBLE[role]


@pytest.mark.parametrize("role", ROLES)
def test_access_dataset_for_answers_404_exactly_where_the_table_says_hidden(world, role):
    user = _user(world, role)
    for level in LEVELS:
        if level in VISIBLE[role]:
            assert access_dataset_for(user, SLUGS[level]).slug == SLUGS[level]
        else:
            with pytest.raises(Http404):
                access_dataset_for(user, SLUGS[level])
    with pytest.raises(Http404):
        access_dataset_for(user, MISSING_SLUG)


def test_a_grant_opens_partners_and_restricted_datasets_until_it_expires(world, add_member):
    user = add_member(User.objects.create_user("lab"), "labo-public", "partner")
    lab = user.memberships.get().organisation
    granted = grant(
        world.datasets["restricted"], lab, expires_at=timezone.now() + timedelta(hours=1)
    )
    grant(world.datasets["partners"], lab)
    assert _levels_seen(user) == {"open", "partners", "restricted"}
    granted.expires_at = timezone.now() - timedelta(seconds=1)
    granted.save()
    assert _levels_seen(user) == {"open", "partners"}


def test_a_grant_never_opens_an_internal_dataset(world):
    """The world's partner holds a grant on the internal dataset too: it must not count."""
    granted = DatasetGrant.objects.filter(
        dataset=world.datasets["internal"], expires_at__isnull=True
    )
    assert granted.exists()
    assert "internal" not in _levels_seen(world.user("partner_with_grant"))


def test_an_inactive_member_sees_only_open_data(world, add_member):
    user = add_member(User.objects.create_user("former"), OWNER, "producer")
    user.is_active = False
    user.save()
    assert _levels_seen(user) == {"open"}
    assert not can_write_dataset(user, world.datasets["open"])


def test_a_superuser_is_a_steward(world):
    boss = User.objects.create_superuser("boss", "boss@example.org", "s3cret-pass")
    assert is_steward(boss)
    assert _levels_seen(boss) == set(LEVELS)


def test_region_staff_is_membership_in_a_region_organisation(world):
    assert is_region_staff(world.user("region_staff"))
    assert not is_region_staff(world.user("owner_producer"))
    assert not is_steward(world.user("region_staff"))


@pytest.mark.parametrize("role", ROLES)
def test_producers_write_only_their_organisations_datasets(world, role):
    user = _user(world, role)
    may_write = role in ("owner_producer", "steward")
    for level in LEVELS:
        assert can_write_dataset(user, world.datasets[level]) is may_write, level
    writable = set(writable_organisations(user).values_list("slug", flat=True))
    if role == "steward":
        assert OWNER in writable and "ville-de-mulhouse" in writable
    elif role == "owner_producer":
        assert writable == {OWNER}
    elif role == "other_producer":
        assert writable == {"ville-de-mulhouse"}
    else:
        assert writable == set()


@pytest.mark.parametrize("role", ROLES)
def test_opening_a_dataset_is_a_stewards_act(world, role):
    user = _user(world, role)
    dataset = world.datasets["internal"]
    assert can_set_access_level(user, dataset, AccessLevel.OPEN) is (role == "steward")
    assert can_set_access_level(user, None, AccessLevel.OPEN) is (role == "steward")
    may_write = role in ("owner_producer", "steward")
    for level in ("partners", "internal", "restricted"):
        assert can_set_access_level(user, dataset, level) is may_write


def test_organisation_admins_manage_their_organisation_only(world, add_member):
    admin = add_member(User.objects.create_user("chef"), OWNER, "admin")
    owner = world.datasets["open"].organisation
    other = world.user("other_producer").memberships.get().organisation
    assert can_manage_organisation(admin, owner)
    assert not can_manage_organisation(admin, other)
    assert not can_manage_organisation(world.user("owner_producer"), owner)
    assert can_manage_organisation(world.user("steward"), other)


def test_a_membership_change_is_seen_after_forget_memberships(world, add_member):
    user = add_member(User.objects.create_user("newcomer"), "unrelated-org", "viewer")
    assert _levels_seen(user) == {"open"}
    add_member(user, OWNER, "viewer")
    assert _levels_seen(user) == {"open"}  # cached for the request
    forget_memberships(user)
    assert _levels_seen(user) == set(LEVELS)


@pytest.mark.parametrize("role", ["anonymous", "partner_with_grant", "steward"])
def test_listing_visible_datasets_costs_two_queries_at_most(
    world, role, django_assert_max_num_queries
):
    """One query for the memberships (then cached on the user), one for the datasets."""
    user = _user(world, role)
    forget_memberships(user)
    with django_assert_max_num_queries(2):
        datasets = list(visible_datasets(user))
        [d.organisation.name for d in datasets]  # organisations come with the datasets
    with django_assert_max_num_queries(1):
        list(visible_datasets(user))  # memberships cached


def test_the_compiled_anonymous_lookup_reads_what_the_orm_reads(world, django_assert_num_queries):
    """Anonymous lookups run SQL compiled once per process; the answer is the ORM's, the
    organisation comes from the join and the live version's key from the sub-query."""
    from territoria.ingest.publication import LIVE_VERSION_KEY, with_live_version_key

    expected = with_live_version_key(visible_datasets(AnonymousUser())).get(slug=SLUGS["open"])
    with django_assert_num_queries(1):
        found = access_dataset_for(AnonymousUser(), SLUGS["open"])
        assert found.organisation.slug == expected.organisation.slug
    assert found.pk == expected.pk and found.themes == expected.themes
    assert found.__dict__[LIVE_VERSION_KEY] == expected.__dict__[LIVE_VERSION_KEY]
    for level in ("partners", "internal", "restricted"):
        with pytest.raises(Http404):
            access_dataset_for(AnonymousUser(), SLUGS[level])


def test_closing_a_dataset_hides_it_from_the_next_anonymous_lookup(world, db):
    dataset = Dataset.objects.get(pk=world.datasets["open"].pk)  # the world's copy stays open
    access_dataset_for(AnonymousUser(), dataset.slug)
    dataset.access_level = AccessLevel.INTERNAL
    dataset.save()
    with pytest.raises(Http404):
        access_dataset_for(AnonymousUser(), dataset.slug)
