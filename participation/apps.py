from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "participation"
    verbose_name = _("公众参与")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from participation import models
        from portal import pagecache

        # Ballots and evaluations themselves are not watched: they are the busiest writes
        # and the public sees their totals once the vote or round is closed (a save of
        # the vote or round); live counters lag by at most PORTAL_PAGE_CACHE_SECONDS.
        pagecache.watch(
            models.VotingBody,
            models.BodyMember,
            models.Decision,
            models.DecisionStep,
            models.Meeting,
            models.MeetingIssue,
            models.EvaluationRound,
            models.EvaluationSubject,
            models.AidPost,
            models.AidReply,
            models.Solicitation,
            models.SolicitationAttachment,
            models.OpinionGroup,
            models.Vote,
            models.VoteOption,
            models.PaperBatch,
            models.PaperCount,
        )
        # An opinion waiting for moderation is on no public page.
        pagecache.watch(
            models.Opinion, when=lambda opinion: opinion.status != models.OpinionStatus.PENDING
        )
