"""Quality score: data.gouv.fr's nine metadata criteria plus conformance, completeness and
freshness read from the live version's validation report; each criterion weighs the same."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from territoria.catalog.enums import Frequency, ResourceKind
from territoria.catalog.models import Resource
from territoria.catalog.quality import dataset_quality
from territoria.ingest.schemas import do_declare_schema

FIXTURES = Path(__file__).parent.parent / "fixtures" / "schema-equipements"
LONG_DESCRIPTION = "Équipements publics de la région : piscines, médiathèques et stades. " * 2


def _criteria(quality) -> dict[str, float | None]:
    return {c.code: c.value for c in quality.criteria}


@pytest.mark.django_db
def test_a_bare_dataset_scores_only_its_licence(make_org):
    from territoria.catalog.models import Dataset

    dataset = Dataset.objects.create(slug="nu", title="Nu", organisation=make_org())
    quality = dataset_quality(dataset)
    values = _criteria(quality)
    assert values["licence"] == 1.0  # Licence Ouverte by default
    assert values["description"] == 0.0
    assert values["frequency_set"] == 0.0
    assert values["resources_reachable"] == 0.0
    assert values["freshness"] is None  # no periodic frequency: left out of the average
    # 1 met out of 11 applicable criteria.
    assert quality.score == round(100 / 11)


@pytest.mark.django_db
def test_a_complete_and_conforming_dataset_scores_100(ingest_text):
    today = date.today().isoformat()
    outcome = ingest_text(f"code;nom;date_maj\n67482;Strasbourg;{today}\n68066;Colmar;{today}\n")
    dataset = outcome.dataset
    dataset.description = LONG_DESCRIPTION
    dataset.frequency = Frequency.MONTHLY
    dataset.temporal_start = date(2020, 1, 1)
    dataset.spatial = ["fr:region:44"]
    dataset.save()
    Resource.objects.filter(dataset=dataset).update(description="Le fichier des communes.")
    quality = dataset_quality(dataset)
    assert all(c.met for c in quality.criteria), quality.as_dict()
    assert quality.score == 100


@pytest.mark.django_db
def test_schema_conformance_and_completeness_come_from_the_validation_report(
    ingest_text, django_assert_max_num_queries
):
    outcome = ingest_text((FIXTURES / "equipements-invalides.csv").read_bytes())
    resource = outcome.dataset.table_resource()
    do_declare_schema(resource, descriptor=json.loads((FIXTURES / "schema.json").read_text()))
    with django_assert_max_num_queries(1):  # the resources with their live versions
        quality = dataset_quality(outcome.dataset)
    values = _criteria(quality)
    assert values["conformance"] == 0.25  # one conforming row out of four
    assert values["completeness"] == round(40 / 44, 4)
    conformance = next(c for c in quality.criteria if c.code == "conformance")
    assert conformance.detail["source"] == "declared"
    assert conformance.percent == 25


@pytest.mark.django_db
def test_a_late_dataset_is_not_updated_on_time(ingest_text):
    outcome = ingest_text("code;nom\n67482;Strasbourg\n")
    dataset = outcome.dataset
    dataset.frequency = Frequency.WEEKLY
    dataset.save()
    now = timezone.now()
    assert _criteria(dataset_quality(dataset, now=now))["frequency_kept"] == 1.0
    later = now + timedelta(days=9)  # a week, and the grace of a day, are over
    values = _criteria(dataset_quality(dataset, now=later))
    assert values["frequency_kept"] == 0.0
    # Without a date column, freshness is the version's age: 9 days, linear to 0 at 21.
    assert values["freshness"] == round(1 - (9 - 8) / (21 - 8), 4)


@pytest.mark.django_db
def test_freshness_reads_the_newest_date_of_the_data(ingest_text):
    old = (date.today() - timedelta(days=400)).isoformat()
    outcome = ingest_text(f"code;date_releve\n67482;{old}\n")
    dataset = outcome.dataset
    dataset.frequency = Frequency.MONTHLY
    dataset.save()
    freshness = next(c for c in dataset_quality(dataset).criteria if c.code == "freshness")
    assert freshness.value == 0.0  # more than three months old
    assert freshness.detail == {"basis": "data", "newest": old, "age_days": 400}


@pytest.mark.django_db
def test_closed_formats_and_failing_sources_lose_their_criteria(ingest_text):
    outcome = ingest_text("code\n67482\n")
    dataset = outcome.dataset
    Resource.objects.create(
        dataset=dataset, title="Rapport", kind=ResourceKind.FILE, format="PDF", url="https://x.fr/r"
    )
    values = _criteria(dataset_quality(dataset))
    assert values["open_format"] == 0.0
    assert values["resources_reachable"] == 1.0
    Resource.objects.filter(dataset=dataset, kind=ResourceKind.TABLE).update(
        source_url="https://x.fr/data.csv", failure_count=2
    )
    assert _criteria(dataset_quality(dataset))["resources_reachable"] == 0.0
