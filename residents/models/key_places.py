"""Key places (重点场所): rentals, enterprises, hazards… with owner and tenants for rentals."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from grids import access
from grids.models import Archivable, ArchivableQuerySet, Grid, MicroGrid, Village

from .people import Resident
from .validators import mobile_validator


class PlaceType(models.TextChoices):
    RENTAL = "rental", _("出租房屋")
    ENTERPRISE = "enterprise", _("企业/非公有制经济组织")
    SCHOOL_AREA = "school_area", _("学校周边")
    HAZMAT = "hazmat", _("危化品场所")
    RESERVOIR = "reservoir", _("水库/地质灾害点")
    RELIGIOUS = "religious", _("宗教活动场所")
    CROWDED = "crowded", _("人员密集场所")
    OTHER = "other", _("其他重点部位")


class KeyPlaceQuerySet(ArchivableQuerySet):
    def visible_to(self, user):
        return self.filter(
            access.visible_q(user, town="village__town", village="village", grid="grid", micro_grid="micro_grid")
        )


class KeyPlace(Archivable):
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="key_places", verbose_name=_("行政村"))
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="key_places", verbose_name=_("网格"))
    micro_grid = models.ForeignKey(
        MicroGrid, on_delete=models.PROTECT, null=True, blank=True, related_name="key_places", verbose_name=_("微网格")
    )
    type = models.CharField(_("类型"), max_length=20, choices=PlaceType.choices)
    name = models.CharField(_("名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200)
    person_in_charge = models.CharField(_("负责人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=11, blank=True, validators=[mobile_validator])
    hazards = models.CharField(_("风险隐患"), max_length=500, blank=True)
    # 出租房屋: the owner (a resident or not) and the tenants who live there.
    owner = models.ForeignKey(
        Resident, on_delete=models.PROTECT, null=True, blank=True, related_name="rented_places", verbose_name=_("房东")
    )
    tenants = models.ManyToManyField(Resident, blank=True, related_name="rented_homes", verbose_name=_("租住人员"))

    objects = KeyPlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("重点场所")
        verbose_name_plural = _("重点场所")
        ordering = ["village", "grid", "type", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        errors = {}
        if self.grid_id and self.village_id and self.grid.village_id != self.village_id:
            errors["grid"] = _("网格必须属于本村。")
        if self.micro_grid_id and self.grid_id and self.micro_grid.grid_id != self.grid_id:
            errors["micro_grid"] = _("微网格必须属于所选网格。")
        if errors:
            raise ValidationError(errors)
