import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("governance", "0005_grants_into_agreements")]

    operations = [
        migrations.AlterField(
            model_name="datasetgrant",
            name="agreement",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="grants",
                to="governance.sharingagreement",
                verbose_name="agreement",
            ),
        ),
    ]
