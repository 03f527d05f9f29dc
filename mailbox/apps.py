from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailboxConfig(AppConfig):
    name = "mailbox"
    verbose_name = _("四级信箱")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from mailbox.models import Letter
        from portal import pagecache

        # Only answered letters can be on a public page (and an answer is never taken
        # back), so a submission, the busiest write of the mailbox, changes nothing cached.
        pagecache.watch(Letter, when=lambda letter: letter.replied_at is not None)
