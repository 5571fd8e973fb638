from django.db import migrations

# A copy, not an import: a migration must not change when the code does.
STARTER = ("Product", "Service", "Content idea", "Bug", "Praise")


def create(apps, schema_editor):
    Workspace = apps.get_model("core", "Workspace")
    Category = apps.get_model("feedback", "Category")
    Category.objects.bulk_create(
        [
            Category(workspace_id=ws, name=n, position=i)
            for ws in Workspace.objects.values_list("pk", flat=True)
            for i, n in enumerate(STARTER)
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
