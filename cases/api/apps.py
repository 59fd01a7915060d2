"""djangorestframework-api-key, installed for its code and its migrations only.

The library ships a concrete `APIKey` model with an admin; keys here are `cases.ApiKey` (owned
by an organisation or a person, with a scope), so the library's own admin page would offer keys
that open nothing. This config, used in INSTALLED_APPS instead of the library's, takes that page
away (it runs after the admin's autodiscovery)."""

from __future__ import annotations

from rest_framework_api_key.apps import RestFrameworkApiKeyConfig


class ApiKeyLibraryConfig(RestFrameworkApiKeyConfig):
    def ready(self) -> None:
        # Imported here: models cannot be imported before the app registry is ready.
        from django.contrib import admin
        from rest_framework_api_key.models import APIKey

        if admin.site.is_registered(APIKey):
            admin.site.unregister(APIKey)
