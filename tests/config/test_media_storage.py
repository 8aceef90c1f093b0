"""Uploads on the file system by default, in an S3-compatible bucket with DJANGO_MEDIA_S3_BUCKET
(django-storages). No S3 server here: the bucket's API is botocore's Stubber, which checks each
call the storage makes and answers it, so a call we did not expect fails the test."""

import io
import subprocess
import sys

import pytest
from botocore.stub import Stubber
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from tests.articles.conftest import form_data, soup
from tests.config.test_settings import PRODUCTION, settings_in_child, start_up_error
from tests.subprocess_env import PROJECT

S3 = {
    **PRODUCTION,
    "DJANGO_MEDIA_S3_BUCKET": "qingtan-media",
    "DJANGO_MEDIA_S3_ENDPOINT_URL": "https://s3.storage.example",
    "DJANGO_MEDIA_S3_REGION": "auto",
    "DJANGO_MEDIA_S3_CUSTOM_DOMAIN": "media.qingtan.example",
    "DJANGO_MEDIA_S3_PREFIX": "uploads",
}


def test_uploads_stay_on_the_file_system_without_a_bucket():
    storage = settings_in_child(PRODUCTION, "settings.STORAGES['default']")
    assert storage == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_a_bucket_sends_uploads_to_s3_with_public_unsigned_addresses():
    storage = settings_in_child(S3, "settings.STORAGES['default']")
    assert storage == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "qingtan-media",
            "endpoint_url": "https://s3.storage.example",
            "region_name": "auto",
            "custom_domain": "media.qingtan.example",
            "location": "uploads",
            "querystring_auth": False,
            "file_overwrite": False,
        },
    }


def test_without_a_custom_domain_addresses_point_at_the_endpoint():
    env = {key: value for key, value in S3.items() if key != "DJANGO_MEDIA_S3_CUSTOM_DOMAIN"}
    url = settings_in_child(
        env, "__import__('django.core.files.storage').core.files.storage.default_storage.url('covers/a.jpg')"
    )
    assert url == "https://s3.storage.example/qingtan-media/uploads/covers/a.jpg"


def test_an_endpoint_without_a_scheme_is_refused():
    error = start_up_error({**S3, "DJANGO_MEDIA_S3_ENDPOINT_URL": "s3.storage.example"})
    assert "DJANGO_MEDIA_S3_ENDPOINT_URL" in error


def test_a_bucket_without_django_storages_installed_stops_start_up_saying_what_to_install():
    code = (
        "import sys; sys.modules['storages'] = None\n"  # as if it were not installed
        "import django; django.setup()"
    )
    env = {"DJANGO_SETTINGS_MODULE": "config.settings", "PATH": "/usr/bin:/bin", **S3}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "pip install 'django-storages[s3]'" in result.stderr.strip().splitlines()[-1]


@pytest.fixture
def s3_storage(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": settings_in_child(S3, "settings.STORAGES['default']"),
    }
    client = default_storage.connection.meta.client
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


def _png():
    data = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(data, "PNG")
    return SimpleUploadedFile("封面.png", data.getvalue(), "image/png")


@pytest.mark.django_db
def test_a_cover_uploaded_in_the_admin_goes_to_the_bucket_and_pages_link_to_it(s3_storage, editor, article):
    client, stub = s3_storage
    sent = []
    client.meta.events.register(
        "before-parameter-build.s3.PutObject", lambda params, **kw: sent.append(params)
    )
    stub.add_client_error("head_object", service_error_code="404", http_status_code=404)  # the name is free
    stub.add_response("put_object", {"ETag": '"0"'})
    staff = Client()
    staff.force_login(editor)
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(staff.get(url), "article_form")
    data["cover_image"] = _png()
    response = staff.post(url, data)
    assert response.status_code == 302, soup(response).select(".errorlist")

    article.refresh_from_db()
    assert article.cover_image.name.startswith("covers/") and article.cover_image.name.endswith(".png")
    assert [(params["Bucket"], params["Key"], params["ContentType"]) for params in sent] == [
        ("qingtan-media", f"uploads/{article.cover_image.name}", "image/png")
    ]
    page = soup(Client().get(article.get_absolute_url()))
    image = page.select_one('meta[property="og:image"]')["content"]
    assert image.startswith("https://media.qingtan.example/uploads/covers/") and image.endswith(".png")
    assert f'"image": "{image}"' in page.select_one('script[type="application/ld+json"]').string


@pytest.mark.django_db
def test_a_cover_on_the_file_system_is_linked_on_the_sites_own_host(article):
    article.cover_image = _png()
    article.save()
    page = soup(Client().get(article.get_absolute_url()))
    image = page.select_one('meta[property="og:image"]')["content"]
    assert image == f"http://testserver{article.cover_image.url}"
    assert article.cover_image.url.startswith("/media/covers/")
