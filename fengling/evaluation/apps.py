from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The rows the cached scores and rankings (`scores.cached`) are computed from, besides the
# records: a save or delete of any of them makes the cache stale. Bulk updates (publishing
# and filing a unit's stars, the demo) and index credits (a month's, an award, a review:
# not by signal, which would make a month's re-crediting load every credit it deletes)
# call `scores.forget` themselves.
SCORE_MODELS = ("StarRating", "CriterionScore", "Criterion", "YearScheme", "SubsidyRate",
                "WeakDesignation")


def _forget_scores(**kwargs):
    from .scores import forget

    forget()


class EvaluationConfig(AppConfig):
    name = "fengling.evaluation"
    label = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        for name in SCORE_MODELS:
            model = self.get_model(name)
            post_save.connect(_forget_scores, sender=model,
                              dispatch_uid=f"evaluation.forget_scores.save.{name}")
            post_delete.connect(_forget_scores, sender=model,
                                dispatch_uid=f"evaluation.forget_scores.delete.{name}")
