"""Village tallies: the registry counted per village, year and primary cause, so the dashboard of a
province adds up a few thousand rows per year instead of counting a million households. Kept by
tallies.refresh(): after every change to a village's households, members or measures, and in full
every night; each row says when it was counted, and the page shows the oldest as 数据截至."""

from django.db import models

from households.choices import Cause, MeasureType
from villages.models import Area


class VillageTally(models.Model):
    """One village's households of one primary cause, counted for one year by households.periods.counted()."""

    village = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    cause = models.CharField("主要致贫原因", max_length=20, choices=Cause.choices)
    registered_households = models.PositiveIntegerField(default=0)
    registered_persons = models.PositiveIntegerField(default=0)
    exited_households = models.PositiveIntegerField(default=0)
    exited_persons = models.PositiveIntegerField(default=0)
    exited_cumulative_households = models.PositiveIntegerField(default=0)
    exited_cumulative_persons = models.PositiveIntegerField(default=0)
    # Still poor and past the deadline; planned to exit in this year; still poor with no measure;
    # still poor with none of the measures that answer the cause (selectors.CAUSE_MEASURES).
    overdue_households = models.PositiveIntegerField(default=0)
    planned_households = models.PositiveIntegerField(default=0)
    unmeasured_households = models.PositiveIntegerField(default=0)
    unanswered_households = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField("统计时间")

    class Meta:
        verbose_name = verbose_name_plural = "村级统计"
        constraints = [
            models.UniqueConstraint(fields=["year", "village", "cause"], name="village_tally_key")
        ]

    def __str__(self) -> str:
        return f"{self.village_id} {self.year} {self.cause}"


class MeasureTally(models.Model):
    """Households of one village with at least one measure of one type."""

    village = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    measure_type = models.CharField("措施类别", max_length=20, choices=MeasureType.choices)
    households = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField("统计时间")

    class Meta:
        verbose_name = verbose_name_plural = "村级措施统计"
        constraints = [
            models.UniqueConstraint(fields=["village", "measure_type"], name="measure_tally_key")
        ]

    def __str__(self) -> str:
        return f"{self.village_id} {self.measure_type}"
