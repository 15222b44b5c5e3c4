from django.db import migrations


def grants_into_agreements(apps, schema_editor):
    """Each grant made before agreements existed gets one, in force until its expiry."""
    import datetime

    grant_model = apps.get_model("governance", "DatasetGrant")
    agreement_model = apps.get_model("governance", "SharingAgreement")
    for grant in grant_model.objects.filter(agreement__isnull=True):
        ends = grant.expires_at.date() if grant.expires_at else datetime.date(2099, 12, 31)
        grant.agreement = agreement_model.objects.create(
            reference=f"ACCES-{grant.pk}",
            partner_id=grant.organisation_id,
            purpose=grant.note or "Accès accordé avant les conventions de partage",
            legal_basis="public_task",
            starts_on=grant.created_at.date(),
            ends_on=ends,
            status="active",
        )
        grant.save(update_fields=["agreement"])


class Migration(migrations.Migration):
    dependencies = [("governance", "0004_sharing_agreements")]

    operations = [migrations.RunPython(grants_into_agreements, migrations.RunPython.noop)]
