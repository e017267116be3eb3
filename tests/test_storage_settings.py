"""Uploads go to the local MEDIA_ROOT by default and to S3-compatible object storage
(django-storages) when S3_BUCKET is set, so any app server can serve any upload."""

from tests.conftest import manage

SHOW_STORAGE = (
    "from django.core.files.storage import storages; s = storages['default']; "
    "print(type(s).__module__, type(s).__name__, getattr(s, 'bucket_name', '-'), "
    "getattr(s, 'endpoint_url', '-'), getattr(s, 'location', '-'), "
    "getattr(s, 'querystring_auth', '-'))"
)


def storage_with(**env) -> str:
    env = {"S3_BUCKET": "", **env}
    result = manage("shell", "-c", SHOW_STORAGE, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_uploads_stay_on_the_local_disk_by_default():
    assert storage_with(MEDIA_ROOT="/srv/shared/media").startswith(
        "django.core.files.storage.filesystem FileSystemStorage - - /srv/shared/media -"
    )


def test_s3_compatible_storage_when_a_bucket_is_named():
    assert storage_with(
        S3_BUCKET="clearinghouse-uploads",
        S3_ENDPOINT_URL="https://objects.example.org",
        S3_PREFIX="media",
        S3_ACCESS_KEY_ID="key",
        S3_SECRET_ACCESS_KEY="secret",
    ) == (
        "storages.backends.s3 S3Storage clearinghouse-uploads "
        "https://objects.example.org media True"
    )
