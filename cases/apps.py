from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _

from cases.db import register_sqlite_functions


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        connection_created.connect(register_sqlite_functions, dispatch_uid="cases.sqlite_functions")
        # A provider's inbound mail, once anymail has checked its signature (cases/mail).
        from anymail.signals import inbound

        from cases.mail.inbound import receive_inbound

        inbound.connect(receive_inbound, dispatch_uid="cases.mail.inbound")
